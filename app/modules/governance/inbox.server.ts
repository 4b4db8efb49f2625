import { and, count, desc, eq } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { approvalRequests, biasAudits, modelCards, models, modelVersions } from "../../../db/schema";
import { cachedUntilNextChange } from "../audit/audit.server";
import { dueCounts } from "../roadmap/roadmaps.server";
import { listApprovalRequests } from "./approvals.server";

/** What waits for the ethics committee and approvers; the counts feed the navigation badge. */
export function reviewCounts(orgId: number, db: DbOrTx = getDb()) {
  const n = (query: { n: number } | undefined) => query?.n ?? 0;
  const cards = n(db.select({ n: count() }).from(modelCards).where(and(eq(modelCards.orgId, orgId), eq(modelCards.status, "in_review"))).get());
  const audits = n(db.select({ n: count() }).from(biasAudits).where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.status, "pending"))).get());
  const approvals = n(db.select({ n: count() }).from(approvalRequests).where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.status, "open"))).get());
  return { cards, audits, approvals, total: cards + audits + approvals };
}

export function reviewInbox(orgId: number, db: DbOrTx = getDb()) {
  const ref = { model: models.slug, modelName: models.name, riskTier: models.riskTier, version: modelVersions.version };
  const cards = db
    .select({ id: modelCards.id, revision: modelCards.revision, submittedAt: modelCards.submittedAt, by: modelCards.createdByLabel, ...ref })
    .from(modelCards)
    .innerJoin(models, eq(models.id, modelCards.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, modelCards.versionId))
    .where(and(eq(modelCards.orgId, orgId), eq(modelCards.status, "in_review")))
    .orderBy(desc(modelCards.submittedAt))
    .all()
    .map((c) => ({ ...c, submittedAt: c.submittedAt?.toISOString() ?? null }));
  const audits = db
    .select({ id: biasAudits.id, passed: biasAudits.passed, createdAt: biasAudits.createdAt, by: biasAudits.createdByLabel, rows: biasAudits.rows, ...ref })
    .from(biasAudits)
    .innerJoin(models, eq(models.id, biasAudits.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, biasAudits.versionId))
    .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.status, "pending")))
    .orderBy(desc(biasAudits.createdAt))
    .all()
    .map((a) => ({ ...a, createdAt: a.createdAt.toISOString() }));
  return { cards, audits, approvals: listApprovalRequests(orgId, { status: "open" }, db) };
}

/**
 * The badges every organisation page shows: what waits for review, and the
 * member's overdue and due roadmap items. Read once per change of the
 * organisation (and per day, for "due").
 */
export function navigationBadges(orgId: number, userId: number) {
  return cachedUntilNextChange(orgId, `nav-badges:${userId}:${new Date().toISOString().slice(0, 10)}`, () => ({
    reviews: reviewCounts(orgId),
    due: dueCounts(orgId, userId),
  }));
}
