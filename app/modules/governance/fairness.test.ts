import { describe, expect, it } from "vitest";
import { parseCsvStream } from "../../utils/csv-parser";
import {
  auditRulesText,
  FairnessConfigError,
  FairnessConfigSchema,
  DEFAULT_THRESHOLDS,
  evaluateDisparities,
  FairnessAccumulator,
  FAIRNESS_PRESETS,
  disparityEnds,
  unmeasuredDisparities,
  type FairnessComputation,
  type FairnessConfig,
  type GroupMetrics,
} from "./fairness";

const HEADER = ["id", "group", "label", "pred"];
const base: FairnessConfig = {
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "pred",
  positivePredictions: ["yes"],
};

function compute(config: FairnessConfig, header: string[], rows: string[][]): FairnessComputation {
  const accumulator = new FairnessAccumulator(config, header);
  for (const row of rows) accumulator.add(row);
  return accumulator.result();
}

/**
 * Rows for a group with the given confusion counts (label 1/0, prediction
 * yes/no), for the larger fixtures. The first fixture below is written out.
 */
function rowsFor(group: string, counts: { tp?: number; fp?: number; tn?: number; fn?: number }): string[][] {
  const rows: string[][] = [];
  const push = (times: number | undefined, label: string, pred: string) => {
    for (let i = 0; i < (times ?? 0); i++) rows.push([String(rows.length + 1), group, label, pred]);
  };
  push(counts.tp, "1", "yes");
  push(counts.fp, "0", "yes");
  push(counts.tn, "0", "no");
  push(counts.fn, "1", "no");
  return rows;
}

function byGroup(groups: GroupMetrics[], key: string): GroupMetrics {
  const group = groups.find((g) => g.group === key);
  if (!group) throw new Error(`no group ${key}`);
  return group;
}

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

// Group A (10 rows):         Group B (10 rows):
//   label pred                 label pred
//   1  yes  ×4  → tp 4          1  yes  ×2 → tp 2
//   0  yes  ×1  → fp 1          0  yes  ×2 → fp 2
//   0  no   ×3  → tn 3          0  no   ×4 → tn 4
//   1  no   ×2  → fn 2          1  no   ×2 → fn 2
const FIXTURE_AB: string[][] = [
  ["1", "A", "1", "yes"],
  ["2", "A", "1", "yes"],
  ["3", "A", "1", "yes"],
  ["4", "A", "1", "yes"],
  ["5", "A", "0", "yes"],
  ["6", "A", "0", "no"],
  ["7", "A", "0", "no"],
  ["8", "A", "0", "no"],
  ["9", "A", "1", "no"],
  ["10", "A", "1", "no"],
  ["11", "B", "1", "yes"],
  ["12", "B", "1", "yes"],
  ["13", "B", "0", "yes"],
  ["14", "B", "0", "yes"],
  ["15", "B", "0", "no"],
  ["16", "B", "0", "no"],
  ["17", "B", "0", "no"],
  ["18", "B", "0", "no"],
  ["19", "B", "1", "no"],
  ["20", "B", "1", "no"],
];

// Group C (5 rows): no actual positives — fp 1, tn 4.
// Group D (4 rows): no actual negatives — tp 3, fn 1.
const FIXTURE_CD: string[][] = [
  ["21", "C", "0", "yes"],
  ["22", "C", "0", "no"],
  ["23", "C", "0", "no"],
  ["24", "C", "0", "no"],
  ["25", "C", "0", "no"],
  ["26", "D", "1", "yes"],
  ["27", "D", "1", "yes"],
  ["28", "D", "1", "yes"],
  ["29", "D", "1", "no"],
];

