import { and, asc, desc, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import { statusWords } from "../../utils/format";
import { getDb, reusableQuery, writeTransaction, type DbOrTx } from "../../../db/client";
import { assessmentAnswers, assessmentEvidenceNotes, assessments, assessmentStatements } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { quarterOf, quarterRange, shiftQuarter, type QuarterRange } from "../../utils/quarters";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { membersWithRoles, notify, orgSlugOf } from "../notifications/notifications.server";
import { findFramework } from "../framework/framework";
import { REGISTRY_METRIC_WINDOWS, type Framework } from "../framework/framework-schema";
import { computeEvidenceMetrics, type EvidenceRegistryMetrics } from "../registry/metrics.server";
import type { WriteOptions } from "../registry/registry.server";
import { countsAsFinalized, type AssessmentStatus } from "./assessment-constants";
import { frameworkVersionForNewAssessment } from "./framework-choice.server";
import {
  evidenceFlags,
  evidenceLevel,
  needsJustification,
  type ComponentEvidence,
  type EvidenceFlag,
  type EvidenceMetrics,
} from "./evidence";
import { futureDatedEvidence, futureEvidenceRefusal } from "./evidence-dates";
import { responsesDigest } from "./responses-digest";
import {
  answeredCounts,
  questionFlags,
  scoreAssessment,
  strengthsAndGaps,
  type AnsweredCount,
  type AssessmentScore,
  type StatementResponse,
  type StatementResponses,
} from "./scoring";

const notFound = () => new DomainError("not_found", "Assessment not found");
type AssessmentRow = typeof assessments.$inferSelect;

export function frameworkOf(row: Pick<AssessmentRow, "frameworkVersion">): Framework {
  const framework = findFramework(row.frameworkVersion);
  if (!framework) throw new Error(`Framework version ${row.frameworkVersion} is not installed`);
  return framework;
}

export function requireAssessment(tx: DbOrTx, orgId: number, id: number) {
  const row = tx
    .select()
    .from(assessments)
    .where(and(eq(assessments.orgId, orgId), eq(assessments.id, id)))
    .get();
  if (!row) throw notFound();
  return row;
}

export function requireEditable(row: AssessmentRow) {
  if (row.status === "finalized") throw conflict("This assessment is finalised and can no longer change");
  if (row.status === "withdrawn") throw conflict("This assessment was withdrawn and can no longer change");
}

/**
 * The quarters a new assessment may be opened for: the current quarter and
 * the `pastQuarters` before it, newest first, without those that already have
 * a live (not withdrawn) assessment. Never a future quarter.
 */
export function openableQuarters(orgId: number, now = new Date(), pastQuarters = 4, db: DbOrTx = getDb()) {
  const current = quarterOf(now);
  const taken = new Set(liveAssessmentPeriods(orgId, db));
  return Array.from({ length: pastQuarters + 1 }, (_, i) => shiftQuarter(current, -i)).filter((p) => !taken.has(p));
}

const liveAssessmentPeriodsQuery = reusableQuery((db) =>
  db
    .select({ period: assessments.period })
    .from(assessments)
    .where(and(eq(assessments.orgId, sql.placeholder("orgId")), ne(assessments.status, "withdrawn"))),
);

function liveAssessmentPeriods(orgId: number, db: DbOrTx) {
  return liveAssessmentPeriodsQuery(db)
    .all({ orgId })
    .map((r) => r.period);
}

/**
 * Opens a draft for the current quarter or a past one. A future quarter is
 * invalid (its registry evidence would be an empty window); a quarter with a
 * live assessment is a conflict; a withdrawn assessment's quarter is free again.
 */
export function createAssessment(
  orgId: number,
  input: { period: string; frameworkVersion?: string },
  actor: Actor,
  options: WriteOptions = {},
) {
  const version = frameworkVersionForNewAssessment(orgId, input.frameworkVersion);
  if (!findFramework(version)) throw invalid(`Unknown framework version ${version}`, "frameworkVersion");
  const now = options.now ?? new Date();
  const current = quarterOf(now);
  if (input.period > current)
    throw invalid(`${input.period} has not started yet: open the current quarter (${current}) or an earlier one`, "period");
  return writeTransaction({ orgId }, (tx) => {
    if (liveAssessmentPeriods(orgId, tx).includes(input.period))
      throw conflict(`An assessment for ${input.period} already exists`, "period");
    const row = tx
      .insert(assessments)
      .values({
        orgId,
        period: input.period,
        frameworkVersion: version,
        status: "draft",
        createdByLabel: actor.label,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "assessment.created",
      entityType: "assessment",
      entityId: row.id,
      after: { period: row.period, frameworkVersion: version },
    });
    return row;
  });
}

export function addEvidenceNote(orgId: number, id: number, input: { statementId: string; body: string; url?: string }, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
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
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "assessment.evidence_added",
      entityType: "assessment",
      entityId: id,
      after: { statementId: input.statementId, body: input.body, url: input.url },
    });
    return note;
  });
}

