import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listAuditEvents } from "~/modules/audit/audit.server";
import { listMembers } from "~/modules/auth/organizations.server";
import { requireMember } from "~/modules/auth/membership.server";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "~/modules/auth/roles";
import { getFramework } from "~/modules/framework/framework";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.org.name ?? "Dashboard"} · Dashboard` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const framework = getFramework();
  return {
    org,
    role,
    userName: user.name,
    memberCount: listMembers(org.id).length,
    recentEvents: listAuditEvents(org.id, {}, { limit: 8 }).events.map((event) => ({
      id: event.id,
      action: event.action,
      actor: event.actorLabel,
      at: event.createdAt.toISOString(),
    })),
    framework: { name: framework.name, version: framework.version, components: framework.components.length },
  };
}

export default function Dashboard() {
  const { org, role, userName, memberCount, recentEvents, framework } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>{org.name}</h1>
        <span className="muted">
          Signed in as {userName} · {ROLE_LABELS[role]}
        </span>
      </div>
      <p className="lead">{ROLE_DESCRIPTIONS[role]}</p>
      <div className="grid">
        <div className="tile">
          <div className="tile-label">Members</div>
          <div className="tile-value">{memberCount}</div>
        </div>
        <div className="tile">
          <div className="tile-label">Framework</div>
          <div className="tile-value">v{framework.version}</div>
          <Link to="/framework">
            {framework.name}: {framework.components} components
          </Link>
        </div>
      </div>
      <h2>Recent activity</h2>
      {recentEvents.length === 0 ? (
        <p className="muted">Nothing has happened in this organisation yet.</p>
      ) : (
        <ul>
          {recentEvents.map((event) => (
            <li key={event.id}>
              <code>{event.action}</code> by {event.actor} <time dateTime={event.at}>{event.at.slice(0, 16).replace("T", " ")}</time>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/orgs/${org.slug}/audit`}>Open the audit log</Link>
      </p>
    </>
  );
}
