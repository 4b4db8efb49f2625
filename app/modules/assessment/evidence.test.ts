import { describe, expect, it } from "vitest";
import { getFramework } from "../framework/framework";
import { EvidenceRuleSchema, SuccessCheckSchema, type EvidenceRule, type Framework } from "../framework/framework-schema";
import type { RegistryMetrics } from "../registry/metrics.server";
import { evidenceFlags, evidenceLevel, needsJustification, ruleHolds, type EvidenceMetrics } from "./evidence";
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
      expect(evidenceLevel(framework, id, ALL_TRUE)).toEqual({ level: null, noEvidence: false, rules: [] });
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
    expect(evidenceLevel(fw, "z", ALL_TRUE)).toEqual({ level: null, noEvidence: false, rules: [] });
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
      unevidenced: false,
    });
    expect(flag(5)?.unsupported).toBe(true);
    expect(flag(3)?.unsupported).toBe(false); // equal
    expect(flag(2)?.unsupported).toBe(false); // evidence exceeds the assessment
    expect(flag(1)?.unsupported).toBe(false);
  });

  it("never flags components without registry evidence", () => {
    const flags = evidenceFlags(framework, scoreWithLevels({ "technical-capability": 5, standards: 5 }), {});
    expect(flags).toEqual([
      { componentId: "technical-capability", achievedLevel: 5, evidenceLevel: null, unsupported: false, unevidenced: false },
      { componentId: "standards", achievedLevel: 5, evidenceLevel: null, unsupported: false, unevidenced: false },
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

// ---------------------------------------------------------------- version 2: three states

describe("version 2's rules: holds, fails, not evidenced", () => {
  const v2 = getFramework("2");
  const level = (componentId: string, m: EvidenceMetrics) => evidenceLevel(v2, componentId, m);
  const states = (componentId: string, m: EvidenceMetrics) => level(componentId, m).rules.map((r) => [r.level, r.metric, r.state]);

  it("an empty registry evidences nothing for MLOps, lifecycle or production operations' figures it cannot compute", () => {
    const empty: EvidenceMetrics = { productionModels: 0, productionPromotions: 0, deploymentsPerMonth: 0, medianLeadTimeHours: null };
    const mlops = level("mlops", empty);
    expect(mlops).toMatchObject({ level: null, noEvidence: true });
    expect(mlops.rules.every((r) => r.state === "not-evidenced" && !r.holds)).toBe(true);
    // Zero production models is a figure: operations fail at level 2, so they are evidenced (level 1).
    expect(level("production-operations", empty)).toMatchObject({ level: 1, noEvidence: false });
    expect(level("lifecycle", {})).toMatchObject({ level: null, noEvidence: true });
  });

  it("a quarter without promotions does not fail MLOps: 0 deployments a month is not evidenced", () => {
    expect(states("mlops", { productionPromotions: 0, deploymentsPerMonth: 0, medianLeadTimeHours: null })).toEqual([
      [2, "medianLeadTimeHours", "not-evidenced"],
      [3, "medianLeadTimeHours", "not-evidenced"],
      [3, "deploymentsPerMonth", "not-evidenced"],
      [4, "deploymentsPerMonth", "not-evidenced"],
      [5, "deploymentsPerMonth", "not-evidenced"],
      [5, "automaticPromotionShare", "not-evidenced"],
    ]);
    // With promotions the same figure is evidence, and fails when low.
    const few = { productionPromotions: 3, deploymentsPerMonth: 1, medianLeadTimeHours: 10, automaticPromotionShare: 0 };
    expect(level("mlops", few)).toMatchObject({ level: 2, noEvidence: false });
  });

  it("a not-evidenced rule does not block its level; a failing one does", () => {
    // 12 production models, a 0.8% trailing-year rate, no monitoring snapshots and no resolved incident:
    // level 4's SLO and recovery rules are not evidenced, its model count and incident rate hold; level 5's count fails.
    const m: EvidenceMetrics = {
      productionModels: 12,
      incidentRateTrailingYear: 0.008,
      sloBreachShare: null,
      medianTimeToRecoverHours: null,
    };
    expect(level("production-operations", m).level).toBe(4);
    expect(states("production-operations", m)).toEqual([
      [2, "productionModels", "holds"],
      [3, "productionModels", "holds"],
      [3, "incidentRateTrailingYear", "holds"],
      [4, "productionModels", "holds"],
      [4, "incidentRateTrailingYear", "holds"],
      [4, "sloBreachShare", "not-evidenced"],
      [4, "medianTimeToRecoverHours", "not-evidenced"],
      [5, "productionModels", "fails"],
      [5, "incidentRateTrailingYear", "fails"],
      [5, "sloBreachShare", "not-evidenced"],
      [5, "medianTimeToRecoverHours", "not-evidenced"],
    ]);
    // A slow recovery fails level 4 even though the rest of it holds.
    expect(level("production-operations", { ...m, medianTimeToRecoverHours: 30 }).level).toBe(3);
  });

  it("the guide's incident rates are told apart over the trailing year", () => {
    const ops = (rate: number) => level("production-operations", { productionModels: 25, incidentRateTrailingYear: rate }).level;
    expect(ops(0.04)).toBe(3);
    expect(ops(0.009)).toBe(4);
    expect(ops(0.004)).toBe(5);
  });

  it("lifecycle measures practice: lineage of every registered version and fresh passing bias audits", () => {
    const lifecycle = (m: EvidenceMetrics) => level("lifecycle", m).level;
    const good = { apiRegistrationShare: 1, registeredLineageCompleteShare: 1, passingAuditShare: 1 };
    expect(lifecycle(good)).toBe(5);
    expect(lifecycle({ ...good, passingAuditShare: 0.5 })).toBe(3);
    expect(lifecycle({ ...good, registeredLineageCompleteShare: 0.4 })).toBe(2);
    // No production versions to audit: level 4's audit rule is not evidenced, its other rules still decide.
    expect(lifecycle({ ...good, passingAuditShare: null })).toBe(5);
    // Approval-gated share and production-only lineage no longer count.
    expect(v2.evidenceRules.some((r) => r.metric === "approvalGatedShare" || r.metric === "lineageCompleteShare")).toBe(false);
  });

  it("every rule states its window and whose threshold it is; only the guide's numbers are marked as the guide's", () => {
    expect(v2.evidenceRules.every((r) => r.window !== undefined && r.source !== undefined)).toBe(true);
    const guide = v2.evidenceRules
      .filter((r) => r.source === "guide")
      .map((r) => `${r.componentId} ${r.metric} ${r.comparison} ${r.value}`);
    expect(guide.sort()).toEqual(
      [
        "mlops medianLeadTimeHours <= 336",
        "production-operations productionModels >= 1",
        "production-operations productionModels >= 5",
        "production-operations productionModels >= 10",
        "production-operations productionModels >= 20",
        "production-operations incidentRateTrailingYear < 0.05",
        "production-operations incidentRateTrailingYear < 0.01",
        "production-operations incidentRateTrailingYear < 0.005",
      ].sort(),
    );
    expect(v2.evidenceRules.filter((r) => r.metric === "deploymentsPerMonth").every((r) => r.source === "portal")).toBe(true);
  });

  it("roadmap criteria cannot check the evidence-only figures (the dashboard's figures do without them)", () => {
    const check = { kind: "registry", metric: "incidentRateTrailingYear", comparison: "<", value: 0.01 };
    expect(SuccessCheckSchema.safeParse(check).success).toBe(false);
    expect(SuccessCheckSchema.safeParse({ ...check, metric: "incidentRate" }).success).toBe(true);
  });

  it("a rule cannot claim a window its metric is not computed over", () => {
    const parsed = EvidenceRuleSchema.safeParse(rule({ metric: "incidentRateTrailingYear", window: "quarter" }));
    expect(parsed.success).toBe(false);
    expect(EvidenceRuleSchema.safeParse(rule({ metric: "incidentRateTrailingYear", window: "trailing-4-quarters" })).success).toBe(true);
  });
});

describe("justifying a level without registry evidence", () => {
  const v2 = getFramework("2");
  const empty: EvidenceMetrics = { productionModels: 0, productionPromotions: 0, deploymentsPerMonth: 0 };

  it("version 2: level 3 or above for a component with rules but no evidence needs a justification", () => {
    const flags = evidenceFlags(v2, scoreWithLevels({ mlops: 3, lifecycle: 2, "technical-capability": 5 }), empty);
    expect(flags).toEqual([
      { componentId: "mlops", achievedLevel: 3, evidenceLevel: null, unsupported: false, unevidenced: true },
      // Below level 3: nothing to justify.
      { componentId: "lifecycle", achievedLevel: 2, evidenceLevel: null, unsupported: false, unevidenced: false },
      // A component without rules never needs one.
      { componentId: "technical-capability", achievedLevel: 5, evidenceLevel: null, unsupported: false, unevidenced: false },
    ]);
    expect(flags.map(needsJustification)).toEqual([true, false, false]);
  });

  it("version 2: some evidence, none failing up to the level, needs none", () => {
    const flags = evidenceFlags(v2, scoreWithLevels({ mlops: 4 }), {
      productionPromotions: 2,
      deploymentsPerMonth: 12,
      medianLeadTimeHours: 5,
      automaticPromotionShare: 0,
    });
    expect(flags[0]).toMatchObject({ evidenceLevel: 4, unsupported: false, unevidenced: false });
  });

  it("version 1 keeps its reading: a missing figure fails, so an empty registry flags the level as unsupported", () => {
    const flags = evidenceFlags(framework, scoreWithLevels({ mlops: 3 }), empty);
    expect(flags[0]).toEqual({ componentId: "mlops", achievedLevel: 3, evidenceLevel: 1, unsupported: true, unevidenced: false });
    expect(evidenceLevel(framework, "mlops", empty).rules.every((r) => r.state === "fails")).toBe(true);
  });
});
