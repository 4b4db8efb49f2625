import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { assessmentAnswers, assessmentEvidenceNotes, assessments, assessmentStatements } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { quarterRange, shiftQuarter } from "../../utils/quarters";
import { cachedUntilNextChange, recordAuditEvent, type Actor } from "../audit/audit.server";
import { findFramework, LATEST_FRAMEWORK_VERSION } from "../framework/framework";
import type { Framework } from "../framework/framework-schema";
import { computeRegistryMetrics, type RegistryMetrics } from "../registry/metrics.server";
import type { WriteOptions } from "../registry/registry.server";
import type { AssessmentStatus } from "./assessment-constants";
import { evidenceFlags, evidenceLevel, type EvidenceMetrics } from "./evidence";
import { questionFlags, rankComponents, scoreAssessment, weakestStatements, type AssessmentScore, type StatementResponses } from "./scoring";

const notFound = () => new DomainError("not_found", "Assessment not found");
type AssessmentRow = typeof assessments.$inferSelect;

export function frameworkOf(row: AssessmentRow): Framework {
  const framework = findFramework(row.frameworkVersion);
  if (!framework) throw new Error(`Framework version ${row.frameworkVersion} is not installed`);
  return framework;
}

export function requireAssessment(tx: DbOrTx, orgId: number, id: number) {
  const row = tx.select().from(assessments).where(and(eq(assessments.orgId, orgId), eq(assessments.id, id))).get();
  if (!row) throw notFound();
  return row;
}

export function requireEditable(row: AssessmentRow) {
  if (row.status === "finalized") throw conflict("This assessment is finalised and can no longer change");
}

export function createAssessment(orgId: number, input: { period: string; frameworkVersion?: string }, actor: Actor, options: WriteOptions = {}) {
  const version = input.frameworkVersion ?? LATEST_FRAMEWORK_VERSION;
  if (!findFramework(version)) throw invalid(`Unknown framework version ${version}`, "frameworkVersion");
  return writeTransaction((tx) => {
    const existing = tx.select({ id: assessments.id }).from(assessments).where(and(eq(assessments.orgId, orgId), eq(assessments.period, input.period))).get();
    if (existing) throw conflict(`An assessment for ${input.period} already exists`, "period");
    const now = options.now ?? new Date();
    const row = tx
      .insert(assessments)
      .values({ orgId, period: input.period, frameworkVersion: version, status: "draft", createdByLabel: actor.label, createdAt: now, updatedAt: now })
      .returning()
      .get();
    recordAuditEvent(tx, { orgId, actor, action: "assessment.created", entityType: "assessment", entityId: row.id, after: { period: row.period, frameworkVersion: version } });
    return row;
  });
}

export function addEvidenceNote(orgId: number, id: number, input: { statementId: string; body: string; url?: string }, actor: Actor) {
  return writeTransaction((tx) => {
    const row = requireAssessment(tx, orgId, id);
    requireEditable(row);
    if (!frameworkOf(row).components.some((c) => c.capabilities.some((s) => s.id === input.statementId))) {
      throw invalid(`Unknown capability statement "${input.statementId}"`, "statementId");
    }
    const note = tx
      .insert(assessmentEvidenceNotes)
      .values({ assessmentId: id, statementId: input.statementId, authorLabel: actor.label, body: input.body, url: input.url ?? null })
      .returning()
      .get();
    recordAuditEvent(tx, { orgId, actor, action: "assessment.evidence_added", entityType: "assessment", entityId: id, after: { statementId: input.statementId, body: input.body, url: input.url } });
    return note;
  });
}

export function submitAssessmentForReview(orgId: number, id: number, actor: Actor) {
  return writeTransaction((tx) => {
    const row = requireAssessment(tx, orgId, id);
    if (row.status !== "draft") throw conflict(`Only a draft can go to review; this one is ${row.status.replace("_", " ")}`);
    tx.update(assessments).set({ status: "in_review", updatedAt: new Date() }).where(eq(assessments.id, id)).run();
    recordAuditEvent(tx, { orgId, actor, action: "assessment.submitted", entityType: "assessment", entityId: id, before: { status: row.status }, after: { status: "in_review" } });
  });
}

export function loadResponses(db: DbOrTx, id: number) {
  const statements = db.select().from(assessmentStatements).where(eq(assessmentStatements.assessmentId, id)).all();
  const answers = db.select().from(assessmentAnswers).where(eq(assessmentAnswers.assessmentId, id)).all();
  return {
    statements: Object.fromEntries(statements.map((s) => [s.statementId, s])),
    answers: Object.fromEntries(answers.map((a) => [a.questionId, a])),
  };
}

