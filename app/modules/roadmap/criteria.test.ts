import { describe, expect, it } from "vitest";
import { getFramework } from "../framework/framework";
import type { SuccessCheck } from "../framework/framework-schema";
import {
  criterionStatusLabel,
  evaluateCriterion,
  formatMetricValue,
  isRateMetric,
  manualCriterionExplanation,
  type CriterionFacts,
} from "./criteria";

const noFacts: CriterionFacts = { metrics: null, nextAssessmentScore: null };

function registry(
  metric: Extract<SuccessCheck, { kind: "registry" }>["metric"],
  comparison: SuccessCheck["comparison"],
  value: number,
): SuccessCheck {
  return { kind: "registry", metric, comparison, value };
}

function assessment(comparison: SuccessCheck["comparison"], value: number): SuccessCheck {
  return { kind: "assessment", metric: "dimensionScore", comparison, value };
}

describe("evaluateCriterion: no check", () => {
  it("is ticked by leadership, whatever the facts", () => {
    const expected = { automatic: false, met: null, value: null, explanation: "Leadership records this with evidence" };
    expect(evaluateCriterion(null, noFacts)).toEqual(expected);
    expect(evaluateCriterion(null, { metrics: { productionModels: 9 }, nextAssessmentScore: 4.2 })).toEqual(expected);
  });
});

