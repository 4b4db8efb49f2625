import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ActionResult, FormError, SelectField } from "~/components/forms";
import { RiskBadge } from "~/components/registry";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole, ROLE_LABELS } from "~/modules/auth/roles";
import {
  APPROVER_ROLES,
  AUTOMATIC_TIERS,
  POLICY_CONFIRMERS,
  POLICY_SETTERS,
  POLICY_TIERS,
  proposalConsequence,
} from "~/modules/governance/approval-policies";
import {
  confirmApprovalPolicy,
  listApprovalPolicies,
  pendingPolicyProposals,
  proposeApprovalPolicy,
  withdrawApprovalPolicy,
} from "~/modules/governance/approval-policies.server";
import { ApprovalPolicyConfirmSchema, ApprovalPolicyIdSchema, ApprovalPolicySchema } from "~/modules/governance/governance-schemas";
import { submitOnce } from "~/modules/http/submit-once.server";
import { formatDateTime } from "~/utils/format";
import { forbidden } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Approval policies · Admin" }];

/** Who may do each of the page's actions (the domain checks the same roles, and four eyes). */
const INTENT_ROLES = {
  propose: POLICY_SETTERS,
  confirm: POLICY_CONFIRMERS,
  withdraw: [...POLICY_SETTERS, ...POLICY_CONFIRMERS],
} as const;

