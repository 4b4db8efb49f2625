import { describe, expect, it } from "vitest";
import {
  biasAuditOutcomeText,
  RATIONALE_REQUIRED,
  REJECTION_REASON_REQUIRED,
  riskAcceptanceOf,
  signoffCommentProblem,
} from "./bias-audit-signoff";

const signoff = { by: "ethics@x.test", comment: "Reviewed by people", at: "2026-06-01T00:00:00.000Z" };

describe("signing off a bias audit", () => {
  it("accepting a failed bias audit needs a rationale; rejecting anything needs a reason; accepting a passing one needs nothing", () => {
    expect(signoffCommentProblem("accept", undefined, false)).toBe(RATIONALE_REQUIRED);
    expect(signoffCommentProblem("accept", "  ", false)).toBe(RATIONALE_REQUIRED);
    expect(signoffCommentProblem("accept", "Human review of each decision", false)).toBeNull();
    expect(signoffCommentProblem("reject", undefined, true)).toBe(REJECTION_REASON_REQUIRED);
    expect(signoffCommentProblem("reject", undefined, false)).toBe(REJECTION_REASON_REQUIRED);
    expect(signoffCommentProblem("accept", undefined, true)).toBeNull();
  });

  it("an accepted failed bias audit is a risk acceptance; nothing else is", () => {
    expect(riskAcceptanceOf({ id: 4, passed: false, status: "accepted", signoff })).toEqual({
      auditId: 4,
      by: signoff.by,
      at: signoff.at,
      rationale: signoff.comment,
    });
    expect(riskAcceptanceOf({ id: 4, passed: true, status: "accepted", signoff })).toBeNull();
    expect(riskAcceptanceOf({ id: 4, passed: false, status: "rejected", signoff })).toBeNull();
    expect(riskAcceptanceOf({ id: 4, passed: false, status: "pending", signoff: null })).toBeNull();
  });

  it("words every state the same way everywhere", () => {
    expect(biasAuditOutcomeText({ passed: true, status: "pending" })).toBe("passed, waiting for sign-off");
    expect(biasAuditOutcomeText({ passed: false, status: "pending" })).toBe("failed, waiting for sign-off");
    expect(biasAuditOutcomeText({ passed: true, status: "accepted" })).toBe("passed and accepted");
    expect(biasAuditOutcomeText({ passed: false, status: "accepted" })).toBe("failed, risk accepted");
    expect(biasAuditOutcomeText({ passed: false, status: "rejected" })).toBe("failed and rejected");
  });
});
