import { describe, expect, it } from "vitest";
import { getFramework } from "../framework/framework";
import type { EvidenceRule, Framework } from "../framework/framework-schema";
import type { RegistryMetrics } from "../registry/metrics.server";
import { evidenceFlags, evidenceLevel, ruleHolds, type EvidenceMetrics } from "./evidence";
import type { AssessmentScore, ComponentScore } from "./scoring";

const framework = getFramework("1");

// The registry's metrics object can be passed straight in (compile-time check).
const _registryMetricsAreEvidence = (m: RegistryMetrics): EvidenceMetrics => m;
void _registryMetricsAreEvidence;

const rule = (over: Partial<EvidenceRule>): EvidenceRule => ({
  componentId: "x",
  level: 2,
  metric: "productionModels",
  comparison: ">=",
  value: 1,
  rationale: "synthetic",
  ...over,
});

const frameworkWithRules = (evidenceRules: EvidenceRule[]) => ({ evidenceRules }) as Pick<Framework, "evidenceRules">;

const ops = (metrics: EvidenceMetrics) => evidenceLevel(framework, "production-operations", metrics).level;

/** Satisfies every rule in the real framework. */
const ALL_TRUE: EvidenceMetrics = {
  productionModels: 100,
  incidentRate: 0,
  medianLeadTimeHours: 1,
  deploymentsPerMonth: 100,
  apiRegistrationShare: 1,
  approvalGatedShare: 1,
  lineageCompleteShare: 1,
};

describe("ruleHolds", () => {
  it("compares with each comparison, at the boundary", () => {
    const m = { productionModels: 5 };
    expect(ruleHolds(rule({ comparison: ">=", value: 5 }), m)).toBe(true);
    expect(ruleHolds(rule({ comparison: ">=", value: 6 }), m)).toBe(false);
    expect(ruleHolds(rule({ comparison: ">", value: 5 }), m)).toBe(false);
    expect(ruleHolds(rule({ comparison: ">", value: 4 }), m)).toBe(true);
    expect(ruleHolds(rule({ comparison: "<=", value: 5 }), m)).toBe(true);
    expect(ruleHolds(rule({ comparison: "<=", value: 4 }), m)).toBe(false);
    expect(ruleHolds(rule({ comparison: "<", value: 5 }), m)).toBe(false);
    expect(ruleHolds(rule({ comparison: "<", value: 6 }), m)).toBe(true);
  });

  it("fails when the metric is null, missing or NaN", () => {
    const lessThan = rule({ metric: "incidentRate", comparison: "<", value: 0.05 });
    expect(ruleHolds(lessThan, { incidentRate: null })).toBe(false);
    expect(ruleHolds(lessThan, {})).toBe(false);
    expect(ruleHolds(lessThan, { incidentRate: Number.NaN })).toBe(false);
    expect(ruleHolds(lessThan, { incidentRate: 0 })).toBe(true);
  });

  it("treats 0 as a real figure, not as missing", () => {
    expect(ruleHolds(rule({ comparison: ">=", value: 1 }), { productionModels: 0 })).toBe(false);
    expect(ruleHolds(rule({ comparison: "<=", value: 0 }), { productionModels: 0 })).toBe(true);
  });
});