export function submitAssessmentForReview(orgId: number, id: number, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireAssessment(tx, orgId, id);
    if (row.status !== "draft") throw conflict(`Only a draft can go to review; this one is ${statusWords(row.status)}`);
    tx.update(assessments).set({ status: "in_review", updatedAt: new Date() }).where(eq(assessments.id, id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "assessment.submitted",
      entityType: "assessment",
      entityId: id,
      before: { status: row.status },
      after: { status: "in_review", ...responsesRecord(frameworkOf(row), loadResponses(tx, id)) },
    });
    notify(tx, {
      orgId,
      type: "assessment.submitted",
      recipients: membersWithRoles(tx, orgId, ["leadership", "admin"], actor.type === "user" ? actor.id : null),
      title: `Assessment ${row.period} is ready for review`,
      body: `${actor.label} submitted the ${row.period} assessment for review. Check the scores and evidence, then finalise it.`,
      path: `/orgs/${orgSlugOf(tx, orgId)}/assessments/${id}`,
      data: { assessmentId: id, period: row.period, submittedBy: actor.label },
    });
  });
}

/**
 * What submission and finalisation write into their audit event: the SHA-256
 * digest of every response (`responsesDigest`) and how many statements and
 * questions were answered, overall and per component.
 */
function responsesRecord(framework: Framework, { statements, answers }: ReturnType<typeof loadResponses>) {
  const counts = answeredCounts(framework, statements);
  return {
    responsesDigest: responsesDigest(statements, answers),
    answered: {
      statements: counts.reduce((n, c) => n + c.answered, 0),
      statementsTotal: counts.reduce((n, c) => n + c.total, 0),
      questions: framework.questions.filter((q) => answers[q.id]).length,
      questionsTotal: framework.questions.length,
      components: Object.fromEntries(counts.map((c) => [c.componentId, { answered: c.answered, total: c.total }])),
    },
  };
}

const statementsQuery = reusableQuery((db) =>
  db
    .select()
    .from(assessmentStatements)
    .where(eq(assessmentStatements.assessmentId, sql.placeholder("id"))),
);
const answersQuery = reusableQuery((db) =>
  db
    .select()
    .from(assessmentAnswers)
    .where(eq(assessmentAnswers.assessmentId, sql.placeholder("id"))),
);

export function loadResponses(db: DbOrTx, id: number) {
  const statements = statementsQuery(db).all({ id });
  const answers = answersQuery(db).all({ id });
  return {
    statements: Object.fromEntries(statements.map((s) => [s.statementId, s])),
    answers: Object.fromEntries(answers.map((a) => [a.questionId, a])),
  };
}

export type EvaluatedAssessment = ReturnType<typeof evaluate>;

/**
 * Scores, registry evidence and flags of one assessment, from its responses and the registry's figures.
 * A finalised assessment passes its frozen score: its levels are never recomputed (a later rule or
 * content change must not move them).
 */
function evaluate(
  framework: Framework,
  responses: StatementResponses,
  answers: Array<{ questionId: string; level: number | null }>,
  metrics: EvidenceMetrics,
  frozen: FrozenEvaluation | null = null,
) {
  const score = frozen?.score ?? scoreAssessment(framework, responses);
  return {
    score,
    evidence: frozen?.evidence ?? framework.components.map((c) => ({ componentId: c.id, ...evidenceLevel(framework, c.id, metrics) })),
    flags: frozen?.flags ?? evidenceFlags(framework, score, metrics),
    questions: questionFlags(framework, score, answers),
    answered: answeredCounts(framework, responses),
    ...strengthsAndGaps(framework, score, responses),
  };
}

