import { describe, expect, it } from "vitest";
import { getFramework } from "../framework/framework";
import type { Framework, FrameworkComponent } from "../framework/framework-schema";
import {
  answeredCounts,
  bandOf,
  coverage,
  creditOf,
  formatScore,
  scoreChange,
  questionFlags,
  rankComponents,
  scoreAssessment,
  scoreComponent,
  STATEMENT_STATUSES,
  strengthsAndGaps,
  weakestStatements,
  type StatementResponse,
  type StatementStatus,
} from "./scoring";

// ---------------------------------------------------------------- synthetic frameworks

type Statuses = Partial<Record<2 | 3 | 4 | 5, Array<StatementStatus | undefined>>>;

/**
 * A component whose level L has one statement per entry of `statuses[L]`
 * (ids `<id>.l<L>.<n>`), plus the responses that give those statuses.
 * `undefined` entries are statements left unanswered.
 */
function build(id: string, statuses: Statuses, weight = 1) {
  const capabilities: FrameworkComponent["capabilities"] = [];
  const responses: Record<string, StatementResponse> = {};
  for (const level of [2, 3, 4, 5] as const) {
    (statuses[level] ?? []).forEach((status, i) => {
      const statementId = `${id}.l${level}.${i + 1}`;
      capabilities.push({ id: statementId, level, text: `${id} level ${level} statement ${i + 1}` });
      if (status !== undefined) responses[statementId] = { status };
    });
  }
  const component: FrameworkComponent = {
    id,
    name: `Component ${id}`,
    summary: "synthetic",
    weight,
    indicators: [1, 2, 3, 4, 5].map((level) => ({ level, text: `indicator ${level}` })),
    capabilities,
    practices: [],
    measurement: ["synthetic"],
  };
  return { component, responses };
}

const LEVEL_NAMES = ["One", "Two", "Three", "Four", "Five"];

function frameworkOf(components: FrameworkComponent[], questions: Array<{ id: string; componentId: string }> = []): Framework {
  return {
    levels: LEVEL_NAMES.map((name, i) => ({ level: i + 1, name })),
    bands: { strong: 4, weak: 2.5 },
    levelCutoffs: getFramework("1").levelCutoffs,
    components,
    questions,
    evidenceRules: [],
  } as unknown as Framework; // only the fields the scoring reads are filled in
}

/** One synthetic component scored on its own, plus its framework and responses. */
function single(statuses: Statuses) {
  const { component, responses } = build("c", statuses);
  return { component, responses, framework: frameworkOf([component]) };
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);
const ALL = (status: StatementStatus): Statuses => ({
  2: times(5, status),
  3: times(5, status),
  4: times(5, status),
  5: times(5, status),
});

// ---------------------------------------------------------------- credits and coverage

describe("creditOf", () => {
  it("gives in_place 1, partial 0.5, none 0, unanswered 0, not_applicable null", () => {
    expect(creditOf("in_place")).toBe(1);
    expect(creditOf("partial")).toBe(0.5);
    expect(creditOf("none")).toBe(0);
    expect(creditOf(undefined)).toBe(0);
    expect(creditOf("not_applicable")).toBeNull();
  });

  it("covers every status", () => {
    expect(STATEMENT_STATUSES.map(creditOf)).toEqual([0, 0.5, 1, null]);
  });
});

