import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { approvalPolicies, approvalRequests, auditEvents, modelVersions, notifications, stageTransitions } from "../../../db/schema";
import { verifyAuditChain } from "../audit/audit.server";
import type { Role } from "../auth/roles";
import type { RiskTier } from "../registry/registry-constants";
import { createModel, createVersion, getVersionDetail } from "../registry/registry.server";
import {
  confirmApprovalPolicy,
  listApprovalPolicies,
  pendingPolicyProposals,
  policyInForce,
  proposeApprovalPolicy,
  withdrawApprovalPolicy,
  type PolicyMember,
} from "./approval-policies.server";
import { openApprovalRequest } from "./approvals.server";
import { GateRefusal } from "./gates";
import { ApprovalPolicySchema } from "./governance-schemas";
import { transitionVersion } from "./transitions.server";
import { catchDomainError } from "../../../tests/setup/domain-errors";
import { clearPromotionGates, createTestOrg, fullLineage, member, uniqueSlug, type TestOrg } from "../../../tests/setup/test-orgs";

const as = (org: TestOrg, role: Role): PolicyMember => {
  const m = member(org, role);
  return { userId: m.userId, label: m.label, role };
};
const policy = (riskTier: RiskTier, mode: "roles" | "automatic", requiredRoles: Role[] = []) =>
  ApprovalPolicySchema.parse({ riskTier, mode, requiredRoles });
const eventsOf = (orgId: number, action: string) =>
  getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)))
    .all();

/** Admin proposes automatic for `tier`, ethics confirms. */
function makeAutomatic(org: TestOrg, tier: RiskTier) {
  const { policy: proposed } = proposeApprovalPolicy(org.id, policy(tier, "automatic"), as(org, "admin"));
  return confirmApprovalPolicy(org.id, proposed.id, as(org, "ethics"));
}

/** A model of `tier` with version 1.0.0 in staging, full lineage. */
function stagingVersion(org: TestOrg, tier: RiskTier) {
  const slug = uniqueSlug("policy");
  const team = member(org, "team");
  createModel(org.id, { name: slug, slug, riskTier: tier }, team.actor, "ui");
  const { version } = createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  return { slug, versionId: version.id };
}
const stageOf = (versionId: number) =>
  getDb().select({ stage: modelVersions.stage }).from(modelVersions).where(eq(modelVersions.id, versionId)).get()!.stage;
const PIPELINE = { type: "token", id: 999, label: "pipeline" } as const;

describe("the policy in force", () => {
  it("is the built-in default (today's rule) until an admin sets one", async () => {
    const org = await createTestOrg("pol-default");
    expect(policyInForce(org.id, "minimal")).toMatchObject({ rule: { automatic: false, requiredRoles: ["ethics"] }, policy: null });
    expect(policyInForce(org.id, "high").rule.requiredRoles).toEqual(["ethics", "leadership"]);
    const overview = listApprovalPolicies(org.id);
    expect(overview.map((t) => [t.riskTier, t.inForce.description, t.pending, t.history])).toEqual([
      ["minimal", "Approval by ethics", null, []],
      ["limited", "Approval by ethics", null, []],
      ["high", "Approval by ethics and leadership", null, []],
      ["unacceptable", "Never promoted", null, []],
    ]);
  });
});

