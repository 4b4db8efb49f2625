import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { notifications } from "../../../db/schema";
import { createModel, createVersion } from "../registry/registry.server";
import { cancelApprovalRequest, decideApprovalRequest, openApprovalRequest } from "./approvals.server";
import { runBiasAudit, signOffBiasAudit } from "./bias-audits.server";
import { reviewModelCard, saveModelCard, submitModelCard } from "./model-cards.server";
import { writtenCardSections } from "../../../tests/setup/model-cards";
import {
  clearPromotionGates,
  createTestOrg,
  FAIR_AUDIT_CONFIG,
  fullLineage,
  member,
  uniqueSlug,
  type TestOrg,
} from "../../../tests/setup/test-orgs";

/** Who was told what about approval requests, card reviews and bias audits (issue #16), through the real governance module and a real database. */
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

describe("review notifications", () => {
  it("asks the ethics committee to review a submitted card and sign off an audit (not whoever ran it)", async () => {
    const { org, slug } = await requestFor("high"); // its gates were cleared: card submitted by the team, audit run by the team
    const ethics = member(org, "ethics").userId;
    expect(toldOf(org, "card.submitted")).toEqual([
      { userId: ethics, title: `Model card to review: Model ${slug} 1.0.0`, path: `/orgs/${org.slug}/models/${slug}/versions/1.0.0/card` },
    ]);
    expect(toldOf(org, "bias_audit.awaiting_signoff").map((n) => n.userId)).toEqual([ethics]);
  });

  it("tells a card's authors when changes are requested, and the owner and leadership when a failed audit is accepted as a risk", async () => {
    const org = await createTestOrg("review-notify");
    const team = member(org, "team");
    const ethics = member(org, "ethics");
    const slug = uniqueSlug("review");
    createModel(org.id, { name: `Model ${slug}`, slug, riskTier: "limited" }, team.actor, "ui");
    createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
    const card = saveModelCard(org.id, slug, "1.0.0", writtenCardSections({ modelDetails: "Draft." }), team.actor);
    submitModelCard(org.id, card.id, team.actor);
    reviewModelCard(org.id, card.id, { decision: "request_changes", comment: "Describe the training data" }, ethics.actor);
    expect(toldOf(org, "card.changes_requested").map((n) => n.userId)).toEqual([team.userId]);

    // Group b is never predicted positive: the audit fails.
    const rows = ["a", "b"].flatMap((group) =>
      Array.from({ length: 40 }, (_, i) => ({ group, label: i % 2, prediction: group === "a" ? i % 2 : 0 })),
    );
    const audit = await runBiasAudit(org.id, slug, "1.0.0", FAIR_AUDIT_CONFIG, { kind: "rows", rows }, team.actor, "api");
    expect(audit.passed).toBe(false);
    signOffBiasAudit(org.id, audit.id, { decision: "accept", comment: "Known gap; a retrained model is planned for Q1" }, ethics.actor);
    expect(
      toldOf(org, "bias_audit.risk_accepted")
        .map((n) => n.userId)
        .sort(),
    ).toEqual([team.userId, member(org, "leadership").userId].sort());
  });
});