/**
 * The registry window an assessment's evidence comes from: its quarter, but
 * never past `now`: the current quarter is evidenced "so far" (an assessment
 * of a quarter that has not begun gets an empty window at its start).
 */
export function evidenceWindow(period: string, now = new Date()): QuarterRange {
  const quarter = quarterRange(period);
  const end = Math.min(quarter.to.getTime(), Math.max(quarter.from.getTime(), now.getTime()));
  return { from: quarter.from, to: new Date(end) };
}

type Snapshot = { score: AssessmentScore; metrics: EvidenceRegistryMetrics };

type ComponentEvidenceRow = { componentId: string } & ComponentEvidence;
type FrozenEvaluation = { score: AssessmentScore; evidence?: ComponentEvidenceRow[]; flags?: EvidenceFlag[] };

/**
 * A finalised assessment's score, evidence and flags as frozen at finalisation, so a later change to the
 * rules or to how they read a figure never moves them. Snapshots written before rules had states and
 * windows read as they were evaluated then: a rule that did not hold failed, and no component lacked evidence.
 */
export function frozenEvaluation(snapshot: string): FrozenEvaluation {
  const parsed = JSON.parse(snapshot) as Partial<{ score: AssessmentScore; evidence: ComponentEvidenceRow[]; flags: EvidenceFlag[] }>;
  if (!parsed.score) return { score: parsed as unknown as AssessmentScore };
  return {
    score: parsed.score,
    evidence: parsed.evidence?.map((e) => ({
      ...e,
      noEvidence: e.noEvidence ?? false,
      rules: e.rules.map((r) => ({
        ...r,
        state: r.state ?? (r.holds ? "holds" : "fails"),
        window: r.window ?? REGISTRY_METRIC_WINDOWS[r.metric],
      })),
    })),
    flags: parsed.flags?.map((f) => ({ ...f, unevidenced: f.unevidenced ?? false })),
  };
}

const assessmentQuery = reusableQuery((db) =>
  db
    .select({
      id: assessments.id,
      period: assessments.period,
      status: assessments.status,
      frameworkVersion: assessments.frameworkVersion,
      createdByLabel: assessments.createdByLabel,
      createdAt: assessments.createdAt,
      updatedAt: assessments.updatedAt,
      finalizedAt: assessments.finalizedAt,
      finalizedByLabel: assessments.finalizedByLabel,
      justifications: assessments.justifications,
      metricsSnapshot: assessments.metricsSnapshot,
      scoreSnapshot: assessments.scoreSnapshot,
      withdrawnAt: assessments.withdrawnAt,
      withdrawnByLabel: assessments.withdrawnByLabel,
      withdrawnReason: assessments.withdrawnReason,
    })
    .from(assessments)
    .where(and(eq(assessments.orgId, sql.placeholder("orgId")), eq(assessments.id, sql.placeholder("id")))),
);
const notesQuery = reusableQuery((db) =>
  db
    .select()
    .from(assessmentEvidenceNotes)
    .where(eq(assessmentEvidenceNotes.assessmentId, sql.placeholder("id")))
    .orderBy(asc(assessmentEvidenceNotes.id)),
);