export type EvaluatedAssessment = ReturnType<typeof evaluate>;

/** Scores, registry evidence and flags of one assessment, from its responses and the registry's figures. */
function evaluate(framework: Framework, responses: StatementResponses, answers: Array<{ questionId: string; level: number | null }>, metrics: EvidenceMetrics) {
  const score = scoreAssessment(framework, responses);
  const flags = evidenceFlags(framework, score, metrics);
  return {
    score,
    evidence: framework.components.map((c) => ({ componentId: c.id, ...evidenceLevel(framework, c.id, metrics) })),
    flags,
    questions: questionFlags(framework, score, answers),
    gaps: weakestStatements(framework, responses, 8),
    strengths: rankComponents(score).slice(0, 2),
  };
}

type Snapshot = { score: AssessmentScore; metrics: RegistryMetrics };

/** Everything an assessment page, report or API answer shows. Finalised ones use their snapshot. */
export function getAssessment(orgId: number, id: number, db: DbOrTx = getDb()) {
  const row = db.select().from(assessments).where(and(eq(assessments.orgId, orgId), eq(assessments.id, id))).get();
  if (!row) return null;
  const framework = frameworkOf(row);
  const { statements, answers } = loadResponses(db, id);
  const notes = db.select().from(assessmentEvidenceNotes).where(eq(assessmentEvidenceNotes.assessmentId, id)).orderBy(asc(assessmentEvidenceNotes.id)).all();
  const metrics: RegistryMetrics =
    row.status === "finalized" && row.metricsSnapshot ? (JSON.parse(row.metricsSnapshot) as RegistryMetrics) : computeRegistryMetrics(orgId, quarterRange(row.period), db);
  const evaluated = evaluate(
    framework,
    statements,
    Object.values(answers).map((a) => ({ questionId: a.questionId, level: a.level })),
    metrics,
  );
  return {
    id: row.id,
    period: row.period,
    status: row.status,
    frameworkVersion: row.frameworkVersion,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finalizedAt: row.finalizedAt?.toISOString() ?? null,
    finalizedBy: row.finalizedByLabel,
    justifications: JSON.parse(row.justifications) as Record<string, string>,
    statements: Object.fromEntries(
      Object.values(statements).map((s) => [
        s.statementId,
        { status: s.status, reason: s.reason, evidence: { note: s.evidenceNote, url: s.evidenceUrl, date: s.evidenceDate }, updatedBy: s.updatedByLabel, updatedAt: s.updatedAt.toISOString() },
      ]),
    ),
    answers: Object.fromEntries(Object.values(answers).map((a) => [a.questionId, { level: a.level, note: a.note }])),
    notes: notes.map((n) => ({ id: n.id, statementId: n.statementId, author: n.authorLabel, body: n.body, url: n.url, at: n.createdAt.toISOString() })),
    metrics,
    ...evaluated,
  };
}
export type AssessmentDetail = NonNullable<ReturnType<typeof getAssessment>>;

/**
 * Finalises: every component whose assessed level exceeds its registry
 * evidence needs a written justification (409 listing them otherwise). The
 * registry metrics and scores are snapshotted so history never changes.
 */
export function finalizeAssessment(orgId: number, id: number, input: { justifications: Record<string, string> }, actor: Actor, options: WriteOptions = {}) {
  return writeTransaction((tx) => {
    const row = requireAssessment(tx, orgId, id);
    requireEditable(row);
    const detail = getAssessment(orgId, id, tx)!;
    const justifications = { ...(JSON.parse(row.justifications) as Record<string, string>), ...input.justifications };
    const missing = detail.flags.filter((f) => f.unsupported && !justifications[f.componentId]?.trim());
    if (missing.length) {
      throw new DomainError(
        "conflict",
        `Justify the levels not supported by registry evidence: ${missing.map((f) => f.componentId).join(", ")}`,
        undefined,
        missing.map((f) => ({ path: `justifications.${f.componentId}`, message: `Assessed level ${f.achievedLevel} is above the registry evidence level ${f.evidenceLevel}` })),
      );
    }
    const now = options.now ?? new Date();
    const kept = Object.fromEntries(Object.entries(justifications).filter(([component]) => detail.flags.some((f) => f.componentId === component && f.unsupported)));
    tx.update(assessments)
      .set({
        status: "finalized",
        finalizedAt: now,
        finalizedByLabel: actor.label,
        justifications: JSON.stringify(kept),
        metricsSnapshot: JSON.stringify(detail.metrics),
        scoreSnapshot: JSON.stringify({ score: detail.score, evidence: detail.evidence, flags: detail.flags }),
        updatedAt: now,
      })
      .where(eq(assessments.id, id))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "assessment.finalized",
      entityType: "assessment",
      entityId: id,
      before: { status: row.status },
      after: { status: "finalized", dimensionScore: detail.score.dimensionScore, level: detail.score.level, justifications: kept },
    });
    return getAssessment(orgId, id, tx)!;
  });
}

