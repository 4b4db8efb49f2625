import { DomainError } from "../../utils/errors";
import type { Role } from "../auth/roles";
import { BIAS_AUDIT_FRESHNESS_DAYS, type RiskTier } from "../registry/registry-constants";
import type { RiskAcceptance } from "./bias-audit-signoff";
import type { CardStatus } from "./governance-constants";

/** An audit of the version that ethics accepted. */
export type AcceptedBiasAudit = { id: number; createdAt: Date; signedOffAt: Date; signedOffBy: string; rationale: string | null };

/** A failed audit of the version that is not accepted: waiting for sign-off, or rejected. */
export type UnacceptedFailedBiasAudit = { id: number; createdAt: Date; status: "pending" | "rejected" };

export type GateFacts = {
  riskTier: RiskTier;
  lineageComplete: boolean;
  /** Status of the version's latest model card revision, or null without a card. */
  cardStatus: CardStatus | null;
  /** The newest bias audit of the version that passed and was accepted by ethics, if any. */
  acceptedPassingBiasAudit: AcceptedBiasAudit | null;
  /** The newest audit that failed and was accepted anyway: a risk acceptance. */
  acceptedFailedBiasAudit: AcceptedBiasAudit | null;
  /**
   * The newest audit that failed and is not accepted (waiting for sign-off or
   * rejected). Run after the audit the gate would rely on, it blocks the gate:
   * the version's latest evidence is a failure nobody accepted.
   */
  unacceptedFailedBiasAudit?: UnacceptedFailedBiasAudit | null;
  now: Date;
};

export type GateCheckId = "risk_tier" | "model_card" | "bias_audit" | "lineage";
export type GateCheck = {
  id: GateCheckId;
  label: string;
  required: boolean;
  passed: boolean;
  detail: string;
  /**
   * The bias-audit check only: a failed audit whose risk was accepted. `counts`
   * says whether it satisfies the gate (limited risk) or not (high risk).
   */
  riskAcceptance?: RiskAcceptance & { counts: boolean };
  /** The bias-audit check only: a newer failed audit, not accepted, that blocks the gate. */
  blockingAudit?: { auditId: number; status: "pending" | "rejected" };
};

const DAY = 86_400_000;

const ageInDays = (audit: AcceptedBiasAudit, now: Date) => (now.getTime() - audit.signedOffAt.getTime()) / DAY;
const isFresh = (audit: AcceptedBiasAudit | null, now: Date): audit is AcceptedBiasAudit =>
  audit !== null && ageInDays(audit, now) <= BIAS_AUDIT_FRESHNESS_DAYS;
const daysAgo = (audit: AcceptedBiasAudit, now: Date) => {
  const days = Math.floor(ageInDays(audit, now));
  return days <= 0 ? "today" : days === 1 ? "1 day ago" : `${days} days ago`;
};

/**
 * Whether an accepted FAILED audit (a written risk acceptance) satisfies the
 * audit gate: yes for limited risk, which the approvers then see; never for
 * high risk, which needs a passing audit.
 */
export const riskAcceptanceCounts = (riskTier: RiskTier) => riskTier === "limited";

/** Whether audit `a` was run after audit `b` (audit numbers break a tie of times). */
function runAfter(a: { id: number; createdAt: Date }, b: { id: number; createdAt: Date }): boolean {
  const difference = a.createdAt.getTime() - b.createdAt.getTime();
  return difference > 0 || (difference === 0 && a.id > b.id);
}

