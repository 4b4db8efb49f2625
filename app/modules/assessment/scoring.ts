import type { Framework, FrameworkComponent } from "../framework/framework-schema";

/**
 * Pure scoring of a quarterly maturity assessment. No I/O: callers load the
 * framework and the stored responses and pass them in.
 *
 * Contract (the product's scoring rules):
 * - A statement earns credit in_place 1, partial 0.5, none 0, unanswered 0;
 *   not_applicable statements are left out of both the sum and the count.
 * - coverage(L) = credits ÷ applicable statements at level L; a level with no
 *   applicable statements has coverage 1.
 * - Level 1 is the floor. Level L (2..5) is achieved when L−1 is achieved and
 *   coverage(L) >= 0.8. A component scores its achieved level plus the
 *   coverage of the next level (nothing added at level 5): 1.0–5.0.
 * - The dimension score is the weight-weighted mean of component scores;
 *   its level is the highest level whose cut-off (`framework.levelCutoffs`)
 *   the unrounded score reaches (score ≥ cut-off), else 1; its band comes
 *   from `framework.bands`. Version 1's cut-offs 2, 3, 4, 5 give floor(score).
 */

import { STATEMENT_STATUSES, type StatementStatusValue } from "./assessment-constants";

export { STATEMENT_STATUSES };
export type StatementStatus = StatementStatusValue;
/** Callers may pass richer response objects (notes, evidence, ...); only `status` is read. */
export type StatementResponse = { status: StatementStatus };
export type StatementResponses = Readonly<Record<string, StatementResponse | undefined>>;

export type StatementLevel = 2 | 3 | 4 | 5;
export type MaturityLevel = 1 | 2 | 3 | 4 | 5;
/** strong ≥ bands.strong, weak < bands.weak, moderate in between (a word no level uses). */
export type Band = "strong" | "moderate" | "weak";

export const STATEMENT_LEVELS: readonly StatementLevel[] = [2, 3, 4, 5];

/** Coverage a level needs to be achieved. */
export const ACHIEVEMENT_THRESHOLD = 0.8;
/** Absorbs floating-point error at thresholds (so 4 of 5 = 0.8 counts). */
const EPSILON = 1e-9;

export type ComponentScore = {
  componentId: string;
  name: string;
  weight: number;
  coverage: Record<StatementLevel, number>;
  level: MaturityLevel;
  /** Unrounded, 1.0–5.0. */
  score: number;
};

export type AssessmentScore = {
  components: ComponentScore[];
  /** Unrounded weighted mean of component scores. */
  dimensionScore: number;
  level: MaturityLevel;
  levelName: string;
  band: Band;
};

export function isStatementStatus(value: unknown): value is StatementStatus {
  return typeof value === "string" && (STATEMENT_STATUSES as readonly string[]).includes(value);
}

/** Credit for a statement; `null` means not applicable (excluded from the coverage). */
export function creditOf(status: StatementStatus | undefined): number | null {
  switch (status) {
    case "in_place":
      return 1;
    case "partial":
      return 0.5;
    case "not_applicable":
      return null;
    case "none":
    case undefined:
    default:
      // Unanswered (and anything unrecognised) counts as "none".
      return 0;
  }
}

/**
 * Share of credit earned by the applicable statements of one level. A level
 * whose statements are all not applicable (or that has none) is fully covered.
 */
export function coverage(statements: ReadonlyArray<{ id: string; level: number }>, responses: StatementResponses, level: number): number {
  let sum = 0;
  let count = 0;
  for (const statement of statements) {
    if (statement.level !== level) continue;
    const credit = creditOf(responses[statement.id]?.status);
    if (credit === null) continue;
    sum += credit;
    count += 1;
  }
  return count === 0 ? 1 : sum / count;
}

export function scoreComponent(component: FrameworkComponent, responses: StatementResponses): ComponentScore {
  const cov = {} as Record<StatementLevel, number>;
  for (const level of STATEMENT_LEVELS) cov[level] = coverage(component.capabilities, responses, level);

  let level: MaturityLevel = 1;
  for (const next of STATEMENT_LEVELS) {
    if (cov[next] >= ACHIEVEMENT_THRESHOLD - EPSILON) level = next;
    else break; // a gap at a lower level blocks every higher level
  }
  const score = level === 5 ? 5 : level + cov[(level + 1) as StatementLevel];

  return {
    componentId: component.id,
    name: component.name,
    weight: component.weight,
    coverage: cov,
    level,
    score,
  };
}

export function bandOf(framework: Pick<Framework, "bands">, dimensionScore: number): Band {
  if (dimensionScore >= framework.bands.strong - EPSILON) return "strong";
  if (dimensionScore < framework.bands.weak - EPSILON) return "weak";
  return "moderate";
}

/**
 * The dimension level of an unrounded dimension score: the highest level whose cut-off the score
 * reaches (score ≥ cut-off, "above 3.5" read as "at least 3.5"), level 1 below every cut-off.
 * The one place a level is derived from a dimension score.
 */
export function dimensionLevelOf(framework: Pick<Framework, "levelCutoffs">, dimensionScore: number): MaturityLevel {
  let level: MaturityLevel = 1;
  for (const cutoff of framework.levelCutoffs.cutoffs) {
    if (dimensionScore >= cutoff.minScore - EPSILON) level = cutoff.level as MaturityLevel;
  }
  return level;
}

