import type { BiasAuditStatus } from "./governance-constants";

/**
 * Signing off a bias audit. Accepting an audit that FAILED its fairness rules
 * is a risk acceptance: the signer takes responsibility for the disparities
 * and must write down why. It is shown the same way wherever the audit
 * appears (audit page and PDF, version page, gate checks, approval requests):
 * read it with `riskAcceptanceOf` and word it with `biasAuditOutcomeText`.
 */

export type SignoffDecision = "accept" | "reject";

/** What every view of an audit knows about it (the audit JSON has these keys). */
export type BiasAuditOutcome = {
  id: number;
  passed: boolean;
  status: BiasAuditStatus;
  signoff: { by: string | null; comment: string | null; at: string } | null;
};

/** Who accepted a failed audit, when, and their written rationale. */
export type RiskAcceptance = { auditId: number; by: string; at: string; rationale: string };

export function riskAcceptanceOf(audit: BiasAuditOutcome): RiskAcceptance | null {
  if (audit.passed || audit.status !== "accepted" || !audit.signoff) return null;
  return { auditId: audit.id, by: audit.signoff.by ?? "unknown", at: audit.signoff.at, rationale: audit.signoff.comment ?? "" };
}

/**
 * One line for an audit's state, the same on every page:
 * "passed, waiting for sign-off", "passed and accepted", "failed, risk accepted",
 * "failed and rejected".
 */
export function biasAuditOutcomeText(audit: Pick<BiasAuditOutcome, "passed" | "status">): string {
  const result = audit.passed ? "passed" : "failed";
  switch (audit.status) {
    case "pending":
      return `${result}, waiting for sign-off`;
    case "rejected":
      return `${result} and rejected`;
    case "accepted":
      return audit.passed ? "passed and accepted" : "failed, risk accepted";
  }
}

export const RATIONALE_REQUIRED =
  "Accepting a failed audit accepts its risk: write the rationale (why the disparities are acceptable, and what limits the harm)";
export const REJECTION_REASON_REQUIRED = "Give a reason for the rejection";

/** The sign-off's comment rule: a rejection needs a reason, accepting a failed audit a rationale. */
export function signoffCommentProblem(decision: SignoffDecision, comment: string | undefined, auditPassed: boolean): string | null {
  if (comment?.trim()) return null;
  if (decision === "reject") return REJECTION_REASON_REQUIRED;
  if (!auditPassed) return RATIONALE_REQUIRED;
  return null;
}