function biasAuditCheck(facts: GateFacts): GateCheck {
  const { riskTier, now } = facts;
  const required = riskTier === "limited" || riskTier === "high";
  const acceptanceCounts = riskAcceptanceCounts(riskTier);
  const label = acceptanceCounts
    ? `Bias audit signed off in the last ${BIAS_AUDIT_FRESHNESS_DAYS} days (passing, or failed with its risk accepted)`
    : `Passing bias audit signed off in the last ${BIAS_AUDIT_FRESHNESS_DAYS} days`;
  const base = { id: "bias_audit" as const, label, required };
  const passing = isFresh(facts.acceptedPassingBiasAudit, now) ? facts.acceptedPassingBiasAudit : null;
  // A fresh risk acceptance is shown unless an even newer passing audit replaced it.
  const failed =
    isFresh(facts.acceptedFailedBiasAudit, now) && !(passing && passing.signedOffAt > facts.acceptedFailedBiasAudit.signedOffAt)
      ? facts.acceptedFailedBiasAudit
      : null;
  const withAcceptance = failed
    ? {
        riskAcceptance: {
          auditId: failed.id,
          by: failed.signedOffBy,
          at: failed.signedOffAt.toISOString(),
          rationale: failed.rationale ?? "",
          counts: acceptanceCounts,
        },
      }
    : {};

  const relied = passing ?? (failed && acceptanceCounts ? failed : null);
  // Ethics' newest word on the version's audits: a failed audit run after it, and not accepted, blocks the gate.
  const latestAccepted = [facts.acceptedPassingBiasAudit, facts.acceptedFailedBiasAudit]
    .filter((audit): audit is AcceptedBiasAudit => audit !== null)
    .reduce<AcceptedBiasAudit | null>((newest, audit) => (newest && !runAfter(audit, newest) ? newest : audit), null);
  const unaccepted = facts.unacceptedFailedBiasAudit ?? null;
  const blocking = relied && latestAccepted && unaccepted && runAfter(unaccepted, latestAccepted) ? unaccepted : null;
  if (blocking && latestAccepted) {
    return {
      ...base,
      ...withAcceptance,
      passed: false,
      blockingAudit: { auditId: blocking.id, status: blocking.status },
      detail:
        blocking.status === "pending"
          ? `Audit #${blocking.id}, run after audit #${latestAccepted.id}, failed and is waiting for sign-off; it blocks promotion until ethics accepts its risk or a newer audit passes`
          : `Audit #${blocking.id}, run after audit #${latestAccepted.id}, failed and was rejected; it blocks promotion until a newer audit passes`,
    };
  }
  if (passing)
    return { ...base, ...withAcceptance, passed: true, detail: `Audit #${passing.id} passed and was accepted ${daysAgo(passing, now)}` };
  if (failed && acceptanceCounts) {
    return {
      ...base,
      ...withAcceptance,
      passed: true,
      detail: `Audit #${failed.id} failed; ${failed.signedOffBy} accepted the risk ${daysAgo(failed, now)} with a written rationale`,
    };
  }
  if (!required) return { ...base, ...withAcceptance, passed: false, detail: `Not required for ${riskTier}-risk models` };
  if (failed) {
    return {
      ...base,
      ...withAcceptance,
      passed: false,
      detail: `Audit #${failed.id} failed; its risk was accepted, but a ${riskTier}-risk model needs a passing audit`,
    };
  }
  const newest = [facts.acceptedPassingBiasAudit, acceptanceCounts ? facts.acceptedFailedBiasAudit : null]
    .filter((audit): audit is AcceptedBiasAudit => audit !== null)
    .sort((x, y) => y.signedOffAt.getTime() - x.signedOffAt.getTime())[0];
  if (newest)
    return {
      ...base,
      passed: false,
      detail: `The newest accepted audit (#${newest.id}) is ${Math.floor(ageInDays(newest, now))} days old`,
    };
  return {
    ...base,
    passed: false,
    detail: `Required for ${riskTier}-risk models; ${acceptanceCounts ? "no audit signed off yet" : "no passing audit signed off yet"}`,
  };
}

/** The checks a version must pass before it may be promoted to production. */
export function evaluateGates(facts: GateFacts): GateCheck[] {
  return [
    {
      id: "risk_tier",
      label: "Risk tier allows production",
      required: true,
      passed: facts.riskTier !== "unacceptable",
      detail: facts.riskTier === "unacceptable" ? "Models of unacceptable risk can never be promoted" : `Risk tier: ${facts.riskTier}`,
    },
    {
      id: "model_card",
      label: "Model card approved",
      required: true,
      passed: facts.cardStatus === "approved",
      detail: facts.cardStatus ? `Latest card revision is ${facts.cardStatus.replace("_", " ")}` : "No model card yet",
    },
    biasAuditCheck(facts),
    {
      id: "lineage",
      label: "Lineage complete",
      required: true,
      passed: facts.lineageComplete,
      detail: facts.lineageComplete
        ? "Code, data, hyperparameters and metrics recorded"
        : "Code reference, training data, hyperparameters or metrics missing",
    },
  ];
}

/** The risk acceptances among the checks (shown to approvers). */
export const riskAcceptancesIn = (checks: GateCheck[]) => checks.flatMap((c) => (c.riskAcceptance ? [c.riskAcceptance] : []));

export const failingChecks = (checks: GateCheck[]) => checks.filter((c) => c.required && !c.passed);

/** High-risk promotions need ethics and leadership; all others need ethics. */
export function requiredApproverRoles(riskTier: RiskTier): Role[] {
  return riskTier === "high" ? ["ethics", "leadership"] : ["ethics"];
}

/** A 409 whose issues name each failing gate check. */
export class GateRefusal extends DomainError {
  constructor(
    message: string,
    readonly checks: GateCheck[],
    extraIssues: Array<{ path: string; message: string }> = [],
  ) {
    const issues = [...failingChecks(checks).map((c) => ({ path: c.id, message: `${c.label}: ${c.detail}` })), ...extraIssues];
    super("conflict", `${message}${issues.length ? `: ${issues.map((i) => i.message).join("; ")}` : ""}`, undefined, issues);
  }
}
