import { createHash } from "node:crypto";
import { statusWords } from "../../utils/format";
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx, type Tx } from "../../../db/client";
import { auditEvents, modelCardComments, modelCards, models, modelVersions } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { continuesAutosaveRun, recordAuditEvent, type Actor } from "../audit/audit.server";
import { canonicalJson } from "../audit/hash";
import { getModel, type WriteOptions } from "../registry/registry.server";
import { membersWithRoles, notify, orgSlugOf } from "../notifications/notifications.server";
import { CARD_SECTION_IDS, type CardSectionId } from "./governance-constants";
import {
  cardCompleteness,
  normalizeNotApplicable,
  normalizeSectionVersions,
  normalizeSections,
  sectionTitle,
  sectionTitleList,
  type CardEdit,
  type CardNotApplicable,
  type CardSections,
  type CardSectionVersions,
} from "./model-card";

const notFound = (what: string) => new DomainError("not_found", `${what} not found`);

type CardRow = typeof modelCards.$inferSelect;

function storedCard(row: CardRow) {
  return {
    sections: normalizeSections(JSON.parse(row.sections)),
    notApplicable: normalizeNotApplicable(JSON.parse(row.notApplicable)),
    sectionVersions: normalizeSectionVersions(JSON.parse(row.sectionVersions)),
  };
}

export function cardJson(row: CardRow) {
  const { sections, notApplicable, sectionVersions } = storedCard(row);
  return {
    id: row.id,
    revision: row.revision,
    status: row.status,
    sections,
    notApplicable,
    sectionVersions,
    completeness: cardCompleteness(sections, notApplicable),
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
  const card = tx
    .select()
    .from(modelCards)
    .where(and(eq(modelCards.orgId, orgId), eq(modelCards.id, cardId)))
    .get();
  if (!card) throw notFound("Model card");
  return card;
}

function auditCard(tx: Tx, card: CardRow, actor: Actor, action: string, extra: { before?: unknown; after?: unknown; details?: unknown }) {
  recordAuditEvent(tx, { orgId: card.orgId, actor, action, entityType: "model_card", entityId: card.id, ...extra });
}

/** What one section holds: its text and, when it does not apply, why. */
type SectionContent = { text: string; notApplicable: string };

/**
 * A short fingerprint of a section's content. The editor posts back the
 * fingerprint of what it loaded, so a save can tell a section the person
 * edited from one they merely had an older copy of.
 */
export function sectionFingerprint(content: SectionContent): string {
  return createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 16);
}

/** Fingerprints of every section of a card (or of an empty card). */
export function cardFingerprints(card: { sections: CardSections; notApplicable: CardNotApplicable } | null): Record<CardSectionId, string> {
  return Object.fromEntries(
    CARD_SECTION_IDS.map((id) => [
      id,
      sectionFingerprint({ text: card?.sections[id] ?? "", notApplicable: card?.notApplicable[id] ?? "" }),
    ]),
  ) as Record<CardSectionId, string>;
}

/** Digest of a card's whole content, recorded when it is submitted and decided: the trail proves what was reviewed. */
function cardDigest(card: { sections: CardSections; notApplicable: CardNotApplicable }) {
  return createHash("sha256")
    .update(canonicalJson({ sections: card.sections, notApplicable: card.notApplicable }))
    .digest("hex");
}

/** A section someone else saved after the editor loaded it: both versions, so the person can choose. */
export type CardSectionConflict = {
  section: CardSectionId;
  title: string;
  theirs: SectionContent & { version: number; savedBy: string; savedAt: string };
  yours: SectionContent;
};

function lastCardEvent(tx: DbOrTx, card: CardRow, actions: string[]) {
  return tx
    .select({ action: auditEvents.action, actorLabel: auditEvents.actorLabel, createdAt: auditEvents.createdAt })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.orgId, card.orgId),
        eq(auditEvents.entityType, "model_card"),
        eq(auditEvents.entityId, String(card.id)),
        inArray(auditEvents.action, actions),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(1)
    .get();
}

/** Who saved the card's text last (saves by one person in a row share one audit entry, so the latest entry names them). */
function lastSavedBy(tx: DbOrTx, card: CardRow) {
  return lastCardEvent(tx, card, ["model_card.updated", "model_card.created"])?.actorLabel ?? card.createdByLabel;
}

function asEdit(input: CardSections | CardEdit): CardEdit {
  return "sections" in input && typeof input.sections === "object"
    ? (input as CardEdit)
    : { sections: input as CardSections, notApplicable: {} };
}

/**
 * Merges an edit into the stored sections, one section at a time. A section
 * the editor changed is refused (a conflict) when someone saved it after the
 * editor loaded it; a section the editor did not touch keeps what is stored.
 */