/** Everything an assessment page, report or API answer shows. Finalised ones use their snapshot. */
export function getAssessment(orgId: number, id: number, db: DbOrTx = getDb()) {
  const row = assessmentQuery(db).get({ orgId, id });
  if (!row) return null;
  const framework = frameworkOf(row);
  const { statements, answers } = loadResponses(db, id);
  const notes = notesQuery(db).all({ id });
  // Finalised (and withdrawn) assessments carry the figures frozen at finalisation.
  const metrics: EvidenceRegistryMetrics = row.metricsSnapshot
    ? (JSON.parse(row.metricsSnapshot) as EvidenceRegistryMetrics)
    : computeEvidenceMetrics(orgId, evidenceWindow(row.period), db);
  const quarterEnd = quarterRange(row.period).to.getTime();
  const evaluated = evaluate(
    framework,
    statements,
    Object.values(answers).map((a) => ({ questionId: a.questionId, level: a.level })),
    metrics,
    row.scoreSnapshot ? frozenEvaluation(row.scoreSnapshot) : null,
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
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
    withdrawnBy: row.withdrawnByLabel,
    withdrawnReason: row.withdrawnReason,
    /** The registry figures cover only part of the quarter (up to `metrics.window.to`): it had not ended yet. */
    evidenceSoFar: new Date(metrics.window.to).getTime() < quarterEnd,
    justifications: JSON.parse(row.justifications) as Record<string, string>,
    statements: Object.fromEntries(
      Object.values(statements).map((s) => [
        s.statementId,
        {
          status: s.status,
          reason: s.reason,
          evidence: { note: s.evidenceNote, url: s.evidenceUrl, date: s.evidenceDate },
          updatedBy: s.updatedByLabel,
          updatedAt: s.updatedAt.toISOString(),
        },
      ]),
    ),
    answers: Object.fromEntries(Object.values(answers).map((a) => [a.questionId, { level: a.level, note: a.note }])),
    notes: notes.map((n) => ({
      id: n.id,
      statementId: n.statementId,
      author: n.authorLabel,
      body: n.body,
      url: n.url,
      at: n.createdAt.toISOString(),
    })),
    metrics,
    ...evaluated,
  };
}
export type AssessmentDetail = NonNullable<ReturnType<typeof getAssessment>>;

/** Components with unanswered statements, as finalisation names them. */
export function incompleteComponents(answered: readonly AnsweredCount[]) {
  return answered.filter((c) => c.answered < c.total);
}

/**
 * Finalises. Evidence dated after today is refused (422 naming each statement,
 * as saving it would be). Unanswered statements count as "not in place": finalising with
 * any needs `acceptUnanswered` (409 naming the counts per component
 * otherwise). Every component whose assessed level exceeds its registry
 * evidence needs a written justification (409 naming them otherwise). The
 * registry metrics and scores are snapshotted so history never changes, and
 * the audit event records the responses' digest and answered counts.
 */
export function finalizeAssessment(
  orgId: number,
  id: number,
  input: { justifications: Record<string, string>; acceptUnanswered?: boolean },
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireAssessment(tx, orgId, id);
    requireEditable(row);
    const detail = getAssessment(orgId, id, tx)!;
    const now = options.now ?? new Date();
    // Saving refuses evidence dated after today; an answer stored before that rule (or under another clock) is refused here.
    const framework = frameworkOf(row);
    const futureDated = futureDatedEvidence(framework, detail.statements, now);
    if (futureDated.length) {
      const refusal = futureEvidenceRefusal(futureDated);
      throw new DomainError("invalid", refusal.message, undefined, refusal.issues);
    }
    const unknownJustified = Object.keys(input.justifications).filter((id) => !framework.components.some((c) => c.id === id));
    if (unknownJustified.length) {
      throw new DomainError(
        "invalid",
        `Justifications name components this framework does not have: ${unknownJustified.join(", ")}`,
        undefined,
        unknownJustified.map((id) => ({ path: `justifications.${id}`, message: `Unknown component "${id}"` })),
      );
    }
    // Both refusals below are named at once (the unanswered one lists the missing justifications among its issues),
    // so a person fixes everything in one go rather than one per post.
    const incomplete = incompleteComponents(detail.answered);
    const justifications = { ...(JSON.parse(row.justifications) as Record<string, string>), ...input.justifications };
    const missing = detail.flags.filter((f) => needsJustification(f) && !justifications[f.componentId]?.trim());
    const nameOf = (componentId: string) => detail.score.components.find((c) => c.componentId === componentId)?.name ?? componentId;
    const justify = `Justify the levels not supported by registry evidence: ${missing.map((f) => nameOf(f.componentId)).join(", ")}`;
    const missingIssues = missing.map((f) => ({
      path: `justifications.${f.componentId}`,
      message: f.unsupported
        ? `${nameOf(f.componentId)}: assessed level ${f.achievedLevel} is above the registry evidence level ${f.evidenceLevel}`
        : `${nameOf(f.componentId)}: assessed level ${f.achievedLevel} has no registry evidence (none of its rules could be measured)`,
    }));
    if (incomplete.length && !input.acceptUnanswered) {
      throw new DomainError(
        "conflict",
        `Some statements are unanswered and would count as "not in place" (${incomplete.map((c) => `${c.name}: ${c.answered} of ${c.total} answered`).join("; ")}). Confirm to finalise anyway.`,
        "acceptUnanswered",
        [
          ...incomplete.map((c) => ({
            path: `answered.${c.componentId}`,
            message: `${c.name}: ${c.answered} of ${c.total} statements answered`,
          })),
          ...missingIssues,
        ],
      );
    }
    if (missing.length) throw new DomainError("conflict", justify, undefined, missingIssues);
    const kept = Object.fromEntries(
      Object.entries(justifications).filter(([component]) =>
        detail.flags.some((f) => f.componentId === component && needsJustification(f)),
      ),
    );
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
      after: {
        status: "finalized",
        dimensionScore: detail.score.dimensionScore,
        level: detail.score.level,
        justifications: kept,
        ...(incomplete.length ? { acceptedUnanswered: true } : {}),
        ...responsesRecord(frameworkOf(row), loadResponses(tx, id)),
      },
    });
    return getAssessment(orgId, id, tx)!;
  });
}

