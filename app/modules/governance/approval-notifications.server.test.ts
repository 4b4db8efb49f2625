import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { notifications } from "../../../db/schema";
import { createModel, createVersion } from "../registry/registry.server";
import { cancelApprovalRequest, decideApprovalRequest, openApprovalRequest } from "./approvals.server";
import { clearPromotionGates, createTestOrg, fullLineage, member, uniqueSlug, type TestOrg } from "../../../tests/setup/test-orgs";

/** Who was told what about approval requests (issue #16), through the real governance module and a real database. */
const toldOf = (org: TestOrg, type: string) =>
  getDb()
    .select({ userId: notifications.userId, title: notifications.title, path: notifications.path })
    .from(notifications)
    .where(and(eq(notifications.orgId, org.id), eq(notifications.eventType, type as never)))
    .all();

async function requestFor(riskTier: "minimal" | "high") {
  const org = await createTestOrg("approval-notify");
  const team = member(org, "team");
  const slug = uniqueSlug("notify");
  createModel(org.id, { name: `Model ${slug}`, slug, riskTier }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  await clearPromotionGates(org, slug, "1.0.0");
  // The leader asks: the team member owns the model (created it), so neither may approve.
  const request = openApprovalRequest(org.id, slug, "1.0.0", { reason: "Ready" }, member(org, "leadership").actor);
  return { org, slug, request };
}

describe("approval request notifications", () => {
  it("asks everyone who may decide (not the requester or the model's owner), and tells requester and owner the outcome", async () => {
    const { org, slug, request } = await requestFor("minimal");
    expect(toldOf(org, "approval.requested")).toEqual([
      {
        userId: member(org, "ethics").userId,
        title: `Approval requested: Model ${slug} 1.0.0 to production`,
        path: `/orgs/${org.slug}/approvals/${request.id}`,
      },
    ]);
    const ethics = member(org, "ethics");
    decideApprovalRequest(org.id, request.id, { decision: "approve" }, { userId: ethics.userId, label: ethics.label, role: "ethics" });
    const decided = toldOf(org, "approval.decided");
    expect(decided.map((n) => n.userId).sort()).toEqual([member(org, "leadership").userId, member(org, "team").userId].sort());
    expect(decided[0]!.title).toBe(`Approved: Model ${slug} 1.0.0 is in production`);
  });

  it("asks both roles a high-risk request needs; a cancellation tells the owner, not the one who cancelled", async () => {
    const { org, request } = await requestFor("high");
    // Leadership asked, so only ethics is asked here although the request needs leadership too: four eyes.
    expect(toldOf(org, "approval.requested").map((n) => n.userId)).toEqual([member(org, "ethics").userId]);
    cancelApprovalRequest(org.id, request.id, member(org, "leadership").actor, { isAdmin: false });
    expect(toldOf(org, "approval.cancelled").map((n) => n.userId)).toEqual([member(org, "team").userId]);
  });
});