function mergeEdit(stored: ReturnType<typeof storedCard>, edit: CardEdit, savedBy: string, savedAt: Date) {
  const sections = { ...stored.sections };
  const notApplicable = { ...stored.notApplicable };
  const sectionVersions: CardSectionVersions = { ...stored.sectionVersions };
  const changed: CardSectionId[] = [];
  const conflicts: CardSectionConflict[] = [];
  for (const id of CARD_SECTION_IDS) {
    if (edit.keepSaved?.includes(id)) continue;
    const yours = { text: edit.sections[id] ?? "", notApplicable: edit.notApplicable[id] ?? "" };
    const theirs = { text: stored.sections[id], notApplicable: stored.notApplicable[id] ?? "" };
    if (yours.text === theirs.text && yours.notApplicable === theirs.notApplicable) continue;
    const base = edit.baseVersions?.[id];
    if (base !== undefined && base !== stored.sectionVersions[id]) {
      if (edit.loaded?.[id] === sectionFingerprint(yours)) continue;
      conflicts.push({
        section: id,
        title: sectionTitle(id),
        theirs: { ...theirs, version: stored.sectionVersions[id], savedBy, savedAt: savedAt.toISOString() },
        yours,
      });
      continue;
    }
    sections[id] = yours.text;
    if (yours.notApplicable) notApplicable[id] = yours.notApplicable;
    else delete notApplicable[id];
    sectionVersions[id] = stored.sectionVersions[id] + 1;
    changed.push(id);
  }
  return { sections, notApplicable, sectionVersions, changed, conflicts };
}

/**
 * Saves the card text of a version. Drafts and cards sent back for changes
 * are edited in place; an approved card is immutable, so the first save that
 * changes something starts the next revision, and later saves edit that
 * revision. A card under review cannot change until it is decided.
 *
 * Each section carries a version. An edit that says which versions it loaded
 * (`baseVersions`) has a section refused when someone else saved that section
 * since; the refusal comes back in `conflicts` with both versions, and the
 * other sections are still saved.
 */
