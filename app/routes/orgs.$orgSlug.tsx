import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { keepPageAfterFailedSave } from "~/components/autosave";
import { GeneralErrorBoundary } from "~/components/general-error-boundary";
import { AppNavLink } from "~/components/link";
import { ORG_CONTENT_ID } from "~/components/skip-link";
import { cached } from "~/data-cache.server";
import { requireMember } from "~/modules/auth/membership.server";
import { rememberOrganization } from "~/modules/auth/session.server";
import { ROLE_LABELS } from "~/modules/auth/roles";
import { unreadNotificationCount } from "~/modules/notifications/inbox.server";

/** A page whose autosave got no answer keeps its data (and what was typed on it): see autosave.tsx. */
export const shouldRevalidate = keepPageAfterFailedSave;

/** Org shell: navigation only. Each child route guards its own loader and action. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  await rememberOrganization(request, org.id);
  // Unread notifications beside the cached badges: one indexed count, read fresh (marking read moves no counter).
  return { org, role, ...cached.navigationBadges(org.id, user.id, role), unread: unreadNotificationCount(org.id, user.id) };
}

const SECTIONS = [
  { to: "", label: "Dashboard", end: true },
  { to: "assessments", label: "Assessments" },
  { to: "roadmaps", label: "Roadmaps" },
  { to: "models", label: "Models" },
  { to: "reviews", label: "Reviews" },
  { to: "audit", label: "Audit log" },
] as const;

export default function OrgLayout() {
  const { org, role, reviews, due } = useLoaderData<typeof loader>();
  return (
    <div className="org-layout">
      <nav aria-label="Organisation" className="org-nav">
        <div className="org-name">
          {org.name}
          <br />
          <span className="role-badge" data-testid="current-role">
            {ROLE_LABELS[role]}
          </span>
        </div>
        {SECTIONS.map((section) => (
          <AppNavLink key={section.to} to={`/orgs/${org.slug}/${section.to}`} end={"end" in section}>
            {section.label}
            {section.to === "reviews" && reviews.total > 0 ? (
              <span className="count-badge" aria-label={`${reviews.total} waiting for you`} title={`${reviews.total} waiting for you`}>
                {reviews.total}
              </span>
            ) : null}
            {section.to === "roadmaps" && due.overdue + due.dueThisWeek > 0 ? (
              <span
                className="count-badge"
                data-testid="due-badge"
                title={`${due.overdue} overdue, ${due.dueThisWeek} due this week`}
                aria-label={`${due.overdue} of your items overdue, ${due.dueThisWeek} due this week`}
              >
                {due.overdue + due.dueThisWeek}
              </span>
            ) : null}
          </AppNavLink>
        ))}
        {role === "admin" ? <AppNavLink to={`/orgs/${org.slug}/admin`}>Admin</AppNavLink> : null}
      </nav>
      <div className="org-content" id={ORG_CONTENT_ID}>
        <Outlet />
      </div>
    </div>
  );
}

/** In place of the layout (the header's skip link still leads here, as the organisation's data loaded). */
export function ErrorBoundary() {
  return (
    <div id={ORG_CONTENT_ID}>
      <GeneralErrorBoundary />
    </div>
  );
}