describe("FairnessAccumulator: hand-computed confusion matrices", () => {
  const result = compute({ ...base, minGroupSize: 4 }, HEADER, [...FIXTURE_AB, ...FIXTURE_CD]);

  it("counts rows and the overall matrix", () => {
    // tp 4+2+0+3 = 9, fp 1+2+1+0 = 4, tn 3+4+4+0 = 11, fn 2+2+0+1 = 5; n = 29
    expect(result.rows).toBe(29);
    expect(result.skipped).toBe(0);
    expect(result.skippedReasons).toEqual({});
    const { overall } = result;
    expect(overall).toMatchObject({ n: 29, tp: 9, fp: 4, tn: 11, fn: 5 });
    expect(overall.selectionRate).toBeCloseTo(13 / 29, 12); // (9 + 4) / 29
    expect(overall.baseRate).toBeCloseTo(14 / 29, 12); // (9 + 5) / 29
  });

  it("sorts groups by key", () => {
    expect(result.groups.map((g) => g.group)).toEqual(["A", "B", "C", "D"]);
  });

  it("computes every rate of group A", () => {
    const a = byGroup(result.groups, "A");
    expect(a).toMatchObject({ n: 10, tp: 4, fp: 1, tn: 3, fn: 2, positives: 6, predictedPositives: 5, includedInDisparities: true });
    expect(a.selectionRate).toBeCloseTo(0.5, 12); // (4 + 1) / 10
    expect(a.baseRate).toBeCloseTo(0.6, 12); // (4 + 2) / 10
    expect(a.truePositiveRate).toBeCloseTo(4 / 6, 12); // 4 / (4 + 2)
    expect(a.falsePositiveRate).toBeCloseTo(0.25, 12); // 1 / (1 + 3)
    expect(a.falseNegativeRate).toBeCloseTo(2 / 6, 12); // 2 / (4 + 2)
    expect(a.trueNegativeRate).toBeCloseTo(0.75, 12); // 3 / (1 + 3)
    expect(a.precision).toBeCloseTo(0.8, 12); // 4 / (4 + 1)
    expect(a.accuracy).toBeCloseTo(0.7, 12); // (4 + 3) / 10
    expect(a.share).toBeCloseTo(10 / 29, 12);
  });

  it("computes every rate of group B", () => {
    const b = byGroup(result.groups, "B");
    expect(b).toMatchObject({ n: 10, tp: 2, fp: 2, tn: 4, fn: 2, positives: 4, predictedPositives: 4 });
    expect(b.selectionRate).toBeCloseTo(0.4, 12); // 4 / 10
    expect(b.baseRate).toBeCloseTo(0.4, 12); // 4 / 10
    expect(b.truePositiveRate).toBeCloseTo(0.5, 12); // 2 / 4
    expect(b.falsePositiveRate).toBeCloseTo(2 / 6, 12); // 2 / (2 + 4)
    expect(b.falseNegativeRate).toBeCloseTo(0.5, 12); // 2 / 4
    expect(b.trueNegativeRate).toBeCloseTo(4 / 6, 12); // 4 / 6
    expect(b.precision).toBeCloseTo(0.5, 12); // 2 / 4
    expect(b.accuracy).toBeCloseTo(0.6, 12); // 6 / 10
  });

  it("gives null (never NaN) TPR/FNR for a group with no actual positives", () => {
    const c = byGroup(result.groups, "C");
    expect(c).toMatchObject({ n: 5, tp: 0, fp: 1, tn: 4, fn: 0, positives: 0 });
    expect(c.truePositiveRate).toBeNull();
    expect(c.falseNegativeRate).toBeNull();
    expect(c.falsePositiveRate).toBeCloseTo(0.2, 12); // 1 / 5
    expect(c.trueNegativeRate).toBeCloseTo(0.8, 12);
    expect(c.precision).toBe(0); // 0 / 1
    expect(c.baseRate).toBe(0);
  });

  it("gives null (never NaN) FPR/TNR for a group with no actual negatives", () => {
    const d = byGroup(result.groups, "D");
    expect(d).toMatchObject({ n: 4, tp: 3, fp: 0, tn: 0, fn: 1 });
    expect(d.falsePositiveRate).toBeNull();
    expect(d.trueNegativeRate).toBeNull();
    expect(d.truePositiveRate).toBeCloseTo(0.75, 12);
    expect(d.selectionRate).toBeCloseTo(0.75, 12);
  });

  it("never produces NaN anywhere", () => {
    const json = JSON.stringify(result);
    expect(json).not.toMatch(/NaN/);
    for (const g of result.groups) for (const value of Object.values(g)) expect(Number.isNaN(value)).toBe(false);
  });

  it("gives impact ratios against the highest included selection rate (D: 0.75)", () => {
    expect(byGroup(result.groups, "A").impactRatio).toBeCloseTo(0.5 / 0.75, 12);
    expect(byGroup(result.groups, "B").impactRatio).toBeCloseTo(0.4 / 0.75, 12);
    expect(byGroup(result.groups, "C").impactRatio).toBeCloseTo(0.2 / 0.75, 12);
    expect(byGroup(result.groups, "D").impactRatio).toBe(1);
  });

  it("has no warnings for clean data", () => {
    expect(result.warnings).toEqual([]);
  });

  it("warns once for each configured column the header repeats, and reads the first", () => {
    // COMPAS's file repeats decile_score and priors_count; here the label column comes twice, its copy inverted.
    const rows = [...FIXTURE_AB, ...FIXTURE_CD].map((r) => [...r, r[2] === "1" ? "0" : "1"]);
    const repeated = compute({ ...base, minGroupSize: 4 }, [...HEADER, "label"], rows);
    expect(repeated.warnings).toEqual(['"label" appears 2 times in the header; the first (column 3) was used.']);
    expect(repeated.overall).toEqual(result.overall);
  });

  it("evaluates the Fairlearn disparities over A–D and fails them all", () => {
    const evaluation = evaluateDisparities(result, DEFAULT_THRESHOLDS, "org-default");
    const d = evaluation.disparities;
    // selection rates: A .5, B .4, C .2, D .75 → max D, min C
    expect(d.demographicParityDifference).toMatchObject({ maxGroup: "D", minGroup: "C", threshold: 0.1, comparison: "<=", passed: false });
    expect(d.demographicParityDifference.value).toBeCloseTo(0.55, 12);
    expect(d.demographicParityRatio).toMatchObject({ maxGroup: "D", minGroup: "C", threshold: 0.8, comparison: ">=", passed: false });
    expect(d.demographicParityRatio.value).toBeCloseTo(0.2 / 0.75, 12);
    // TPR: A .667, B .5, C null (ignored), D .75 → max D, min B
    expect(d.equalOpportunityDifference).toMatchObject({ maxGroup: "D", minGroup: "B", passed: false });
    expect(d.equalOpportunityDifference.value).toBeCloseTo(0.25, 12);
    // FPR: A .25, B .333, C .2, D null (ignored) → max B, min C
    expect(d.falsePositiveRateDifference).toMatchObject({ maxGroup: "B", minGroup: "C", passed: false });
    expect(d.falsePositiveRateDifference.value).toBeCloseTo(2 / 6 - 0.2, 12);
    // equalized odds = max(.25, .1333) = the TPR difference, with its groups
    expect(d.equalizedOddsDifference).toMatchObject({ maxGroup: "D", minGroup: "B", passed: false });
    expect(d.equalizedOddsDifference.value).toBeCloseTo(0.25, 12);
    expect(d.minimumImpactRatio).toBeUndefined();
    expect(evaluation.passed).toBe(false);
    expect(evaluation.warnings).toEqual([]);
  });

  it("evaluates against looser thresholds metric by metric", () => {
    // differenceMax .2: the FPR difference (.133) passes, the others fail; ratioMin .25: ratio .267 passes.
    const evaluation = evaluateDisparities(result, { ratioMin: 0.25, differenceMax: 0.2 }, "org-default");
    const d = evaluation.disparities;
    expect(d.demographicParityDifference.passed).toBe(false);
    expect(d.demographicParityRatio.passed).toBe(true);
    expect(d.equalOpportunityDifference.passed).toBe(false);
    expect(d.falsePositiveRateDifference.passed).toBe(true);
    expect(d.equalizedOddsDifference.passed).toBe(false);
    expect(evaluation.passed).toBe(false);
    const loose = evaluateDisparities(result, { ratioMin: 0.25, differenceMax: 0.6 }, "org-default");
    expect(Object.values(loose.disparities).map((x) => x.passed)).toEqual([true, true, true, true, true]);
    expect(loose.passed).toBe(true);
  });

  it("does not mutate the computation", () => {
    const before = JSON.stringify(result);
    evaluateDisparities(result, DEFAULT_THRESHOLDS, "nyc-ll144");
    expect(JSON.stringify(result)).toBe(before);
  });
});