export function saveModelCard(
  orgId: number,
  modelSlug: string,
  version: string,
  input: CardSections | CardEdit,
  actor: Actor,
  options: WriteOptions & { autosave?: boolean } = {},
) {
  const edit = asEdit(input);
  return writeTransaction({ orgId }, (tx) => {
    const ref = requireVersionRef(tx, orgId, modelSlug, version);
    const current = latestCard(tx, ref.version.id);
    const now = options.now ?? new Date();
    if (current?.status === "in_review") throw conflict("The card is under review; wait for the decision before changing it");
    const stored = current
      ? storedCard(current)
      : { sections: normalizeSections({}), notApplicable: {}, sectionVersions: normalizeSectionVersions({}) };
    const merged = mergeEdit(stored, edit, current ? lastSavedBy(tx, current) : actor.label, current?.updatedAt ?? now);
    const content = {
      sections: JSON.stringify(merged.sections),
      notApplicable: JSON.stringify(merged.notApplicable),
      sectionVersions: JSON.stringify(merged.sectionVersions),
    };
    if (current && (merged.changed.length === 0 || current.status === "draft" || current.status === "changes_requested")) {
      if (merged.changed.length === 0) return { ...cardJson(current), conflicts: merged.conflicts, savedSections: merged.changed };
      const updated = tx
        .update(modelCards)
        .set({ ...content, status: "draft", updatedAt: now })
        .where(eq(modelCards.id, current.id))
        .returning()
        .get();
      // Saving as you type must not flood the audit log; an explicit save is always recorded.
      if (
        !options.autosave ||
        current.status !== "draft" ||
        !continuesAutosaveRun(tx, {
          orgId: current.orgId,
          entityType: "model_card",
          entityId: current.id,
          action: "model_card.updated",
          actor,
        })
      ) {
        auditCard(tx, updated, actor, "model_card.updated", {
          before: { revision: current.revision, status: current.status, sections: stored.sections, notApplicable: stored.notApplicable },
          after: { revision: updated.revision, status: updated.status, sections: merged.sections, notApplicable: merged.notApplicable },
        });
      }
      return { ...cardJson(updated), conflicts: merged.conflicts, savedSections: merged.changed };
    }
    const created = tx
      .insert(modelCards)
      .values({
        orgId,
        modelId: ref.model.id,
        versionId: ref.version.id,
        revision: (current?.revision ?? 0) + 1,
        status: "draft",
        ...content,
        createdByLabel: actor.label,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    auditCard(tx, created, actor, "model_card.created", {
      after: {
        model: ref.model.slug,
        version: ref.version.version,
        revision: created.revision,
        sections: merged.sections,
        notApplicable: merged.notApplicable,
      },
    });
    return { ...cardJson(created), conflicts: merged.conflicts, savedSections: merged.changed };
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
  return writeTransaction({ orgId }, (tx) => {
    const card = requireCard(tx, orgId, cardId);
    if (card.status !== "draft") throw conflict(`Only a draft can be submitted; this card is ${statusWords(card.status)}`);
    const stored = storedCard(card);
    if (cardCompleteness(stored.sections, stored.notApplicable).filled === 0) throw invalid("Write at least one section before submitting");
    const now = options.now ?? new Date();
    const updated = tx
      .update(modelCards)
      .set({ status: "in_review", submittedAt: now, updatedAt: now })
      .where(eq(modelCards.id, card.id))
      .returning()
      .get();
    // The text as submitted, whole: autosaves share one audit entry per run (the first), so without it the trail
    // would not hold the card that reviewers then approve (their events carry this digest).
    auditCard(tx, updated, actor, "model_card.submitted", {
      before: { status: card.status },
      after: {
        status: "in_review",
        revision: card.revision,
        digest: cardDigest(stored),
        sections: stored.sections,
        notApplicable: stored.notApplicable,
      },
    });
    const message = cardMessage(tx, updated);
    notify(
      tx,
      {
        orgId,
        type: "card.submitted",
        recipients: membersWithRoles(tx, orgId, ["ethics"], actor.type === "user" ? actor.id : null),
        title: `Model card to review: ${message.subject}`,
        body: `${actor.label} submitted revision ${card.revision} of the model card of ${message.subject} for review.`,
        path: message.path,
        data: { ...message.data, submittedBy: actor.label },
      },
      now,
    );
    return cardJson(updated);
  });
}

/** The card's page, its model and version, for notifications. */
function cardMessage(tx: DbOrTx, card: CardRow) {
  const ref = tx
    .select({ slug: models.slug, name: models.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(modelVersions.id, card.versionId))
    .get()!;
  return {
    subject: `${ref.name} ${ref.version}`,
    path: `/orgs/${orgSlugOf(tx, card.orgId)}/models/${ref.slug}/versions/${encodeURIComponent(ref.version)}/card`,
    data: { model: ref.slug, version: ref.version, cardId: card.id, revision: card.revision },
  };
}

/** The people who wrote the card's current revision (its saves and its submission), from the audit trail. */
function cardAuthors(tx: DbOrTx, card: CardRow): number[] {
  return [
    ...new Set(
      tx
        .select({ id: auditEvents.actorId, type: auditEvents.actorType })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.orgId, card.orgId),
            eq(auditEvents.entityType, "model_card"),
            eq(auditEvents.entityId, String(card.id)),
            inArray(auditEvents.action, ["model_card.updated", "model_card.submitted"]),
          ),
        )
        .all()
        .filter((e) => e.type === "user" && e.id !== null)
        .map((e) => e.id!),
    ),
  ];
}

export type CardReviewInput = { decision: "approve" | "request_changes"; comment?: string };

/**
 * Why a review decision cannot be recorded, or null: approving needs every
 * section written or marked not applicable with a reason; requesting changes
 * needs a comment saying what to change.
 */
export function cardReviewRefusal(card: CardJson, input: CardReviewInput): DomainError | null {
  if (card.status !== "in_review") return conflict("Only a card under review can be decided");
  if (input.decision === "request_changes" && !input.comment) return invalid("Say what needs to change", "comment");
  if (input.decision === "approve" && !card.completeness.complete) {
    const missing = card.completeness.missing;
    return invalid(
      `${missing.length === 1 ? "1 section is" : `${missing.length} sections are`} neither written nor marked not applicable: ${sectionTitleList(missing)}. Request changes instead.`,
      "decision",
    );
  }
  return null;
}

export function reviewModelCard(orgId: number, cardId: number, input: CardReviewInput, actor: Actor, options: WriteOptions = {}) {
  return writeTransaction({ orgId }, (tx) => {
    const card = requireCard(tx, orgId, cardId);
    const refusal = cardReviewRefusal(cardJson(card), input);
    if (refusal) throw refusal;
    const status = input.decision === "approve" ? "approved" : "changes_requested";
    const now = options.now ?? new Date();
    const updated = tx
      .update(modelCards)
      .set({ status, decidedAt: now, decidedByLabel: actor.label, decisionComment: input.comment ?? null, updatedAt: now })
      .where(eq(modelCards.id, card.id))
      .returning()
      .get();
    auditCard(tx, updated, actor, status === "approved" ? "model_card.approved" : "model_card.changes_requested", {
      before: { status: card.status },
      after: { status, revision: card.revision, digest: cardDigest(storedCard(card)) },
      details: input.comment ? { comment: input.comment } : undefined,
    });
    if (status === "changes_requested") {
      const message = cardMessage(tx, updated);
      notify(
        tx,
        {
          orgId,
          type: "card.changes_requested",
          recipients: cardAuthors(tx, updated).filter((id) => !(actor.type === "user" && actor.id === id)),
          title: `Changes requested on the model card of ${message.subject}`,
          body: `${actor.label} asks for changes: ${input.comment ?? ""}`,
          path: message.path,
          data: { ...message.data, requestedBy: actor.label, comment: input.comment ?? "" },
        },
        now,
      );
    }
    return cardJson(updated);
  });
}

export function commentOnCard(orgId: number, cardId: number, input: { section: CardSectionId | "general"; body: string }, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
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
        .where(
          inArray(
            modelCardComments.cardId,
            revisions.map((r) => r.id),
          ),
        )
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