describe("coverage", () => {
  it("is 0.8 for 4 of 5 in place", () => {
    const { component, responses } = single({ 2: ["in_place", "in_place", "in_place", "in_place", "none"] });
    expect(coverage(component.capabilities, responses, 2)).toBe(0.8);
  });

  it("counts partial as half: 3 in place + 2 partial of 5 = 0.8", () => {
    const { component, responses } = single({ 2: ["in_place", "in_place", "in_place", "partial", "partial"] });
    expect(coverage(component.capabilities, responses, 2)).toBe(0.8);
  });

  it("excludes not applicable from sum and count: 4 statements, 1 N/A, 3 in place = 1.0", () => {
    const { component, responses } = single({ 3: ["in_place", "in_place", "not_applicable", "in_place"] });
    expect(coverage(component.capabilities, responses, 3)).toBe(1);
  });

  it("excludes not applicable from the count when the rest is mixed: 1 in place, 1 none, 1 N/A = 0.5", () => {
    const { component, responses } = single({ 3: ["in_place", "none", "not_applicable"] });
    expect(coverage(component.capabilities, responses, 3)).toBe(0.5);
  });

  it("is 1 when every statement of the level is not applicable", () => {
    const { component, responses } = single({ 4: times(5, "not_applicable") });
    expect(coverage(component.capabilities, responses, 4)).toBe(1);
  });

  it("is 1 for a level without statements", () => {
    const { component, responses } = single({ 2: ["none"] });
    expect(coverage(component.capabilities, responses, 5)).toBe(1);
  });

  it("counts unanswered statements as none", () => {
    const { component, responses } = single({ 2: ["in_place", undefined, undefined, "in_place"] });
    expect(coverage(component.capabilities, responses, 2)).toBe(0.5);
  });

  it("only looks at the requested level", () => {
    const { component, responses } = single({ 2: times(5, "none"), 3: times(5, "in_place") });
    expect(coverage(component.capabilities, responses, 2)).toBe(0);
    expect(coverage(component.capabilities, responses, 3)).toBe(1);
  });

  it("ignores extra fields on responses and responses for unknown statements", () => {
    const { component } = single({ 2: ["in_place", "none"] });
    const responses = {
      "c.l2.1": { status: "in_place" as const, note: "see wiki", updatedBy: 7 },
      "c.l2.2": { status: "partial" as const, evidence: ["doc"] },
      "other.l2.1": { status: "in_place" as const },
    };
    expect(coverage(component.capabilities, responses, 2)).toBe(0.75);
  });
});

// ---------------------------------------------------------------- component score

describe("scoreComponent", () => {
  it("achieves a level at exactly 0.8 coverage (4 of 5 in place)", () => {
    const { component, responses } = single({
      2: ["in_place", "in_place", "in_place", "in_place", "none"],
      3: times(5, "none"),
    });
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(2);
    expect(score.score).toBe(2);
  });

  it("does not achieve a level at 0.79 coverage (79 of 100 in place)", () => {
    const { component, responses } = single({
      2: [...times(79, "in_place" as const), ...times(21, "none" as const)],
      3: times(5, "in_place"),
    });
    const score = scoreComponent(component, responses);
    expect(score.coverage[2]).toBeCloseTo(0.79, 12);
    expect(score.level).toBe(1);
    expect(score.score).toBeCloseTo(1.79, 12);
  });

  it("achieves a level with 3 in place + 2 partial of 5 (0.8)", () => {
    const { component, responses } = single({
      2: ["in_place", "in_place", "in_place", "partial", "partial"],
      3: ["in_place", "none", "none", "none", "none"],
    });
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(2);
    expect(score.score).toBeCloseTo(2.2, 12);
  });

  it("does not achieve a level with 2 in place + 3 partial of 5 (0.7)", () => {
    const { component, responses } = single({ 2: ["in_place", "in_place", "partial", "partial", "partial"] });
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(1);
    expect(score.score).toBeCloseTo(1.7, 12);
  });

  it("treats a level whose statements are all not applicable as achieved", () => {
    const { component, responses } = single({
      2: times(5, "in_place"),
      3: times(5, "not_applicable"),
      4: ["in_place", "none"],
    });
    const score = scoreComponent(component, responses);
    expect(score.coverage[3]).toBe(1);
    expect(score.level).toBe(3);
    expect(score.score).toBe(3.5);
  });

  it("lets a gap at a lower level block fully in place higher levels (L2 0.6 → 1.6)", () => {
    const { component, responses } = single({
      2: ["in_place", "in_place", "in_place", "none", "none"],
      3: times(5, "in_place"),
      4: times(5, "in_place"),
      5: times(5, "in_place"),
    });
    const score = scoreComponent(component, responses);
    expect(score.coverage).toEqual({ 2: 0.6, 3: 1, 4: 1, 5: 1 });
    expect(score.level).toBe(1);
    expect(score.score).toBe(1.6);
  });

  it("blocks at level 3 as well: L2 full, L3 0.6, L4/L5 full → 3 − 1 + 0.6 = 2.6", () => {
    const { component, responses } = single({
      2: times(5, "in_place"),
      3: ["in_place", "in_place", "in_place", "none", "none"],
      4: times(5, "in_place"),
      5: times(5, "in_place"),
    });
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(2);
    expect(score.score).toBe(2.6);
  });

  it("scores all none as 1.0", () => {
    const { component, responses } = single(ALL("none"));
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(1);
    expect(score.score).toBe(1);
  });

  it("scores all unanswered as 1.0 (unanswered = none)", () => {
    const { component } = single(ALL("in_place"));
    const score = scoreComponent(component, {});
    expect(score.level).toBe(1);
    expect(score.score).toBe(1);
    expect(score.coverage).toEqual({ 2: 0, 3: 0, 4: 0, 5: 0 });
  });

  it("scores all in place as 5.0 with nothing added at level 5", () => {
    const { component, responses } = single(ALL("in_place"));
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(5);
    expect(score.score).toBe(5);
  });

  it("scores level 5 as exactly 5.0 even when level 5 is only 0.8 covered", () => {
    const { component, responses } = single({
      ...ALL("in_place"),
      5: ["in_place", "in_place", "in_place", "in_place", "none"],
    });
    const score = scoreComponent(component, responses);
    expect(score.level).toBe(5);
    expect(score.score).toBe(5);
  });

  it("adds the next level's coverage: L3 achieved, L4 2 of 5 → 3.4", () => {
    const { component, responses } = single({
      2: times(5, "in_place"),
      3: ["in_place", "in_place", "in_place", "in_place", "partial"],
      4: ["in_place", "in_place", "none", "none", "none"],
      5: times(5, "in_place"),
    });
    const score = scoreComponent(component, responses);
    expect(score.coverage[3]).toBe(0.9);
    expect(score.level).toBe(3);
    expect(score.score).toBe(3.4);
  });

  it("carries id, name and weight", () => {
    const { component, responses } = build("x", { 2: ["none"] }, 2.5);
    expect(scoreComponent(component, responses)).toMatchObject({
      componentId: "x",
      name: "Component x",
      weight: 2.5,
    });
  });
});

