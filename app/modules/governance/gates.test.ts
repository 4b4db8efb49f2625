import { describe, expect, it } from "vitest";
import { DomainError } from "../../utils/errors";
import { RISK_TIERS, type RiskTier } from "../registry/registry-constants";
import { BIAS_AUDIT_FRESHNESS_DAYS } from "../registry/registry-constants";
import { CARD_STATUSES, type CardStatus } from "./governance-constants";
import {
  evaluateGates,
  failingChecks,
  GateRefusal,
  requiredApproverRoles,
  riskAcceptancesIn,
  type AcceptedBiasAudit,
  type GateCheck,
  type GateFacts,
} from "./gates";

const DAY = 86_400_000;
const NOW = new Date("2026-06-15T12:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

const HOUR = 3_600_000;
/** An accepted audit signed off at `at`, run an hour before. */
const accepted = (at: Date, id = 7, rationale: string | null = null): AcceptedBiasAudit => ({
  id,
  createdAt: new Date(at.getTime() - HOUR),
  signedOffAt: at,
  signedOffBy: "ethics@gates.test",
  rationale,
});
const passingAt = (at: Date | null) => ({ acceptedPassingBiasAudit: at ? accepted(at) : null });

function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return {
    riskTier: "high",
    lineageComplete: true,
    cardStatus: "approved",
    acceptedPassingBiasAudit: accepted(daysAgo(1)),
    acceptedFailedBiasAudit: null,
    now: NOW,
    ...overrides,
  };
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
    expect(BIAS_AUDIT_FRESHNESS_DAYS).toBe(90);
    expect(byId(checks).bias_audit.label).toContain("90 days");
  });

  // Every risk tier × card status × audit age.
  for (const riskTier of RISK_TIERS) {
    for (const cardStatus of CARD_CASES) {
      for (const age of AUDIT_AGES) {
        it(`${riskTier} risk, card ${cardStatus ?? "missing"}, audit ${age.label}`, () => {
          const checks = byId(evaluateGates(facts({ riskTier, cardStatus, ...passingAt(age.at) })));
          const auditRequired = riskTier === "limited" || riskTier === "high";

          expect(checks.risk_tier.required).toBe(true);
          expect(checks.risk_tier.passed).toBe(riskTier !== "unacceptable");

          expect(checks.model_card.required).toBe(true);
          expect(checks.model_card.passed).toBe(cardStatus === "approved");

          expect(checks.bias_audit.required).toBe(auditRequired);
          expect(checks.bias_audit.passed).toBe(age.fresh);

          expect(checks.lineage.required).toBe(true);
          expect(checks.lineage.passed).toBe(true);

          const failing = failingChecks(Object.values(checks))
            .map((c) => c.id)
            .sort();
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

  it("minimal risk needs no bias audit at all", () => {
    const checks = byId(evaluateGates(facts({ riskTier: "minimal", acceptedPassingBiasAudit: null })));
    expect(checks.bias_audit).toMatchObject({ required: false, passed: false });
    expect(checks.bias_audit.detail).toMatch(/Not required for minimal-risk/);
    expect(failingChecks(Object.values(checks))).toEqual([]);
  });

  it("describes the bias audit's age and the card's status", () => {
    expect(byId(evaluateGates(facts(passingAt(daysAgo(10))))).bias_audit.detail).toBe("Audit #7 passed and was accepted 10 days ago");
    expect(byId(evaluateGates(facts(passingAt(daysAgo(120))))).bias_audit.detail).toBe("The newest accepted audit (#7) is 120 days old");
    expect(byId(evaluateGates(facts({ riskTier: "limited", acceptedPassingBiasAudit: null }))).bias_audit.detail).toMatch(
      /Required for limited-risk models; no audit signed off yet/,
    );
    expect(byId(evaluateGates(facts({ riskTier: "high", acceptedPassingBiasAudit: null }))).bias_audit.detail).toMatch(
      /Required for high-risk models; no passing audit signed off yet/,
    );
    expect(byId(evaluateGates(facts({ cardStatus: null }))).model_card.detail).toBe("No model card yet");
    expect(byId(evaluateGates(facts({ cardStatus: "in_review" }))).model_card.detail).toBe("Latest card revision is in review");
    expect(byId(evaluateGates(facts({ cardStatus: "changes_requested" }))).model_card.detail).toMatch(/changes requested/);
  });
});

describe("a failed bias audit accepted as a risk", () => {
  const RATIONALE = "Disparity comes from a tiny group; monitored monthly.";
  const riskAccepted = (days: number, id = 9) => ({
    acceptedPassingBiasAudit: null,
    acceptedFailedBiasAudit: accepted(daysAgo(days), id, RATIONALE),
  });

  it("satisfies the bias audit gate for a limited-risk model, and the check carries the acceptance for the approvers", () => {
    const checks = evaluateGates(facts({ riskTier: "limited", ...riskAccepted(3) }));
    const audit = byId(checks).bias_audit;
    expect(audit).toMatchObject({ required: true, passed: true });
    expect(audit.label).toBe("Bias audit signed off in the last 90 days (passing, or failed with its risk accepted)");
    expect(audit.detail).toBe("Audit #9 failed; ethics@gates.test accepted the risk 3 days ago with a written rationale");
    expect(audit.riskAcceptance).toEqual({
      auditId: 9,
      by: "ethics@gates.test",
      at: daysAgo(3).toISOString(),
      rationale: RATIONALE,
      counts: true,
    });
    expect(failingChecks(checks)).toEqual([]);
    expect(riskAcceptancesIn(checks)).toEqual([audit.riskAcceptance]);
  });

  it("does not satisfy it for a high-risk model, which needs a passing bias audit; the acceptance is still shown", () => {
    const checks = evaluateGates(facts({ riskTier: "high", ...riskAccepted(3) }));
    const audit = byId(checks).bias_audit;
    expect(audit).toMatchObject({ required: true, passed: false });
    expect(audit.label).toBe("Passing bias audit signed off in the last 90 days");
    expect(audit.detail).toBe("Audit #9 failed; its risk was accepted, but a high-risk model needs a passing audit");
    expect(audit.riskAcceptance).toMatchObject({ auditId: 9, counts: false, rationale: RATIONALE });
    expect(failingChecks(checks).map((c) => c.id)).toEqual(["bias_audit"]);
  });

  it("a passing bias audit still counts for high risk; a newer passing bias audit hides an older acceptance", () => {
    const newerPass = byId(
      evaluateGates(
        facts({
          riskTier: "high",
          acceptedPassingBiasAudit: accepted(daysAgo(1), 10),
          acceptedFailedBiasAudit: accepted(daysAgo(5), 9, RATIONALE),
        }),
      ),
    ).bias_audit;
    expect(newerPass).toMatchObject({ passed: true, detail: "Audit #10 passed and was accepted 1 day ago" });
    expect(newerPass.riskAcceptance).toBeUndefined();
    // A newer acceptance of a failed audit is shown beside an older passing one, so approvers see it.
    const newerFail = byId(
      evaluateGates(
        facts({
          riskTier: "high",
          acceptedPassingBiasAudit: accepted(daysAgo(20), 10),
          acceptedFailedBiasAudit: accepted(daysAgo(2), 11, RATIONALE),
        }),
      ),
    ).bias_audit;
    expect(newerFail.passed).toBe(true);
    expect(newerFail.riskAcceptance).toMatchObject({ auditId: 11, counts: false });
  });

  it("goes stale after 90 days like any sign-off", () => {
    const limited = byId(evaluateGates(facts({ riskTier: "limited", ...riskAccepted(91) }))).bias_audit;
    expect(limited).toMatchObject({ passed: false, detail: "The newest accepted audit (#9) is 91 days old" });
    expect(limited.riskAcceptance).toBeUndefined();
    expect(byId(evaluateGates(facts({ riskTier: "limited", ...riskAccepted(90) }))).bias_audit.passed).toBe(true);
    const high = byId(evaluateGates(facts({ riskTier: "high", ...riskAccepted(91) }))).bias_audit;
    expect(high.detail).toBe("Required for high-risk models; no passing audit signed off yet");
  });

  it("is not needed for minimal risk, and shown when present", () => {
    const minimal = byId(evaluateGates(facts({ riskTier: "minimal", ...riskAccepted(3) }))).bias_audit;
    expect(minimal).toMatchObject({ required: false, passed: false, detail: "Not required for minimal-risk models" });
    expect(minimal.riskAcceptance).toMatchObject({ counts: false });
  });
});

describe("a newer failed audit that nobody accepted", () => {
  const unaccepted = (createdAt: Date, status: "pending" | "rejected", id = 12) => ({
    unacceptedFailedBiasAudit: { id, createdAt, status },
  });

  it("blocks a passing audit it was run after, while it waits for sign-off, naming it", () => {
    for (const riskTier of ["limited", "high"] as const) {
      const check = byId(
        evaluateGates(facts({ riskTier, acceptedPassingBiasAudit: accepted(daysAgo(5), 10), ...unaccepted(daysAgo(1), "pending") })),
      ).bias_audit;
      expect(check).toMatchObject({ required: true, passed: false, blockingAudit: { auditId: 12, status: "pending" } });
      expect(check.detail).toBe(
        "Audit #12, run after audit #10, failed and is waiting for sign-off; it blocks promotion until ethics accepts its risk or a newer audit passes",
      );
    }
  });

  it("blocks it when rejected too: only a newer audit can lift it", () => {
    const checks = evaluateGates(facts({ acceptedPassingBiasAudit: accepted(daysAgo(5), 10), ...unaccepted(daysAgo(1), "rejected") }));
    expect(byId(checks).bias_audit).toMatchObject({
      passed: false,
      blockingAudit: { auditId: 12, status: "rejected" },
      detail: "Audit #12, run after audit #10, failed and was rejected; it blocks promotion until a newer audit passes",
    });
    expect(failingChecks(checks).map((c) => c.id)).toEqual(["bias_audit"]);
  });

  it("blocks a limited-risk gate that relied on an older risk acceptance", () => {
    const check = byId(
      evaluateGates(
        facts({
          riskTier: "limited",
          acceptedPassingBiasAudit: null,
          acceptedFailedBiasAudit: accepted(daysAgo(5), 9, "Known gap"),
          ...unaccepted(daysAgo(1), "pending"),
        }),
      ),
    ).bias_audit;
    expect(check).toMatchObject({ passed: false, blockingAudit: { auditId: 12 } });
    expect(check.riskAcceptance).toMatchObject({ auditId: 9 });
  });

  it("does not block when it is older than the audit the gate relies on (a newer audit passed)", () => {
    const check = byId(
      evaluateGates(facts({ acceptedPassingBiasAudit: accepted(daysAgo(1), 13), ...unaccepted(daysAgo(5), "pending") })),
    ).bias_audit;
    expect(check).toMatchObject({ passed: true, detail: "Audit #13 passed and was accepted 1 day ago" });
    expect(check.blockingAudit).toBeUndefined();
  });

  it("does not block once a still newer failed audit was accepted as a risk (ethics' newest word)", () => {
    const check = byId(
      evaluateGates(
        facts({
          riskTier: "high",
          acceptedPassingBiasAudit: accepted(daysAgo(10), 10),
          acceptedFailedBiasAudit: accepted(daysAgo(1), 14, "Known gap"),
          ...unaccepted(daysAgo(5), "rejected"),
        }),
      ),
    ).bias_audit;
    expect(check).toMatchObject({ passed: true, riskAcceptance: { auditId: 14, counts: false } });
    expect(check.blockingAudit).toBeUndefined();
  });

  it("breaks a tie of run times by the audit number", () => {
    const passing = accepted(daysAgo(1), 10);
    const same = (id: number) =>
      byId(evaluateGates(facts({ acceptedPassingBiasAudit: passing, ...unaccepted(passing.createdAt, "pending", id) }))).bias_audit.passed;
    expect(same(11)).toBe(false);
    expect(same(9)).toBe(true);
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
    const checks = evaluateGates(facts({ cardStatus: "draft", acceptedPassingBiasAudit: null, lineageComplete: false }));
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
