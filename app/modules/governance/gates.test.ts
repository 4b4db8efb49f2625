import { describe, expect, it } from "vitest";
import { DomainError } from "../../utils/errors";
import { RISK_TIERS, type RiskTier } from "../registry/registry-constants";
import { AUDIT_FRESHNESS_DAYS, CARD_STATUSES, type CardStatus } from "./governance-constants";
import { evaluateGates, failingChecks, GateRefusal, requiredApproverRoles, type GateCheck, type GateFacts } from "./gates";

const DAY = 86_400_000;
const NOW = new Date("2026-06-15T12:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return { riskTier: "high", lineageComplete: true, cardStatus: "approved", acceptedPassingAuditAt: daysAgo(1), now: NOW, ...overrides };
}
const byId = (checks: GateCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c])) as Record<GateCheck["id"], GateCheck>;

/** Audit ages (null: no accepted passing audit) and whether each counts as fresh. */
const AUDIT_AGES: Array<{ label: string; at: Date | null; fresh: boolean }> = [
  { label: "none", at: null, fresh: false },
  { label: "today", at: NOW, fresh: true },
  { label: "30 days", at: daysAgo(30), fresh: true },
  { label: "exactly 90 days", at: daysAgo(90), fresh: true },
  { label: "90 days + 1 ms", at: new Date(daysAgo(90).getTime() - 1), fresh: false },
  { label: "91 days", at: daysAgo(91), fresh: false },
  { label: "400 days", at: daysAgo(400), fresh: false },
];
const CARD_CASES: Array<CardStatus | null> = [null, ...CARD_STATUSES];

describe("evaluateGates", () => {
  it("returns the four checks in a fixed order, with labels and details", () => {
    const checks = evaluateGates(facts());
    expect(checks.map((c) => c.id)).toEqual(["risk_tier", "model_card", "bias_audit", "lineage"]);
    for (const check of checks) {
      expect(check.label.length).toBeGreaterThan(0);
      expect(check.detail.length).toBeGreaterThan(0);
    }
    expect(AUDIT_FRESHNESS_DAYS).toBe(90);
    expect(byId(checks).bias_audit.label).toContain("90 days");
  });

  // Every risk tier × card status × audit age.
  for (const riskTier of RISK_TIERS) {
    for (const cardStatus of CARD_CASES) {
      for (const age of AUDIT_AGES) {
        it(`${riskTier} risk, card ${cardStatus ?? "missing"}, audit ${age.label}`, () => {
          const checks = byId(evaluateGates(facts({ riskTier, cardStatus, acceptedPassingAuditAt: age.at })));
          const auditRequired = riskTier === "limited" || riskTier === "high";

          expect(checks.risk_tier.required).toBe(true);
          expect(checks.risk_tier.passed).toBe(riskTier !== "unacceptable");

          expect(checks.model_card.required).toBe(true);
          expect(checks.model_card.passed).toBe(cardStatus === "approved");

          expect(checks.bias_audit.required).toBe(auditRequired);
          expect(checks.bias_audit.passed).toBe(age.fresh);

          expect(checks.lineage.required).toBe(true);
          expect(checks.lineage.passed).toBe(true);

          const failing = failingChecks(Object.values(checks)).map((c) => c.id).sort();
          const expected = [
            ...(riskTier === "unacceptable" ? ["risk_tier"] : []),
            ...(cardStatus === "approved" ? [] : ["model_card"]),
            ...(auditRequired && !age.fresh ? ["bias_audit"] : []),
          ].sort();
          expect(failing).toEqual(expected);
          // Unacceptable risk never passes, whatever else is in place.
          if (riskTier === "unacceptable") expect(failing).toContain("risk_tier");
        });
      }
    }
  }

  it("an unacceptable-risk model fails even with everything else in place", () => {
    const failing = failingChecks(evaluateGates(facts({ riskTier: "unacceptable" })));
    expect(failing.map((c) => c.id)).toEqual(["risk_tier"]);
    expect(failing[0]!.detail).toMatch(/never be promoted/);
  });

  it("incomplete lineage fails for every tier", () => {
    for (const riskTier of RISK_TIERS) {
      const checks = byId(evaluateGates(facts({ riskTier, lineageComplete: false })));
      expect(checks.lineage.passed).toBe(false);
      expect(failingChecks(Object.values(checks)).map((c) => c.id)).toContain("lineage");
    }
  });

  it("everything in place passes for minimal, limited and high risk", () => {
    for (const riskTier of ["minimal", "limited", "high"] as RiskTier[]) {
      expect(failingChecks(evaluateGates(facts({ riskTier })))).toEqual([]);
    }
  });

  it("minimal risk needs no audit at all", () => {
    const checks = byId(evaluateGates(facts({ riskTier: "minimal", acceptedPassingAuditAt: null })));
    expect(checks.bias_audit).toMatchObject({ required: false, passed: false });
    expect(checks.bias_audit.detail).toMatch(/Not required for minimal-risk/);
    expect(failingChecks(Object.values(checks))).toEqual([]);
  });

  it("describes the audit's age and the card's status", () => {
    expect(byId(evaluateGates(facts({ acceptedPassingAuditAt: daysAgo(10) }))).bias_audit.detail).toBe("Accepted 10 days ago");
    expect(byId(evaluateGates(facts({ acceptedPassingAuditAt: daysAgo(120) }))).bias_audit.detail).toMatch(/120 days old/);
    expect(byId(evaluateGates(facts({ riskTier: "limited", acceptedPassingAuditAt: null }))).bias_audit.detail).toMatch(/Required for limited-risk/);
    expect(byId(evaluateGates(facts({ cardStatus: null }))).model_card.detail).toBe("No model card yet");
    expect(byId(evaluateGates(facts({ cardStatus: "in_review" }))).model_card.detail).toBe("Latest card revision is in review");
    expect(byId(evaluateGates(facts({ cardStatus: "changes_requested" }))).model_card.detail).toMatch(/changes requested/);
  });
});

