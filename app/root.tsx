import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useParams, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { keepPageAfterFailedSave } from "./components/autosave";
import { GeneralErrorBoundary } from "./components/general-error-boundary";
import { AppLink } from "./components/link";
import { ORG_CONTENT_ID } from "./components/skip-link";
import { TOPBAR_MENU_ID, TopbarMenuToggle } from "./components/topbar-menu";
import { useNonce } from "./components/nonce";
import { listUserOrganizations } from "./modules/auth/membership.server";
import { getSessionUser } from "./modules/auth/session.server";
import { newSubmissionToken } from "./modules/http/submit-once.server";
import stylesUrl from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "AI Maturity & Governance Portal" }];

/** A page whose autosave got no answer keeps its data (and what was typed on it): see autosave.tsx. */
export const shouldRevalidate = keepPageAfterFailedSave;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  return {
    user: user ? { name: user.name, email: user.email, isSiteAdmin: user.isSiteAdmin } : null,
    organizations: user ? listUserOrganizations(user.id) : [],
    /** The one-time token of this page's forms that create something (components/submit-once.tsx). */
    submissionToken: user ? newSubmissionToken() : null,
  };
}

function OrgSwitcher({ organizations }: { organizations: { slug: string; name: string }[] }) {
  const { orgSlug } = useParams();
  if (organizations.length === 0) return null;
  return (
    <Form method="get" action="/orgs" className="org-switcher">
      <label htmlFor="org-switcher" className="visually-hidden">
        Switch organisation
      </label>
      <select
        id="org-switcher"
        name="org"
        defaultValue={orgSlug ?? organizations[0]?.slug}
        key={orgSlug}
        onChange={(event) => event.currentTarget.form?.requestSubmit()}
      >
        {organizations.map((org) => (
          <option key={org.slug} value={org.slug}>
            {org.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Go</button>
      </noscript>
    </Form>
  );
}

/** The org layout's counts, when an organisation page is open: the header inbox shows them. */
type OrgCounts = { org: { slug: string }; due: { overdue: number; dueThisWeek: number }; reviews: { total: number }; unread: number };

function Header() {
  const data = useRouteLoaderData<typeof loader>("root");
  const orgData = useRouteLoaderData("routes/orgs.$orgSlug") as OrgCounts | undefined;
  const user = data?.user;
  const inboxCount = orgData ? orgData.unread + orgData.due.overdue + orgData.due.dueThisWeek : 0;
  return (
    <header className="topbar">
      {/* To the page's own content: past the organisation's navigation too, which sits inside <main>. */}
      <a href={orgData ? `#${ORG_CONTENT_ID}` : "#main"} className="skip-link">
        Skip to content
      </a>
      <AppLink to="/" className="brand">
        <span aria-hidden="true" className="brand-mark">
          ◆
        </span>{" "}
        Maturity &amp; Governance
      </AppLink>
      {/* On a phone the rest of the bar folds into a menu, which opens without JavaScript too. */}
      <TopbarMenuToggle>
        {/* The inbox sits inside the folded menu: its count shows on the button, so a phone shows it too. */}
        {inboxCount > 0 ? (
          <span className="count-badge" data-testid="menu-inbox-count" aria-label={`, ${inboxCount} in your inbox`}>
            {inboxCount}
          </span>
        ) : null}
      </TopbarMenuToggle>
      <div id={TOPBAR_MENU_ID} className="topbar-menu">
        {user ? <OrgSwitcher organizations={data.organizations} /> : null}
        <nav aria-label="Site" className="site-nav">
          <AppLink to="/framework">Framework</AppLink>
          {data && data.organizations.length > 1 ? <AppLink to="/orgs/compare">Compare</AppLink> : null}
          {user?.isSiteAdmin ? <AppLink to="/admin/organizations">Site admin</AppLink> : null}
        </nav>
        <div className="user-menu">
          {user && orgData ? (
            <AppLink to={`/orgs/${orgData.org.slug}/inbox`} className="inbox-link" data-testid="header-inbox">
              Inbox
              {inboxCount > 0 ? (
                <span
                  className="count-badge"
                  data-testid="header-inbox-count"
                  aria-label={`${orgData.unread} unread, ${orgData.due.overdue} overdue, ${orgData.due.dueThisWeek} due this week`}
                >
                  {inboxCount}
                </span>
              ) : null}
            </AppLink>
          ) : null}
          {user ? (
            <>
              <AppLink to="/account" className="user-name" title={`${user.email}: your account`}>
                {user.name}
              </AppLink>
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  Sign out
                </button>
              </Form>
            </>
          ) : (
            <AppLink to="/login">Sign in</AppLink>
          )}
        </div>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <Header />
        <main id="main">{children}</main>
        <footer className="footer">
          <p>
            Open-source AI maturity assessment and model governance portal · <AppLink to="/framework">Framework</AppLink> ·{" "}
            <a href="/healthz">Health</a>
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
