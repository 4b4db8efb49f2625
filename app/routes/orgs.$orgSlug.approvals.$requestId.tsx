import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConfirmBox, ConfirmedAction } from "~/components/confirmed-action";
import { DecisionField } from "~/components/decision-field";
import { ActionResult, TextAreaField } from "~/components/forms";
import { GateChecks } from "~/components/gate-checks";
import { SubmitButton } from "~/components/submit-once";
import { requireMember } from "~/modules/auth/membership.server";
import { approvalRequestForMember, cancelApprovalRequest, decideApprovalRequest } from "~/modules/governance/approvals.server";
import { riskAcceptancesIn } from "~/modules/governance/gates";
import { ApprovalCancelSchema, ApprovalDecisionSchema } from "~/modules/governance/governance-schemas";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Approval request #${data?.request.id ?? ""}` }];

const RequestIdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const found = approvalRequestForMember(org.id, RequestIdSchema.parse(params.requestId), { role, userId: user.id });
  if (!found) throw notFound("Approval request not found");
  return {
    org,
    ...found,
    canCancel: found.request.status === "open" && (role === "admin" || found.request.requestedBy === user.email),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, role, user, actor } = await requireMember(request, params.orgSlug, ["admin", "leadership", "ethics", "team"]);
  const requestId = RequestIdSchema.parse(params.requestId);
  return runIntentAction(await readFormData(request), {
    decide: intent(
      ApprovalDecisionSchema,
      (input) =>
        decideApprovalRequest(org.id, requestId, input, { userId: user.id, label: user.email, role }, { confirmLastApproval: true }),
      (result, input) =>
        input.decision === "reject"
          ? "Request rejected."
          : result.status === "approved"
            ? "Approved: the version is now in production."
            : "Approval recorded.",
    ),
    cancel: intent(
      ApprovalCancelSchema,
      (input) => cancelApprovalRequest(org.id, requestId, actor, { isAdmin: role === "admin", confirm: input.confirm ?? null }),
      "Request cancelled.",
    ),
  });
}

export default function ApprovalRequestPage() {
  const { org, request, canDecide, cannotDecide, lastApproval, canCancel } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const acceptances = riskAcceptancesIn(request.checks);
  const errorsOf = (name: string) => (result && !result.ok && result.intent === name ? (result.errors ?? {}) : {});
  const decisionErrors: Record<string, string | undefined> = errorsOf("decide");
  const cancelErrors: Record<string, string | undefined> = errorsOf("cancel");
  const blocking = request.checks.find((c) => c.blockingAudit)?.blockingAudit;
  return (
    <>
      <p className="screen-only">
        <Link to={`/orgs/${org.slug}/reviews`}>← Reviews</Link>
      </p>
      <h1>
        Approval request #{request.id}: {request.modelName} {request.version} to production
      </h1>
      <ActionResult result={result} />
      <section className="card">
        <dl className="kv">
          <dt>Status</dt>
          <dd data-testid="request-status">{request.status}</dd>
          <dt>Requested by</dt>
          <dd>
            {request.requestedBy} on {formatDateTime(request.createdAt)}
          </dd>
          <dt>Reason</dt>
          <dd>{request.reason || "—"}</dd>
          <dt>Approvals needed</dt>
          <dd>{request.requiredRoles.join(" and ")}</dd>
          <dt>Still waiting for</dt>
          <dd>{request.status === "open" ? request.pendingRoles.join(" and ") || "—" : "—"}</dd>
        </dl>
        <p className="screen-only">
          <Link to={`/orgs/${org.slug}/models/${request.model}/versions/${request.version}`}>Open the version</Link>
        </p>
      </section>
      <h2>Gate checks</h2>
      {acceptances.length ? (
        <p className="warn-text" data-testid="relies-on-risk-acceptance">
          {acceptances.some((a) => a.counts)
            ? "This request relies on a risk acceptance: the bias audit failed and ethics accepted the risk. Read the rationale before you decide."
            : "A failed bias audit of this version was accepted as a risk; it does not satisfy the audit gate for this model."}
        </p>
      ) : null}
      {blocking ? (
        <p className="warn-text" data-testid="blocked-by-newer-audit">
          A newer bias audit of this version, #{blocking.auditId}, failed and{" "}
          {blocking.status === "pending" ? "is waiting for sign-off" : "was rejected"}: the version cannot be promoted on the older audit
          while it stands.
        </p>
      ) : null}
      <GateChecks checks={request.checks} orgSlug={org.slug} />
      <h2>Decisions</h2>
      {request.decisions.length === 0 ? <p className="muted">No decisions yet.</p> : null}
      <ul>
        {request.decisions.map((d) => (
          <li key={`${d.by}-${d.at}`}>
            <strong>{d.decision === "approve" ? "Approved" : "Rejected"}</strong> by {d.by} ({d.role}) {formatDateTime(d.at)}
            {d.comment ? `: “${d.comment}”` : ""}
          </li>
        ))}
      </ul>
      {cannotDecide ? (
        <p className="card muted" data-testid="cannot-decide">
          {cannotDecide}
        </p>
      ) : null}
      {canDecide ? (
        <Form method="post" className="card" aria-label="Your decision">
          <input type="hidden" name="intent" value="decide" />
          <DecisionField
            legend="Decision"
            name="decision"
            error={result?.errors?.decision}
            options={[
              { value: "approve", label: "Approve" },
              { value: "reject", label: "Reject" },
            ]}
          />
          <TextAreaField
            label="Comment"
            name="comment"
            rows={2}
            error={result?.errors?.comment}
            hint="Required when rejecting: say what must change."
          />
          {lastApproval ? (
            <div data-testid="last-approval">
              <p className="warn-text">
                <strong>Yours is the last approval needed.</strong> Approving promotes {request.modelName} {request.version} to production
                at once
                {lastApproval.productionVersion
                  ? ` and retires ${request.modelName} ${lastApproval.productionVersion}, in production now`
                  : "; no other version of the model is in production"}
                . Rejecting closes the request.
              </p>
              <ConfirmBox
                id="last-approval"
                label={`If I approve: promote ${request.version} to production now${lastApproval.productionVersion ? ` and retire ${lastApproval.productionVersion}` : ""}`}
                error={decisionErrors.confirm}
              />
            </div>
          ) : null}
          <SubmitButton>Record decision</SubmitButton>
        </Form>
      ) : null}
      {canCancel ? (
        <ConfirmedAction
          id="cancel-request"
          summary="Cancel request"
          intent="cancel"
          fields={{}}
          confirmLabel="Close this request for good"
          submitLabel="Cancel the request"
          error={cancelErrors.confirm ?? cancelErrors.form}
        >
          Cancelling closes the request: the approvals given so far are dropped, and promoting {request.modelName} {request.version} needs a
          new request.
        </ConfirmedAction>
      ) : null}
    </>
  );
}