describe("failingChecks", () => {
  it("keeps only required checks that did not pass", () => {
    const checks: GateCheck[] = [
      { id: "risk_tier", label: "a", required: true, passed: true, detail: "" },
      { id: "model_card", label: "b", required: true, passed: false, detail: "" },
      { id: "bias_audit", label: "c", required: false, passed: false, detail: "" },
      { id: "lineage", label: "d", required: true, passed: false, detail: "" },
    ];
    expect(failingChecks(checks).map((c) => c.id)).toEqual(["model_card", "lineage"]);
    expect(failingChecks([])).toEqual([]);
  });
});

describe("requiredApproverRoles", () => {
  it("high risk needs ethics and leadership; the others ethics only", () => {
    expect(requiredApproverRoles("high")).toEqual(["ethics", "leadership"]);
    expect(requiredApproverRoles("limited")).toEqual(["ethics"]);
    expect(requiredApproverRoles("minimal")).toEqual(["ethics"]);
    expect(requiredApproverRoles("unacceptable")).toEqual(["ethics"]);
  });
});

describe("GateRefusal", () => {
  it("is a conflict DomainError listing each failing check as an issue", () => {
    const checks = evaluateGates(facts({ cardStatus: "draft", acceptedPassingAuditAt: null, lineageComplete: false }));
    const refusal = new GateRefusal("Cannot promote", checks);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal.code).toBe("conflict");
    expect(refusal.checks).toBe(checks);
    expect(refusal.issues!.map((i) => i.path)).toEqual(["model_card", "bias_audit", "lineage"]);
    for (const issue of refusal.issues!) {
      const check = checks.find((c) => c.id === issue.path)!;
      expect(issue.message).toBe(`${check.label}: ${check.detail}`);
    }
    expect(refusal.message.startsWith("Cannot promote: ")).toBe(true);
    for (const issue of refusal.issues!) expect(refusal.message).toContain(issue.message);
  });

  it("appends extra issues after the failing checks", () => {
    const checks = evaluateGates(facts({ cardStatus: null }));
    const refusal = new GateRefusal("No", checks, [{ path: "approval", message: "No approved request" }]);
    expect(refusal.issues).toEqual([
      { path: "model_card", message: "Model card approved: No model card yet" },
      { path: "approval", message: "No approved request" },
    ]);
  });

  it("has no issues and a bare message when nothing fails", () => {
    const refusal = new GateRefusal("Nothing wrong", evaluateGates(facts()));
    expect(refusal.issues).toEqual([]);
    expect(refusal.message).toBe("Nothing wrong");
  });
});
