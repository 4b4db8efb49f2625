import { useLocation, useNavigate } from "@remix-run/react";
import type { AnchorHTMLAttributes, MouseEvent } from "react";

/**
 * Where an `AppLink` goes: a path of this site (`/orgs/demo/models`) or a
 * query on the current page (`?page=2`); never relative to the route.
 */
export type AppHref = `/${string}` | `?${string}`;

type AppLinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: AppHref };

/** A plain left click, which the app may take over; any other (new tab, download, modifier keys) is the browser's. */
function isPlainClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  const { target, download } = event.currentTarget;
  return (
    !event.defaultPrevented &&
    event.button === 0 &&
    (!target || target === "_self") &&
    !download &&
    !(event.metaKey || event.altKey || event.ctrlKey || event.shiftKey)
  );
}

/**
 * A link to a page of this site: an `<a href>` that, once JavaScript runs,
 * navigates in the app (loading only the next page's data), as Remix's
 * `<Link>` does. For the links every page renders by the dozen (navigation,
 * table rows): `<Link>` resolves its target against the matched routes three
 * times per render (tens of microseconds a link on the server), which a path
 * that is already absolute does not need.
 */
export function AppLink({ to, onClick, children, ...props }: AppLinkProps) {
  const navigate = useNavigate();
  const location = useLocation();
  const href = to.startsWith("?") ? `${location.pathname}${to}` : to;
  return (
    <a
      {...props}
      href={href}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainClick(event)) return;
        event.preventDefault();
        // As <Link>: a link to the page that is open replaces it in the history rather than adding it again.
        navigate(href, { replace: `${location.pathname}${location.search}${location.hash}` === href });
      }}
    >
      {children}
    </a>
  );
}

/**
 * A section of the navigation: an `AppLink` marked as the current page
 * (`aria-current="page"`, class `active`) when the open page is it or, unless
 * `end`, below it, as Remix's `<NavLink>` marks it.
 */
export function AppNavLink({ to, end, className, ...props }: AppLinkProps & { to: `/${string}`; end?: boolean }) {
  const { pathname } = useLocation();
  const path = to.length > 1 ? to.replace(/\/+$/, "").toLowerCase() : to;
  const current = pathname.length > 1 ? pathname.replace(/\/+$/, "").toLowerCase() : pathname;
  const active = current === path || (!end && current.startsWith(path === "/" ? "/" : `${path}/`));
  return (
    <AppLink
      {...props}
      to={to}
      aria-current={active ? "page" : undefined}
      className={[className, active ? "active" : ""].filter(Boolean).join(" ") || undefined}
    />
  );
}
