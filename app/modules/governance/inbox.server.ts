import { and, count, desc, eq, isNull, ne, or, sql } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { approvalRequests, biasAudits, modelCards, models, modelVersions } from "../../../db/schema";
import type { Role } from "../auth/roles";
import { dueCounts } from "../roadmap/roadmaps.server";
import { listApprovalRequests, openRequestsAwaiting } from "./approvals.server";

/** What waits for the ethics committee and approvers; the counts feed the navigation badge. */
export function reviewCounts(orgId: number, db: DbOrTx = getDb()) {
  const n = (query: { n: number } | undefined) => query?.n ?? 0;
  const cards = n(
    db
      .select({ n: count() })
      .from(modelCards)
      .where(and(eq(modelCards.orgId, orgId), eq(modelCards.status, "in_review")))
      .get(),
  );
  const audits = n(
    db
      .select({ n: count() })
      .from(biasAudits)
      .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.status, "pending")))
      .get(),
  );
  const approvals = n(
    db
      .select({ n: count() })
      .from(approvalRequests)
      .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.status, "open")))
      .get(),
  );
  return { cards, audits, approvals, total: cards + audits + approvals };
}

export function reviewInbox(orgId: number, db: DbOrTx = getDb()) {
  const ref = { model: models.slug, modelName: models.name, riskTier: models.riskTier, version: modelVersions.version };
  const cards = db
    .select({
      id: modelCards.id,
      revision: modelCards.revision,
      submittedAt: modelCards.submittedAt,
      by: modelCards.createdByLabel,
      ...ref,
    })
    .from(modelCards)
    .innerJoin(models, eq(models.id, modelCards.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, modelCards.versionId))
    .where(and(eq(modelCards.orgId, orgId), eq(modelCards.status, "in_review")))
    .orderBy(desc(modelCards.submittedAt))
    .all()
    .map((c) => ({ ...c, submittedAt: c.submittedAt?.toISOString() ?? null }));
  const audits = db
    .select({
      id: biasAudits.id,
      passed: biasAudits.passed,
      createdAt: biasAudits.createdAt,
      by: biasAudits.createdByLabel,
      rows: biasAudits.rows,
      ...ref,
    })
    .from(biasAudits)
    .innerJoin(models, eq(models.id, biasAudits.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, biasAudits.versionId))
    .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.status, "pending")))
    .orderBy(desc(biasAudits.createdAt))
    .all()
    .map((a) => ({ ...a, createdAt: a.createdAt.toISOString() }));
  return { cards, audits, approvals: listApprovalRequests(orgId, { status: "open" }, db) };
}

/** Who reviews model cards and signs off bias audits (the card and bias-audit routes' guards). */
const ETHICS_REVIEWERS: readonly Role[] = ["ethics"];

const cardsInReviewQuery = reusableQuery((db) =>
  db
    .select({ n: count() })
    .from(modelCards)
    .where(and(eq(modelCards.orgId, sql.placeholder("orgId")), eq(modelCards.status, "in_review"))),
);

/** Pending bias audits someone else ran (four eyes). */
const auditsToSignOffQuery = reusableQuery((db) =>
  db
    .select({ n: count() })
    .from(biasAudits)
    .where(
      and(
        eq(biasAudits.orgId, sql.placeholder("orgId")),
        eq(biasAudits.status, "pending"),
        or(isNull(biasAudits.createdById), ne(biasAudits.createdById, sql.placeholder("userId"))),
      ),
    ),
);

/**
 * What waits for this member to act on: model cards in review and pending bias audits for the
 * ethics committee (not the audits they ran themselves: four eyes), and open approval requests
 * still waiting for a decision from the member's role. Other roles see nothing here, since they
 * cannot act on it.
 */
export function actionableReviewCounts(orgId: number, role: Role, userId: number, db: DbOrTx = getDb()) {
  const reviewer = ETHICS_REVIEWERS.includes(role);
  const cards = reviewer ? (cardsInReviewQuery(db).get({ orgId })?.n ?? 0) : 0;
  const audits = reviewer ? (auditsToSignOffQuery(db).get({ orgId, userId })?.n ?? 0) : 0;
  const approvals = openRequestsAwaiting(orgId, role, db);
  return { cards, audits, approvals, total: cards + audits + approvals };
}

/**
 * The badges every organisation page shows: what waits for this member's review (only what their
 * role can act on), and their overdue and due roadmap items. Pages read it through the data cache.
 */
export function navigationBadges(orgId: number, userId: number, role: Role, db: DbOrTx = getDb()) {
  return {
    reviews: actionableReviewCounts(orgId, role, userId, db),
    due: dueCounts(orgId, userId, db),
  };
}