describe("FairnessAccumulator: a fair model", () => {
  // X: tp 10, fp 10, tn 10, fn 10 (n 40) → selection .5, TPR .5, FPR .5
  // Y: tp 11, fp 9, tn 11, fn 9  (n 40) → selection .5, TPR 11/20 = .55, FPR 9/20 = .45
  const result = compute(base, HEADER, [
    ...rowsFor("X", { tp: 10, fp: 10, tn: 10, fn: 10 }),
    ...rowsFor("Y", { tp: 11, fp: 9, tn: 11, fn: 9 }),
  ]);

  it("passes every disparity under org-default", () => {
    const evaluation = evaluateDisparities(result, DEFAULT_THRESHOLDS, "org-default");
    const d = evaluation.disparities;
    expect(d.demographicParityDifference.value).toBe(0);
    expect(d.demographicParityRatio.value).toBe(1);
    // Tied rates still name two different groups.
    expect(d.demographicParityDifference.maxGroup).toBe("X");
    expect(d.demographicParityDifference.minGroup).toBe("Y");
    expect(d.equalOpportunityDifference).toMatchObject({ maxGroup: "Y", minGroup: "X", passed: true });
    expect(d.equalOpportunityDifference.value).toBeCloseTo(0.05, 12);
    expect(d.falsePositiveRateDifference).toMatchObject({ maxGroup: "X", minGroup: "Y", passed: true });
    expect(d.falsePositiveRateDifference.value).toBeCloseTo(0.05, 12);
    expect(d.equalizedOddsDifference.value).toBeCloseTo(0.05, 12);
    expect(evaluation.passed).toBe(true);
    expect(evaluation.warnings).toEqual([]);
  });

  it("fails when the difference maximum is tighter than the gap", () => {
    const evaluation = evaluateDisparities(result, { ratioMin: 0.8, differenceMax: 0.04 }, "org-default");
    expect(evaluation.disparities.demographicParityDifference.passed).toBe(true);
    expect(evaluation.disparities.equalOpportunityDifference.passed).toBe(false);
    expect(evaluation.disparities.equalizedOddsDifference.passed).toBe(false);
    expect(evaluation.passed).toBe(false);
  });
});

describe("minimum group size", () => {
  // Big (40 rows: tp 10, fp 10, tn 10, fn 10) and Small (29 rows: all tn) with the default minimum of 30.
  const result = compute(base, HEADER, [...rowsFor("Big", { tp: 10, fp: 10, tn: 10, fn: 10 }), ...rowsFor("Small", { tn: 29 })]);

  it("reports small groups but leaves them out of disparities with a warning", () => {
    expect(byGroup(result.groups, "Small")).toMatchObject({ n: 29, includedInDisparities: false });
    expect(byGroup(result.groups, "Big").includedInDisparities).toBe(true);
    expect(result.warnings).toEqual(['Group "Small" has 29 rows, below the minimum of 30; it is reported but left out of disparities.']);
  });

  it("fails the bias audit with a warning when fewer than 2 groups are included", () => {
    const evaluation = evaluateDisparities(result, DEFAULT_THRESHOLDS, "org-default");
    expect(evaluation.passed).toBe(false);
    expect(evaluation.warnings).toEqual(["Only 1 group is large enough to compare; at least 2 are needed, so the audit cannot pass."]);
    expect(evaluation.disparities.demographicParityDifference).toMatchObject({ value: null, maxGroup: null, minGroup: null, passed: null });
  });

  it("includes the small group when the minimum is lowered", () => {
    const lowered = compute({ ...base, minGroupSize: 29 }, HEADER, [
      ...rowsFor("Big", { tp: 10, fp: 10, tn: 10, fn: 10 }),
      ...rowsFor("Small", { tn: 29 }),
    ]);
    expect(lowered.groups.every((g) => g.includedInDisparities)).toBe(true);
    const evaluation = evaluateDisparities(lowered, DEFAULT_THRESHOLDS, "org-default");
    // selection: Big .5, Small 0 → difference .5, ratio 0; TPR defined only for Big → null (not measured: cannot pass)
    expect(evaluation.disparities.demographicParityDifference.value).toBe(0.5);
    expect(evaluation.disparities.demographicParityRatio.value).toBe(0);
    expect(evaluation.disparities.equalOpportunityDifference).toMatchObject({ value: null, passed: null });
    expect(evaluation.disparities.falsePositiveRateDifference.value).toBe(0.5); // Big 10/20, Small 0/29
    expect(evaluation.disparities.equalizedOddsDifference).toMatchObject({ value: 0.5, maxGroup: "Big", minGroup: "Small" });
    expect(evaluation.warnings).toEqual([
      "Equal opportunity difference could not be measured: fewer than 2 of the groups compared have an actual positive, so their true positive rates are undefined; the audit cannot pass.",
    ]);
    expect(evaluation.passed).toBe(false);
  });
});

