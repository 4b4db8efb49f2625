import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { BiasAuditOutcomeText, DisparityTable, GroupRateCharts, GroupTable, RiskAcceptanceNote } from "~/components/bias-audit";
import { DecisionField } from "~/components/decision-field";
import { ActionResult, TextAreaField } from "~/components/forms";
import { ConfirmBox } from "~/components/confirmed-action";
import { SubmitButton } from "~/components/submit-once";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { BIAS_AUDIT_SIGNERS, biasAuditRunnerId, getBiasAudit, signOffBiasAudit } from "~/modules/governance/bias-audits.server";
import { auditRulesText, FAIRNESS_METRIC_LABELS, unmeasuredDisparities } from "~/modules/governance/fairness";
import { BiasAuditSignoffFormSchema } from "~/modules/governance/governance-schemas";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Bias audit #${data?.audit.id ?? ""}` }];

const BiasAuditIdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const audit = getBiasAudit(org.id, BiasAuditIdSchema.parse(params.biasAuditId));
  if (!audit) throw notFound("Bias audit not found");
  const signer = hasRole(role, BIAS_AUDIT_SIGNERS) && audit.status === "pending";
  const ranIt = biasAuditRunnerId(org.id, audit.id) === user.id;
  return { org, audit, canSignOff: signer && !ranIt, ranItYourself: signer && ranIt };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, BIAS_AUDIT_SIGNERS);
  return runFormAction(
    await readFormData(request),
    BiasAuditSignoffFormSchema,
    (input) => signOffBiasAudit(org.id, BiasAuditIdSchema.parse(params.biasAuditId), input, actor, { confirmRiskAcceptance: true }),
    (_r, input) => (input.decision === "reject" ? "Audit rejected." : "Audit accepted."),
  );
}

export default function BiasAuditPage() {
  const { org, audit, canSignOff, ranItYourself } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/bias-audits/${audit.id}`;
  const c = audit.config;
  // Fewer than two groups large enough: nothing was compared, so the audit fails for want of evidence, not on a disparity.
  const uncompared = audit.groups.filter((g) => g.includedInDisparities).length < 2;
  // Rules that could not be measured (no group predicted positive, no defined rate to compare): never met, so never passed.
  const unmeasured = unmeasuredDisparities(audit);
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/models/${audit.model}/versions/${audit.version}`}>
          ← {audit.modelName} {audit.version}
        </Link>
      </p>
      <div className="page-header">
        <h1>
          Bias audit #{audit.id}: {audit.modelName} {audit.version}{" "}
          <span className={audit.passed ? "ok-text" : "bad-text"} data-testid="audit-result">
            {audit.passed
              ? "passed"
              : uncompared
                ? "failed: too few groups to compare"
                : unmeasured.length
                  ? "failed: not every rule could be measured"
                  : "failed"}
          </span>
        </h1>
        <span className="inline-form">
          <a href={`${base}.pdf`} target="_blank" rel="noopener noreferrer">
            PDF
          </a>
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
            <BiasAuditOutcomeText audit={audit} />
            {audit.signoff ? ` by ${audit.signoff.by} ${formatDateTime(audit.signoff.at)}` : ""}
            {audit.signoff?.comment && !audit.riskAcceptance ? `: “${audit.signoff.comment}”` : ""}
            {audit.riskAcceptance ? <RiskAcceptanceNote acceptance={audit.riskAcceptance} /> : null}
          </dd>
          <dt>Groups</dt>
          <dd>{c.groupColumns.join(" × ")}</dd>
          <dt>Label</dt>
          <dd>
            {c.labelColumn} positive when {c.positiveLabels.join(", ")}
          </dd>
          <dt>Prediction</dt>
          <dd>{c.scoreColumn ? `${c.scoreColumn} ≥ ${c.threshold}` : `${c.predictionColumn} in ${c.positivePredictions?.join(", ")}`}</dd>
          {c.referenceGroup ? (
            <>
              <dt>Reference group</dt>
              <dd>{c.referenceGroup}</dd>
            </>
          ) : null}
          <dt>Rules</dt>
          <dd>{auditRulesText(audit)}</dd>
          <dt>Rows</dt>
          <dd>
            {audit.rows.toLocaleString("en")} counted, {audit.skipped.toLocaleString("en")} skipped{" "}
            {audit.fileName ? `from ${audit.fileName}` : ""} ({audit.source})
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
      {ranItYourself ? (
        <p className="card muted" data-testid="four-eyes">
          You ran this audit, so another member of the ethics committee signs it off (four-eyes rule).
        </p>
      ) : null}
      {canSignOff ? (
        <Form method="post" className="card" aria-label="Sign-off">
          <h2>Sign-off</h2>
          {audit.passed ? null : uncompared ? (
            <p className="warn-text">
              This audit could compare no groups: fewer than two are large enough (see the warnings). Running it again on more rows, or with
              a lower minimum group size, gives a result; accepting it as it is is a risk acceptance, and its rationale is shown to the
              approvers of any promotion. A high-risk model still needs a passing audit.
            </p>
          ) : unmeasured.length ? (
            <p className="warn-text">
              This audit could not measure {unmeasured.map(({ name }) => FAIRNESS_METRIC_LABELS[name].toLowerCase()).join(", ")} (see the
              warnings), so it cannot pass. Check the configuration (positive values, threshold) and run it again; accepting it as it is is
              a risk acceptance, and its rationale is shown to the approvers of any promotion. A high-risk model still needs a passing
              audit.
            </p>
          ) : (
            <p className="warn-text">
              This audit failed its fairness rules. Accepting it anyway is a risk acceptance: write down why the disparities are acceptable;
              the rationale is shown to the approvers of any promotion. A high-risk model still needs a passing audit.
            </p>
          )}
          <DecisionField
            legend="Decision"
            name="decision"
            error={result?.errors?.decision}
            options={[
              { value: "accept", label: audit.passed ? "Accept" : "Accept the risk" },
              { value: "reject", label: "Reject" },
            ]}
          />
          <TextAreaField
            label={audit.passed ? "Comment" : "Rationale"}
            name="comment"
            rows={3}
            hint={
              audit.passed
                ? "Required when rejecting."
                : "Required: why the risk is acceptable (when accepting) or why the audit is rejected."
            }
            error={result?.errors?.comment}
          />
          {audit.passed ? null : (
            <ConfirmBox
              id="risk-acceptance"
              label="If I accept the risk: record it for good, and show my rationale to every promotion approver"
              error={result?.errors?.confirm}
            />
          )}
          <SubmitButton>Record sign-off</SubmitButton>
        </Form>
      ) : null}
    </>
  );
}