describe("proposeApprovalPolicy", () => {
  it("applies on save a change that only adds approvals, replacing the row in force, audited", async () => {
    const org = await createTestOrg("pol-tighten");
    const first = proposeApprovalPolicy(org.id, policy("high", "roles", ["ethics", "leadership", "admin"]), as(org, "admin"));
    expect(first).toMatchObject({ applied: true, policy: { status: "active", requiredRoles: ["ethics", "leadership", "admin"] } });
    expect(policyInForce(org.id, "high").rule.requiredRoles).toEqual(["ethics", "leadership", "admin"]);
    const second = proposeApprovalPolicy(org.id, policy("minimal", "roles", ["ethics", "leadership"]), as(org, "admin"));
    expect(second.applied).toBe(true);
    expect(eventsOf(org.id, "approval_policy.changed")).toHaveLength(2);
    expect(verifyAuditChain(org.id).ok).toBe(true);
  });

  it("makes automatic a proposal that is not in force until an ethics member confirms it", async () => {
    const org = await createTestOrg("pol-auto");
    const { policy: proposed, applied } = proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "admin"));
    expect(applied).toBe(false);
    expect(proposed).toMatchObject({ status: "proposed", automatic: true, requiredRoles: [], proposedBy: org.emails.admin });
    expect(policyInForce(org.id, "minimal").rule.automatic).toBe(false);
    expect(pendingPolicyProposals(org.id).map((p) => p.id)).toEqual([proposed.id]);
    expect(eventsOf(org.id, "approval_policy.proposed")).toHaveLength(1);

    const confirmed = confirmApprovalPolicy(org.id, proposed.id, as(org, "ethics"));
    expect(confirmed).toMatchObject({ status: "active", confirmedBy: org.emails.ethics });
    expect(policyInForce(org.id, "minimal")).toMatchObject({ rule: { automatic: true }, policy: { id: proposed.id } });
    expect(pendingPolicyProposals(org.id)).toEqual([]);
    expect(eventsOf(org.id, "approval_policy.confirmed")).toHaveLength(1);
  });

  it("marks the policy a confirmation replaces as replaced, with when it ended", async () => {
    const org = await createTestOrg("pol-replace");
    const tightened = proposeApprovalPolicy(org.id, policy("limited", "roles", ["ethics", "admin"]), as(org, "admin")).policy;
    const automatic = makeAutomatic(org, "limited");
    const rows = getDb().select().from(approvalPolicies).where(eq(approvalPolicies.orgId, org.id)).all();
    expect(rows.find((r) => r.id === tightened.id)).toMatchObject({ status: "replaced", endedAt: expect.any(Date) });
    expect(rows.find((r) => r.id === automatic.id)?.status).toBe("active");
    const limited = listApprovalPolicies(org.id).find((t) => t.riskTier === "limited")!;
    expect(limited.history.map((p) => [p.id, p.status])).toEqual([
      [automatic.id, "active"],
      [tightened.id, "replaced"],
    ]);
  });

  it("refuses high risk automatic or below ethics and leadership, any policy for unacceptable risk, and non-approving roles (invalid)", async () => {
    const org = await createTestOrg("pol-invalid");
    const admin = as(org, "admin");
    const refusals = [
      [policy("high", "automatic"), "automatic"],
      [policy("high", "roles", ["ethics"]), "requiredRoles"],
      [policy("unacceptable", "roles", ["ethics", "leadership"]), "riskTier"],
      [policy("minimal", "roles", ["auditor"]), "requiredRoles"],
      [policy("limited", "roles", []), "requiredRoles"],
    ] as const;
    for (const [input, field] of refusals) {
      const error = catchDomainError(() => proposeApprovalPolicy(org.id, input, admin));
      expect([error.code, error.field]).toEqual(["invalid", field]);
    }
    expect(getDb().select().from(approvalPolicies).where(eq(approvalPolicies.orgId, org.id)).all()).toEqual([]);
  });

  it("lets only admins propose, takes one proposal per tier at a time, and refuses a change to nothing", async () => {
    const org = await createTestOrg("pol-one");
    expect(catchDomainError(() => proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "leadership"))).code).toBe(
      "forbidden",
    );
    expect(catchDomainError(() => proposeApprovalPolicy(org.id, policy("minimal", "roles", ["ethics"]), as(org, "admin"))).code).toBe(
      "conflict",
    );
    proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "admin"));
    const second = catchDomainError(() => proposeApprovalPolicy(org.id, policy("minimal", "roles", ["ethics", "admin"]), as(org, "admin")));
    expect(second.code).toBe("conflict");
    expect(second.message).toContain("withdraw it first");
  });
});

