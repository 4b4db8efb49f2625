import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ActionResult, FormError, TextField } from "~/components/forms";
import { MonitoringCharts } from "~/components/monitoring-charts";
import { RiskBadge, StageBadge } from "~/components/registry";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { productionVersionOn } from "~/modules/registry/lifecycle";
import { COMPARISONS } from "~/modules/registry/registry-constants";
import { listEntityHistory } from "~/modules/audit/audit.server";
import { History } from "~/components/history";
import { getModelDetail, historyRefs, removeObjective, setObjective } from "~/modules/registry/registry.server";
import { followState, setFollowing } from "~/modules/registry/followers.server";
import { ObjectiveSchema } from "~/modules/registry/registry-schemas";
import { formatDate, formatDateTime, formatHours } from "~/utils/format";
import { notFound } from "~/utils/http";
import { calendarDay, DATE_INPUT_BOUNDS } from "~/utils/validation";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { TableScroll } from "~/components/table";
import { AppLink } from "~/components/link";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.model.name ?? "Model"} · Models` }];

const OnDateSchema = calendarDay("Use a date such as 2026-07-01");
/** Follow (`yes`) or stop following (`no`): the model is the page's, the person the one signed in. */
const FollowSchema = z.object({
  following: z.enum(["yes", "no"], { errorMap: () => ({ message: "Choose to follow the model or to stop following it" }) }),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const detail = getModelDetail(org.id, params.modelSlug ?? "");
  if (!detail) throw notFound("Model not found");
  const onParam = new URL(request.url).searchParams.get("on");
  const on = onParam === null ? null : OnDateSchema.safeParse(onParam);
  const asked = on?.success ? new Date(`${on.data}T23:59:59.999Z`) : null;
  const intervals = detail.productionIntervals.map((i) => ({ ...i, from: new Date(i.from), to: i.to ? new Date(i.to) : null }));
  const answer = asked ? productionVersionOn(intervals, asked) : undefined;
  const { model, incidents } = detail;
  return {
    org,
    canWrite: hasRole(role, REGISTRY_WRITERS),
    ...detail,
    follow: followState(detail.model.id, user.id),
    // Only the version and incident columns the tables show: the page's data is serialised into the HTML too.
    model: {
      ...model,
      versions: model.versions.map(
        ({ id, version, stage, lineageComplete, algorithm, framework, parentVersion, createdAt, createdBy, createdVia }) => ({
          id,
          version,
          stage,
          lineageComplete,
          algorithm,
          framework,
          parentVersion,
          createdAt,
          createdBy,
          createdVia,
        }),
      ),
    },
    incidents: incidents.map(({ id, title, severity, status, version, startedAt, timeToDetectHours, timeToRecoverHours }) => ({
      id,
      title,
      severity,
      status,
      version,
      startedAt,
      timeToDetectHours,
      timeToRecoverHours,
    })),
    productionOn: asked && on?.success ? { date: on.data, version: answer?.version ?? null } : null,
    productionOnError: on && !on.success ? (on.error.issues[0]?.message ?? null) : null,
    history: listEntityHistory(org.id, historyRefs({ modelId: detail.model.id })),
  };
}

/** Any member follows a model (to hear of its incidents and breaches); objectives are the registry writers'. */
export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const anyMember = formData.get("intent") === "follow";
  const { org, actor, user } = await requireMember(request, params.orgSlug, anyMember ? undefined : REGISTRY_WRITERS);
  const modelSlug = params.modelSlug ?? "";
  const follower = { userId: user.id, label: user.email };
  return runIntentAction(formData, {
    follow: intent(
      FollowSchema,
      (input) => setFollowing(org.id, modelSlug, follower, input.following === "yes"),
      (_changed, input) =>
        input.following === "yes"
          ? "You follow this model: you will hear of its incidents, objective breaches, approval outcomes, automatic promotions and accepted bias-audit risks."
          : "You no longer follow this model.",
    ),
    "set-objective": intent(
      ObjectiveSchema,
      (input) => setObjective(org.id, modelSlug, input, actor),
      (_output, input) => `Objective on ${input.metric} saved.`,
    ),
    "remove-objective": intent(
      z.object({ metric: z.string().min(1) }),
      (input) => removeObjective(org.id, modelSlug, input.metric, actor),
      (_output, input) => `Objective on ${input.metric} removed.`,
    ),
  });
}

export default function ModelDetail() {
  const {
    org,
    model,
    canWrite,
    transitions,
    productionIntervals,
    incidents,
    objectives,
    monitoring,
    productionOn,
    productionOnError,
    history,
    follow,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const base = `/orgs/${org.slug}/models/${model.slug}` as const;
  const objectiveErrors: Record<string, string | undefined> = result?.intent === "set-objective" ? (result.errors ?? {}) : {};
  return (
    <>
      <p>
        <AppLink to={`/orgs/${org.slug}/models`}>← Models</AppLink>
      </p>
      <div className="page-header">
        <h1>
          {model.name} <RiskBadge tier={model.riskTier} />
        </h1>
        <span className="inline-form">
          <Form method="post">
            <input type="hidden" name="intent" value="follow" />
            <button
              type="submit"
              name="following"
              value={follow.following ? "no" : "yes"}
              className="secondary"
              data-testid="follow-button"
            >
              {follow.following ? "Stop following" : "Follow"}
            </button>
          </Form>
          {canWrite ? (
            <>
              <AppLink to={`${base}/edit`} className="button secondary">
                Edit details
              </AppLink>
              <AppLink to={`${base}/versions/new`} className="button">
                Register a version
              </AppLink>
            </>
          ) : null}
        </span>
      </div>
      <ActionResult result={result?.intent === "set-objective" ? undefined : result} />
      <section className="card">
        <dl className="kv">
          <dt>Slug</dt>
          <dd className="mono">{model.slug}</dd>
          <dt>In production</dt>
          <dd>
            {model.productionVersion ? <StageBadge stage="production" /> : "—"} {model.productionVersion}
          </dd>
          <dt>Owning person</dt>
          <dd data-testid="model-owner">{model.owner ? `${model.owner.name} (${model.owner.email})` : "—"}</dd>
          <dt>Followers</dt>
          <dd>
            {follow.followers === 0
              ? "Nobody follows this model yet"
              : `${follow.followers} ${follow.followers === 1 ? "person follows" : "people follow"} this model${follow.following ? ", you among them" : ""}`}
          </dd>
          <dt>Owner team</dt>
          <dd>{model.ownerTeam || "—"}</dd>
          <dt>Business owner</dt>
          <dd>{model.businessOwner || "—"}</dd>
          <dt>Business domain</dt>
          <dd>{model.businessDomain || "—"}</dd>
          <dt>Use case</dt>
          <dd>{model.useCase || "—"}</dd>
          <dt>Tags</dt>
          <dd>
            {model.tags.length
              ? model.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))
              : "—"}
          </dd>
          <dt>Registered</dt>
          <dd>
            {formatDate(model.createdAt)} via {model.createdVia}
          </dd>
        </dl>
        {model.description ? <p>{model.description}</p> : null}
      </section>

      <h2 id="versions">Versions</h2>
      {model.versions.length === 0 ? (
        <p className="muted">No versions yet.</p>
      ) : (
        <TableScroll label="Versions">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Stage</th>
                <th scope="col">Lineage</th>
                <th scope="col">Algorithm</th>
                <th scope="col">Parent</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {model.versions.map((v) => (
                <tr key={v.id}>
                  <td className="mono">
                    <AppLink to={`${base}/versions/${v.version}`}>{v.version}</AppLink>
                  </td>
                  <td>
                    <StageBadge stage={v.stage} />
                  </td>
                  <td>{v.lineageComplete ? <span className="ok-text">complete</span> : <span className="warn-text">incomplete</span>}</td>
                  <td>{[v.algorithm, v.framework].filter(Boolean).join(" · ") || "—"}</td>
                  <td className="mono">{v.parentVersion ?? "—"}</td>
                  <td>
                    {formatDate(v.createdAt)} by {v.createdBy} <span className="tag">{v.createdVia}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2 id="production-timeline">Production timeline</h2>
      <Form method="get" className="inline-form" preventScrollReset>
        <TextField
          label="Which version was in production at the end of (UTC)"
          name="on"
          type="date"
          {...DATE_INPUT_BOUNDS}
          defaultValue={params.get("on") ?? ""}
          required
          error={productionOnError ?? undefined}
        />
        <button type="submit" className="secondary">
          Look up
        </button>
      </Form>
      {productionOn ? (
        <p role="status" data-testid="production-on">
          On {productionOn.date}:{" "}
          {productionOn.version ? (
            <strong>version {productionOn.version} was in production</strong>
          ) : (
            <strong>no version was in production</strong>
          )}
          .
        </p>
      ) : null}
      {productionIntervals.length === 0 ? (
        <p className="muted">This model has never been in production.</p>
      ) : (
        <ul>
          {productionIntervals.map((i) => (
            <li key={`${i.versionId}-${i.from}`}>
              <span className="mono">{i.version}</span>: {formatDateTime(i.from)} → {i.to ? formatDateTime(i.to) : "now"}
            </li>
          ))}
        </ul>
      )}

      <h2 id="monitoring">Monitoring</h2>
      <MonitoringCharts snapshots={monitoring} objectives={objectives} />

      <h3>Service-level objectives</h3>
      {objectives.length === 0 ? <p className="muted">No objectives set.</p> : null}
      <ul>
        {objectives.map((o) => (
          <li key={o.metric} className="inline-form">
            <span>
              <code>{o.metric}</code> {o.comparison} {o.threshold}
            </span>
            {canWrite ? (
              <Form method="post">
                <input type="hidden" name="intent" value="remove-objective" />
                <input type="hidden" name="metric" value={o.metric} />
                <button type="submit" className="small danger" aria-label={`Remove objective on ${o.metric}`}>
                  Remove
                </button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
      {canWrite ? (
        <Form method="post" className="inline-form card" aria-label="Set an objective" noValidate>
          <input type="hidden" name="intent" value="set-objective" />
          <FormError error={objectiveErrors.form} />
          <div className="field">
            <label htmlFor="slo-metric">Metric</label>
            <input id="slo-metric" name="metric" placeholder="accuracy" aria-invalid={objectiveErrors.metric ? true : undefined} />
            {objectiveErrors.metric ? <p className="field-error">{objectiveErrors.metric}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="slo-comparison">Must be</label>
            <select id="slo-comparison" name="comparison" defaultValue=">=">
              {COMPARISONS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="slo-threshold">Threshold</label>
            <input id="slo-threshold" name="threshold" inputMode="decimal" aria-invalid={objectiveErrors.threshold ? true : undefined} />
            {objectiveErrors.threshold ? <p className="field-error">{objectiveErrors.threshold}</p> : null}
          </div>
          <button type="submit">Save objective</button>
        </Form>
      ) : null}

      <h2 id="incidents">Incidents</h2>
      {incidents.length === 0 ? (
        <p className="muted">No incidents reported.</p>
      ) : (
        <TableScroll label="Incidents">
          <table>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Version</th>
                <th scope="col">Started</th>
                <th scope="col">Time to detect</th>
                <th scope="col">Time to recover</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id}>
                  <td>
                    #{i.id} {i.title}
                  </td>
                  <td>{i.severity}</td>
                  <td className={i.status === "resolved" ? "ok-text" : "bad-text"}>{i.status}</td>
                  <td className="mono">
                    <AppLink to={`${base}/versions/${i.version}#incidents`}>{i.version}</AppLink>
                  </td>
                  <td>{formatDateTime(i.startedAt)}</td>
                  <td>{formatHours(i.timeToDetectHours)}</td>
                  <td>{formatHours(i.timeToRecoverHours)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2 id="stage-history">Stage history</h2>
      <TableScroll label="Stage history">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Version</th>
              <th scope="col">Move</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {[...transitions].reverse().map((t) => (
              <tr key={t.id}>
                <td>{formatDateTime(t.at)}</td>
                <td className="mono">{t.version}</td>
                <td>
                  {t.fromStage ? <StageBadge stage={t.fromStage} /> : "registered"} → <StageBadge stage={t.toStage} />
                </td>
                <td>{t.actor}</td>
                <td>{t.reason || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <History events={history} auditLink={`/orgs/${org.slug}/audit?entityType=model&entityId=${model.id}`} />
    </>
  );
}