// ---------------------------------------------------------------- assessment score

describe("scoreAssessment", () => {
  /** Component scores: a = 2.0 (level 2, L3 0), b = 4.0 (level 4, L5 0). */
  function twoComponents(weightA: number, weightB: number) {
    const a = build("a", { 2: times(5, "in_place"), 3: times(5, "none") }, weightA);
    const b = build("b", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: times(5, "in_place"), 5: times(5, "none") }, weightB);
    return { framework: frameworkOf([a.component, b.component]), responses: { ...a.responses, ...b.responses } };
  }

  it("takes the weighted mean of component scores: (2×3 + 4×1) / 4 = 2.5", () => {
    const { framework, responses } = twoComponents(3, 1);
    const score = scoreAssessment(framework, responses);
    expect(score.components.map((c) => c.score)).toEqual([2, 4]);
    expect(score.dimensionScore).toBe(2.5);
    expect(score.level).toBe(2);
    expect(score.levelName).toBe("Two");
    expect(score.band).toBe("moderate");
  });

  it("weights the other way: (2×1 + 4×3) / 4 = 3.5", () => {
    const { framework, responses } = twoComponents(1, 3);
    const score = scoreAssessment(framework, responses);
    expect(score.dimensionScore).toBe(3.5);
    expect(score.level).toBe(3);
    expect(score.levelName).toBe("Three");
  });

  it("uses equal weights as a plain mean: (2 + 4) / 2 = 3.0", () => {
    const { framework, responses } = twoComponents(1, 1);
    expect(scoreAssessment(framework, responses).dimensionScore).toBe(3);
  });

  it("floors the dimension score to the level (3.9 → 3) and keeps the score unrounded", () => {
    // a = 4.2 (level 4, L5 1 of 5), b = 3.6 (level 3, L4 3 of 5): mean 3.9.
    const a = build("a", {
      2: times(5, "in_place"),
      3: times(5, "in_place"),
      4: times(5, "in_place"),
      5: ["in_place", "none", "none", "none", "none"],
    });
    const b = build("b", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: ["in_place", "in_place", "in_place", "none", "none"] });
    const score = scoreAssessment(frameworkOf([a.component, b.component]), { ...a.responses, ...b.responses });
    expect(score.components.map((c) => [c.level, c.score])).toEqual([
      [4, 4.2],
      [3, 3.6],
    ]);
    expect(score.dimensionScore).toBeCloseTo(3.9, 12);
    expect(score.level).toBe(3);
    expect(score.levelName).toBe("Three");
    expect(formatScore(score.dimensionScore)).toBe("3.9");
  });

  it("is strong at exactly 4.0", () => {
    const { framework, responses } = single({ ...ALL("in_place"), 5: times(5, "none") });
    const score = scoreAssessment(framework, responses);
    expect(score.dimensionScore).toBe(4);
    expect(score.level).toBe(4);
    expect(score.band).toBe("strong");
  });

  it("is moderate just below 4.0 (3.99)", () => {
    // a = 4.0 with weight 99, b = 3.0 with weight 1: (396 + 3) / 100 = 3.99.
    const a = build("a", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: times(5, "in_place"), 5: times(5, "none") }, 99);
    const b = build("b", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: times(5, "none") }, 1);
    const score = scoreAssessment(frameworkOf([a.component, b.component]), { ...a.responses, ...b.responses });
    expect(score.dimensionScore).toBeCloseTo(3.99, 12);
    expect(score.level).toBe(3);
    expect(score.band).toBe("moderate");
  });

  it("is moderate at exactly 2.5", () => {
    const { framework, responses } = single({ 2: times(5, "in_place"), 3: ["in_place", "none"] });
    const score = scoreAssessment(framework, responses);
    expect(score.dimensionScore).toBe(2.5);
    expect(score.band).toBe("moderate");
  });

  it("is weak at 2.49", () => {
    const { framework, responses } = single({
      2: times(5, "in_place"),
      3: [...times(49, "in_place" as const), ...times(51, "none" as const)],
    });
    const score = scoreAssessment(framework, responses);
    expect(score.dimensionScore).toBeCloseTo(2.49, 12);
    expect(score.level).toBe(2);
    expect(score.band).toBe("weak");
  });

  it("reads the band thresholds from the framework", () => {
    const fw = { bands: { strong: 4, weak: 2.5 } };
    expect(bandOf(fw, 5)).toBe("strong");
    expect(bandOf(fw, 4)).toBe("strong");
    expect(bandOf(fw, 3.99)).toBe("moderate");
    expect(bandOf(fw, 2.5)).toBe("moderate");
    expect(bandOf(fw, 2.49)).toBe("weak");
    expect(bandOf(fw, 1)).toBe("weak");
    expect(bandOf({ bands: { strong: 3, weak: 2 } }, 3)).toBe("strong");
    expect(bandOf({ bands: { strong: 3, weak: 2 } }, 1.99)).toBe("weak");
  });

  it("scores 5.0 at level 5 and 1.0 at level 1", () => {
    const top = single(ALL("in_place"));
    expect(scoreAssessment(top.framework, top.responses)).toMatchObject({
      dimensionScore: 5,
      level: 5,
      levelName: "Five",
      band: "strong",
    });
    const bottom = single(ALL("none"));
    expect(scoreAssessment(bottom.framework, bottom.responses)).toMatchObject({
      dimensionScore: 1,
      level: 1,
      levelName: "One",
      band: "weak",
    });
  });
});