describe("reference group", () => {
  it("gives ratios and differences to the reference group (A)", () => {
    const result = compute({ ...base, minGroupSize: 4, referenceGroup: "A" }, HEADER, [...FIXTURE_AB, ...FIXTURE_CD]);
    const a = byGroup(result.groups, "A");
    expect(a.ratioToReference).toEqual({ selectionRate: 1, truePositiveRate: 1, falsePositiveRate: 1 });
    expect(a.differenceToReference).toEqual({ selectionRate: 0, truePositiveRate: 0, falsePositiveRate: 0 });
    const b = byGroup(result.groups, "B");
    // B ÷ A: selection .4/.5 = .8, TPR .5/.6667 = .75, FPR .3333/.25 = 1.3333
    expect(b.ratioToReference?.selectionRate).toBeCloseTo(0.8, 12);
    expect(b.ratioToReference?.truePositiveRate).toBeCloseTo(0.75, 12);
    expect(b.ratioToReference?.falsePositiveRate).toBeCloseTo(4 / 3, 12);
    // B − A: -.1, -.1667, +.0833
    expect(b.differenceToReference?.selectionRate).toBeCloseTo(-0.1, 12);
    expect(b.differenceToReference?.truePositiveRate).toBeCloseTo(-1 / 6, 12);
    expect(b.differenceToReference?.falsePositiveRate).toBeCloseTo(1 / 12, 12);
    // C has no TPR, D no FPR: those comparisons are null.
    expect(byGroup(result.groups, "C").ratioToReference?.truePositiveRate).toBeNull();
    expect(byGroup(result.groups, "C").differenceToReference?.truePositiveRate).toBeNull();
    expect(byGroup(result.groups, "D").ratioToReference?.falsePositiveRate).toBeNull();
    expect(byGroup(result.groups, "D").ratioToReference?.selectionRate).toBeCloseTo(1.5, 12);
    expect(result.warnings).toEqual([]);
  });

  it("gives a null ratio when the reference rate is 0", () => {
    // Ref: all tn → selection 0; Other: tp 1, tn 1 → selection .5
    const result = compute({ ...base, minGroupSize: 1, referenceGroup: "Ref" }, HEADER, [
      ...rowsFor("Ref", { tn: 2 }),
      ...rowsFor("Other", { tp: 1, tn: 1 }),
    ]);
    const other = byGroup(result.groups, "Other");
    expect(other.ratioToReference?.selectionRate).toBeNull();
    expect(other.differenceToReference?.selectionRate).toBe(0.5);
  });

  it("warns when the reference group is not in the data", () => {
    const result = compute({ ...base, minGroupSize: 4, referenceGroup: "Z" }, HEADER, FIXTURE_AB);
    expect(result.warnings).toEqual(['The reference group "Z" does not occur in the data; groups are not compared with it.']);
    expect(byGroup(result.groups, "A").ratioToReference).toEqual({ selectionRate: null, truePositiveRate: null, falsePositiveRate: null });
  });

  it("warns when the reference group is too small", () => {
    const result = compute({ ...base, referenceGroup: "A", minGroupSize: 11 }, HEADER, FIXTURE_AB);
    expect(result.warnings).toContain('The reference group "A" has fewer than 11 rows; comparisons with it are unreliable.');
  });

  it("has no comparison fields without a reference group", () => {
    const result = compute({ ...base, minGroupSize: 4 }, HEADER, FIXTURE_AB);
    expect(result.groups[0]).not.toHaveProperty("ratioToReference");
    expect(result.groups[0]).not.toHaveProperty("differenceToReference");
  });
});

describe("intersectional groups", () => {
  const header = ["race", "sex", "y", "p"];
  const config: FairnessConfig = {
    groupColumns: ["race", "sex"],
    labelColumn: "y",
    positiveLabels: ["1"],
    predictionColumn: "p",
    positivePredictions: ["1"],
    minGroupSize: 1,
  };

  it('keys groups "A × B" and skips rows with an empty part', () => {
    const result = compute(config, header, [
      ["Black", "Female", "1", "1"], // tp
      [" Black ", "Female ", "0", "1"], // fp (cells are trimmed)
      ["Black", "Male", "1", "0"], // fn
      ["White", "Male", "0", "0"], // tn
      ["White", "", "0", "0"], // skipped: empty sex
      ["White"], // skipped: missing sex (short row)
    ]);
    expect(result.groups.map((g) => g.group)).toEqual(["Black × Female", "Black × Male", "White × Male"]);
    expect(byGroup(result.groups, "Black × Female")).toMatchObject({ n: 2, tp: 1, fp: 1 });
    expect(result.rows).toBe(4);
    expect(result.skipped).toBe(2);
    expect(result.skippedReasons).toEqual({ 'missing value in "sex"': 2 });
    expect(result.warnings).toContain('2 rows were skipped: 2 with a missing value in "sex".');
  });

  it("skips rows with an empty label or prediction, by reason", () => {
    const result = compute(config, header, [
      ["Black", "Female", "", "1"],
      ["Black", "Female", "1", " "],
      ["", "Female", "1", "1"],
      ["Black", "Female", "1", "1"],
    ]);
    expect(result.rows).toBe(1);
    expect(result.skippedReasons).toEqual({ 'missing value in "y"': 1, 'missing value in "p"': 1, 'missing value in "race"': 1 });
  });
});