/** Every member reads the policies (auditors included); admins set them, ethics members confirm. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  // The member's own proposals: four eyes, so they are not offered a confirmation (the domain refuses it too).
  const own = new Set(
    pendingPolicyProposals(org.id)
      .filter((p) => p.proposedById === user.id)
      .map((p) => p.id),
  );
  return {
    org,
    role,
    canSet: hasRole(role, POLICY_SETTERS),
    canConfirm: hasRole(role, POLICY_CONFIRMERS),
    tiers: listApprovalPolicies(org.id).map((tier) => ({
      ...tier,
      consequence: tier.pending ? proposalConsequence(tier.riskTier, tier.pending) : null,
      ownProposal: tier.pending ? own.has(tier.pending.id) : false,
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug, INTENT_ROLES.withdraw);
  const formData = await readFormData(request);
  const name = String(formData.get("intent") ?? "");
  const allowed = Object.hasOwn(INTENT_ROLES, name) ? INTENT_ROLES[name as keyof typeof INTENT_ROLES] : null;
  if (allowed && !hasRole(role, allowed)) throw forbidden();
  const by = { userId: user.id, label: user.email, role };
  // A proposal creates something: sent twice, it is made once.
  return submitOnce(request, user.id, formData, () =>
    runIntentAction(formData, {
      propose: intent(
        ApprovalPolicySchema,
        (input) => proposeApprovalPolicy(org.id, input, by),
        ({ applied, policy }) =>
          applied
            ? `Saved: ${policy.riskTier}-risk promotions now need ${policy.description.toLowerCase()}.`
            : `Proposed: “${policy.description}” for ${policy.riskTier} risk applies once an ethics committee member confirms it.`,
      ),
      confirm: intent(
        ApprovalPolicyConfirmSchema,
        (input) => confirmApprovalPolicy(org.id, input.policyId, by),
        (policy) => `Confirmed: ${policy.riskTier} risk is now “${policy.description}”.`,
      ),
      withdraw: intent(
        ApprovalPolicyIdSchema,
        (input) => withdrawApprovalPolicy(org.id, input.policyId, by),
        "Proposal withdrawn; the policy in force stays as it was.",
      ),
    }),
  );
}

type PolicyRow = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["tiers"][number]["pending"]>;

function Who({ policy }: { policy: PolicyRow }) {
  return (
    <>
      set by {policy.proposedBy} on {formatDateTime(policy.proposedAt)}
      {policy.confirmedBy ? `, confirmed by ${policy.confirmedBy} on ${formatDateTime(policy.confirmedAt)}` : ""}
    </>
  );
}

const STATUS_LABELS = { active: "In force", replaced: "Replaced", withdrawn: "Withdrawn", proposed: "Proposed" } as const;

export default function ApprovalPolicies() {
  const { org, role, canSet, canConfirm, tiers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (name: string): Record<string, string | undefined> =>
    result && !result.ok && result.intent === name ? (result.errors ?? {}) : {};
  const proposeErrors = errorsFor("propose");
  const rowError = errorsFor("confirm").understood ?? errorsFor("confirm").form ?? errorsFor("withdraw").form;
  return (
    <>
      <h1>{role === "admin" ? "Administration" : "Approval policies"}</h1>
      {role === "admin" ? <AdminTabs orgSlug={org.slug} /> : null}
      <ActionResult result={result?.ok ? result : undefined} />
      <FormError error={rowError} />
      <p>
        Who must approve a promotion to production, per risk tier. Minimal and limited risk may instead be promoted automatically once every
        gate passes; high risk always needs ethics and leadership; unacceptable risk is never promoted. An administrator sets policies.
        Adding approvals applies at once; making a tier automatic or removing a role applies only once an ethics committee member who did
        not propose it confirms it.
      </p>
      {tiers.map((tier) => (
        <section key={tier.riskTier} className="card" aria-labelledby={`tier-${tier.riskTier}`} data-tier={tier.riskTier}>
          <h2 id={`tier-${tier.riskTier}`}>
            <RiskBadge tier={tier.riskTier} />
          </h2>
          <p data-testid={`policy-${tier.riskTier}`}>
            <strong>{tier.inForce.description}</strong>
            {tier.promotable ? (
              <span className="muted"> ({tier.inForce.policy ? <Who policy={tier.inForce.policy} /> : "the built-in default"})</span>
            ) : (
              <span className="muted"> (no policy can be set: models of unacceptable risk can never be promoted)</span>
            )}
          </p>
          {tier.pending ? (
            <div className="card" data-testid={`pending-${tier.riskTier}`}>
              <h3>Waiting for confirmation: {tier.pending.description}</h3>
              <p className="muted">
                Proposed by {tier.pending.proposedBy} on {formatDateTime(tier.pending.proposedAt)}.
              </p>
              <p>{tier.consequence}</p>
              {canConfirm && tier.ownProposal ? <p className="muted">You proposed it: another ethics member confirms it.</p> : null}
              {canConfirm && !tier.ownProposal ? (
                <Form method="post" noValidate>
                  <input type="hidden" name="intent" value="confirm" />
                  <input type="hidden" name="policyId" value={tier.pending.id} />
                  <label>
                    <input type="checkbox" name="understood" value="yes" required /> I have read what this policy allows and confirm it
                  </label>
                  <button type="submit">Confirm this policy</button>
                </Form>
              ) : null}
              {canSet || canConfirm ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="withdraw" />
                  <input type="hidden" name="policyId" value={tier.pending.id} />
                  <button type="submit" className="secondary">
                    {canConfirm ? "Decline the proposal" : "Withdraw the proposal"}
                  </button>
                </Form>
              ) : null}
            </div>
          ) : null}
          {tier.history.length ? (
            <details>
              <summary>History ({tier.history.length})</summary>
              <ul>
                {tier.history.map((p) => (
                  <li key={p.id}>
                    {STATUS_LABELS[p.status]}: {p.description} <span className="muted">(#{p.id}, </span>
                    <span className="muted">
                      <Who policy={p} />
                      {p.endedAt ? `; ended ${formatDateTime(p.endedAt)}` : ""})
                    </span>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </section>
      ))}
      {canSet ? (
        <section className="card" style={{ maxWidth: 720 }} aria-labelledby="change-title">
          <h2 id="change-title">Change a policy</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="propose" />
            <SubmissionToken />
            <FormError error={proposeErrors.form} />
            <SelectField
              label="Risk tier"
              name="riskTier"
              options={POLICY_TIERS.map((tier) => ({ value: tier, label: `${tier} risk` }))}
              error={proposeErrors.riskTier}
            />
            <fieldset className="choice-group" aria-describedby={proposeErrors.automatic ? "mode-error" : undefined}>
              <legend>Promotion to production</legend>
              <label>
                <input type="radio" name="mode" value="roles" defaultChecked /> Needs approval by people (choose the roles below)
              </label>
              <label>
                <input type="radio" name="mode" value="automatic" /> Automatic when every gate passes (only {AUTOMATIC_TIERS.join(" and ")}{" "}
                risk; an ethics member must confirm)
              </label>
              {proposeErrors.automatic ? (
                <p id="mode-error" className="field-error">
                  {proposeErrors.automatic}
                </p>
              ) : null}
            </fieldset>
            <fieldset aria-describedby={proposeErrors.requiredRoles ? "roles-error" : undefined}>
              <legend>Roles that must each approve</legend>
              {APPROVER_ROLES.map((r) => (
                <label key={r} style={{ display: "block" }}>
                  <input type="checkbox" name="requiredRoles" value={r} defaultChecked={r === "ethics"} /> {ROLE_LABELS[r]}
                </label>
              ))}
              {proposeErrors.requiredRoles ? (
                <p id="roles-error" className="field-error">
                  {proposeErrors.requiredRoles}
                </p>
              ) : null}
            </fieldset>
            <SubmitButton>Save or propose the policy</SubmitButton>
          </Form>
        </section>
      ) : null}
    </>
  );
}
