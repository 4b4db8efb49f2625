import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { ComponentRadar } from "~/components/assessment-charts";
import { Chart } from "~/components/chart";
import { LevelPill } from "~/components/framework";
import { MetricTiles } from "~/components/metric-tiles";
import { cached } from "~/data-cache.server";
import { PeriodSchema } from "~/modules/assessment/assessment-schemas";
import { formatScore, scoreChange } from "~/modules/assessment/scoring";
import { auditChainState, listStoredAuditEvents } from "~/modules/audit/audit.server";
import { auditEntityLinks } from "~/modules/audit/entity-links.server";
import { eventLabel } from "~/modules/audit/event-labels";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole, ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "~/modules/auth/roles";
import { modelNamesBySlug } from "~/modules/dashboard/dashboard.server";
import { DUE_SOON_DAYS, dueSoonHorizon } from "~/modules/dashboard/due";
import { reviewInbox } from "~/modules/governance/inbox.server";
import { STAGES } from "~/modules/registry/registry-constants";
import { myOpenRoadmapItems } from "~/modules/roadmap/roadmaps.server";
import { startWord } from "~/modules/roadmap/progress";
import { ITEM_STATUS_LABELS } from "~/modules/roadmap/roadmap-constants";
import { formatDate, formatDateTime } from "~/utils/format";
import { quarterOf, quarterRange, shiftQuarter } from "~/utils/quarters";
import { AppLink } from "~/components/link";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.org.name ?? "Dashboard"} · Dashboard` }];

const STANDING_ROLES: readonly Role[] = ["admin", "leadership"];
const REVIEW_ROLES: readonly Role[] = ["ethics"];
const ACTIVITY_ROLES: readonly Role[] = ["admin", "auditor"];
/** How many entries each list on the dashboard shows; the linked pages have the rest. */
const LIST_LIMIT = 5;
/** The active roadmap with how its start reads today ("starts" while ahead, "since" once reached). */
function withStartWord<T extends { startDate: string }>(roadmap: T | null) {
  return roadmap && { ...roadmap, startsLater: startWord(roadmap.startDate, new Date().toISOString().slice(0, 10)) === "Starts" };
}

/** How many of the member's own open roadmap items the dashboard lists. */
const MY_ITEMS_LIMIT = 8;

/** Only what the signed-in role's dashboard shows is read. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const current = quarterOf(new Date());
  const asked = PeriodSchema.safeParse(new URL(request.url).searchParams.get("quarter"));
  const quarter = asked.success ? asked.data : current;
  const today = new Date().toISOString().slice(0, 10);
  const leads = hasRole(role, STANDING_ROLES);
  const inbox = hasRole(role, REVIEW_ROLES) ? reviewInbox(org.id, { role, userId: user.id }) : null;
  const approvals = inbox?.approvals.slice(0, LIST_LIMIT) ?? [];
  const approvalModels = modelNamesBySlug(org.id, [...new Set(approvals.map((r) => r.model))]);
  return {
    org,
    role,
    userName: user.name,
    quarter,
    quarters: Array.from({ length: 8 }, (_, i) => shiftQuarter(current, -i)),
    metrics: cached.registryMetrics(org.id, quarterRange(quarter)),
    standing: leads ? cached.maturityStanding(org.id) : null,
    roadmap: leads ? withStartWord(cached.activeRoadmapProgress(org.id)) : null,
    reviews: inbox
      ? {
          approvals: approvals.map((r) => ({
            id: r.id,
            modelName: approvalModels.get(r.model) ?? r.model,
            version: r.version,
            requester: r.requestedBy,
          })),
          approvalsTotal: inbox.approvals.length,
          cards: inbox.cards
            .slice(0, LIST_LIMIT)
            .map((c) => ({ id: c.id, model: c.model, modelName: c.modelName, version: c.version, riskTier: c.riskTier })),
          cardsTotal: inbox.cards.length,
          audits: inbox.audits
            .slice(0, LIST_LIMIT)
            .map((a) => ({ id: a.id, modelName: a.modelName, version: a.version, passed: a.passed })),
          auditsTotal: inbox.audits.length,
        }
      : null,
    myItems: myOpenRoadmapItems(org.id, user.id, { today, horizon: dueSoonHorizon(today), limit: MY_ITEMS_LIMIT }),
    chain: role === "auditor" ? await auditChainState(org.id) : null,
    recentEvents: hasRole(role, ACTIVITY_ROLES) ? recentActivity(org) : [],
  };
}

/** The newest events, readable and linked to what they are about (one query for the links): only what the list shows. */
function recentActivity(org: { id: number; slug: string }) {
  const { events } = listStoredAuditEvents(org.id, {}, { limit: 8 });
  const links = auditEntityLinks(org.id, org.slug, events);
  return events.map((event) => ({
    id: event.id,
    label: eventLabel(event.action),
    actor: event.actorLabel,
    at: event.createdAt.toISOString(),
    link: links.get(`${event.entityType}:${event.entityId}`) ?? null,
  }));
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function MaturityStanding({ org, standing, roadmap }: Pick<Data, "org" | "standing" | "roadmap">) {
  return (
    <section className="card" aria-labelledby="standing">
      <h2 id="standing" style={{ marginTop: 0 }}>
        Where we stand
      </h2>
      {standing ? (
        <div className="two-col">
          <div>
            <p className="muted" style={{ margin: 0 }}>
              Technology &amp; Operations maturity, {standing.period} (latest finalised assessment)
            </p>
            <p style={{ fontSize: "2.4rem", fontWeight: 700, margin: "0.25rem 0" }} data-testid="maturity-score">
              {formatScore(standing.dimensionScore)}
            </p>
            <p style={{ margin: 0 }}>
              <LevelPill level={standing.level} /> Level {standing.level} {standing.levelName} · {standing.band} band
            </p>
            <p data-testid="maturity-change">
              {standing.previous ? (
                <>
                  {scoreChange(standing.dimensionScore, standing.previous.dimensionScore).text} since {standing.previous.period} (
                  {formatScore(standing.previous.dimensionScore)})
                </>
              ) : (
                <span className="muted">No earlier finalised quarter to compare with.</span>
              )}
            </p>
            <p>
              <AppLink to={`/orgs/${org.slug}/assessments/${standing.id}`}>Open the {standing.period} assessment</AppLink>
            </p>
          </div>
          <ComponentRadar
            title={`Component scores ${standing.period}`}
            height={320}
            labels={standing.components.map((c) => c.name)}
            series={[
              { label: standing.period, values: standing.components.map((c) => c.score), color: "#2457c5" },
              ...(standing.previous
                ? [
                    {
                      label: standing.previous.period,
                      values: standing.components.map((c) => c.previousScore),
                      color: "#5b6576",
                      dashed: true,
                    },
                  ]
                : []),
            ]}
          />
        </div>
      ) : (
        <p className="muted">
          No finalised assessment yet. <AppLink to={`/orgs/${org.slug}/assessments`}>Run the quarter&apos;s assessment</AppLink> to see the
          score and level here.
        </p>
      )}
      <h3>Active roadmap</h3>
      {roadmap ? (
        <div data-testid="roadmap-progress">
          <p style={{ margin: "0 0 0.25rem" }}>
            <AppLink to={`/orgs/${org.slug}/roadmaps/${roadmap.id}`}>
              Level {roadmap.fromLevel} → {roadmap.toLevel}: {roadmap.title}
            </AppLink>{" "}
            <span className="muted">
              {roadmap.startsLater ? "starts" : "since"} {formatDate(roadmap.startDate)}
            </span>
          </p>
          <div
            className="progress"
            role="progressbar"
            aria-label="Roadmap items done"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={roadmap.total ? Math.round((100 * roadmap.done) / roadmap.total) : 0}
          >
            <span style={{ width: `${roadmap.total ? (100 * roadmap.done) / roadmap.total : 0}%` }} />
          </div>
          <p>
            {roadmap.done} of {roadmap.total} items done ·{" "}
            <span className={roadmap.overdue ? "bad-text" : undefined}>{roadmap.overdue} overdue</span>
          </p>
          {roadmap.overdueItems.length ? (
            <ul className="tight" aria-label="Overdue roadmap items">
              {roadmap.overdueItems.map((item) => (
                <li key={item.id}>
                  <AppLink to={`/orgs/${org.slug}/roadmaps/${roadmap.id}/items/${item.id}`}>{item.title}</AppLink>{" "}
                  <span className="bad-text">due {formatDate(item.dueDate)}</span>
                  <span className="muted"> · {item.owner ?? "no owner"}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <p className="muted">No active roadmap. Generate one from a finalised assessment.</p>
      )}
    </section>
  );
}

function ReviewQueue({ org, reviews }: { org: Data["org"]; reviews: NonNullable<Data["reviews"]> }) {
  const waiting = reviews.approvalsTotal + reviews.cardsTotal + reviews.auditsTotal;
  const more = (shown: number, total: number) => (total > shown ? <li className="muted">and {total - shown} more</li> : null);
  return (
    <section className="card" aria-labelledby="review-queue">
      <h2 id="review-queue" style={{ marginTop: 0 }}>
        Waiting for your review
      </h2>
      {waiting === 0 ? <p className="muted">Nothing waits for the ethics committee.</p> : null}
      <div className="two-col">
        <div>
          <h3>Promotion requests ({reviews.approvalsTotal})</h3>
          <ul className="tight">
            {reviews.approvals.map((r) => (
              <li key={r.id}>
                <AppLink to={`/orgs/${org.slug}/approvals/${r.id}`}>
                  {r.modelName} {r.version}
                </AppLink>{" "}
                <span className="muted">requested by {r.requester}</span>
              </li>
            ))}
            {more(reviews.approvals.length, reviews.approvalsTotal)}
          </ul>
        </div>
        <div>
          <h3>Model cards in review ({reviews.cardsTotal})</h3>
          <ul className="tight">
            {reviews.cards.map((c) => (
              <li key={c.id}>
                <AppLink to={`/orgs/${org.slug}/models/${c.model}/versions/${encodeURIComponent(c.version)}/card`}>
                  {c.modelName} {c.version}
                </AppLink>{" "}
                <span className={`risk risk-${c.riskTier}`}>{c.riskTier} risk</span>
              </li>
            ))}
            {more(reviews.cards.length, reviews.cardsTotal)}
          </ul>
        </div>
        <div>
          <h3>Bias audits to sign off ({reviews.auditsTotal})</h3>
          <ul className="tight">
            {reviews.audits.map((a) => (
              <li key={a.id}>
                <AppLink to={`/orgs/${org.slug}/bias-audits/${a.id}`}>
                  {a.modelName} {a.version}
                </AppLink>{" "}
                <span className={a.passed ? "ok-text" : "bad-text"}>{a.passed ? "passed" : "failed"}</span>
              </li>
            ))}
            {more(reviews.audits.length, reviews.auditsTotal)}
          </ul>
        </div>
      </div>
      <p>
        <AppLink to={`/orgs/${org.slug}/reviews`}>Open the reviews</AppLink>
      </p>
    </section>
  );
}

function MyItems({ org, myItems }: Pick<Data, "org" | "myItems">) {
  if (!myItems.open) return null;
  return (
    <section className="card" aria-labelledby="my-items">
      <h2 id="my-items" style={{ marginTop: 0 }}>
        Your roadmap items
      </h2>
      <p data-testid="my-items-summary">
        <span className={myItems.overdue ? "bad-text" : undefined}>{myItems.overdue} overdue</span> · {myItems.dueSoon} due in the next{" "}
        {DUE_SOON_DAYS} days · {myItems.open} open in all
      </p>
      <ul>
        {myItems.items.map((i) => (
          <li key={i.id}>
            <span className={i.overdue ? "bad-text" : i.dueSoon ? "warn-text" : undefined}>
              {formatDate(i.dueDate)}
              {i.overdue ? " (overdue)" : i.dueSoon ? " (due soon)" : ""}
            </span>{" "}
            {i.title} <span className="muted">({ITEM_STATUS_LABELS[i.status]})</span>
          </li>
        ))}
      </ul>
      <AppLink to={`/orgs/${org.slug}/roadmaps`}>Open the roadmap</AppLink>
    </section>
  );
}

function ChainState({ org, chain }: { org: Data["org"]; chain: NonNullable<Data["chain"]> }) {
  return (
    <section className="card" aria-labelledby="chain-state">
      <h2 id="chain-state" style={{ marginTop: 0 }}>
        Audit trail
      </h2>
      {chain.ok ? (
        <p className="ok-text" data-testid="chain-state">
          Hash chain intact: all {chain.events} events verified at {formatDateTime(chain.verifiedAt)}.
        </p>
      ) : (
        <p className="bad-text" data-testid="chain-state">
          Hash chain broken at event {chain.firstBrokenId}: {chain.reason}.
        </p>
      )}
      <p>
        <AppLink to={`/orgs/${org.slug}/audit`}>Open the audit log</AppLink> to filter, export or verify the whole chain again.
      </p>
    </section>
  );
}

export default function Dashboard() {
  const { org, role, userName, quarter, quarters, metrics, recentEvents, myItems, standing, roadmap, reviews, chain } =
    useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>{org.name}</h1>
        <span className="muted">
          Signed in as {userName} · {ROLE_LABELS[role]}
        </span>
      </div>
      <p className="lead">{ROLE_DESCRIPTIONS[role]}</p>
      {hasRole(role, STANDING_ROLES) ? <MaturityStanding org={org} standing={standing} roadmap={roadmap} /> : null}
      {reviews ? <ReviewQueue org={org} reviews={reviews} /> : null}
      <MyItems org={org} myItems={myItems} />
      {chain ? <ChainState org={org} chain={chain} /> : null}
      {hasRole(role, ACTIVITY_ROLES) ? (
        <section aria-labelledby="recent-activity">
          <h2 id="recent-activity">Recent activity</h2>
          {recentEvents.length === 0 ? (
            <p className="muted">Nothing has happened in this organisation yet.</p>
          ) : (
            <ul data-testid="recent-activity">
              {recentEvents.map((event) => (
                <li key={event.id}>
                  {event.label}
                  {event.link ? (
                    <>
                      {" "}
                      · <AppLink to={event.link.href}>{event.link.name}</AppLink>
                    </>
                  ) : null}{" "}
                  <span className="muted">
                    by {event.actor}, <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                  </span>
                </li>
              ))}
            </ul>
          )}
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
          No models registered yet. <AppLink to={`/orgs/${org.slug}/models`}>Register the first one</AppLink> or push them from a pipeline
          through the API.
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

      <p>
        <AppLink to={`/orgs/${org.slug}/audit`}>Open the audit log</AppLink> · <AppLink to="/framework">Read the framework</AppLink>
      </p>
    </>
  );
}