describe("confirmApprovalPolicy and withdrawApprovalPolicy", () => {
  it("four eyes: the proposer cannot confirm, even after becoming an ethics member; only ethics confirms", async () => {
    const org = await createTestOrg("pol-4eyes");
    const admin = as(org, "admin");
    const { policy: proposed } = proposeApprovalPolicy(org.id, policy("limited", "automatic"), admin);
    const own = catchDomainError(() => confirmApprovalPolicy(org.id, proposed.id, { ...admin, role: "ethics" }));
    expect([own.code, own.message]).toEqual(["forbidden", expect.stringContaining("you proposed this policy")]);
    expect(catchDomainError(() => confirmApprovalPolicy(org.id, proposed.id, as(org, "leadership"))).code).toBe("forbidden");
    expect(policyInForce(org.id, "limited").rule.automatic).toBe(false);
  });

  it("withdraws (admin) or declines (ethics) a proposal; a decided one can be neither confirmed nor withdrawn", async () => {
    const org = await createTestOrg("pol-withdraw");
    const first = proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "admin")).policy;
    expect(withdrawApprovalPolicy(org.id, first.id, as(org, "admin"))).toMatchObject({ status: "withdrawn", endedAt: expect.any(String) });
    expect(catchDomainError(() => confirmApprovalPolicy(org.id, first.id, as(org, "ethics"))).code).toBe("conflict");
    const second = proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "admin")).policy;
    withdrawApprovalPolicy(org.id, second.id, as(org, "ethics"));
    expect(eventsOf(org.id, "approval_policy.withdrawn")).toHaveLength(1);
    expect(eventsOf(org.id, "approval_policy.declined")).toHaveLength(1);
    expect(catchDomainError(() => withdrawApprovalPolicy(org.id, second.id, as(org, "admin"))).code).toBe("conflict");
    expect(catchDomainError(() => withdrawApprovalPolicy(org.id, 999_999, as(org, "admin"))).code).toBe("not_found");
    expect(policyInForce(org.id, "minimal").policy).toBeNull();
  });

  it("keeps organisations apart", async () => {
    const org = await createTestOrg("pol-a");
    const other = await createTestOrg("pol-b");
    const { policy: proposed } = proposeApprovalPolicy(org.id, policy("minimal", "automatic"), as(org, "admin"));
    expect(catchDomainError(() => confirmApprovalPolicy(other.id, proposed.id, as(other, "ethics"))).code).toBe("not_found");
    expect(pendingPolicyProposals(other.id)).toEqual([]);
  });
});

describe("approval requests under a policy", () => {
  it("ask for the roles of the policy in force", async () => {
    const org = await createTestOrg("pol-request");
    proposeApprovalPolicy(org.id, policy("high", "roles", ["ethics", "leadership", "admin"]), as(org, "admin"));
    const v = stagingVersion(org, "high");
    expect(openApprovalRequest(org.id, v.slug, "1.0.0", {}, member(org, "team").actor).requiredRoles).toEqual([
      "ethics",
      "leadership",
      "admin",
    ]);
  });

  it("gain the roles a stricter policy adds when it comes into force; a looser one leaves them as they were", async () => {
    const org = await createTestOrg("pol-open-request");
    const v = stagingVersion(org, "limited");
    const request = openApprovalRequest(org.id, v.slug, "1.0.0", {}, member(org, "team").actor);
    expect(request.requiredRoles).toEqual(["ethics"]);
    const rolesOf = () =>
      JSON.parse(getDb().select().from(approvalRequests).where(eq(approvalRequests.id, request.id)).get()!.requiredRoles) as Role[];
    proposeApprovalPolicy(org.id, policy("limited", "roles", ["ethics", "leadership"]), as(org, "admin"));
    expect(rolesOf()).toEqual(["ethics", "leadership"]);
    const [event] = eventsOf(org.id, "approval_request.roles_added");
    expect(JSON.parse(event!.payload)).toMatchObject({
      before: { requiredRoles: ["ethics"] },
      after: { requiredRoles: ["ethics", "leadership"] },
    });
    const looser = proposeApprovalPolicy(org.id, policy("limited", "roles", ["admin"]), as(org, "admin")).policy;
    confirmApprovalPolicy(org.id, looser.id, as(org, "ethics"));
    expect(rolesOf()).toEqual(["ethics", "leadership", "admin"]);
    makeAutomatic(org, "limited");
    expect(rolesOf()).toEqual(["ethics", "leadership", "admin"]);
  });

  it("may still be opened for an automatic tier: a voluntary review by the built-in reviewers", async () => {
    const org = await createTestOrg("pol-voluntary");
    makeAutomatic(org, "minimal");
    const v = stagingVersion(org, "minimal");
    expect(openApprovalRequest(org.id, v.slug, "1.0.0", {}, member(org, "team").actor).requiredRoles).toEqual(["ethics"]);
  });
});