describe("score threshold", () => {
  const header = ["g", "y", "score"];
  const config: FairnessConfig = {
    groupColumns: ["g"],
    labelColumn: "y",
    positiveLabels: ["yes", "Y"],
    scoreColumn: "score",
    threshold: 0.5,
    minGroupSize: 1,
  };

  it("predicts positive when Number(score) >= threshold", () => {
    const result = compute(config, header, [
      ["a", "yes", "0.5"], // tp (equal to the threshold)
      ["a", "no", "0.49"], // tn
      ["a", "Y", " 1 "], // tp (trimmed, second positive label)
      ["a", "no", "5e-1"], // fp
      ["a", "yes", "-3"], // fn
    ]);
    expect(byGroup(result.groups, "a")).toMatchObject({ n: 5, tp: 2, fp: 1, tn: 1, fn: 1 });
  });

  it("throws FairnessConfigError naming the row for a non-numeric score", () => {
    const accumulator = new FairnessAccumulator(config, header);
    accumulator.add(["a", "yes", "0.7"]);
    const error = catchError(() => accumulator.add(["a", "yes", "high"]));
    expect(error).toBeInstanceOf(FairnessConfigError);
    expect((error as FairnessConfigError).field).toBe("scoreColumn");
    expect((error as FairnessConfigError).message).toBe('Row 3: the score column "score" holds "high", which is not a number');
  });

  it("uses the row number it is given", () => {
    const accumulator = new FairnessAccumulator(config, header);
    expect(() => accumulator.add(["a", "yes", "NaN"], 57)).toThrow(/^Row 57: /);
    expect(() => accumulator.add(["a", "yes", "Infinity"], 58)).toThrow(FairnessConfigError);
  });
});

describe("configuration errors", () => {
  it("names an unknown group column and lists the columns", () => {
    const error = catchError(() => new FairnessAccumulator({ ...base, groupColumns: ["rac"] }, HEADER));
    expect(error).toBeInstanceOf(FairnessConfigError);
    expect((error as FairnessConfigError).field).toBe("groupColumns");
    expect((error as FairnessConfigError).message).toBe('Unknown column "rac"; columns are: "id", "group", "label", "pred"');
  });

  it.each([
    ["labelColumn", { ...base, labelColumn: "lbl" }],
    ["predictionColumn", { ...base, predictionColumn: "prediction" }],
    ["scoreColumn", { ...base, predictionColumn: undefined, positivePredictions: undefined, scoreColumn: "s", threshold: 1 }],
  ])("names an unknown %s", (field, config) => {
    const error = catchError(() => new FairnessAccumulator(config, HEADER));
    expect(error).toBeInstanceOf(FairnessConfigError);
    expect((error as FairnessConfigError).field).toBe(field);
  });

  it("validates the config itself with field-level errors", () => {
    const error = catchError(() => new FairnessAccumulator({ ...base, positiveLabels: [] }, HEADER));
    expect(error).toBeInstanceOf(FairnessConfigError);
    expect((error as FairnessConfigError).field).toBe("positiveLabels");
  });

  it("matches header names trimmed and uses the first of repeated names", () => {
    const accumulator = new FairnessAccumulator({ ...base, groupColumns: ["group"] }, [" id", "group ", "label", "pred", "group"]);
    accumulator.add(["1", "first", "1", "yes", "second"]);
    expect(accumulator.result().groups.map((g) => g.group)).toEqual(["first"]);
  });
});

describe("FairnessConfigSchema", () => {
  const issues = (input: unknown) => {
    const parsed = FairnessConfigSchema.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  };

  it("accepts a prediction config and defaults minGroupSize to 30", () => {
    const parsed = FairnessConfigSchema.parse({ ...base, groupColumns: [" race "] });
    expect(parsed.minGroupSize).toBe(30);
    expect(parsed.groupColumns).toEqual(["race"]);
  });

  it("accepts a score config", () => {
    expect(issues({ groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], scoreColumn: "s", threshold: 0 })).toEqual([]);
  });

  it("requires exactly one of the prediction pair and the score pair", () => {
    expect(issues({ ...base, scoreColumn: "s", threshold: 1 })).toEqual([
      {
        path: "scoreColumn",
        message: "Use either a prediction column with positive predictions or a score column with a threshold, not both",
      },
    ]);
    expect(issues({ groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"] })).toEqual([
      { path: "predictionColumn", message: "Choose a prediction column (with its positive values) or a score column (with a threshold)" },
    ]);
    expect(issues({ ...base, positivePredictions: undefined })).toEqual([
      { path: "positivePredictions", message: "List at least one positive prediction" },
    ]);
    expect(issues({ groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], scoreColumn: "s" })).toEqual([
      { path: "threshold", message: "Enter the score threshold" },
    ]);
    expect(issues({ groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], threshold: 3 })).toEqual([
      { path: "scoreColumn", message: "Choose the score column" },
    ]);
  });

  it("treats blank optional columns as absent", () => {
    expect(issues({ ...base, scoreColumn: "", referenceGroup: " " })).toEqual([]);
  });

  it("rejects empty arrays and values, bad numbers", () => {
    expect(issues({ ...base, groupColumns: [] })).toEqual([{ path: "groupColumns", message: "Choose at least one group column" }]);
    expect(issues({ ...base, groupColumns: ["a", "a"] })).toEqual([{ path: "groupColumns", message: "List each group column once" }]);
    expect(issues({ ...base, positiveLabels: [] })).toEqual([{ path: "positiveLabels", message: "List at least one positive label" }]);
    expect(issues({ ...base, positiveLabels: [" "] })).toEqual([{ path: "positiveLabels.0", message: "Remove the empty positive label" }]);
    expect(issues({ ...base, labelColumn: "" })).toEqual([{ path: "labelColumn", message: "Choose a column" }]);
    expect(issues({ ...base, minGroupSize: 0 })).toEqual([{ path: "minGroupSize", message: "The minimum group size must be at least 1" }]);
    expect(issues({ ...base, minGroupSize: 2.5 })).toEqual([
      { path: "minGroupSize", message: "Enter the minimum group size as a whole number" },
    ]);
    const score = { groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], scoreColumn: "s" };
    expect(issues({ ...score, threshold: Infinity })).toEqual([{ path: "threshold", message: "Enter a finite threshold" }]);
    expect(issues({ ...score, threshold: "x" })).toEqual([{ path: "threshold", message: "Enter the threshold as a number" }]);
  });
});

