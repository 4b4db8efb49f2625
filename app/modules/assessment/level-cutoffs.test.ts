import { describe, expect, it } from "vitest";
import rawV1 from "../../../content/technology-operations/v1.json";
import rawV2 from "../../../content/technology-operations/v2.json";
import { getFramework } from "../framework/framework";
import { dimensionLevelOf, scoreAssessment, STATEMENT_STATUSES, type StatementResponse, type StatementStatus } from "./scoring";

const v1 = getFramework("1");
const v2 = getFramework("2");

describe("dimension level cut-offs", () => {
  it("records 2, 3, 4, 5 for version 1 and the guide's 2.0, 3.0, 3.5, 4.5 for version 2", () => {
    expect(v1.levelCutoffs.cutoffs.map((c) => [c.level, c.minScore])).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(v2.levelCutoffs.cutoffs.map((c) => [c.level, c.minScore])).toEqual([
      [2, 2],
      [3, 3],
      [4, 3.5],
      [5, 4.5],
    ]);
    expect(v2.levelCutoffs.source).toMatch(/guide/);
  });

  const boundaries: Array<[number, number, number]> = [
    // score, version 1 level, version 2 level
    [1, 1, 1],
    [1.999, 1, 1],
    [2.0, 2, 2],
    [2.999, 2, 2],
    [3.0, 3, 3],
    [3.49, 3, 3],
    [3.5, 3, 4],
    [3.7, 3, 4],
    [3.999, 3, 4],
    [4.0, 4, 4],
    [4.49, 4, 4],
    [4.5, 4, 5],
    [4.999, 4, 5],
    [5.0, 5, 5],
  ];
  it.each(boundaries)("puts %s at level %s on version 1 and level %s on version 2", (score, level1, level2) => {
    expect(dimensionLevelOf(v1, score)).toBe(level1);
    expect(dimensionLevelOf(v2, score)).toBe(level2);
  });

  it("reads version 1's cut-offs as the whole part of the score, as before they were content", () => {
    for (let hundredths = 100; hundredths <= 500; hundredths++) {
      const score = hundredths / 100;
      expect(dimensionLevelOf(v1, score)).toBe(Math.min(5, Math.floor(score + 1e-9)));
    }
  });

  it("counts a score a floating-point rounding error below a cut-off as reaching it", () => {
    expect(dimensionLevelOf(v2, 3.5 - 1e-12)).toBe(4);
    expect(dimensionLevelOf(v1, 4 - 1e-12)).toBe(4);
  });

  it("leaves version 2's content as version 1's except the cut-offs, the level 5 priorities, the 'at least' targets and the evidence rules", () => {
    const strip = (raw: typeof rawV1 | typeof rawV2) => {
      // Version 2's evidence rules and policy are its own (issue 15 §4): evidence.test.ts checks them.
      const {
        version: _v,
        levelCutoffs: _c,
        levels,
        roadmaps,
        evidenceRules: _e,
        evidencePolicy: _p,
        ...rest
      } = raw as typeof rawV1 & {
        evidencePolicy?: unknown;
      };
      return {
        ...rest,
        levels: levels.map((l) => ({ ...l, improvementPriorities: l.level === 5 ? [] : l.improvementPriorities })),
        roadmaps: roadmaps.map((r) => ({ ...r, successCriteria: r.successCriteria.map((c) => c.id) })),
      };
    };
    expect(strip(rawV2)).toEqual(strip(rawV1));
    expect(v2.levels.find((l) => l.level === 5)!.improvementPriorities).toEqual([]);
  });
});

// ---------------------------------------------------------------- an independent scorer

/**
 * Exact fractions, so the scorer below needs no floating-point tolerance at thresholds:
 * it is written from issue #15's rules and the scoring page, not from scoring.ts.
 */
type Fraction = { n: number; d: number };
const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
const frac = (n: number, d = 1): Fraction => {
  const g = gcd(n, d) || 1;
  return { n: n / g, d: d / g };
};
const add = (a: Fraction, b: Fraction) => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const mul = (a: Fraction, b: Fraction) => frac(a.n * b.n, a.d * b.d);
const div = (a: Fraction, b: Fraction) => frac(a.n * b.d, a.d * b.n);
const atLeast = (a: Fraction, b: Fraction) => a.n * b.d >= b.n * a.d;
/** Decimal cut-offs from content, as fractions (they have at most three decimals). */
const fromDecimal = (x: number) => frac(Math.round(x * 1000), 1000);
const toNumber = (a: Fraction) => a.n / a.d;

type Content = typeof rawV1;