/**
 * Withdraws a finalised assessment (leadership or admin; the route checks the
 * role) with a written reason. It stays readable, marked withdrawn, but leaves
 * trends, deltas, comparisons, the dashboard and roadmap generation, and its
 * quarter is free for a new assessment.
 */
export function withdrawAssessment(orgId: number, id: number, input: { reason: string }, actor: Actor, options: WriteOptions = {}) {
  const reason = input.reason.trim();
  if (!reason) throw invalid("Say why the assessment is withdrawn", "reason");
  return writeTransaction({ orgId }, (tx) => {
    const row = requireAssessment(tx, orgId, id);
    if (row.status !== "finalized") throw conflict(`Only a finalised assessment can be withdrawn; this one is ${statusWords(row.status)}`);
    const now = options.now ?? new Date();
    tx.update(assessments)
      .set({ status: "withdrawn", withdrawnAt: now, withdrawnByLabel: actor.label, withdrawnReason: reason, updatedAt: now })
      .where(eq(assessments.id, id))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "assessment.withdrawn",
      entityType: "assessment",
      entityId: id,
      before: { status: row.status },
      after: { status: "withdrawn", period: row.period, reason },
    });
    notify(
      tx,
      {
        orgId,
        type: "assessment.withdrawn",
        recipients: membersWithRoles(tx, orgId, ["leadership", "admin"], actor.type === "user" ? actor.id : null),
        title: `Assessment ${row.period} was withdrawn`,
        body: `${actor.label} withdrew the finalised ${row.period} assessment: ${reason}. It no longer counts in trends, comparisons or roadmaps.`,
        path: `/orgs/${orgSlugOf(tx, orgId)}/assessments/${id}`,
        data: { assessmentId: id, period: row.period, reason, withdrawnBy: actor.label },
      },
      now,
    );
    return getAssessment(orgId, id, tx)!;
  });
}

/**
 * Refuses (409) to plan from an assessment that is not finalised, naming a
 * withdrawal. Roadmap generation calls it on the assessment it plans from.
 */
export function requireRoadmapSource(assessment: Pick<AssessmentDetail, "status" | "period" | "withdrawnReason">) {
  if (assessment.status === "withdrawn") {
    throw conflict(
      `The ${assessment.period} assessment was withdrawn (${assessment.withdrawnReason ?? "no reason given"}): roadmaps are generated from finalised assessments only`,
    );
  }
  if (assessment.status !== "finalized") throw conflict("Roadmaps are generated from finalised assessments only");
}

/** The columns an assessment's summary is made of (not the wide registry figures). */
const summaryColumns = {
  id: assessments.id,
  period: assessments.period,
  status: assessments.status,
  frameworkVersion: assessments.frameworkVersion,
  finalizedAt: assessments.finalizedAt,
  withdrawnAt: assessments.withdrawnAt,
  scoreSnapshot: assessments.scoreSnapshot,
};
type SummaryRow = { [K in keyof typeof summaryColumns]: AssessmentRow[K] };
type SnapshotSummary = Pick<Snapshot, "score"> & {
  evidence: Array<{ componentId: string; level: number | null }>;
  flags: Array<{ componentId: string; unsupported: boolean; unevidenced?: boolean }>;
};