/** All assessments of an organisation, newest period first, with their scores (a fixed number of queries). */
/** Every assessment of the organisation with its scores, newest period first; cached until the organisation's next change. */
export function listAssessments(orgId: number, db: DbOrTx = getDb()) {
  return cachedUntilNextChange(orgId, "assessments", () => scoreAssessmentList(orgId, db), db);
}

function scoreAssessmentList(orgId: number, db: DbOrTx) {
  const rows = db.select().from(assessments).where(eq(assessments.orgId, orgId)).orderBy(desc(assessments.period)).all();
  // Finalised assessments carry their score snapshot: only drafts need their statements scored.
  const ids = rows.filter((r) => !r.scoreSnapshot).map((r) => r.id);
  const statements = ids.length ? db.select().from(assessmentStatements).where(inArray(assessmentStatements.assessmentId, ids)).all() : [];
  return rows.map((row) => {
    const snapshot = row.scoreSnapshot
      ? (JSON.parse(row.scoreSnapshot) as Pick<Snapshot, "score"> & { evidence: Array<{ componentId: string; level: number | null }>; flags: Array<{ componentId: string; unsupported: boolean }> })
      : null;
    const score =
      snapshot?.score ??
      scoreAssessment(frameworkOf(row), Object.fromEntries(statements.filter((s) => s.assessmentId === row.id).map((s) => [s.statementId, s])));
    return {
      id: row.id,
      period: row.period,
      status: row.status as AssessmentStatus,
      frameworkVersion: row.frameworkVersion,
      finalizedAt: row.finalizedAt?.toISOString() ?? null,
      dimensionScore: score.dimensionScore,
      level: score.level,
      levelName: score.levelName,
      band: score.band,
      components: score.components.map((c) => ({
        componentId: c.componentId,
        name: c.name,
        score: c.score,
        level: c.level,
        // Finalised assessments carry their frozen evidence; drafts are evaluated on their own page.
        evidenceLevel: snapshot?.evidence.find((e) => e.componentId === c.componentId)?.level ?? null,
        flags: snapshot?.flags.some((f) => f.componentId === c.componentId && f.unsupported) ? ["not_supported_by_registry_evidence"] : [],
      })),
    };
  });
}

/** The finalised assessment of the quarter before, for deltas and the "previous quarter" series. */
export function previousFinalized(orgId: number, period: string, db: DbOrTx = getDb()) {
  const list = listAssessments(orgId, db).filter((a) => a.status === "finalized" && a.period < period);
  return list[0] ?? null;
}

export const previousQuarter = (period: string) => shiftQuarter(period, -1);

/** JSON for the API: `{id, period, status, dimensionScore, level, band, components, questions, evidence}`. */
export function assessmentJson(detail: AssessmentDetail) {
  return {
    id: detail.id,
    period: detail.period,
    status: detail.status,
    frameworkVersion: detail.frameworkVersion,
    dimensionScore: detail.score.dimensionScore,
    level: detail.score.level,
    levelName: detail.score.levelName,
    band: detail.score.band,
    components: detail.score.components.map((c) => {
      const flag = detail.flags.find((f) => f.componentId === c.componentId);
      const evidence = detail.evidence.find((e) => e.componentId === c.componentId);
      return {
        id: c.componentId,
        name: c.name,
        score: c.score,
        level: c.level,
        coverage: c.coverage,
        evidenceLevel: evidence?.level ?? null,
        flags: flag?.unsupported ? ["not_supported_by_registry_evidence"] : [],
      };
    }),
    questions: detail.questions.map((q) => ({ ...q, note: detail.answers[q.questionId]?.note ?? null })),
    evidence: { metrics: detail.metrics, components: detail.evidence, justifications: detail.justifications },
    finalizedAt: detail.finalizedAt,
    finalizedBy: detail.finalizedBy,
  };
}

/** The latest finalised assessment of each organisation the user belongs to, for side-by-side comparison. */
export function latestFinalizedByOrganization(orgs: Array<{ id: number; slug: string; name: string }>, db: DbOrTx = getDb()) {
  return orgs.map((org) => ({ org, latest: listAssessments(org.id, db).find((a) => a.status === "finalized") ?? null }));
}
