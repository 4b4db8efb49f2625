import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx, type Tx } from "../../../db/client";
import { modelCardComments, modelCards, models, modelVersions } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { getModel, type WriteOptions } from "../registry/registry.server";
import { CARD_SECTION_IDS, type CardSectionId } from "./governance-constants";
import { cardCompleteness, normalizeSections, type CardSections } from "./model-card";

const notFound = (what: string) => new DomainError("not_found", `${what} not found`);

type CardRow = typeof modelCards.$inferSelect;

export function cardJson(row: CardRow) {
  const sections = normalizeSections(JSON.parse(row.sections));
  return {
    id: row.id,
    revision: row.revision,
    status: row.status,
    sections,
    completeness: cardCompleteness(sections),
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    submittedAt: row.submittedAt?.toISOString() ?? null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decidedBy: row.decidedByLabel,
    decisionComment: row.decisionComment,
  };
}
export type CardJson = ReturnType<typeof cardJson>;

function requireVersionRef(tx: DbOrTx, orgId: number, modelSlug: string, version: string) {
  const row = tx
    .select({ model: models, version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(and(eq(models.orgId, orgId), eq(models.slug, modelSlug), eq(modelVersions.version, version)))
    .get();
  if (!row) throw notFound("Model version");
  return row;
}

function latestCard(tx: DbOrTx, versionId: number) {
  return tx.select().from(modelCards).where(eq(modelCards.versionId, versionId)).orderBy(desc(modelCards.revision)).limit(1).get();
}

function requireCard(tx: DbOrTx, orgId: number, cardId: number) {
  const card = tx.select().from(modelCards).where(and(eq(modelCards.orgId, orgId), eq(modelCards.id, cardId))).get();
  if (!card) throw notFound("Model card");
  return card;
}

function auditCard(tx: Tx, card: CardRow, actor: Actor, action: string, extra: { before?: unknown; after?: unknown; details?: unknown }) {
  recordAuditEvent(tx, { orgId: card.orgId, actor, action, entityType: "model_card", entityId: card.id, ...extra });
}

/**
 * Saves the card text of a version. Drafts and cards sent back for changes
 * are edited in place; an approved card is immutable, so saving starts the
 * next revision. A card under review cannot change until it is decided.
 */
export function saveModelCard(
  orgId: number,
  modelSlug: string,
  version: string,
  sections: CardSections,
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction((tx) => {
    const ref = requireVersionRef(tx, orgId, modelSlug, version);
    const current = latestCard(tx, ref.version.id);
    const now = options.now ?? new Date();
    if (current?.status === "in_review") throw conflict("The card is under review; wait for the decision before changing it");
    if (current && (current.status === "draft" || current.status === "changes_requested")) {
      const updated = tx
        .update(modelCards)
        .set({ sections: JSON.stringify(sections), status: "draft", updatedAt: now })
        .where(eq(modelCards.id, current.id))
        .returning()
        .get();
      auditCard(tx, updated, actor, "model_card.updated", {
        before: { revision: current.revision, status: current.status, sections: JSON.parse(current.sections) },
        after: { revision: updated.revision, status: updated.status, sections },
      });
      return cardJson(updated);
    }
    const created = tx
      .insert(modelCards)
      .values({
        orgId,
        modelId: ref.model.id,
        versionId: ref.version.id,
        revision: (current?.revision ?? 0) + 1,
        status: "draft",
        sections: JSON.stringify(sections),
        createdByLabel: actor.label,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    auditCard(tx, created, actor, "model_card.created", {
      after: { model: ref.model.slug, version: ref.version.version, revision: created.revision, sections },
    });
    return cardJson(created);
  });
}

/** The newest card of the closest earlier version (by registration), to start a new version's card from. */
export function previousVersionCard(orgId: number, modelSlug: string, version: string, db: DbOrTx = getDb()) {
  const ref = requireVersionRef(db, orgId, modelSlug, version);
  const earlier = db
    .select({ id: modelVersions.id, version: modelVersions.version })
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, ref.model.id), lt(modelVersions.id, ref.version.id)))
    .orderBy(desc(modelVersions.id))
    .all();
  for (const candidate of earlier) {
    const card = latestCard(db, candidate.id);
    if (card) return { version: candidate.version, card: cardJson(card) };
  }
  return null;
}

export function submitModelCard(orgId: number, cardId: number, actor: Actor, options: WriteOptions = {}) {
  return writeTransaction((tx) => {
    const card = requireCard(tx, orgId, cardId);
    if (card.status !== "draft") throw conflict(`Only a draft can be submitted; this card is ${card.status.replace("_", " ")}`);
    const sections = normalizeSections(JSON.parse(card.sections));
    if (cardCompleteness(sections).filled === 0) throw invalid("Write at least one section before submitting");
    const now = options.now ?? new Date();
    const updated = tx.update(modelCards).set({ status: "in_review", submittedAt: now, updatedAt: now }).where(eq(modelCards.id, card.id)).returning().get();
    auditCard(tx, updated, actor, "model_card.submitted", { before: { status: card.status }, after: { status: "in_review", revision: card.revision } });
    return cardJson(updated);
  });
}

export function reviewModelCard(
  orgId: number,
  cardId: number,
  input: { decision: "approve" | "request_changes"; comment?: string },
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction((tx) => {
    const card = requireCard(tx, orgId, cardId);
    if (card.status !== "in_review") throw conflict("Only a card under review can be decided");
    const status = input.decision === "approve" ? "approved" : "changes_requested";
    if (status === "changes_requested" && !input.comment) throw invalid("Say what needs to change", "comment");
    const now = options.now ?? new Date();
    const updated = tx
      .update(modelCards)
      .set({ status, decidedAt: now, decidedByLabel: actor.label, decisionComment: input.comment ?? null, updatedAt: now })
      .where(eq(modelCards.id, card.id))
      .returning()
      .get();
    auditCard(tx, updated, actor, status === "approved" ? "model_card.approved" : "model_card.changes_requested", {
      before: { status: card.status },
      after: { status, revision: card.revision },
      details: input.comment ? { comment: input.comment } : undefined,
    });
    return cardJson(updated);
  });
}

export function commentOnCard(orgId: number, cardId: number, input: { section: CardSectionId | "general"; body: string }, actor: Actor) {
  return writeTransaction((tx) => {
    const card = requireCard(tx, orgId, cardId);
    const comment = tx
      .insert(modelCardComments)
      .values({ orgId, cardId: card.id, section: input.section, authorLabel: actor.label, body: input.body })
      .returning()
      .get();
    auditCard(tx, card, actor, "model_card.commented", { after: { section: input.section, body: input.body, commentId: comment.id } });
    return comment;
  });
}

/** All revisions of a version's card (newest first) with their comments. */
export function getVersionCards(orgId: number, versionId: number, db: DbOrTx = getDb()) {
  const revisions = db
    .select()
    .from(modelCards)
    .where(and(eq(modelCards.orgId, orgId), eq(modelCards.versionId, versionId)))
    .orderBy(desc(modelCards.revision))
    .all();
  const comments = revisions.length
    ? db
        .select()
        .from(modelCardComments)
        .where(inArray(modelCardComments.cardId, revisions.map((r) => r.id)))
        .orderBy(asc(modelCardComments.createdAt), asc(modelCardComments.id))
        .all()
    : [];
  return revisions.map((row) => ({
    ...cardJson(row),
    comments: comments
      .filter((c) => c.cardId === row.id)
      .map((c) => ({ id: c.id, section: c.section, author: c.authorLabel, body: c.body, at: c.createdAt.toISOString() })),
  }));
}

export const CARD_SECTION_OR_GENERAL = [...CARD_SECTION_IDS, "general"] as const;

/** The latest card of a version with what its exports need; null when the version or card is missing. */
export function getCardForExport(orgId: number, modelSlug: string, versionLabel: string, db: DbOrTx = getDb()) {
  const model = getModel(orgId, modelSlug, db);
  const version = model?.versions.find((v) => v.version === versionLabel);
  if (!model || !version) return null;
  const card = getVersionCards(orgId, version.id, db)[0];
  if (!card) return null;
  return { model, version, card };
}