describe("promotion by an automatic policy", () => {
  it("promotes directly when every gate passes, recording the policy and the gate snapshot", async () => {
    const org = await createTestOrg("pol-promote");
    const confirmed = makeAutomatic(org, "minimal");
    const v = stagingVersion(org, "minimal");
    await clearPromotionGates(org, v.slug, "1.0.0");
    const opened = openApprovalRequest(org.id, v.slug, "1.0.0", {}, member(org, "team").actor);

    const result = transitionVersion(org.id, v.slug, "1.0.0", { to: "production" }, PIPELINE, { mayPromote: true });
    expect(result).toMatchObject({ version: { stage: "production" }, approvalPolicyId: confirmed.id });
    expect(stageOf(v.versionId)).toBe("production");
    const row = getDb()
      .select()
      .from(stageTransitions)
      .where(and(eq(stageTransitions.versionId, v.versionId), eq(stageTransitions.toStage, "production")))
      .get()!;
    expect(row).toMatchObject({ approvalPolicyId: confirmed.id, approvalRequestId: null, actorLabel: "pipeline" });
    const snapshot = JSON.parse(row.gateSnapshot!) as Array<{ id: string; passed: boolean; required: boolean }>;
    expect(snapshot.map((c) => c.id)).toEqual(["risk_tier", "model_card", "bias_audit", "lineage"]);
    expect(snapshot.every((c) => c.passed || !c.required)).toBe(true);

    const [event] = eventsOf(org.id, "model_version.promoted_by_policy");
    expect(JSON.parse(event!.payload).after).toMatchObject({
      model: v.slug,
      stage: "production",
      approvalPolicy: { id: confirmed.id, proposedBy: org.emails.admin, confirmedBy: org.emails.ethics },
      gates: snapshot,
    });
    // The voluntary request is no longer needed: cancelled, saying why.
    expect(getDb().select().from(approvalRequests).where(eq(approvalRequests.id, opened.id)).get()!.status).toBe("cancelled");
    expect(getVersionDetail(org.id, v.slug, "1.0.0")!.transitions[0]).toMatchObject({
      toStage: "production",
      approvalPolicyId: confirmed.id,
      gateSnapshot: snapshot,
    });
    expect(verifyAuditChain(org.id).ok).toBe(true);
    // Nobody approved it, so the ethics committee and the model's owner hear of it (in the portal, and by email as each chose).
    const told = getDb()
      .select()
      .from(notifications)
      .where(and(eq(notifications.orgId, org.id), eq(notifications.eventType, "promotion.automatic")))
      .all();
    expect(told.map((n) => n.userId).sort()).toEqual([member(org, "ethics").userId, member(org, "team").userId].sort());
    expect(told[0]!.path).toBe(`/orgs/${org.slug}/models/${v.slug}/versions/1.0.0`);
  });

  it("refuses (409) with the failing checks when a gate fails, and without promote permission (403)", async () => {
    const org = await createTestOrg("pol-fail");
    makeAutomatic(org, "minimal");
    const v = stagingVersion(org, "minimal");
    const error = catchDomainError(() => transitionVersion(org.id, v.slug, "1.0.0", { to: "production" }, PIPELINE, { mayPromote: true }));
    expect(error).toBeInstanceOf(GateRefusal);
    expect(error.code).toBe("conflict");
    expect(error.issues?.map((i) => i.path)).toEqual(["model_card"]);
    await clearPromotionGates(org, v.slug, "1.0.0");
    const forbidden = catchDomainError(() =>
      transitionVersion(org.id, v.slug, "1.0.0", { to: "production" }, PIPELINE, { mayPromote: false }),
    );
    expect(forbidden.code).toBe("forbidden");
    expect(stageOf(v.versionId)).toBe("staging");
  });

  it("leaves other tiers as today: a direct promotion is refused even with every gate passing", async () => {
    const org = await createTestOrg("pol-other-tier");
    makeAutomatic(org, "minimal");
    const v = stagingVersion(org, "limited");
    await clearPromotionGates(org, v.slug, "1.0.0");
    const error = catchDomainError(() => transitionVersion(org.id, v.slug, "1.0.0", { to: "production" }, PIPELINE, { mayPromote: true }));
    expect(error.code).toBe("conflict");
    expect(error.issues?.map((i) => i.path)).toEqual(["approval"]);
    expect(stageOf(v.versionId)).toBe("staging");
  });
});