describe("formatScore", () => {
  it("shows one decimal", () => {
    expect(formatScore(2.96)).toBe("3.0");
    expect(formatScore(2.94)).toBe("2.9");
    expect(formatScore(1)).toBe("1.0");
    expect(formatScore(5)).toBe("5.0");
    expect(formatScore(3.5)).toBe("3.5");
    expect(formatScore(1.6)).toBe("1.6");
    expect(formatScore(2 + 2 / 3)).toBe("2.7");
    expect(formatScore(3.04)).toBe("3.0");
  });

  it("rounds halves up, including halves that binary floating point stores just below", () => {
    expect(formatScore(2.25)).toBe("2.3");
    expect(formatScore(2.95)).toBe("3.0");
    expect(formatScore(1.45)).toBe("1.5");
    expect(formatScore(1.05)).toBe("1.1");
  });

  it("is display only: 3.96 shows as 4.0 but is still moderate", () => {
    expect(formatScore(3.96)).toBe("4.0");
    expect(bandOf({ bands: { strong: 4, weak: 2.5 } }, 3.96)).toBe("moderate");
  });
});

// ---------------------------------------------------------------- question flags

describe("questionFlags", () => {
  const a = build("a", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: times(5, "none") }); // level 3
  const b = build("b", { 2: times(5, "none") }); // level 1
  const framework = frameworkOf(
    [a.component, b.component],
    [
      { id: "qa", componentId: "a" },
      { id: "qb", componentId: "b" },
      { id: "qa2", componentId: "a" },
    ],
  );
  const score = scoreAssessment(framework, { ...a.responses, ...b.responses });

  it("flags answers two or more levels from the component level, not one", () => {
    const flags = questionFlags(framework, score, [
      { questionId: "qa", level: 5 }, // 5 vs 3: differs by 2
      { questionId: "qb", level: 2 }, // 2 vs 1: differs by 1
      { questionId: "qa2", level: 1 }, // 1 vs 3: differs by 2
    ]);
    expect(flags).toEqual([
      { questionId: "qa", componentId: "a", answerLevel: 5, componentLevel: 3, differs: true },
      { questionId: "qb", componentId: "b", answerLevel: 2, componentLevel: 1, differs: false },
      { questionId: "qa2", componentId: "a", answerLevel: 1, componentLevel: 3, differs: true },
    ]);
  });

  it("does not flag equal answers, answers one level away, or missing answers", () => {
    const flags = questionFlags(framework, score, [
      { questionId: "qa", level: 4 },
      { questionId: "qb", level: null },
      { questionId: "unknown", level: 5 },
    ]);
    expect(flags.map((f) => [f.questionId, f.answerLevel, f.differs])).toEqual([
      ["qa", 4, false],
      ["qb", null, false],
      ["qa2", null, false],
    ]);
    expect(questionFlags(framework, score, [{ questionId: "qa", level: 3 }])[0]?.differs).toBe(false);
    expect(questionFlags(framework, score, [{ questionId: "qa", level: 2 }])[0]?.differs).toBe(false);
    expect(questionFlags(framework, score, [{ questionId: "qb", level: 3 }])[1]?.differs).toBe(true);
  });
});