export function scoreAssessment(
  framework: Pick<Framework, "components" | "levels" | "bands" | "levelCutoffs">,
  responses: StatementResponses,
): AssessmentScore {
  const components = framework.components.map((c) => scoreComponent(c, responses));
  const totalWeight = components.reduce((sum, c) => sum + c.weight, 0);
  const dimensionScore = totalWeight > 0 ? components.reduce((sum, c) => sum + c.score * c.weight, 0) / totalWeight : 1;
  const level = dimensionLevelOf(framework, dimensionScore);
  const levelName = framework.levels.find((l) => l.level === level)?.name ?? `Level ${level}`;
  return { components, dimensionScore, level, levelName, band: bandOf(framework, dimensionScore) };
}

/** One decimal, half up (2.96 → "3.0", 2.45 → "2.5"). Display only: never compare formatted scores. */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return "–";
  return (Math.round(score * 10 + EPSILON) / 10).toFixed(1);
}

/**
 * The change between two scores as people read it: the difference of the scores as shown (3.1 → 3.1 is no change,
 * whatever the hundredths say), signed ("+0.3", "−0.2", "±0.0"), and its direction for colour and words.
 */
export function scoreChange(current: number, previous: number): { text: string; direction: "up" | "down" | "none"; amount: string } {
  const tenths = Math.round(Number(formatScore(current)) * 10) - Math.round(Number(formatScore(previous)) * 10);
  const amount = (Math.abs(tenths) / 10).toFixed(1);
  const direction = tenths > 0 ? "up" : tenths < 0 ? "down" : "none";
  return { text: `${direction === "up" ? "+" : direction === "down" ? "−" : "±"}${amount}`, direction, amount };
}

export type QuestionAnswer = { questionId: string; level: number | null };

export type QuestionFlag = {
  questionId: string;
  componentId: string;
  answerLevel: number | null;
  componentLevel: number;
  /** The self-assessed answer is more than one level away from the statement-based level. */
  differs: boolean;
};

/**
 * Compares each framework question's answer with the level its component
 * reached from the capability statements. Listed in framework question order;
 * questions without an answer get `answerLevel: null` and are never flagged.
 * Answers to unknown questions are ignored.
 */
export function questionFlags(
  framework: Pick<Framework, "questions">,
  score: AssessmentScore,
  answers: readonly QuestionAnswer[],
): QuestionFlag[] {
  const answerByQuestion = new Map(answers.map((a) => [a.questionId, a.level] as const));
  const levelByComponent = new Map(score.components.map((c) => [c.componentId, c.level] as const));
  const flags: QuestionFlag[] = [];
  for (const question of framework.questions) {
    const componentLevel = levelByComponent.get(question.componentId);
    if (componentLevel === undefined) continue;
    const answerLevel = answerByQuestion.get(question.id) ?? null;
    flags.push({
      questionId: question.id,
      componentId: question.componentId,
      answerLevel,
      componentLevel,
      differs: answerLevel !== null && Math.abs(answerLevel - componentLevel) > 1,
    });
  }
  return flags;
}

export type StatementGap = {
  componentId: string;
  statementId: string;
  level: number;
  text: string;
  credit: number;
};

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The gaps to work on next: applicable statements that are not fully in place
 * (credit < 1) at levels above each component's achieved level, ordered by
 * level, then credit (lowest first), then statement id. Statements at already
 * achieved levels are not gaps, even when partial.
 */
export function weakestStatements(framework: Pick<Framework, "components">, responses: StatementResponses, limit = 5): StatementGap[] {
  const gaps: StatementGap[] = [];
  for (const component of framework.components) {
    const achieved = scoreComponent(component, responses).level;
    for (const statement of component.capabilities) {
      if (statement.level <= achieved) continue;
      const credit = creditOf(responses[statement.id]?.status);
      if (credit === null || credit >= 1) continue;
      gaps.push({
        componentId: component.id,
        statementId: statement.id,
        level: statement.level,
        text: statement.text,
        credit,
      });
    }
  }
  gaps.sort((a, b) => a.level - b.level || a.credit - b.credit || compareIds(a.statementId, b.statementId));
  return gaps.slice(0, Math.max(0, limit));
}

export type AnsweredCount = { componentId: string; name: string; answered: number; total: number };

/** How many of each component's capability statements have a response (any status, not applicable included). */
export function answeredCounts(framework: Pick<Framework, "components">, responses: StatementResponses): AnsweredCount[] {
  return framework.components.map((c) => ({
    componentId: c.id,
    name: c.name,
    answered: c.capabilities.filter((s) => isStatementStatus(responses[s.id]?.status)).length,
    total: c.capabilities.length,
  }));
}

/**
 * What the assessment shows as strengths and gaps: only components with at
 * least one answered statement take part (an empty assessment has neither).
 * Strengths are the two highest-scoring of those above the level 1 floor;
 * gaps are `weakestStatements` of those components.
 */
export function strengthsAndGaps(
  framework: Pick<Framework, "components">,
  score: Pick<AssessmentScore, "components">,
  responses: StatementResponses,
  gapLimit = 8,
) {
  const answered = new Set(
    answeredCounts(framework, responses)
      .filter((c) => c.answered > 0)
      .map((c) => c.componentId),
  );
  return {
    strengths: rankComponents(score)
      .filter((c) => answered.has(c.componentId) && c.score > 1 + EPSILON)
      .slice(0, 2),
    gaps: weakestStatements({ components: framework.components.filter((c) => answered.has(c.id)) }, responses, gapLimit),
  };
}

/** Components strongest first (score descending); ties keep framework order. Does not mutate `score`. */
export function rankComponents(score: Pick<AssessmentScore, "components">): ComponentScore[] {
  return [...score.components].sort((a, b) => b.score - a.score);
}