const assessmentListQuery = reusableQuery((db) =>
  db
    .select(summaryColumns)
    .from(assessments)
    .where(eq(assessments.orgId, sql.placeholder("orgId")))
    .orderBy(desc(assessments.period)),
);
// Finalised assessments carry their score snapshot: only the others need their statements scored.
const unsnapshottedStatementsQuery = reusableQuery((db) =>
  db
    .select({
      assessmentId: assessmentStatements.assessmentId,
      statementId: assessmentStatements.statementId,
      status: assessmentStatements.status,
    })
    .from(assessmentStatements)
    .innerJoin(assessments, eq(assessments.id, assessmentStatements.assessmentId))
    .where(and(eq(assessments.orgId, sql.placeholder("orgId")), isNull(assessments.scoreSnapshot))),
);
/** The finalised assessment nearest to `period` before it (`previous`) or after it (`next`): one row. */
const finalizedNeighbourQuery = (direction: "previous" | "next") =>
  reusableQuery((db) =>
    db
      .select(summaryColumns)
      .from(assessments)
      .where(
        and(
          eq(assessments.orgId, sql.placeholder("orgId")),
          eq(assessments.status, "finalized"),
          (direction === "previous" ? lt : gt)(assessments.period, sql.placeholder("period")),
        ),
      )
      .orderBy((direction === "previous" ? desc : asc)(assessments.period))
      .limit(1),
  );
const finalizedNeighbourQueries = { previous: finalizedNeighbourQuery("previous"), next: finalizedNeighbourQuery("next") };

/** What every summary of an assessment says, whatever its score is read from. */
function summaryFields(row: SummaryRow, score: AssessmentScore) {
  return {
    id: row.id,
    period: row.period,
    status: row.status as AssessmentStatus,
    frameworkVersion: row.frameworkVersion,
    finalizedAt: row.finalizedAt?.toISOString() ?? null,
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
    dimensionScore: score.dimensionScore,
    level: score.level,
    levelName: score.levelName,
    band: score.band,
  };
}

/** One assessment's scores and frozen evidence: from its snapshot when finalised, else scored from `responses`. */
function assessmentSummary(row: SummaryRow, responses: StatementResponses) {
  const snapshot = row.scoreSnapshot ? (JSON.parse(row.scoreSnapshot) as SnapshotSummary) : null;
  const score = snapshot?.score ?? scoreAssessment(frameworkOf(row), responses);
  return {
    ...summaryFields(row, score),
    components: score.components.map((c) => ({
      componentId: c.componentId,
      name: c.name,
      score: c.score,
      level: c.level,
      // Finalised assessments carry their frozen evidence; drafts are evaluated on their own page.
      evidenceLevel: snapshot?.evidence.find((e) => e.componentId === c.componentId)?.level ?? null,
      flags: flagNames(snapshot?.flags.find((f) => f.componentId === c.componentId)),
    })),
  };
}

/**
 * The score in a finalised assessment's snapshot, without parsing its evidence (most of the
 * text: every rule with its rationale). finalizeAssessment writes `{"score":…,"evidence":…,…}`;
 * the score has no member named "evidence" and JSON escapes the quotes inside strings, so the
 * score's text ends where `,"evidence":` first appears. Any other form is parsed whole.
 */
export function frozenScore(snapshot: string): AssessmentScore {
  const end = snapshot.startsWith('{"score":') ? snapshot.indexOf(',"evidence":') : -1;
  return (JSON.parse(end > 0 ? `${snapshot.slice(0, end)}}` : snapshot) as Pick<Snapshot, "score">).score;
}

/** The organisation's assessments, newest period first, with the responses of those not yet snapshotted. */
function assessmentRows(orgId: number, db: DbOrTx) {
  const rows = assessmentListQuery(db).all({ orgId });
  const responses = new Map<number, Record<string, StatementResponse>>();
  if (rows.some((r) => !r.scoreSnapshot)) {
    for (const s of unsnapshottedStatementsQuery(db).all({ orgId })) {
      let of = responses.get(s.assessmentId);
      if (!of) responses.set(s.assessmentId, (of = {}));
      of[s.statementId] = s;
    }
  }
  return rows.map((row) => ({ row, responses: responses.get(row.id) ?? {} }));
}