// ---------------------------------------------------------------- gaps and strengths

describe("weakestStatements", () => {
  // a: level 2 achieved (L2 4/5), gaps at L3: none, partial, N/A, in_place; L4 none.
  const a = build("a", {
    2: ["in_place", "in_place", "in_place", "in_place", "none"],
    3: ["partial", "none", "not_applicable", "in_place"],
    4: ["none"],
  });
  // b: level 1 (L2 0.5): gaps at L2 and above.
  const b = build("b", { 2: ["partial", "none", "in_place", undefined], 3: ["none"] });
  const framework = frameworkOf([a.component, b.component]);
  const responses = { ...a.responses, ...b.responses };

  it("lists applicable, not fully in place statements above the achieved level by level, credit, id", () => {
    expect(weakestStatements(framework, responses, 100).map((g) => [g.statementId, g.level, g.credit])).toEqual([
      ["b.l2.2", 2, 0],
      ["b.l2.4", 2, 0], // unanswered = none
      ["b.l2.1", 2, 0.5],
      ["a.l3.2", 3, 0],
      ["b.l3.1", 3, 0],
      ["a.l3.1", 3, 0.5],
      ["a.l4.1", 4, 0],
    ]);
  });

  it("skips statements of achieved levels (a.l2.5 is none but level 2 is achieved)", () => {
    const ids = weakestStatements(framework, responses, 100).map((g) => g.statementId);
    expect(ids).not.toContain("a.l2.5");
    expect(ids).not.toContain("a.l3.3"); // not applicable
    expect(ids).not.toContain("a.l3.4"); // in place
  });

  it("defaults to five and respects the limit", () => {
    expect(weakestStatements(framework, responses)).toHaveLength(5);
    expect(weakestStatements(framework, responses, 2).map((g) => g.statementId)).toEqual(["b.l2.2", "b.l2.4"]);
    expect(weakestStatements(framework, responses, 0)).toEqual([]);
  });

  it("carries the component, text and credit", () => {
    expect(weakestStatements(framework, responses, 1)[0]).toEqual({
      componentId: "b",
      statementId: "b.l2.2",
      level: 2,
      text: "b level 2 statement 2",
      credit: 0,
    });
  });

  it("is empty when everything is in place", () => {
    const top = single(ALL("in_place"));
    expect(weakestStatements(top.framework, top.responses)).toEqual([]);
  });
});

describe("rankComponents", () => {
  const a = build("a", { 2: times(5, "none") }); // 1.0
  const b = build("b", { 2: times(5, "in_place"), 3: ["in_place", "none"] }); // 2.5
  const c = build("c", { 2: times(5, "none") }); // 1.0
  const d = build("d", { ...ALL("in_place") }); // 5.0
  const framework = frameworkOf([a.component, b.component, c.component, d.component]);
  const score = scoreAssessment(framework, { ...a.responses, ...b.responses, ...c.responses, ...d.responses });

  it("sorts by score descending, ties in framework order, without mutating the score", () => {
    expect(rankComponents(score).map((s) => [s.componentId, s.score])).toEqual([
      ["d", 5],
      ["b", 2.5],
      ["a", 1],
      ["c", 1],
    ]);
    expect(score.components.map((s) => s.componentId)).toEqual(["a", "b", "c", "d"]);
  });
});

