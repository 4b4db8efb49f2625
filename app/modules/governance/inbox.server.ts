import { and, count, desc, eq, isNull, ne, or, sql } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { approvalPolicies, approvalRequests, biasAudits, modelCards, models, modelVersions } from "../../../db/schema";
import type { Role } from "../auth/roles";
import { dueCounts } from "../roadmap/roadmaps.server";
import { POLICY_CONFIRMERS } from "./approval-policies";
import { pendingPolicyProposals } from "./approval-policies.server";
import { openApprovalRequestsAwaiting } from "./approvals.server";
import { whyCannotDecide } from "./approval-deciders";

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
  const policies = n(
    db
      .select({ n: count() })
      .from(approvalPolicies)
      .where(and(eq(approvalPolicies.orgId, orgId), eq(approvalPolicies.status, "proposed")))
      .get(),
  );
  return { cards, audits, approvals, policies, total: cards + audits + approvals + policies };
}

const ref = { model: models.slug, modelName: models.name, riskTier: models.riskTier, version: modelVersions.version };
const cardsInReviewQuery = reusableQuery((db) =>
  db
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
    .where(and(eq(modelCards.orgId, sql.placeholder("orgId")), eq(modelCards.status, "in_review")))
    .orderBy(desc(modelCards.submittedAt)),
);
const pendingBiasAuditsQuery = reusableQuery((db) =>
  db
    .select({
      id: biasAudits.id,
      passed: biasAudits.passed,
      createdAt: biasAudits.createdAt,
      by: biasAudits.createdByLabel,
      createdById: biasAudits.createdById,
      rows: biasAudits.rows,
      ...ref,
    })
    .from(biasAudits)
    .innerJoin(models, eq(models.id, biasAudits.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, biasAudits.versionId))
    .where(and(eq(biasAudits.orgId, sql.placeholder("orgId")), eq(biasAudits.status, "pending")))
    .orderBy(desc(biasAudits.createdAt)),
);

/**
 * What waits for this member to act on, listed: the same things `actionableReviewCounts` counts,
 * so the Reviews page, its badge and the inbox's summary agree.
 */
export function reviewInbox(orgId: number, member: { role: Role; userId: number }, db: DbOrTx = getDb()) {
  const reviewer = ETHICS_REVIEWERS.includes(member.role);
  const cards = reviewer
    ? cardsInReviewQuery(db)
        .all({ orgId })
        .map((c) => ({ ...c, submittedAt: c.submittedAt?.toISOString() ?? null }))
    : [];
  const audits = reviewer
    ? pendingBiasAuditsQuery(db)
        .all({ orgId })
        .filter((a) => a.createdById !== member.userId)
        .map(({ createdById: _by, ...a }) => ({ ...a, createdAt: a.createdAt.toISOString() }))
    : [];
  return {
    cards,
    audits,
    approvals: decidableApprovals(orgId, member, db).map(({ requesterUserId: _r, ownerUserId: _o, decidedByUserIds: _d, ...r }) => r),
    policies: confirmablePolicies(orgId, member, db).map(({ proposedById: _by, ...proposal }) => proposal),
  };
}

/** Open requests this member may decide (four eyes, one decision each, a role still needed). */
function decidableApprovals(orgId: number, member: { role: Role; userId: number }, db: DbOrTx) {
  return openApprovalRequestsAwaiting(orgId, db).filter((request) => whyCannotDecide(request, member) === null);
}

/** Approval-policy proposals wait for an ethics member who did not propose them (four eyes). */
function confirmablePolicies(orgId: number, member: { role: Role; userId: number }, db: DbOrTx) {
  return POLICY_CONFIRMERS.includes(member.role) ? pendingPolicyProposals(orgId, db).filter((p) => p.proposedById !== member.userId) : [];
}

/** Who reviews model cards and signs off bias audits (the card and bias-audit routes' guards). */
const ETHICS_REVIEWERS: readonly Role[] = ["ethics"];

const cardsInReviewCountQuery = reusableQuery((db) =>
  db
    .select({ n: count() })
    .from(modelCards)
    .where(and(eq(modelCards.orgId, sql.placeholder("orgId")), eq(modelCards.status, "in_review"))),
);
const othersPendingBiasAuditsCountQuery = reusableQuery((db) =>
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
 * ethics committee (not the audits they ran themselves: four eyes), approval-policy proposals
 * for the ethics committee (not their own), and open approval requests this member may decide
 * (`whyCannotDecide`: not their own, not on a model they own, not decided yet, their role still
 * needed). Other roles see nothing here, since they
 * cannot act on it.
 */
export function actionableReviewCounts(orgId: number, role: Role, userId: number, db: DbOrTx = getDb()) {
  const reviewer = ETHICS_REVIEWERS.includes(role);
  const cards = reviewer ? (cardsInReviewCountQuery(db).get({ orgId })?.n ?? 0) : 0;
  const audits = reviewer ? (othersPendingBiasAuditsCountQuery(db).get({ orgId, userId })?.n ?? 0) : 0;
  const approvals = decidableApprovals(orgId, { role, userId }, db).length;
  const policies = confirmablePolicies(orgId, { role, userId }, db).length;
  return { cards, audits, approvals, policies, total: cards + audits + approvals + policies };
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
