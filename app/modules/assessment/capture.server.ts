import { eq } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { assessmentAnswers, assessmentComponentStates, assessments, assessmentStatements } from "../../../db/schema";
import { DomainError, invalid } from "../../utils/errors";
import { AUTOSAVE_RUN_MS, recordAuditEvent, type Actor } from "../audit/audit.server";
import type { Framework } from "../framework/framework-schema";
import type { WriteOptions } from "../registry/registry.server";
import type { StatementStatusValue } from "./assessment-constants";
import type { AssessmentResponsesInput } from "./assessment-schemas";
import { frameworkOf, loadResponses, requireAssessment, requireEditable } from "./assessments.server";
import { questionLabel } from "../framework/framework-constants";

/**
 * Saving what is captured on an assessment: statement responses and question
 * answers, merged into the draft. Each component carries a version, bumped by
 * every save that changes it, so a save made from a page loaded before someone
 * else's save is refused with both versions instead of silently overwriting.
 * Consecutive saves by one person on one component within
 * AUTOSAVE_RUN_MS share one audit entry (the first), so autosave does not
 * flood the trail.
 */

export type StatementValues = {
  status: StatementStatusValue;
  reason: string | null;
  note: string | null;
  url: string | null;
  date: string | null;
};
export type AnswerValues = { level: number; note: string | null };

/** One statement or question whose stored value (theirs) differs from the one sent (yours). */
export type CaptureDifference =
  | { kind: "statement"; id: string; label: string; theirs: StatementValues | null; yours: StatementValues }
  | { kind: "question"; id: string; label: string; theirs: AnswerValues | null; yours: AnswerValues };

export type ComponentConflict = {
  componentId: string;
  componentName: string;
  /** The version the save was made against, and the one stored now. */
  yourVersion: number;
  currentVersion: number;
  updatedBy: string;
  updatedAt: string;
  differences: CaptureDifference[];
};

/** Someone else saved a component after the client read it: nothing was saved. */
export class CaptureConflictError extends DomainError {
  constructor(readonly conflicts: ComponentConflict[]) {
    super(
      "conflict",
      conflicts
        .map(
          (c) =>
            `Someone else (${c.updatedBy}) saved ${c.componentName} after you opened it; it is now at version ${c.currentVersion}, yours was ${c.yourVersion}`,
        )
        .join(". "),
      undefined,
      conflicts.map((c) => ({
        path: `versions.${c.componentId}`,
        message: `${c.componentName} is now at version ${c.currentVersion} (saved by ${c.updatedBy}); ${c.differences.length} of your answers differ from it`,
      })),
    );
  }
}

export type ComponentVersion = { version: number; updatedBy: string | null; updatedAt: string | null };

/** The version of every component of an assessment that has been saved (components never saved are at version 0). */
export function componentVersions(assessmentId: number, db: DbOrTx = getDb()): Record<string, ComponentVersion> {
  const rows = db.select().from(assessmentComponentStates).where(eq(assessmentComponentStates.assessmentId, assessmentId)).all();
  return Object.fromEntries(
    rows.map((r) => [r.componentId, { version: r.version, updatedBy: r.updatedByLabel, updatedAt: r.updatedAt.toISOString() }]),
  );
}

export function componentVersion(assessmentId: number, componentId: string, db: DbOrTx = getDb()): ComponentVersion {
  return componentVersions(assessmentId, db)[componentId] ?? { version: 0, updatedBy: null, updatedAt: null };
}

type StatementRow = typeof assessmentStatements.$inferSelect;
type AnswerRow = typeof assessmentAnswers.$inferSelect;
type StatementInput = AssessmentResponsesInput["capabilities"][number];
type AnswerInput = AssessmentResponsesInput["questions"][number];

