import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useRef, useState } from "react";
import { z } from "zod";
import { ActionResult, FormError, SelectField, TextAreaField, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { RiskBadge, StageBadge } from "~/components/registry";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { hasRole, PROMOTERS, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { lineageGaps, nextStages } from "~/modules/registry/lifecycle";
import { INCIDENT_STATUSES, SEVERITIES, type IncidentStatus } from "~/modules/registry/registry-constants";
import { listEntityHistory } from "~/modules/audit/audit.server";
import { History } from "~/components/history";
import { createIncident, getVersionDetail, historyRefs, updateIncident } from "~/modules/registry/registry.server";
import { transitionVersion } from "~/modules/governance/transitions.server";
import { IncidentCreateSchema, IncidentUpdateSchema, TransitionSchema } from "~/modules/registry/registry-schemas";
import { GateChecks } from "~/components/gate-checks";
import { BiasAuditOutcomeText, RiskAcceptanceNote } from "~/components/bias-audit";
import { DraftNotice, useFormDraft } from "~/components/autosave";
import { useHydrated } from "~/components/use-hydrated";
import { openApprovalRequest, listApprovalRequests } from "~/modules/governance/approvals.server";
import { BIAS_AUDIT_RUNNERS, listVersionBiasAudits } from "~/modules/governance/bias-audits.server";
import { gateChecksForVersion } from "~/modules/governance/gates.server";
import { failingChecks, type GateCheck } from "~/modules/governance/gates";
import { approvalPoliciesById, policyInForce } from "~/modules/governance/approval-policies.server";
import { ApprovalRequestOpenSchema } from "~/modules/governance/governance-schemas";
import { getVersionCards } from "~/modules/governance/model-cards.server";
import { formatDateTime, formatHours, statusWords } from "~/utils/format";
import { notFound } from "~/utils/http";
import { DATE_TIME_INPUT_BOUNDS } from "~/utils/validation";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.model.name ?? "Model"} ${data?.version.version ?? ""}` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  const card = getVersionCards(org.id, detail.version.id)[0];
  const gates = gateChecksForVersion(detail.version.id);
  const policy = policyInForce(org.id, detail.model.riskTier);
  // Promotions made by an automatic policy show the policy (who proposed and confirmed it) and the gates as they stood.
  const byPolicy = approvalPoliciesById(
    org.id,
    detail.transitions.flatMap((t) => (t.approvalPolicyId ? [t.approvalPolicyId] : [])),
  );
  return {
    org,
    ...detail,
    transitions: detail.transitions.map((t) => ({
      ...t,
      gateSnapshot: t.gateSnapshot as GateCheck[] | null,
      policy: t.approvalPolicyId ? (byPolicy.get(t.approvalPolicyId) ?? null) : null,
    })),
    policy: { automatic: policy.rule.automatic, description: policy.description, id: policy.policy?.id ?? null },
    // Under an automatic policy, leadership and admins may promote a staging version whose every gate passes.
    canPromoteByPolicy:
      hasRole(role, PROMOTERS) && policy.rule.automatic && detail.version.stage === "staging" && failingChecks(gates).length === 0,
    canWrite: hasRole(role, REGISTRY_WRITERS),
    gaps: lineageGaps({ ...detail.version, trainingDataRef: detail.version.trainingData?.ref }),
    // Production is reached only through an approved request, never by a plain move.
    moves: nextStages(detail.version.stage).filter((s) => s !== "production"),
    card: card ? { revision: card.revision, status: card.status, completeness: card.completeness } : null,
    canRunBiasAudit: hasRole(role, BIAS_AUDIT_RUNNERS),
    audits: listVersionBiasAudits(org.id, detail.version.id).map((a) => ({
      id: a.id,
      passed: a.passed,
      status: a.status,
      rows: a.rows,
      createdAt: a.createdAt,
      signedOffBy: a.signoff?.by ?? null,
      riskAcceptance: a.riskAcceptance,
    })),
    approvals: listApprovalRequests(org.id, { versionId: detail.version.id }).map((r) => ({
      id: r.id,
      status: r.status,
      pendingRoles: r.pendingRoles,
      createdAt: r.createdAt,
    })),
    gates,
    history: listEntityHistory(org.id, historyRefs({ versionId: detail.version.id })),
    // What "Resolved at" offers: now, to the minute, as a datetime-local input in UTC takes it.
    nowInput: new Date().toISOString().slice(0, 16),
  };
}

/**
 * The incident update form: the API's schema, and "Resolved at" counts only
 * when the status chosen is resolved (without JavaScript the field is always
 * there, prefilled with the time the page was opened).
 */
const IncidentUpdateFormSchema = z.preprocess(
  (value) =>
    value && typeof value === "object" && (value as Record<string, unknown>).status !== "resolved"
      ? { ...value, resolvedAt: undefined }
      : value,
  z.object({ incidentId: z.coerce.number().int().positive() }).and(IncidentUpdateSchema),
);

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, role, user } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const [modelSlug, version] = [params.modelSlug ?? "", params.version ?? ""];
  const formData = await readFormData(request);
  // Reporting an incident and requesting promotion create something: their forms carry a one-time token.
  return submitOnce(request, user.id, formData, () =>
    runIntentAction(formData, {
      transition: intent(
        TransitionSchema,
        (input) => transitionVersion(org.id, modelSlug, version, input, actor, { mayPromote: hasRole(role, PROMOTERS) }),
        (output, input) =>
          output.approvalPolicyId
            ? "Promoted to production by the automatic approval policy; the gate results are recorded."
            : `Moved to ${input.to}.`,
      ),
      "report-incident": intent(
        IncidentCreateSchema,
        (input) => createIncident(org.id, modelSlug, version, input, actor),
        (_, input) => `Incident reported: ${input.title}.`,
      ),
      "request-promotion": intent(
        ApprovalRequestOpenSchema,
        (input) => openApprovalRequest(org.id, modelSlug, version, input, actor),
        (request) => redirect(`/orgs/${org.slug}/approvals/${request.id}`),
      ),
      "update-incident": intent(
        IncidentUpdateFormSchema,
        ({ incidentId, ...input }) => updateIncident(org.id, incidentId, input, actor),
        "Incident updated.",
      ),
    }),
  );
}

export default function VersionDetail() {
  const {
    org,
    model,
    version,
    transitions,
    incidents,
    canWrite,
    canRunBiasAudit,
    gaps,
    moves,
    card,
    audits,
    approvals,
    gates,
    history,
    policy,
    canPromoteByPolicy,
    nowInput,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (intent: string): Record<string, string | undefined> =>
    result && !result.ok && result.intent === intent ? (result.errors ?? {}) : {};
  const valuesFor = (intent: string): Record<string, string | undefined> =>
    result && !result.ok && result.intent === intent ? (result.values ?? {}) : {};
  const modelPath = `/orgs/${org.slug}/models/${model.slug}`;
  // The incident form is only sent when submitted; until then the browser keeps a draft of it.
  const incidentFormRef = useRef<HTMLFormElement>(null);
  const incidentDraft = useFormDraft(incidentFormRef, `incident:${org.slug}:${model.slug}:${version.version}`);
  const gateAcceptanceId = gates.find((g) => g.id === "bias_audit")?.riskAcceptance?.auditId;
  return (
    <>
      <p>
        <Link to={modelPath}>← {model.name}</Link>
      </p>
      <div className="page-header">
        <h1>
          {model.name} <span className="mono">{version.version}</span> <StageBadge stage={version.stage} />
        </h1>
        <RiskBadge tier={model.riskTier} />
      </div>
      <ActionResult result={result?.ok ? result : undefined} />

      <div className="two-col">
        <section className="card" aria-labelledby="lineage-title">
          <h2 id="lineage-title">Lineage</h2>
          <p data-testid="lineage">
            {gaps.length === 0 ? (
              <span className="ok-text">Complete</span>
            ) : (
              <span className="warn-text">Incomplete: missing {gaps.join(", ")}</span>
            )}
          </p>
          <dl className="kv">
            <dt>Code reference</dt>
            <dd className="mono">{version.codeRef ?? "—"}</dd>
            <dt>Committed</dt>
            <dd>{version.committedAt ? formatDateTime(version.committedAt) : "—"}</dd>
            <dt>Training data</dt>
            <dd className="mono">
              {version.trainingData
                ? `${version.trainingData.ref}${version.trainingData.version ? ` @ ${version.trainingData.version}` : ""}`
                : "—"}
            </dd>
            <dt>Parent version</dt>
            <dd className="mono">{version.parentVersion ?? "—"}</dd>
            <dt>Algorithm</dt>
            <dd>{version.algorithm ?? "—"}</dd>
            <dt>Framework</dt>
            <dd>{version.framework ?? "—"}</dd>
            <dt>Artifact</dt>
            <dd className="mono">{version.artifactUri ?? "—"}</dd>
            <dt>Registered</dt>
            <dd>
              {formatDateTime(version.createdAt)} by {version.createdBy} via {version.createdVia}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="metrics-title">
          <h2 id="metrics-title">Metrics</h2>
          {Object.keys(version.metrics).length === 0 ? (
            <p className="muted">None recorded.</p>
          ) : (
            <table>
              <tbody>
                {Object.entries(version.metrics).map(([name, value]) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Hyperparameters</h3>
          {version.hyperparameters ? (
            <pre>{JSON.stringify(version.hyperparameters, null, 2)}</pre>
          ) : (
            <p className="muted">None recorded.</p>
          )}
        </section>
      </div>

      {canWrite ? (
        <section className="card" aria-labelledby="stage-title">
          <h2 id="stage-title">Change stage</h2>
          {moves.length === 0 ? (
            <p className="muted">No moves are available from {version.stage}.</p>
          ) : (
            <Form method="post" className="inline-form" noValidate>
              <input type="hidden" name="intent" value="transition" />
              <FormError error={errorsFor("transition").form ?? errorsFor("transition").to} />
              <SelectField label="Move to" name="to" options={moves.map((s) => ({ value: s, label: s }))} />
              <TextField label="Reason" name="reason" error={errorsFor("transition").reason} />
              <button type="submit">Move</button>
            </Form>
          )}
        </section>
      ) : null}

      <section className="card" aria-labelledby="governance-title">
        <h2 id="governance-title">Governance</h2>
        <div className="two-col">
          <div>
            <h3>Model card</h3>
            <p>
              {card ? (
                <>
                  Revision {card.revision}: <strong>{statusWords(card.status)}</strong> ({card.completeness.filled}/
                  {card.completeness.total} sections)
                </>
              ) : (
                <span className="muted">No card yet.</span>
              )}{" "}
              <Link to={`${modelPath}/versions/${version.version}/card`}>
                {card ? "Open the card" : canWrite ? "Write the card" : "Card"}
              </Link>
            </p>
            <h3>Bias audits</h3>
            {audits.length === 0 ? <p className="muted">No audits yet.</p> : null}
            <ul>
              {audits.map((a) => (
                <li key={a.id} data-audit={a.id}>
                  <Link to={`/orgs/${org.slug}/bias-audits/${a.id}`}>Audit #{a.id}</Link>: <BiasAuditOutcomeText audit={a} />
                  {a.signedOffBy ? ` by ${a.signedOffBy}` : ""} ({a.rows.toLocaleString("en")} rows, {a.createdAt.slice(0, 10)})
                  {a.riskAcceptance && a.id !== gateAcceptanceId ? <RiskAcceptanceNote acceptance={a.riskAcceptance} /> : null}
                </li>
              ))}
            </ul>
            {canRunBiasAudit ? (
              <Link className="screen-only" to={`${modelPath}/versions/${version.version}/bias-audits/new`}>
                Run a bias audit
              </Link>
            ) : null}
          </div>
          <div>
            <h3>Promotion gates</h3>
            <GateChecks checks={gates} orgSlug={org.slug} />
            <p data-testid="approval-policy">
              Approval policy for {model.riskTier} risk: <strong>{policy.description}</strong>{" "}
              <Link to={`/orgs/${org.slug}/admin/approval-policies#tier-${model.riskTier}`}>Approval policies</Link>
            </p>
            {canPromoteByPolicy ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="transition" />
                <input type="hidden" name="to" value="production" />
                <SubmissionToken />
                <FormError error={errorsFor("transition").form ?? errorsFor("transition").to} />
                <p>
                  Every gate passes and the policy in force is automatic: promoting now puts this version in production without human
                  approval, retires the current production version, and records policy #{policy.id} with the gate results.
                </p>
                <SubmitButton>Promote to production now</SubmitButton>
              </Form>
            ) : null}
            {approvals.length ? (
              <ul>
                {approvals.map((r) => (
                  <li key={r.id}>
                    <Link to={`/orgs/${org.slug}/approvals/${r.id}`}>Request #{r.id}</Link>: {r.status}
                    {r.status === "open" ? ` (waiting for ${r.pendingRoles.join(" and ")})` : ""}
                  </li>
                ))}
              </ul>
            ) : null}
            {canWrite && version.stage === "staging" && !approvals.some((r) => r.status === "open") ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="request-promotion" />
                <SubmissionToken />
                <FormError error={errorsFor("request-promotion").form} />
                <TextField label="Why promote now?" name="reason" error={errorsFor("request-promotion").reason} />
                <SubmitButton>Request promotion to production</SubmitButton>
              </Form>
            ) : null}
            {version.stage === "staging" ? (
              <p className="muted">Approval retires the model’s current production version and promotes this one in the same step.</p>
            ) : null}
          </div>
        </div>
      </section>

      <h2 id="incidents">Incidents</h2>
      {incidents.length === 0 ? <p className="muted">No incidents reported for this version.</p> : null}
      {incidents.map((incident) => (
        <article key={incident.id} className="card" aria-labelledby={`incident-${incident.id}`}>
          <h3 id={`incident-${incident.id}`}>
            #{incident.id} {incident.title} <span className="tag">{incident.severity}</span>{" "}
            <span className={incident.status === "resolved" ? "ok-text" : "bad-text"}>{incident.status}</span>
          </h3>
          <dl className="kv">
            <dt>Started</dt>
            <dd>{formatDateTime(incident.startedAt)}</dd>
            <dt>Detected</dt>
            <dd>
              {formatDateTime(incident.detectedAt)} (time to detect {formatHours(incident.timeToDetectHours)})
            </dd>
            <dt>Resolved</dt>
            <dd>
              {formatDateTime(incident.resolvedAt)}
              {incident.resolvedAt ? ` (time to recover ${formatHours(incident.timeToRecoverHours)})` : ""}
            </dd>
            <dt>Post-incident review</dt>
            <dd>
              {incident.reviewUrl ? (
                <a href={incident.reviewUrl} rel="noreferrer noopener">
                  {incident.reviewUrl}
                </a>
              ) : (
                "—"
              )}
            </dd>
          </dl>
          {incident.description ? <p>{incident.description}</p> : null}
          {canWrite ? (
            <IncidentUpdateForm
              incident={incident}
              nowInput={nowInput}
              refused={
                result && !result.ok && result.intent === "update-incident" && result.values?.incidentId === String(incident.id)
                  ? result
                  : undefined
              }
            />
          ) : null}
        </article>
      ))}
      {canWrite ? (
        <section className="card" aria-labelledby="report-title">
          <h2 id="report-title">Report an incident</h2>
          <DraftNotice restoredAt={incidentDraft.dirty ? incidentDraft.restoredAt : null} onDiscard={incidentDraft.discard} />
          {/* A new key after each report empties the form for the next one. */}
          <Form method="post" noValidate ref={incidentFormRef} key={incidents.length} {...incidentDraft.formProps}>
            <input type="hidden" name="intent" value="report-incident" />
            <SubmissionToken />
            <FormError error={errorsFor("report-incident").form} />
            <TextField
              label="Title"
              name="title"
              required
              defaultValue={valuesFor("report-incident").title}
              error={errorsFor("report-incident").title}
            />
            <SelectField
              label="Severity"
              name="severity"
              defaultValue={valuesFor("report-incident").severity ?? "sev3"}
              options={SEVERITIES.map((s) => ({ value: s, label: s }))}
            />
            <TextField
              label="Started at (UTC, required)"
              name="startedAt"
              type="datetime-local"
              required
              {...DATE_TIME_INPUT_BOUNDS}
              defaultValue={valuesFor("report-incident").startedAt}
              error={errorsFor("report-incident").startedAt}
            />
            <TextField
              label="Detected at (UTC)"
              name="detectedAt"
              type="datetime-local"
              {...DATE_TIME_INPUT_BOUNDS}
              defaultValue={valuesFor("report-incident").detectedAt}
              error={errorsFor("report-incident").detectedAt}
              hint="Leave empty if detected at the start."
            />
            <TextAreaField
              label="Description"
              name="description"
              defaultValue={valuesFor("report-incident").description}
              error={errorsFor("report-incident").description}
            />
            <SubmitButton>Report incident</SubmitButton>
          </Form>
        </section>
      ) : null}

      <h2>Stage history</h2>
      <ul>
        {transitions.map((t) => (
          <li key={t.id}>
            {formatDateTime(t.at)}: {t.fromStage ?? "registered"} → {t.toStage} by {t.actor}
            {t.reason ? ` (${t.reason})` : ""}
            {t.approvalPolicyId ? (
              <div className="card" data-testid="approved-by-policy">
                <strong>Approved by policy</strong> #{t.approvalPolicyId}
                {t.policy ? (
                  <>
                    : {t.policy.description}, proposed by {t.policy.proposedBy}
                    {t.policy.confirmedBy ? `, confirmed by ${t.policy.confirmedBy} on ${formatDateTime(t.policy.confirmedAt)}` : ""}
                  </>
                ) : null}
                {t.gateSnapshot ? (
                  <>
                    <p className="muted">The gates when it was promoted:</p>
                    <GateChecks checks={t.gateSnapshot} />
                  </>
                ) : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <History events={history} auditLink={`/orgs/${org.slug}/audit?entityType=model_version&entityId=${version.id}`} />
    </>
  );
}

type Refused = { errors?: Record<string, string>; values?: Record<string, string> };

/**
 * Changes an incident that is not resolved: its status, when it was resolved
 * (the real end, which the time to recover counts to) and its review link. A
 * resolved incident can be reopened instead: the portal's figures then count
 * it as open again, and the audit trail keeps both steps.
 */
function IncidentUpdateForm({
  incident,
  nowInput,
  refused,
}: {
  incident: { id: number; status: IncidentStatus; detectedAt: string; reviewUrl: string | null };
  nowInput: string;
  refused?: Refused;
}) {
  const errors = refused?.errors ?? {};
  const values = refused?.values ?? {};
  const [status, setStatus] = useState(values.status ?? incident.status);
  // Without JavaScript "Resolved at" stays on screen, and the server ignores it unless the status sent is resolved.
  const hydrated = useHydrated();
  const resolvedAtHidden = hydrated && status !== "resolved";
  if (incident.status === "resolved") {
    return (
      <Form method="post" className="inline-form" aria-label={`Reopen incident #${incident.id}`}>
        <input type="hidden" name="intent" value="update-incident" />
        <input type="hidden" name="incidentId" value={incident.id} />
        <input type="hidden" name="status" value="open" />
        <FormError error={errors.form ?? errors.status} />
        <p className="hint">Reopening clears the resolution time until it is resolved again.</p>
        <button type="submit" className="secondary">
          Reopen incident #{incident.id}
        </button>
      </Form>
    );
  }
  return (
    <Form method="post" className="inline-form incident-update" noValidate aria-label={`Update incident #${incident.id}`}>
      <input type="hidden" name="intent" value="update-incident" />
      <input type="hidden" name="incidentId" value={incident.id} />
      <FormError error={errors.form} />
      <SelectField
        label="Status"
        name="status"
        defaultValue={values.status ?? incident.status}
        onChange={(event) => setStatus(event.currentTarget.value as IncidentStatus)}
        options={INCIDENT_STATUSES.map((s) => ({ value: s, label: s }))}
        error={errors.status}
      />
      {/* Hidden while another status is chosen, and then disabled: the form does not send it. */}
      <div className="incident-resolved-at" hidden={resolvedAtHidden}>
        <TextField
          label="Resolved at (UTC)"
          name="resolvedAt"
          type="datetime-local"
          {...DATE_TIME_INPUT_BOUNDS}
          disabled={resolvedAtHidden}
          defaultValue={values.resolvedAt ?? nowInput}
          error={errors.resolvedAt}
          hint={`${hydrated ? "When it really ended" : "Used only when the status is resolved: when it really ended"}; not before detection (${formatDateTime(incident.detectedAt)}).`}
        />
      </div>
      <TextField
        label="Review link"
        name="reviewUrl"
        type="url"
        defaultValue={values.reviewUrl ?? incident.reviewUrl ?? ""}
        error={errors.reviewUrl}
      />
      <p className="form-actions">
        <button type="submit" className="secondary">
          Update incident #{incident.id}
        </button>
      </p>
    </Form>
  );
}
