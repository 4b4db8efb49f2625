import { describe, expect, it } from "vitest";
import {
  defaultPolicy,
  describeRule,
  needsConfirmation,
  normaliseRoles,
  policyProblems,
  proposalConsequence,
  requestRoles,
  sameRule,
  type PolicyRule,
} from "./approval-policies";
import { ApprovalPolicySchema } from "./governance-schemas";

const roles = (...r: PolicyRule["requiredRoles"]): PolicyRule => ({ automatic: false, requiredRoles: r });
const AUTOMATIC: PolicyRule = { automatic: true, requiredRoles: [] };

describe("defaultPolicy", () => {
  it("is today's rule: ethics, and for high risk ethics and leadership", () => {
    expect(defaultPolicy("minimal")).toEqual(roles("ethics"));
    expect(defaultPolicy("limited")).toEqual(roles("ethics"));
    expect(defaultPolicy("high")).toEqual(roles("ethics", "leadership"));
  });
});

describe("policyProblems", () => {
  it("lets minimal and limited risk be automatic, never high risk", () => {
    expect(policyProblems("minimal", AUTOMATIC)).toEqual([]);
    expect(policyProblems("limited", AUTOMATIC)).toEqual([]);
    expect(policyProblems("high", AUTOMATIC)).toEqual([{ path: "automatic", message: expect.stringContaining("cannot be automatic") }]);
  });

  it("sets no policy at all for unacceptable risk", () => {
    for (const rule of [AUTOMATIC, roles("ethics", "leadership", "admin")]) {
      expect(policyProblems("unacceptable", rule)).toEqual([{ path: "riskTier", message: expect.stringContaining("never be promoted") }]);
    }
  });

  it("keeps high risk at ethics and leadership at least, and lets it add admin", () => {
    expect(policyProblems("high", roles("ethics"))).toEqual([
      { path: "requiredRoles", message: expect.stringContaining("both ethics and leadership") },
    ]);
    expect(policyProblems("high", roles("leadership", "admin"))).toHaveLength(1);
    expect(policyProblems("high", roles("ethics", "leadership"))).toEqual([]);
    expect(policyProblems("high", roles("ethics", "leadership", "admin"))).toEqual([]);
  });

  it("needs at least one approving role, and only ethics, leadership and admin approve", () => {
    expect(policyProblems("minimal", roles())).toEqual([{ path: "requiredRoles", message: "Choose at least one role that must approve" }]);
    expect(policyProblems("limited", roles("ethics", "auditor"))[0]!.message).toContain("not auditor");
    expect(policyProblems("minimal", roles("team"))[0]!.message).toContain("not team");
    expect(policyProblems("minimal", roles("leadership"))).toEqual([]);
    expect(policyProblems("limited", roles("admin"))).toEqual([]);
  });
});

describe("needsConfirmation (four eyes)", () => {
  it("asks an ethics member to confirm whatever removes a person's check", () => {
    expect(needsConfirmation(roles("ethics"), AUTOMATIC)).toBe(true);
    expect(needsConfirmation(roles("ethics", "leadership"), roles("ethics"))).toBe(true);
    expect(needsConfirmation(roles("ethics"), roles("leadership"))).toBe(true);
  });

  it("applies at once what only adds approvals, including leaving automatic", () => {
    expect(needsConfirmation(roles("ethics"), roles("ethics", "leadership"))).toBe(false);
    expect(needsConfirmation(roles("ethics", "leadership"), roles("leadership", "ethics", "admin"))).toBe(false);
    expect(needsConfirmation(AUTOMATIC, roles("ethics"))).toBe(false);
  });
});

describe("helpers", () => {
  it("orders roles as ethics, leadership, admin and drops repeats", () => {
    expect(normaliseRoles(["admin", "ethics", "admin", "leadership"])).toEqual(["ethics", "leadership", "admin"]);
  });

  it("asks the built-in reviewers when a request is opened under an automatic policy", () => {
    expect(requestRoles("minimal", AUTOMATIC)).toEqual(["ethics"]);
    expect(requestRoles("limited", roles("leadership", "admin"))).toEqual(["leadership", "admin"]);
  });

  it("compares rules regardless of role order, and says them in words", () => {
    expect(sameRule(roles("ethics", "leadership"), roles("leadership", "ethics"))).toBe(true);
    expect(sameRule(roles("ethics"), AUTOMATIC)).toBe(false);
    expect(describeRule(roles("ethics", "leadership", "admin"))).toBe("Approval by ethics, leadership and admin");
    expect(describeRule(roles("ethics"))).toBe("Approval by ethics");
    expect(describeRule(AUTOMATIC)).toContain("no human approval");
    expect(proposalConsequence("minimal", AUTOMATIC)).toContain("without any human approval");
    expect(proposalConsequence("limited", roles("leadership"))).toContain("approval by leadership only");
  });
});

describe("ApprovalPolicySchema", () => {
  it("reads the form: repeated or single roles, automatic as a mode; automatic drops the roles", () => {
    expect(ApprovalPolicySchema.parse({ riskTier: "high", mode: "roles", requiredRoles: ["admin", "ethics", "leadership"] })).toEqual({
      riskTier: "high",
      automatic: false,
      requiredRoles: ["ethics", "leadership", "admin"],
    });
    expect(ApprovalPolicySchema.parse({ riskTier: "minimal", mode: "roles", requiredRoles: "leadership" })).toMatchObject({
      requiredRoles: ["leadership"],
    });
    expect(ApprovalPolicySchema.parse({ riskTier: "minimal", mode: "automatic", requiredRoles: "ethics" })).toEqual({
      riskTier: "minimal",
      automatic: true,
      requiredRoles: [],
    });
    expect(ApprovalPolicySchema.parse({ riskTier: "limited", mode: "roles" })).toMatchObject({ requiredRoles: [] });
  });

  it("refuses unknown tiers, modes and roles", () => {
    expect(ApprovalPolicySchema.safeParse({ riskTier: "extreme", mode: "roles", requiredRoles: ["ethics"] }).success).toBe(false);
    expect(ApprovalPolicySchema.safeParse({ riskTier: "minimal", mode: "sometimes" }).success).toBe(false);
    expect(ApprovalPolicySchema.safeParse({ riskTier: "minimal", mode: "roles", requiredRoles: ["boss"] }).success).toBe(false);
  });
});