const statementValues = (c: StatementInput): StatementValues => ({
  status: c.status,
  reason: c.reason ?? null,
  note: c.evidence?.note ?? null,
  url: c.evidence?.url ?? null,
  date: c.evidence?.date ?? null,
});
const storedStatement = (row: StatementRow | undefined): StatementValues | null =>
  row ? { status: row.status, reason: row.reason, note: row.evidenceNote, url: row.evidenceUrl, date: row.evidenceDate } : null;
const answerValues = (q: AnswerInput): AnswerValues => ({ level: q.level, note: q.note ?? null });
const storedAnswer = (row: AnswerRow | undefined): AnswerValues | null => (row ? { level: row.level, note: row.note } : null);

function sameValues(a: object | null, b: object) {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** Which component each statement and question belongs to, and how people name them. */
function frameworkIndex(framework: Framework) {
  const statements = new Map<string, { componentId: string; text: string }>();
  for (const c of framework.components) for (const s of c.capabilities) statements.set(s.id, { componentId: c.id, text: s.text });
  const questions = new Map(framework.questions.map((q) => [q.id, { componentId: q.componentId, label: questionLabel(q) }]));
  const componentNames = new Map(framework.components.map((c) => [c.id, c.name]));
  return { statements, questions, componentNames };
}

/** Whether this save by `actor` continues the same person's audited run on the component (one entry per run of up to 15 minutes). */
function continuesAuditedRun(state: typeof assessmentComponentStates.$inferSelect | undefined, actor: Actor, now: Date) {
  if (!state || actor.type !== "user" || !state.lastAuditedAt) return false;
  return (
    state.lastAuditedById === actor.id && state.updatedById === actor.id && now.getTime() - state.lastAuditedAt.getTime() < AUTOSAVE_RUN_MS
  );
}

/**
 * Merges statement responses and question answers into a draft (or one in
 * review). Only values that differ from the stored ones are written; each
 * component they belong to gets its version bumped. With `versions`, a
 * component saved by someone else since the client read it refuses the whole
 * save (CaptureConflictError, listing the differing statements); nothing is
 * written. Returns the version of every saved component and how many answers
 * changed (`saved`).
 */
export function saveResponses(orgId: number, id: number, input: AssessmentResponsesInput, actor: Actor, options: WriteOptions = {}) {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireAssessment(tx, orgId, id);
    requireEditable(row);
    const index = frameworkIndex(frameworkOf(row));
    input.capabilities.forEach((c, i) => {
      if (!index.statements.has(c.id)) throw invalid(`Unknown capability statement "${c.id}"`, `capabilities.${i}.id`);
    });
    input.questions.forEach((q, i) => {
      if (!index.questions.has(q.id)) throw invalid(`Unknown question "${q.id}"`, `questions.${i}.id`);
    });
    for (const componentId of Object.keys(input.versions ?? {})) {
      if (!index.componentNames.has(componentId)) throw invalid(`Unknown component "${componentId}"`, `versions.${componentId}`);
    }
    const now = options.now ?? new Date();
    const before = loadResponses(tx, id);

    // What actually changes, per component.
    const changes = new Map<string, CaptureDifference[]>();
    const add = (componentId: string, difference: CaptureDifference) =>
      changes.set(componentId, [...(changes.get(componentId) ?? []), difference]);
    for (const c of input.capabilities) {
      const theirs = storedStatement(before.statements[c.id]);
      const yours = statementValues(c);
      const { componentId, text } = index.statements.get(c.id)!;
      if (!sameValues(theirs, yours)) add(componentId, { kind: "statement", id: c.id, label: text, theirs, yours });
    }
    for (const q of input.questions) {
      const theirs = storedAnswer(before.answers[q.id]);
      const yours = answerValues(q);
      const { componentId, label } = index.questions.get(q.id)!;
      if (!sameValues(theirs, yours)) add(componentId, { kind: "question", id: q.id, label, theirs, yours });
    }
    const states = new Map(
      tx
        .select()
        .from(assessmentComponentStates)
        .where(eq(assessmentComponentStates.assessmentId, id))
        .all()
        .map((s) => [s.componentId, s]),
    );

    const conflicts: ComponentConflict[] = [];
    for (const [componentId, differences] of changes) {
      const expected = input.versions?.[componentId];
      const state = states.get(componentId);
      if (expected === undefined || (state?.version ?? 0) === expected) continue;
      conflicts.push({
        componentId,
        componentName: index.componentNames.get(componentId)!,
        yourVersion: expected,
        currentVersion: state?.version ?? 0,
        updatedBy: state?.updatedByLabel ?? "someone",
        updatedAt: (state?.updatedAt ?? now).toISOString(),
        differences,
      });
    }
    if (conflicts.length) throw new CaptureConflictError(conflicts);
    if (!changes.size) return { versions: Object.fromEntries([...states].map(([componentId, s]) => [componentId, s.version])), saved: 0 };

    const changed = [...changes.values()].flat();
    for (const change of changed) {
      if (change.kind === "statement") {
        const values = {
          status: change.yours.status,
          reason: change.yours.reason,
          evidenceNote: change.yours.note,
          evidenceUrl: change.yours.url,
          evidenceDate: change.yours.date,
          updatedByLabel: actor.label,
          updatedAt: now,
        };
        tx.insert(assessmentStatements)
          .values({ assessmentId: id, statementId: change.id, ...values })
          .onConflictDoUpdate({ target: [assessmentStatements.assessmentId, assessmentStatements.statementId], set: values })
          .run();
      } else {
        const values = { level: change.yours.level, note: change.yours.note, updatedByLabel: actor.label, updatedAt: now };
        tx.insert(assessmentAnswers)
          .values({ assessmentId: id, questionId: change.id, ...values })
          .onConflictDoUpdate({ target: [assessmentAnswers.assessmentId, assessmentAnswers.questionId], set: values })
          .run();
      }
    }
    tx.update(assessments).set({ updatedAt: now }).where(eq(assessments.id, id)).run();

    // Audited unless every changed component continues this person's audited run.
    const audited = [...changes.keys()].some((componentId) => !continuesAuditedRun(states.get(componentId), actor, now));
    const actorId = actor.type === "user" ? actor.id : null;
    const versions: Record<string, number> = Object.fromEntries([...states].map(([componentId, s]) => [componentId, s.version]));
    for (const componentId of changes.keys()) {
      const state = states.get(componentId);
      const version = (state?.version ?? 0) + 1;
      versions[componentId] = version;
      const values = {
        version,
        updatedById: actorId,
        updatedByLabel: actor.label,
        updatedAt: now,
        lastAuditedById: audited ? actorId : (state?.lastAuditedById ?? null),
        lastAuditedAt: audited ? now : (state?.lastAuditedAt ?? null),
      };
      if (state) tx.update(assessmentComponentStates).set(values).where(eq(assessmentComponentStates.id, state.id)).run();
      else
        tx.insert(assessmentComponentStates)
          .values({ assessmentId: id, componentId, ...values })
          .run();
    }
    if (audited) {
      const statements = changed.filter((c) => c.kind === "statement");
      const questions = changed.filter((c) => c.kind === "question");
      recordAuditEvent(tx, {
        orgId,
        actor,
        action: "assessment.responses_saved",
        entityType: "assessment",
        entityId: id,
        before: {
          capabilities: Object.fromEntries(statements.map((c) => [c.id, c.theirs?.status ?? null])),
          questions: Object.fromEntries(questions.map((q) => [q.id, q.theirs?.level ?? null])),
        },
        after: {
          capabilities: Object.fromEntries(statements.map((c) => [c.id, c.yours.status])),
          questions: Object.fromEntries(questions.map((q) => [q.id, q.yours.level])),
        },
        details: { versions: Object.fromEntries([...changes.keys()].map((componentId) => [componentId, versions[componentId]])) },
        // A save recorded with its own time (the demo seed's history) is audited at that time too.
        ...(options.now ? { at: options.now } : {}),
      });
    }
    return { versions, saved: changed.length };
  });
}
