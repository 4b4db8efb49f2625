import { DomainError } from "../../utils/errors";
import type { Role } from "../auth/roles";
import type { RiskTier } from "../registry/registry-constants";
import { AUDIT_FRESHNESS_DAYS, type CardStatus } from "./governance-constants";

export type GateFacts = {
  riskTier: RiskTier;
  lineageComplete: boolean;
  /** Status of the version's latest model card revision, or null without a card. */
  cardStatus: CardStatus | null;
  /** The newest bias audit of the version that passed and was accepted by ethics, if any. */
  acceptedPassingAuditAt: Date | null;
  now: Date;
};

export type GateCheckId = "risk_tier" | "model_card" | "bias_audit" | "lineage";
export type GateCheck = { id: GateCheckId; label: string; required: boolean; passed: boolean; detail: string };

const DAY = 86_400_000;

/** The checks a version must pass before it may be promoted to production. */
export function evaluateGates(facts: GateFacts): GateCheck[] {
  const auditRequired = facts.riskTier === "limited" || facts.riskTier === "high";
  const auditAgeDays = facts.acceptedPassingAuditAt ? (facts.now.getTime() - facts.acceptedPassingAuditAt.getTime()) / DAY : null;
  const auditFresh = auditAgeDays !== null && auditAgeDays <= AUDIT_FRESHNESS_DAYS;
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
    {
      id: "bias_audit",
      label: `Passing bias audit signed off in the last ${AUDIT_FRESHNESS_DAYS} days`,
      required: auditRequired,
      passed: auditFresh,
      detail: auditFresh
        ? `Accepted ${Math.floor(auditAgeDays!)} days ago`
        : auditAgeDays !== null
          ? `The newest accepted passing audit is ${Math.floor(auditAgeDays)} days old`
          : auditRequired
            ? `Required for ${facts.riskTier}-risk models; none accepted yet`
            : "Not required for minimal-risk models",
    },
    {
      id: "lineage",
      label: "Lineage complete",
      required: true,
      passed: facts.lineageComplete,
      detail: facts.lineageComplete ? "Code, data, hyperparameters and metrics recorded" : "Code reference, training data, hyperparameters or metrics missing",
    },
  ];
}

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
