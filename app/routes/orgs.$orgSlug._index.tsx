import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Chart } from "~/components/chart";
import { MetricTiles } from "~/components/metric-tiles";
import { listAuditEvents } from "~/modules/audit/audit.server";
import { requireMember } from "~/modules/auth/membership.server";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "~/modules/auth/roles";
import { cachedRegistryMetrics } from "~/modules/registry/metrics.server";
import { myRoadmapItems } from "~/modules/roadmap/roadmaps.server";
import { STAGES } from "~/modules/registry/registry-constants";
import { formatDateTime } from "~/utils/format";
import { isQuarter, quarterOf, quarterRange, shiftQuarter } from "~/utils/quarters";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.org.name ?? "Dashboard"} · Dashboard` }];

const QuarterSchema = z.string().refine(isQuarter);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const current = quarterOf(new Date());
  const asked = QuarterSchema.safeParse(new URL(request.url).searchParams.get("quarter"));
  const quarter = asked.success ? asked.data : current;
  return {
    org,
    role,
    userName: user.name,
    quarter,
    quarters: Array.from({ length: 8 }, (_, i) => shiftQuarter(current, -i)),
    metrics: cachedRegistryMetrics(org.id, quarterRange(quarter)),
    myItems: myRoadmapItems(org.id, user.id).filter((i) => i.status !== "done").slice(0, 8),
    recentEvents: listAuditEvents(org.id, {}, { limit: 8 }).events.map((event) => ({
      id: event.id,
      action: event.action,
      actor: event.actorLabel,
      at: event.createdAt.toISOString(),
    })),
  };
}

export default function Dashboard() {
  const { org, role, userName, quarter, quarters, metrics, recentEvents, myItems } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>{org.name}</h1>
        <span className="muted">
          Signed in as {userName} · {ROLE_LABELS[role]}
        </span>
      </div>
      <p className="lead">{ROLE_DESCRIPTIONS[role]}</p>
      {myItems.length ? (
        <section className="card" aria-labelledby="my-items">
          <h2 id="my-items">Your roadmap items</h2>
          <ul>
            {myItems.map((i) => (
              <li key={i.id}>
                <span className={i.overdue ? "bad-text" : undefined}>
                  {i.dueDate}
                  {i.overdue ? " (overdue)" : ""}
                </span>{" "}
                {i.title} <span className="muted">({i.status.replace("_", " ")})</span>
              </li>
            ))}
          </ul>
          <Link to={`/orgs/${org.slug}/roadmaps`}>Open the roadmap</Link>
        </section>
      ) : null}

      <div className="page-header">
        <h2>Registry in {quarter}</h2>
        <Form method="get" className="inline-form">
          <label htmlFor="quarter" className="visually-hidden">
            Quarter
          </label>
          <select id="quarter" name="quarter" defaultValue={quarter}>
            {quarters.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
          <button type="submit" className="secondary small">
            Show
          </button>
        </Form>
      </div>
      {metrics.modelsTotal === 0 ? (
        <p className="muted">
          No models registered yet. <Link to={`/orgs/${org.slug}/models`}>Register the first one</Link> or push them from a
          pipeline through the API.
        </p>
      ) : null}
      <MetricTiles metrics={metrics} />
      <div className="two-col" style={{ marginTop: "1rem" }}>
        <Chart
          label={`Versions by stage at the end of ${quarter}`}
          config={{
            type: "bar",
            data: {
              labels: [...STAGES],
              datasets: [{ label: "versions", data: STAGES.map((s) => metrics.versionsByStage[s]), backgroundColor: "#2457c5" }],
            },
            options: { plugins: { legend: { display: false } } },
          }}
          table={
            <table>
              <tbody>
                {STAGES.map((s) => (
                  <tr key={s}>
                    <th scope="row">{s}</th>
                    <td>{metrics.versionsByStage[s]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
        <Chart
          label={`Production promotions per month in ${quarter}`}
          config={{
            type: "bar",
            data: {
              labels: metrics.promotionsByMonth.map((p) => p.month),
              datasets: [{ label: "promotions", data: metrics.promotionsByMonth.map((p) => p.count), backgroundColor: "#1b7a43" }],
            },
            options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
          }}
          table={
            <table>
              <tbody>
                {metrics.promotionsByMonth.map((p) => (
                  <tr key={p.month}>
                    <th scope="row">{p.month}</th>
                    <td>{p.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
      </div>

      <h2>Recent activity</h2>
      {recentEvents.length === 0 ? (
        <p className="muted">Nothing has happened in this organisation yet.</p>
      ) : (
        <ul>
          {recentEvents.map((event) => (
            <li key={event.id}>
              <code>{event.action}</code> by {event.actor} <time dateTime={event.at}>{formatDateTime(event.at)}</time>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/orgs/${org.slug}/audit`}>Open the audit log</Link> · <Link to="/framework">Read the framework</Link>
      </p>
    </>
  );
}