describe("evaluateCriterion: registry checks", () => {
  const atLeastFive = registry("productionModels", ">=", 5);

  it("compares the current figure with the threshold", () => {
    expect(evaluateCriterion(atLeastFive, { metrics: { productionModels: 6 }, nextAssessmentScore: null })).toEqual({
      automatic: true,
      met: true,
      value: 6,
      explanation: "6 models in production, target at least 5",
    });
    expect(evaluateCriterion(atLeastFive, { metrics: { productionModels: 4 }, nextAssessmentScore: null })).toEqual({
      automatic: true,
      met: false,
      value: 4,
      explanation: "4 models in production, target at least 5",
    });
  });

  it("treats the boundary by the comparison: >= and <= include it, > and < do not", () => {
    const at = (check: SuccessCheck, value: number) =>
      evaluateCriterion(check, { metrics: { productionModels: value, medianLeadTimeHours: value }, nextAssessmentScore: null }).met;
    expect(at(registry("productionModels", ">=", 5), 5)).toBe(true);
    expect(at(registry("productionModels", ">", 5), 5)).toBe(false);
    expect(at(registry("productionModels", ">", 5), 6)).toBe(true);
    expect(at(registry("medianLeadTimeHours", "<=", 24), 24)).toBe(true);
    expect(at(registry("medianLeadTimeHours", "<=", 24), 24.5)).toBe(false);
    expect(at(registry("medianLeadTimeHours", "<", 24), 24)).toBe(false);
    expect(at(registry("medianLeadTimeHours", "<", 24), 23.99)).toBe(true);
  });

  it("counts a figure of 0 as a figure", () => {
    const result = evaluateCriterion(registry("sloBreaches", "<=", 0), {
      metrics: { sloBreaches: 0 },
      nextAssessmentScore: null,
    });
    expect(result).toEqual({
      automatic: true,
      met: true,
      value: 0,
      explanation: "0 monitoring snapshots breaching an objective, target at most 0",
    });
  });

  it("formats incident rates and shares as percentages", () => {
    const rate = registry("incidentRate", "<", 0.05);
    expect(evaluateCriterion(rate, { metrics: { incidentRate: 0.03 }, nextAssessmentScore: null })).toEqual({
      automatic: true,
      met: true,
      value: 0.03,
      explanation: "Incident rate 3%, target below 5%",
    });
    // At the boundary, "<" is not met.
    expect(evaluateCriterion(rate, { metrics: { incidentRate: 0.05 }, nextAssessmentScore: null })).toMatchObject({
      met: false,
      value: 0.05,
      explanation: "Incident rate 5%, target below 5%",
    });
    expect(
      evaluateCriterion(registry("incidentRate", "<", 0.005), { metrics: { incidentRate: 0.0125 }, nextAssessmentScore: null }),
    ).toMatchObject({ met: false, explanation: "Incident rate 1.25%, target below 0.5%" });
    expect(
      evaluateCriterion(registry("lineageCompleteShare", ">=", 0.8), {
        metrics: { lineageCompleteShare: 0.8 },
        nextAssessmentScore: null,
      }),
    ).toMatchObject({ met: true, value: 0.8, explanation: "80% of production versions with complete lineage, target at least 80%" });
    expect(
      evaluateCriterion(registry("approvalGatedShare", ">", 0.9), {
        metrics: { approvalGatedShare: 2 / 3 },
        nextAssessmentScore: null,
      }),
    ).toMatchObject({ met: false, value: 2 / 3, explanation: "66.67% of promotions through an approved request, target above 90%" });
  });

  it("shows more decimals when rounding would read as the threshold", () => {
    expect(
      evaluateCriterion(registry("incidentRate", "<", 0.05), { metrics: { incidentRate: 0.04999 }, nextAssessmentScore: null }),
    ).toMatchObject({ met: true, explanation: "Incident rate 4.999%, target below 5%" });
    expect(
      evaluateCriterion(registry("medianLeadTimeHours", "<=", 24), {
        metrics: { medianLeadTimeHours: 24.001 },
        nextAssessmentScore: null,
      }),
    ).toMatchObject({ met: false, explanation: "Median lead time to production 24.001 hours, target at most 24 hours" });
  });

  it("rounds other figures to two decimals", () => {
    expect(
      evaluateCriterion(registry("medianLeadTimeHours", "<=", 24), {
        metrics: { medianLeadTimeHours: 12.3456 },
        nextAssessmentScore: null,
      }),
    ).toMatchObject({ met: true, value: 12.3456, explanation: "Median lead time to production 12.35 hours, target at most 24 hours" });
  });

  it("is not yet known without a figure: no metrics, missing key, null, or not finite", () => {
    const unknown = {
      automatic: true,
      met: null,
      value: null,
      explanation: "No figure yet for models in production, target at least 5",
    };
    expect(evaluateCriterion(atLeastFive, noFacts)).toEqual(unknown);
    expect(evaluateCriterion(atLeastFive, { metrics: {}, nextAssessmentScore: 4 })).toEqual(unknown);
    expect(evaluateCriterion(atLeastFive, { metrics: { modelsTotal: 9 }, nextAssessmentScore: null })).toEqual(unknown);
    expect(evaluateCriterion(atLeastFive, { metrics: { productionModels: null }, nextAssessmentScore: null })).toEqual(unknown);
    expect(evaluateCriterion(atLeastFive, { metrics: { productionModels: Number.NaN }, nextAssessmentScore: null })).toEqual(unknown);
    expect(evaluateCriterion(registry("incidentRate", "<", 0.05), { metrics: null, nextAssessmentScore: null }).explanation).toBe(
      "No figure yet for incident rate, target below 5%",
    );
  });

  it("evaluates the real 2-3 criteria", () => {
    const roadmap = getFramework("1").roadmaps.find((r) => r.id === "2-3")!;
    const results = roadmap.successCriteria.map((c) =>
      evaluateCriterion(c.check ?? null, {
        metrics: { productionModels: 5, incidentRate: 0.02, medianLeadTimeHours: 30 },
        nextAssessmentScore: 3.2,
      }),
    );
    expect(results.map((r) => [r.automatic, r.met])).toEqual([
      [false, null], // sc.1
      [false, null], // sc.2
      [true, true], // sc.3 productionModels >= 5
      [true, true], // sc.4 incidentRate < 0.05
      [false, null], // sc.5
      [true, false], // sc.6 medianLeadTimeHours <= 24
      [true, true], // sc.7 dimensionScore > 3
    ]);
  });
});