describe("evidenceLevel with the real production-operations rules", () => {
  it("12 production models with incident rate 0.03 → level 3", () => {
    expect(ops({ productionModels: 12, incidentRate: 0.03 })).toBe(3);
  });

  it("0 production models → level 1", () => {
    expect(ops({ productionModels: 0, incidentRate: null })).toBe(1);
    expect(ops({ productionModels: 0, incidentRate: 0 })).toBe(1);
  });

  it("null or missing metrics → level 1", () => {
    expect(ops({ productionModels: null, incidentRate: null })).toBe(1);
    expect(ops({})).toBe(1);
  });

  it("a null incident rate stops at level 2 however many models run", () => {
    expect(ops({ productionModels: 50, incidentRate: null })).toBe(2);
  });

  it("walks each boundary", () => {
    expect(ops({ productionModels: 1, incidentRate: 0 })).toBe(2);
    expect(ops({ productionModels: 4, incidentRate: 0 })).toBe(2);
    expect(ops({ productionModels: 5, incidentRate: 0.049 })).toBe(3);
    expect(ops({ productionModels: 5, incidentRate: 0.05 })).toBe(2); // "<" is strict
    expect(ops({ productionModels: 10, incidentRate: 0.0099 })).toBe(4);
    expect(ops({ productionModels: 10, incidentRate: 0.01 })).toBe(3);
    expect(ops({ productionModels: 12, incidentRate: 0.005 })).toBe(4); // L5 needs 20 models
    expect(ops({ productionModels: 20, incidentRate: 0.005 })).toBe(4); // and < 0.5%
    expect(ops({ productionModels: 20, incidentRate: 0.0049 })).toBe(5);
  });

  it("a failing lower level blocks higher levels that would hold on their own", () => {
    // 25 models with a 3% incident rate: L4/L5 model counts hold but L4's incident rate fails.
    expect(ops({ productionModels: 25, incidentRate: 0.03 })).toBe(3);
    // 25 models with a 6% incident rate: L3 fails, so nothing above level 2 counts.
    expect(ops({ productionModels: 25, incidentRate: 0.06 })).toBe(2);
  });

  it("returns the component's rules by level with actual values and results", () => {
    const { level, rules } = evidenceLevel(framework, "production-operations", { productionModels: 12, incidentRate: 0.03 });
    expect(level).toBe(3);
    expect(rules.map((r) => [r.level, r.metric, r.comparison, r.value, r.actual, r.holds])).toEqual([
      [2, "productionModels", ">=", 1, 12, true],
      [3, "productionModels", ">=", 5, 12, true],
      [3, "incidentRate", "<", 0.05, 0.03, true],
      [4, "productionModels", ">=", 10, 12, true],
      [4, "incidentRate", "<", 0.01, 0.03, false],
      [5, "productionModels", ">=", 20, 12, false],
      [5, "incidentRate", "<", 0.005, 0.03, false],
    ]);
    expect(rules.every((r) => r.componentId === "production-operations" && r.rationale.length > 0)).toBe(true);
  });

  it("reports null actuals for missing metrics", () => {
    const { rules } = evidenceLevel(framework, "production-operations", { productionModels: 3 });
    expect(rules.filter((r) => r.metric === "incidentRate").map((r) => [r.actual, r.holds])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
  });
});

describe("evidenceLevel with other real components", () => {
  it("has no evidence (null) for components without rules", () => {
    for (const id of ["technical-capability", "standards"]) {
      expect(evidenceLevel(framework, id, ALL_TRUE)).toEqual({ level: null, rules: [] });
    }
    expect(evidenceLevel(framework, "no-such-component", ALL_TRUE).level).toBeNull();
  });

  it("mlops: lead time and deployment frequency", () => {
    const mlops = (m: EvidenceMetrics) => evidenceLevel(framework, "mlops", m).level;
    expect(mlops({ medianLeadTimeHours: 400, deploymentsPerMonth: 50 })).toBe(1);
    expect(mlops({ medianLeadTimeHours: 336, deploymentsPerMonth: 1 })).toBe(2);
    expect(mlops({ medianLeadTimeHours: 24, deploymentsPerMonth: 2 })).toBe(3);
    expect(mlops({ medianLeadTimeHours: 24, deploymentsPerMonth: 19.9 })).toBe(4);
    expect(mlops({ medianLeadTimeHours: 24.5, deploymentsPerMonth: 50 })).toBe(2);
    expect(mlops({ medianLeadTimeHours: null, deploymentsPerMonth: 50 })).toBe(1);
  });

  it("lifecycle: no level 2 rules, so level 2 never blocks", () => {
    const lifecycle = (m: EvidenceMetrics) => evidenceLevel(framework, "lifecycle", m).level;
    expect(lifecycle({})).toBe(2);
    expect(lifecycle({ apiRegistrationShare: 0.8, approvalGatedShare: 0.8, lineageCompleteShare: 0.49 })).toBe(2);
    expect(lifecycle({ apiRegistrationShare: 0.8, approvalGatedShare: 0.8, lineageCompleteShare: 0.5 })).toBe(3);
    expect(lifecycle({ apiRegistrationShare: 0.95, approvalGatedShare: 0.95, lineageCompleteShare: 0.94 })).toBe(3);
    // No level 5 rules: once level 4 holds, level 5 is reached.
    expect(lifecycle({ apiRegistrationShare: 0.95, approvalGatedShare: 0.95, lineageCompleteShare: 0.95 })).toBe(5);
  });

  it("an all-true metrics object reaches level 5 for every component with rules", () => {
    const levels = Object.fromEntries(framework.components.map((c) => [c.id, evidenceLevel(framework, c.id, ALL_TRUE).level]));
    expect(levels).toEqual({
      "technical-capability": null,
      mlops: 5,
      lifecycle: 5,
      "production-operations": 5,
      standards: null,
    });
    expect(framework.evidenceRules.every((r) => ruleHolds(r, ALL_TRUE))).toBe(true);
  });
});

describe("evidenceLevel with synthetic rules", () => {
  const fw = frameworkWithRules([
    rule({ level: 2, metric: "productionModels", comparison: ">=", value: 1 }),
    rule({ level: 4, metric: "deploymentsPerMonth", comparison: ">=", value: 10 }),
    rule({ componentId: "y", level: 5, metric: "productionModels", comparison: ">=", value: 100 }),
  ]);

  it("does not let a level without rules between levels with rules block", () => {
    expect(evidenceLevel(fw, "x", { productionModels: 1, deploymentsPerMonth: 10 }).level).toBe(5);
    expect(evidenceLevel(fw, "x", { productionModels: 1, deploymentsPerMonth: 9 }).level).toBe(3);
    expect(evidenceLevel(fw, "x", { productionModels: 0, deploymentsPerMonth: 10 }).level).toBe(1);
  });

  it("only a level 5 rule: levels 2-4 hold vacuously", () => {
    expect(evidenceLevel(fw, "y", {}).level).toBe(4);
    expect(evidenceLevel(fw, "y", { productionModels: 100 }).level).toBe(5);
  });

  it("ignores other components' rules", () => {
    expect(evidenceLevel(fw, "x", { productionModels: 1, deploymentsPerMonth: 10 }).rules).toHaveLength(2);
    expect(evidenceLevel(fw, "z", ALL_TRUE)).toEqual({ level: null, rules: [] });
  });
});

// ---------------------------------------------------------------- flags

function scoreWithLevels(levels: Record<string, 1 | 2 | 3 | 4 | 5>): AssessmentScore {
  const components: ComponentScore[] = Object.entries(levels).map(([componentId, level]) => ({
    componentId,
    name: componentId,
    weight: 1,
    coverage: { 2: 0, 3: 0, 4: 0, 5: 0 },
    level,
    score: level,
  }));
  return { components, dimensionScore: 1, level: 1, levelName: "Initial", band: "weak" };
}

describe("evidenceFlags", () => {
  const metrics: EvidenceMetrics = { productionModels: 12, incidentRate: 0.03 }; // production-operations evidence level 3

  it("flags a component only when its achieved level exceeds the evidence level", () => {
    const flag = (level: 1 | 2 | 3 | 4 | 5) => evidenceFlags(framework, scoreWithLevels({ "production-operations": level }), metrics)[0];
    expect(flag(4)).toEqual({
      componentId: "production-operations",
      achievedLevel: 4,
      evidenceLevel: 3,
      unsupported: true,
    });
    expect(flag(5)?.unsupported).toBe(true);
    expect(flag(3)?.unsupported).toBe(false); // equal
    expect(flag(2)?.unsupported).toBe(false); // evidence exceeds the assessment
    expect(flag(1)?.unsupported).toBe(false);
  });

  it("never flags components without registry evidence", () => {
    const flags = evidenceFlags(framework, scoreWithLevels({ "technical-capability": 5, standards: 5 }), {});
    expect(flags).toEqual([
      { componentId: "technical-capability", achievedLevel: 5, evidenceLevel: null, unsupported: false },
      { componentId: "standards", achievedLevel: 5, evidenceLevel: null, unsupported: false },
    ]);
  });

  it("lists every component of the score, in score order", () => {
    const score = scoreWithLevels({
      "technical-capability": 3,
      mlops: 3,
      lifecycle: 3,
      "production-operations": 3,
      standards: 3,
    });
    const flags = evidenceFlags(framework, score, { ...metrics, medianLeadTimeHours: 100 }); // mlops 2, lifecycle 2
    expect(flags.map((f) => [f.componentId, f.evidenceLevel, f.unsupported])).toEqual([
      ["technical-capability", null, false],
      ["mlops", 2, true],
      ["lifecycle", 2, true],
      ["production-operations", 3, false],
      ["standards", null, false],
    ]);
  });

  it("flags nothing when all metrics hold", () => {
    const score = scoreWithLevels({ mlops: 5, lifecycle: 5, "production-operations": 5 });
    expect(evidenceFlags(framework, score, ALL_TRUE).some((f) => f.unsupported)).toBe(false);
  });
});