describe("an audit that cannot measure its rules never passes", () => {
  const scoreConfig: FairnessConfig = {
    groupColumns: ["group"],
    labelColumn: "label",
    positiveLabels: ["1"],
    scoreColumn: "pred",
    threshold: 0.5,
  };
  // Two groups of 40; every score below the threshold, so nobody is predicted positive.
  const noneSelected = compute(scoreConfig, HEADER, [
    ...rowsFor("X", { tn: 20, fn: 20 }).map((r) => [r[0]!, r[1]!, r[2]!, "0.1"]),
    ...rowsFor("Y", { tn: 30, fn: 10 }).map((r) => [r[0]!, r[1]!, r[2]!, "0.2"]),
  ]);

  it("fails when no group compared is predicted positive, though every difference is 0", () => {
    const evaluation = evaluateDisparities(noneSelected, DEFAULT_THRESHOLDS, "org-default");
    const d = evaluation.disparities;
    expect(d.demographicParityDifference).toMatchObject({ value: 0, passed: true });
    expect(d.equalOpportunityDifference).toMatchObject({ value: 0, passed: true });
    expect(d.demographicParityRatio).toMatchObject({ value: null, passed: null });
    expect(evaluation.passed).toBe(false);
    expect(evaluation.warnings).toEqual([
      "Demographic parity ratio could not be measured: no group compared is predicted positive, so there is no highest selection rate to divide by; the audit cannot pass.",
    ]);
    expect(unmeasuredDisparities(evaluation).map((u) => u.name)).toEqual(["demographicParityRatio"]);
  });

  it("fails under nyc-ll144 too, where the impact ratios cannot be measured either", () => {
    const evaluation = evaluateDisparities(noneSelected, DEFAULT_THRESHOLDS, "nyc-ll144");
    expect(evaluation.passed).toBe(false);
    expect(unmeasuredDisparities(evaluation).map((u) => u.name)).toEqual(["demographicParityRatio", "minimumImpactRatio"]);
  });

  it("fails when no group compared has an actual negative (false positive rates undefined)", () => {
    const allPositive = compute(base, HEADER, [...rowsFor("X", { tp: 20, fn: 20 }), ...rowsFor("Y", { tp: 21, fn: 19 })]);
    const evaluation = evaluateDisparities(allPositive, DEFAULT_THRESHOLDS, "org-default");
    expect(evaluation.disparities.falsePositiveRateDifference).toMatchObject({ value: null, passed: null });
    expect(evaluation.disparities.equalizedOddsDifference.value).not.toBeNull();
    expect(evaluation.passed).toBe(false);
    expect(unmeasuredDisparities(evaluation).map((u) => u.name)).toEqual(["falsePositiveRateDifference"]);
  });

  it("reports nothing unmeasured when fewer than 2 groups were compared (that failure has its own reason)", () => {
    expect(
      unmeasuredDisparities({
        disparities: { demographicParityRatio: { value: null } as never },
        groups: [{ includedInDisparities: true }],
      }),
    ).toEqual([]);
  });

  it("refuses a positive prediction that never occurs in the prediction column, naming the values seen", () => {
    // The prediction column holds 0 and 1; "yes" was configured.
    const fresh = new FairnessAccumulator(base, HEADER);
    for (const row of rowsFor("X", { tn: 20, fn: 20 })) fresh.add([row[0]!, row[1]!, row[2]!, "0"]);
    fresh.add(["99", "Y", "1", "1"]);
    const error = catchError(() => fresh.requirePositives());
    expect(error).toBeInstanceOf(FairnessConfigError);
    expect(error).toMatchObject({
      field: "positivePredictions",
      message: 'No row is predicted positive: "yes" never occurs in "pred"; the values seen are "0", "1"',
    });
  });

  it("refuses a positive label that never occurs in the label column, naming the values seen", () => {
    const accumulator = new FairnessAccumulator({ ...base, positiveLabels: ["true"] }, HEADER);
    for (const row of rowsFor("X", { tp: 5, tn: 5, fn: 5 })) accumulator.add(row);
    expect(catchError(() => accumulator.requirePositives())).toMatchObject({
      field: "positiveLabels",
      message: 'No row has a positive label ("true") in "label"; the values seen are "1", "0"',
    });
  });

  it("accepts data where the positive values occur, and a score threshold no row reaches (that audit fails instead)", () => {
    const accumulator = new FairnessAccumulator(base, HEADER);
    for (const row of rowsFor("X", { tp: 1, tn: 1 })) accumulator.add(row);
    expect(() => accumulator.requirePositives()).not.toThrow();
    const score = new FairnessAccumulator(scoreConfig, HEADER);
    score.add(["1", "X", "1", "0.1"]);
    expect(() => score.requirePositives()).not.toThrow();
  });
});