// ---------------------------------------------------------------- the real framework

describe("with the technology-operations framework", () => {
  const framework = getFramework("1");
  const statementIds = framework.components.flatMap((c) => c.capabilities.map((s) => s.id));
  const all = (status: StatementStatus) =>
    Object.fromEntries(statementIds.map((id) => [id, { status }])) as Record<string, StatementResponse>;

  it("scores all in place as 5.0 Optimizing, strong", () => {
    const score = scoreAssessment(framework, all("in_place"));
    expect(score.components).toHaveLength(5);
    expect(score.components.every((c) => c.score === 5 && c.level === 5)).toBe(true);
    expect(score.dimensionScore).toBe(5);
    expect(formatScore(score.dimensionScore)).toBe("5.0");
    expect(score.level).toBe(5);
    expect(score.levelName).toBe("Optimizing");
    expect(score.band).toBe("strong");
    expect(weakestStatements(framework, all("in_place"))).toEqual([]);
  });

  it("scores all none as 1.0 Initial, weak", () => {
    const score = scoreAssessment(framework, all("none"));
    expect(score.dimensionScore).toBe(1);
    expect(formatScore(score.dimensionScore)).toBe("1.0");
    expect(score.level).toBe(1);
    expect(score.levelName).toBe("Initial");
    expect(score.band).toBe("weak");
  });

  it("scores no responses at all like all none", () => {
    expect(scoreAssessment(framework, {})).toMatchObject({ dimensionScore: 1, level: 1, band: "weak" });
  });

  it("scores all not applicable as 5.0 (every level vacuously covered)", () => {
    expect(scoreAssessment(framework, all("not_applicable")).dimensionScore).toBe(5);
  });

  it("hand-worked mixed case: mlops L2 full, L3 4 of 6 → 2.667; others 1.0 → dimension 1.333", () => {
    const responses: Record<string, StatementResponse> = {};
    for (const id of ["mlops.l2.1", "mlops.l2.2", "mlops.l2.3", "mlops.l2.4", "mlops.l2.5"]) {
      responses[id] = { status: "in_place" };
    }
    for (const id of ["mlops.l3.1", "mlops.l3.2", "mlops.l3.3", "mlops.l3.4"]) responses[id] = { status: "in_place" };
    const score = scoreAssessment(framework, responses);
    const mlops = score.components.find((c) => c.componentId === "mlops");
    expect(mlops?.level).toBe(2);
    expect(mlops?.score).toBeCloseTo(2 + 4 / 6, 12);
    expect(score.dimensionScore).toBeCloseTo((2 + 4 / 6 + 4) / 5, 12);
    expect(formatScore(score.dimensionScore)).toBe("1.3");
    expect(score.level).toBe(1);
    expect(score.band).toBe("weak");
    // mlops' gaps start at level 3; every other component still has level 2 gaps, so those come first.
    const gaps = weakestStatements(framework, responses, 100);
    expect(gaps.filter((g) => g.componentId === "mlops").map((g) => g.statementId)).toEqual([
      "mlops.l3.5",
      "mlops.l3.6",
      ...framework.components
        .find((c) => c.id === "mlops")!
        .capabilities.filter((s) => s.level >= 4)
        .map((s) => s.id)
        .sort(),
    ]);
    expect(gaps[0]?.level).toBe(2);
  });

  it("flags question answers against the real questions", () => {
    const score = scoreAssessment(framework, all("none"));
    const flags = questionFlags(
      framework,
      score,
      framework.questions.map((q, i) => ({ questionId: q.id, level: i === 0 ? 3 : 2 })),
    );
    expect(flags).toHaveLength(framework.questions.length);
    expect(flags[0]).toMatchObject({ answerLevel: 3, componentLevel: 1, differs: true });
    expect(flags.slice(1).every((f) => f.answerLevel === 2 && !f.differs)).toBe(true);
    for (const flag of flags) {
      expect(framework.questions.find((q) => q.id === flag.questionId)?.componentId).toBe(flag.componentId);
    }
  });

  it("gives the level 2 statements as the first gaps when nothing is in place", () => {
    const gaps = weakestStatements(framework, all("none"));
    expect(gaps).toHaveLength(5);
    expect(gaps.every((g) => g.level === 2 && g.credit === 0)).toBe(true);
    const expected = statementIds
      .filter((id) => framework.components.some((c) => c.capabilities.some((s) => s.id === id && s.level === 2)))
      .sort()
      .slice(0, 5);
    expect(gaps.map((g) => g.statementId)).toEqual(expected);
  });
});