/** Every assessment of the organisation with its scores and frozen evidence, newest period first (a fixed number of queries). */
export function listAssessments(orgId: number, db: DbOrTx = getDb()) {
  return assessmentRows(orgId, db).map(({ row, responses }) => assessmentSummary(row, responses));
}

/**
 * Every assessment of the organisation with its scores, newest period first: what the
 * assessment list and its trend show, without the frozen evidence `listAssessments` parses.
 */
export function listAssessmentScores(orgId: number, db: DbOrTx = getDb()) {
  return assessmentRows(orgId, db).map(({ row, responses }) => {
    const score = row.scoreSnapshot ? frozenScore(row.scoreSnapshot) : scoreAssessment(frameworkOf(row), responses);
    return {
      ...summaryFields(row, score),
      components: score.components.map(({ componentId, name, score, level }) => ({ componentId, name, score, level })),
    };
  });
}

export type AssessmentSummary = ReturnType<typeof listAssessments>[number];

/** The latest finalised (not withdrawn) assessment of a list from `listAssessments`; null when there is none. */
export function latestFinalizedIn(list: AssessmentSummary[]): AssessmentSummary | null {
  return list.find(countsAsFinalized) ?? null;
}

/** The latest finalised (not withdrawn) assessment before `period` of a list from `listAssessments`. */
export function previousFinalizedIn(list: AssessmentSummary[], period: string): AssessmentSummary | null {
  return list.find((a) => countsAsFinalized(a) && a.period < period) ?? null;
}

/** The organisation's latest finalised (not withdrawn) assessment, with its scores; null when there is none. */
export function latestFinalizedAssessment(orgId: number, db: DbOrTx = getDb()): AssessmentSummary | null {
  return latestFinalizedIn(listAssessments(orgId, db));
}

/**
 * The finalised (not withdrawn) assessment nearest to `period`, before it (`previous`: deltas and the
 * "previous quarter" series) or after it (`next`: a roadmap's re-assessment criterion): one row, where
 * `previousFinalizedIn` needs the whole list. One finalised before scores were frozen is scored as the list scores it.
 */
export function finalizedNeighbour(
  orgId: number,
  period: string,
  direction: "previous" | "next",
  db: DbOrTx = getDb(),
): AssessmentSummary | null {
  const row = finalizedNeighbourQueries[direction](db).get({ orgId, period });
  if (!row) return null;
  return row.scoreSnapshot ? assessmentSummary(row, {}) : (listAssessments(orgId, db).find((a) => a.id === row.id) ?? null);
}

export const previousFinalized = (orgId: number, period: string, db: DbOrTx = getDb()) => finalizedNeighbour(orgId, period, "previous", db);

export const previousQuarter = (period: string) => shiftQuarter(period, -1);

/** A component's flags as the API names them. */
function flagNames(flag: (Pick<EvidenceFlag, "unsupported"> & { unevidenced?: boolean }) | undefined) {
  return [
    ...(flag?.unsupported ? (["not_supported_by_registry_evidence"] as const) : []),
    ...(flag?.unevidenced ? (["no_registry_evidence"] as const) : []),
  ];
}

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
        flags: flagNames(flag),
      };
    }),
    questions: detail.questions.map((q) => ({ ...q, note: detail.answers[q.questionId]?.note ?? null })),
    evidence: { metrics: detail.metrics, components: detail.evidence, justifications: detail.justifications },
    answered: detail.answered.map((c) => ({ id: c.componentId, name: c.name, answered: c.answered, total: c.total })),
    finalizedAt: detail.finalizedAt,
    finalizedBy: detail.finalizedBy,
    withdrawnAt: detail.withdrawnAt,
    withdrawnBy: detail.withdrawnBy,
    withdrawnReason: detail.withdrawnReason,
  };
}

/** The latest finalised assessment of each organisation the user belongs to, for side-by-side comparison. */
export function latestFinalizedByOrganization(orgs: Array<{ id: number; slug: string; name: string }>, db: DbOrTx = getDb()) {
  return orgs.map((org) => ({ org, latest: latestFinalizedAssessment(org.id, db) }));
}