describe("evaluateCriterion: assessment checks", () => {
  const aboveThree = assessment(">", 3);

  it("waits for the next finalised assessment", () => {
    expect(evaluateCriterion(aboveThree, { metrics: { productionModels: 9 }, nextAssessmentScore: null })).toEqual({
      automatic: true,
      met: null,
      value: null,
      explanation: "Waiting for the next finalised assessment, target above 3",
    });
  });

  it("compares the next assessment's dimension score", () => {
    expect(evaluateCriterion(aboveThree, { metrics: null, nextAssessmentScore: 3.456 })).toEqual({
      automatic: true,
      met: true,
      value: 3.456,
      explanation: "Score 3.46 at the next finalised assessment, target above 3",
    });
    expect(evaluateCriterion(aboveThree, { metrics: null, nextAssessmentScore: 2.5 })).toMatchObject({
      met: false,
      value: 2.5,
    });
  });

  it("treats the boundary by the comparison", () => {
    expect(evaluateCriterion(aboveThree, { metrics: null, nextAssessmentScore: 3 })).toMatchObject({
      met: false,
      value: 3,
      explanation: "Score 3 at the next finalised assessment, target above 3",
    });
    expect(evaluateCriterion(assessment(">=", 3), { metrics: null, nextAssessmentScore: 3 }).met).toBe(true);
    expect(evaluateCriterion(assessment(">", 3.5), { metrics: null, nextAssessmentScore: 3.501 })).toMatchObject({
      met: true,
      explanation: "Score 3.501 at the next finalised assessment, target above 3.5",
    });
    expect(evaluateCriterion(assessment("<", 2), { metrics: null, nextAssessmentScore: 2 }).met).toBe(false);
    expect(evaluateCriterion(assessment("<=", 2), { metrics: null, nextAssessmentScore: 2 }).met).toBe(true);
  });
});

describe("formatting helpers", () => {
  it("knows which metrics are rates", () => {
    expect(isRateMetric("incidentRate")).toBe(true);
    expect(isRateMetric("productionModelsWithIncidentShare")).toBe(true);
    expect(isRateMetric("passingAuditShare")).toBe(true);
    expect(isRateMetric("productionModels")).toBe(false);
    expect(isRateMetric("deploymentsPerMonth")).toBe(false);
  });

  it("formats values", () => {
    expect(formatMetricValue("incidentRate", 0.005)).toBe("0.5%");
    expect(formatMetricValue("approvedCardShare", 1)).toBe("100%");
    expect(formatMetricValue("deploymentsPerMonth", 7.5)).toBe("7.5");
  });
});

describe("criteria in people's words", () => {
  it("reads a registry check as a sentence with the figure and its target, never a metric key", () => {
    const explanation = evaluateCriterion(registry("productionModels", ">=", 10), {
      metrics: { productionModels: 10 },
      nextAssessmentScore: null,
    }).explanation;
    expect(explanation).toBe("10 models in production, target at least 10");
    expect(
      evaluateCriterion(registry("productionModels", ">=", 1), { metrics: { productionModels: 1 }, nextAssessmentScore: null }).explanation,
    ).toBe("1 model in production, target at least 1");
    const every = getFramework("1")
      .roadmaps.flatMap((r) => r.successCriteria)
      .filter((c) => c.check);
    for (const c of every) {
      const text = evaluateCriterion(c.check!, { metrics: { [c.check!.metric]: 3 }, nextAssessmentScore: 3 }).explanation;
      expect(text).not.toMatch(/[a-z][A-Z]|needs|=|>|</); // no camelCase keys, no operators
    }
  });

  it("says who ticked a manual criterion and their evidence, not a placeholder", () => {
    expect(manualCriterionExplanation({ met: true, evidence: "All repositories are on GitHub", byLabel: "lead@x" })).toBe(
      "Ticked by leadership: All repositories are on GitHub (lead@x)",
    );
    expect(manualCriterionExplanation({ met: false, evidence: "Two repositories left", byLabel: null })).toBe(
      "Marked not met by leadership: Two repositories left",
    );
    expect(manualCriterionExplanation({ met: null, evidence: null, byLabel: null })).toBe("Leadership records this with evidence");
  });

  it("names the status in words, without an '… open' prefix", () => {
    expect(criterionStatusLabel({ met: true, automatic: true })).toBe("Met");
    expect(criterionStatusLabel({ met: false, automatic: false })).toBe("Not met");
    expect(criterionStatusLabel({ met: null, automatic: true })).toBe("Not known yet");
    expect(criterionStatusLabel({ met: null, automatic: false })).toBe("Not recorded yet");
  });
});
