import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DisparityTable, GroupRateCharts, GroupTable } from "~/components/bias-audit";
import { ActionResult, SelectField, TextAreaField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { getBiasAudit, signOffBiasAudit } from "~/modules/governance/bias-audits.server";
import { FAIRNESS_PRESETS } from "~/modules/governance/fairness";
import { AuditSignoffSchema } from "~/modules/governance/governance-schemas";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Bias audit #${data?.audit.id ?? ""}` }];

const AuditIdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const audit = getBiasAudit(org.id, AuditIdSchema.parse(params.auditId));
  if (!audit) throw notFound("Bias audit not found");
  return { org, audit, canSignOff: role === "ethics" && audit.status === "pending" };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["ethics"]);
  return runFormAction(
    await readFormData(request),
    AuditSignoffSchema,
    (input) => signOffBiasAudit(org.id, AuditIdSchema.parse(params.auditId), input, actor),
    (_r, input) => (input.decision === "accept" ? "Audit accepted." : "Audit rejected."),
  );
}

export default function BiasAuditPage() {
  const { org, audit, canSignOff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/bias-audits/${audit.id}`;
  const c = audit.config;
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/models/${audit.model}/versions/${audit.version}`}>
          ← {audit.model} {audit.version}
        </Link>
      </p>
      <div className="page-header">
        <h1>
          Bias audit #{audit.id}: {audit.model} {audit.version}{" "}
          <span className={audit.passed ? "ok-text" : "bad-text"} data-testid="audit-result">
            {audit.passed ? "passed" : "failed"}
          </span>
        </h1>
        <span className="inline-form">
          <a href={`${base}.pdf`} target="_blank" rel="noopener">PDF</a>
          <a href={`${base}.csv`} download>
            CSV
          </a>
        </span>
      </div>
      <ActionResult result={result} />
      <section className="card">
        <dl className="kv">
          <dt>Sign-off</dt>
          <dd data-testid="audit-status">
            {audit.status}
            {audit.signoff ? ` by ${audit.signoff.by} ${formatDateTime(audit.signoff.at)}${audit.signoff.comment ? `: “${audit.signoff.comment}”` : ""}` : ""}
          </dd>
          <dt>Groups</dt>
          <dd>{c.groupColumns.join(" × ")}</dd>
          <dt>Label</dt>
          <dd>
            {c.labelColumn} positive when {c.positiveLabels.join(", ")}
          </dd>
          <dt>Prediction</dt>
          <dd>{c.scoreColumn ? `${c.scoreColumn} ≥ ${c.threshold}` : `${c.predictionColumn} in ${c.positivePredictions?.join(", ")}`}</dd>
          <dt>Rules</dt>
          <dd>
            {FAIRNESS_PRESETS[audit.preset].label}: ratios ≥ {audit.preset === "eeoc-four-fifths" ? 0.8 : audit.thresholds.ratioMin}, differences ≤{" "}
            {audit.thresholds.differenceMax}; groups under {c.minGroupSize ?? 30} rows left out
          </dd>
          <dt>Rows</dt>
          <dd>
            {audit.rows.toLocaleString("en")} counted, {audit.skipped.toLocaleString("en")} skipped {audit.fileName ? `from ${audit.fileName}` : ""} ({audit.source})
          </dd>
          <dt>Run</dt>
          <dd>
            {formatDateTime(audit.createdAt)} by {audit.createdBy}
          </dd>
        </dl>
      </section>
      {audit.warnings.length ? (
        <section className="card" aria-labelledby="warnings">
          <h2 id="warnings">Warnings</h2>
          <ul>
            {audit.warnings.map((w) => (
              <li key={w} className="warn-text">
                {w}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>Disparities</h2>
      <DisparityTable audit={audit} />
      <h2>Groups</h2>
      <GroupRateCharts audit={audit} />
      <GroupTable audit={audit} />
      {canSignOff ? (
        <Form method="post" className="card" aria-label="Sign-off">
          <h2>Sign-off</h2>
          <SelectField
            label="Decision"
            name="decision"
            options={[
              { value: "accept", label: "Accept" },
              { value: "reject", label: "Reject" },
            ]}
          />
          <TextAreaField label="Comment" name="comment" rows={2} hint="Required when rejecting." error={result?.errors?.comment} />
          <button type="submit">Record sign-off</button>
        </Form>
      ) : null}
    </>
  );
}