// ---------------------------------------------------------------- bands, answered counts, strengths and gaps

describe("band names", () => {
  it("are strong, moderate and weak: the middle band shares no word with a level name", () => {
    const real = getFramework();
    const fw = { bands: { strong: 4, weak: 2.5 } };
    expect([5, 4, 3.99, 3.1, 2.5, 2.49, 1].map((score) => bandOf(fw, score))).toEqual([
      "strong",
      "strong",
      "moderate",
      "moderate",
      "moderate",
      "weak",
      "weak",
    ]);
    const levelWords = real.levels.flatMap((l) => l.name.toLowerCase().split(/\W+/));
    for (const band of ["strong", "moderate", "weak"]) expect(levelWords).not.toContain(band);
  });
});

describe("answeredCounts", () => {
  it("counts statements with any response (not applicable included) per component, of all its statements", () => {
    const a = build("a", { 2: ["in_place", undefined, "none"], 3: ["not_applicable", undefined] });
    const b = build("b", { 2: [undefined, undefined] });
    const framework = frameworkOf([a.component, b.component]);
    expect(answeredCounts(framework, { ...a.responses, ...b.responses })).toEqual([
      { componentId: "a", name: "Component a", answered: 3, total: 5 },
      { componentId: "b", name: "Component b", answered: 0, total: 2 },
    ]);
  });
});

describe("strengthsAndGaps", () => {
  it("an empty assessment lists no strengths and no gaps", () => {
    const framework = getFramework();
    const score = scoreAssessment(framework, {});
    expect(strengthsAndGaps(framework, score, {})).toEqual({ strengths: [], gaps: [] });
  });

  it("come only from answered components: an unanswered component is neither a strength nor a source of gaps", () => {
    const strong = build("strong", { 2: times(5, "in_place"), 3: times(5, "in_place"), 4: times(5, "partial") });
    const weak = build("weak", { 2: ["in_place", "none", "none", "none", "none"] });
    const blank = build("blank", { 2: times(5, undefined), 3: times(5, undefined) });
    const framework = frameworkOf([strong.component, weak.component, blank.component]);
    const responses = { ...strong.responses, ...weak.responses, ...blank.responses };
    const score = scoreAssessment(framework, responses);
    const { strengths, gaps } = strengthsAndGaps(framework, score, responses);
    // `blank` is not answered at all: it gives no strength and none of its ten statements is a gap.
    expect(strengths.map((c) => c.componentId)).toEqual(["strong", "weak"]);
    expect(gaps.length).toBeGreaterThan(0);
    expect(new Set(gaps.map((g) => g.componentId))).toEqual(new Set(["strong", "weak"]));
  });

  it("a component answered only at the floor (score 1.0) is no strength", () => {
    const none = build("none", { 2: times(5, "none") });
    const framework = frameworkOf([none.component]);
    const score = scoreAssessment(framework, none.responses);
    const { strengths, gaps } = strengthsAndGaps(framework, score, none.responses);
    expect(strengths).toEqual([]);
    expect(gaps.map((g) => g.statementId)).toEqual(["none.l2.1", "none.l2.2", "none.l2.3", "none.l2.4", "none.l2.5"]);
  });
});

describe("scoreChange", () => {
  it("is the difference of the scores as shown, so a board never reads −0.0 or a change the figures do not add up to", () => {
    expect(scoreChange(3.06, 3.0667)).toEqual({ text: "±0.0", direction: "none", amount: "0.0" });
    // 2.4433 shows as 2.4 and 3.0667 as 3.1: the change shown is −0.7, not the unrounded −0.6.
    expect(scoreChange(2.4433, 3.0667)).toEqual({ text: "−0.7", direction: "down", amount: "0.7" });
    expect(scoreChange(3.25, 3.04)).toEqual({ text: "+0.3", direction: "up", amount: "0.3" });
  });
});