describe("disparityEnds", () => {
  const disparity = { threshold: 0.1, passed: true } as const;
  it("names the highest and lowest group when the rates differ", () => {
    expect(disparityEnds({ ...disparity, value: 0.2, maxGroup: "A", minGroup: "B", comparison: "<=" })).toEqual({
      kind: "groups",
      highest: "A",
      lowest: "B",
    });
  });

  it("says every group is equal instead of naming two groups when there is no gap", () => {
    expect(disparityEnds({ ...disparity, value: 0, maxGroup: "A", minGroup: "B", comparison: "<=" })).toEqual({
      kind: "equal",
      text: "All groups equal",
    });
    expect(disparityEnds({ ...disparity, value: 1, maxGroup: "A", minGroup: "B", comparison: ">=" })).toEqual({
      kind: "equal",
      text: "All groups equal",
    });
    // A ratio left undefined because the highest rate is 0.
    expect(disparityEnds({ ...disparity, value: null, maxGroup: "A", minGroup: "B", comparison: ">=", passed: null })).toEqual({
      kind: "equal",
      text: "Every group 0",
    });
  });

  it("has nothing to name when nothing was compared", () => {
    expect(disparityEnds({ ...disparity, value: null, maxGroup: null, minGroup: null, comparison: "<=", passed: null })).toEqual({
      kind: "none",
    });
  });
});

describe("warnings about the data", () => {
  it("warns when no row has a positive label, with the values seen", () => {
    const result = compute({ ...base, minGroupSize: 1 }, HEADER, [
      ["1", "A", "0", "yes"],
      ["2", "A", "no", "no"],
    ]);
    expect(result.warnings).toContain(
      'No row has a positive label ("1") in "label" (values seen include "0", "no"); true and false negative rates are undefined.',
    );
  });

  it("warns when no row is predicted positive", () => {
    const result = compute({ ...base, minGroupSize: 1 }, HEADER, [["1", "A", "1", "Yes"]]);
    expect(result.warnings).toContain('No row is predicted positive in "pred" (positive predictions: "yes"; values seen include "Yes").');
  });

  it("warns when nothing could be counted", () => {
    const result = compute(base, HEADER, []);
    expect(result.rows).toBe(0);
    expect(result.groups).toEqual([]);
    expect(result.overall.selectionRate).toBeNull();
    expect(result.warnings).toEqual(["No rows could be counted, so there is nothing to compare."]);
    const evaluation = evaluateDisparities(result, DEFAULT_THRESHOLDS, "org-default");
    expect(evaluation.passed).toBe(false);
    expect(evaluation.warnings[0]).toMatch(/^Only 0 groups are large enough/);
  });
});

describe("presets", () => {
  it("lists the three presets", () => {
    expect(Object.keys(FAIRNESS_PRESETS)).toEqual(["org-default", "eeoc-four-fifths", "nyc-ll144"]);
  });

  // P: 60 rows, selected 30 (tp 20, fp 10, tn 20, fn 10) → selection .5
  // Q: 50 rows, selected 20 (tp 10, fp 10, tn 20, fn 10) → selection .4
  // R: 2 rows, none selected (tn 2) → selection 0; share 2/112 = 1.79% < 2%
  const computation = compute({ ...base, minGroupSize: 1 }, HEADER, [
    ...rowsFor("P", { tp: 20, fp: 10, tn: 20, fn: 10 }),
    ...rowsFor("Q", { tp: 10, fp: 10, tn: 20, fn: 10 }),
    ...rowsFor("R", { tn: 2 }),
  ]);

  it("nyc-ll144 leaves out groups under 2% and computes impact ratios", () => {
    const evaluation = evaluateDisparities(computation, { ratioMin: 0.8, differenceMax: 0.2 }, "nyc-ll144");
    expect(byGroup(evaluation.groups, "R").includedInDisparities).toBe(false);
    expect(byGroup(evaluation.groups, "R").share).toBeCloseTo(2 / 112, 12);
    expect(byGroup(evaluation.groups, "P").impactRatio).toBe(1);
    expect(byGroup(evaluation.groups, "Q").impactRatio).toBeCloseTo(0.8, 12); // .4 / .5
    expect(byGroup(evaluation.groups, "R").impactRatio).toBe(0);
    const minimum = evaluation.disparities.minimumImpactRatio;
    expect(minimum).toMatchObject({ maxGroup: "P", minGroup: "Q", threshold: 0.8, comparison: ">=", passed: true });
    expect(minimum?.value).toBeCloseTo(0.8, 12);
    // Differences over P and Q only: selection .1; TPR P 20/30 = .667, Q 10/20 = .5 → .167; FPR P 10/30 = .333, Q 10/30 = .333 → 0
    expect(evaluation.disparities.demographicParityDifference.value).toBeCloseTo(0.1, 12);
    expect(evaluation.disparities.equalOpportunityDifference.value).toBeCloseTo(1 / 6, 12);
    expect(evaluation.disparities.falsePositiveRateDifference.value).toBeCloseTo(0, 12);
    expect(evaluation.passed).toBe(true);
    expect(evaluation.warnings).toEqual([
      'Group "R" is 1.79% of the rows, under NYC LL144\'s 2%; it is left out of impact ratios and disparities.',
    ]);
  });

  it("nyc-ll144 fails when the lowest impact ratio is under the ratio minimum", () => {
    const evaluation = evaluateDisparities(computation, { ratioMin: 0.85, differenceMax: 0.2 }, "nyc-ll144");
    expect(evaluation.disparities.minimumImpactRatio?.passed).toBe(false);
    expect(evaluation.disparities.demographicParityRatio.passed).toBe(false);
    expect(evaluation.passed).toBe(false);
  });

  it("org-default keeps the small group, which then fails the ratio", () => {
    const evaluation = evaluateDisparities(computation, { ratioMin: 0.8, differenceMax: 0.2 }, "org-default");
    expect(evaluation.groups.every((g) => g.includedInDisparities)).toBe(true);
    expect(evaluation.disparities.demographicParityRatio).toMatchObject({ value: 0, maxGroup: "P", minGroup: "R", passed: false });
    expect(evaluation.disparities.minimumImpactRatio).toBeUndefined();
    expect(evaluation.passed).toBe(false);
  });

  it("eeoc-four-fifths uses a ratio minimum of 0.8 whatever the organisation's setting", () => {
    const evaluation = evaluateDisparities(computation, { ratioMin: 0, differenceMax: 0.6 }, "eeoc-four-fifths");
    expect(evaluation.disparities.demographicParityRatio).toMatchObject({ threshold: 0.8, passed: false });
    expect(evaluation.disparities.demographicParityDifference).toMatchObject({ threshold: 0.6, passed: true });
    expect(evaluation.passed).toBe(false);
    const org = evaluateDisparities(computation, { ratioMin: 0, differenceMax: 0.6 }, "org-default");
    expect(org.disparities.demographicParityRatio).toMatchObject({ threshold: 0, passed: true });
    expect(org.passed).toBe(true);
  });
});