function independentScore(content: Content, statuses: Record<string, StatementStatus | undefined>) {
  const components = content.components.map((component) => {
    const coverage = new Map<number, Fraction>();
    for (const level of [2, 3, 4, 5]) {
      let halves = 0;
      let applicable = 0;
      for (const s of component.capabilities.filter((c) => c.level === level)) {
        const status = statuses[s.id];
        if (status === "not_applicable") continue;
        applicable += 1;
        halves += status === "in_place" ? 2 : status === "partial" ? 1 : 0;
      }
      coverage.set(level, applicable === 0 ? frac(1) : frac(halves, 2 * applicable));
    }
    let level = 1;
    while (level < 5 && atLeast(coverage.get(level + 1)!, frac(4, 5))) level += 1;
    const score = level === 5 ? frac(5) : add(frac(level), coverage.get(level + 1)!);
    return { componentId: component.id, level, score, weight: component.weight ?? 1 };
  });
  let weighted = frac(0);
  let weights = frac(0);
  for (const c of components) {
    weighted = add(weighted, mul(fromDecimal(c.weight), c.score));
    weights = add(weights, fromDecimal(c.weight));
  }
  const dimension = div(weighted, weights);
  let dimensionLevel = 1;
  for (const cutoff of content.levelCutoffs.cutoffs) {
    if (atLeast(dimension, fromDecimal(cutoff.minScore))) dimensionLevel = Math.max(dimensionLevel, cutoff.level);
  }
  return { components, dimension, dimensionLevel };
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHOICES: Array<StatementStatus | undefined> = [...STATEMENT_STATUSES, undefined];

/**
 * Response sets that reach every level: each component gets a "reach" level up to which
 * statements are mostly in place, then a mix, so scores cluster near the cut-offs.
 */
function responseSets(content: Content, count: number, seed: number) {
  const next = random(seed);
  const everyStatement = content.components.flatMap((c) => c.capabilities.map((s) => s.id));
  // Everything in place: the only way to level 5 on version 1.
  const sets: Array<Record<string, StatementStatus | undefined>> = [Object.fromEntries(everyStatement.map((id) => [id, "in_place"]))];
  for (let i = 1; i < count; i++) {
    const set: Record<string, StatementStatus | undefined> = {};
    const base = 1 + Math.floor(next() * 5);
    for (const component of content.components) {
      const jitter = next();
      const reach = Math.min(5, Math.max(1, base + (jitter < 0.2 ? -1 : jitter > 0.8 ? 1 : 0)));
      for (const s of component.capabilities) {
        const roll = next();
        if (s.level <= reach) set[s.id] = roll < 0.75 ? "in_place" : roll < 0.85 ? "partial" : roll < 0.92 ? "not_applicable" : "none";
        else set[s.id] = CHOICES[Math.floor(roll * CHOICES.length)];
      }
    }
    sets.push(set);
  }
  return sets;
}

describe.each([
  ["1", rawV1 as Content],
  ["2", rawV2 as Content],
])("held-out assessments on version %s, scored independently", (version, content) => {
  const framework = getFramework(version);
  const sets = responseSets(content, 3000, Number(version) * 7919);

  it("agree exactly on component score and level, dimension score and dimension level", () => {
    const levelsSeen = new Set<number>();
    for (const statuses of sets) {
      const responses: Record<string, StatementResponse> = {};
      for (const [id, status] of Object.entries(statuses)) if (status) responses[id] = { status };
      const ours = scoreAssessment(framework, responses);
      const theirs = independentScore(content, statuses);
      expect(ours.components.map((c) => [c.componentId, c.level])).toEqual(theirs.components.map((c) => [c.componentId, c.level]));
      ours.components.forEach((c, i) => expect(c.score).toBeCloseTo(toNumber(theirs.components[i]!.score), 12));
      expect(ours.dimensionScore).toBeCloseTo(toNumber(theirs.dimension), 12);
      expect(ours.level).toBe(theirs.dimensionLevel);
      // Version 1 keeps the rule it was finalised under: the whole part of the score.
      if (version === "1") expect(ours.level).toBe(Math.floor(toNumber(theirs.dimension)));
      levelsSeen.add(ours.level);
    }
    // The sets reach every dimension level, so every cut-off was exercised.
    expect([...levelsSeen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("includes scores exactly on a cut-off", () => {
    const onCutoff = sets.filter((statuses) => {
      const d = independentScore(content, statuses).dimension;
      return content.levelCutoffs.cutoffs.some((c) => d.n * 1000 === Math.round(c.minScore * 1000) * d.d);
    });
    expect(onCutoff.length).toBeGreaterThan(0);
  });
});