async function* from<T>(chunks: T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

describe("1,000,000 rows through the parser and FairnessAccumulator", () => {
  it("counts every row correctly (timing printed, not asserted)", async () => {
    const ROWS = 1_000_000;
    const races = ["African-American", "Caucasian", "Hispanic", "Other"];
    const sexes = ["Male", "Female"];
    const expected = new Map<string, { n: number; tp: number; fp: number; tn: number; fn: number }>();
    // Each chunk is joined from an array so it is a flat string, as a decoder would produce.
    const chunks: string[] = [];
    let lines: string[] = ["id,race,sex,age,screened,score,label,note\n"];
    let chunkLength = 0;
    let bytes = 0;
    for (let i = 0; i < ROWS; i++) {
      const race = races[i % 4] ?? "";
      const sex = sexes[(i >> 2) % 2] ?? "";
      const score = (i * 7) % 10; // 0..9
      const label = (i * 13) % 3 === 0 ? 1 : 0;
      // ~50 bytes per row; every 1000th row has a quoted field to exercise the slow path.
      const note = i % 1000 === 0 ? '"x, ""y"""' : "lorem ipsum";
      const line = `${i},${race},${sex},${20 + (i % 50)},2013-0${1 + (i % 9)}-1${i % 10},${score},${label},${note}\n`;
      lines.push(line);
      chunkLength += line.length;
      if (chunkLength >= 65_536) {
        chunks.push(lines.join(""));
        lines = [];
        chunkLength = 0;
      }
      const key = `${race} × ${sex}`;
      let counts = expected.get(key);
      if (!counts) expected.set(key, (counts = { n: 0, tp: 0, fp: 0, tn: 0, fn: 0 }));
      const predicted = score >= 5;
      counts.n++;
      if (label === 1) {
        if (predicted) counts.tp++;
        else counts.fn++;
      } else if (predicted) counts.fp++;
      else counts.tn++;
    }
    chunks.push(lines.join(""));
    for (const chunk of chunks) bytes += chunk.length; // all ASCII

    const started = performance.now();
    let accumulator: FairnessAccumulator | undefined;
    const result = await parseCsvStream(from(chunks), (fields, rowNumber) => {
      if (rowNumber === 1) {
        accumulator = new FairnessAccumulator(
          { groupColumns: ["race", "sex"], labelColumn: "label", positiveLabels: ["1"], scoreColumn: "score", threshold: 5 },
          fields,
        );
      } else accumulator?.add(fields, rowNumber);
    });
    const computation = accumulator?.result();
    const elapsed = performance.now() - started;
    console.log(
      `1,000,000 rows (${(bytes / 1e6).toFixed(1)} MB, ${(bytes / (ROWS + 1)).toFixed(1)} bytes/row) parsed and accumulated in ${elapsed.toFixed(0)} ms`,
    );

    expect(result).toEqual({ rows: ROWS + 1, bytes });
    expect(computation?.rows).toBe(ROWS);
    expect(computation?.skipped).toBe(0);
    expect(computation?.groups.map((g) => g.group)).toEqual([...expected.keys()].sort());
    for (const g of computation?.groups ?? []) {
      const { n, tp, fp, tn, fn } = g;
      expect({ n, tp, fp, tn, fn }, g.group).toEqual(expected.get(g.group));
    }
  });
});

describe("auditRulesText", () => {
  it("states the preset, its ratio minimum, the difference maximum and the minimum group size", () => {
    const thresholds = { ratioMin: 0.9, differenceMax: 0.05 };
    expect(auditRulesText({ preset: "org-default", thresholds, config: { minGroupSize: 50 } })).toBe(
      "Organisation default: ratios ≥ 0.9, differences ≤ 0.05; groups under 50 rows left out",
    );
    // The four-fifths rule fixes the ratio; a config without a minimum used the default of 30.
    expect(auditRulesText({ preset: "eeoc-four-fifths", thresholds, config: {} }, { atLeast: ">=", atMost: "<=" })).toBe(
      "EEOC four-fifths rule: ratios >= 0.8, differences <= 0.05; groups under 30 rows left out",
    );
  });
});
