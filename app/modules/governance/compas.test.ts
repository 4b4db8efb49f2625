import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCsvStream } from "../../utils/csv-parser";
import {
  DEFAULT_THRESHOLDS,
  evaluateDisparities,
  FairnessAccumulator,
  type FairnessComputation,
  type FairnessConfig,
  type GroupMetrics,
} from "./fairness";

/**
 * ProPublica's COMPAS analysis ("How We Analyzed the COMPAS Recidivism
 * Algorithm", 2016) on compas-scores-two-years.csv: 7,214 defendants; a
 * "Medium" or "High" risk score (decile 5–10) counted as predicting
 * recidivism within two years (`two_year_recid` = 1).
 *
 *                      African-American   Caucasian
 *   false positive rate     44.85%          23.45%
 *   false negative rate     27.99%          47.72%
 *
 * The header repeats two names: `decile_score` (columns 12 and 40) and
 * `priors_count` (15 and 49). FairnessAccumulator uses the FIRST occurrence of a
 * name; in this file both `decile_score` columns hold the same values.
 */
const FILE = path.resolve(__dirname, "../../../../shared/datasets/compas-scores-two-years.csv");

async function audit(config: FairnessConfig): Promise<{ header: string[]; computation: FairnessComputation; rows: number }> {
  if (!fs.existsSync(FILE)) {
    throw new Error(
      `The COMPAS dataset is missing: expected ${FILE} (compas-scores-two-years.csv from ProPublica's compas-analysis repository).`,
    );
  }
  let header: string[] = [];
  let accumulator: FairnessAccumulator | undefined;
  const { rows } = await parseCsvStream(fs.createReadStream(FILE), (fields, rowNumber) => {
    if (rowNumber === 1) {
      header = fields;
      accumulator = new FairnessAccumulator(config, fields);
    } else {
      accumulator?.add(fields, rowNumber);
    }
  });
  if (!accumulator) throw new Error(`${FILE} is empty`);
  return { header, computation: accumulator.result(), rows };
}

function group(computation: FairnessComputation, key: string): GroupMetrics {
  const found = computation.groups.find((g) => g.group === key);
  if (!found) throw new Error(`No group "${key}"; groups are ${computation.groups.map((g) => g.group).join(", ")}`);
  return found;
}

const byScoreText: FairnessConfig = {
  groupColumns: ["race"],
  labelColumn: "two_year_recid",
  positiveLabels: ["1"],
  predictionColumn: "score_text",
  positivePredictions: ["Medium", "High"],
};
const byDecile: FairnessConfig = {
  groupColumns: ["race"],
  labelColumn: "two_year_recid",
  positiveLabels: ["1"],
  scoreColumn: "decile_score",
  threshold: 5,
};

describe("COMPAS (ProPublica's truth table)", () => {
  it("finds the dataset", () => {
    expect(fs.existsSync(FILE), `The COMPAS dataset is missing: expected ${FILE}`).toBe(true);
  });

  describe.each([
    ["score_text in Medium/High", byScoreText],
    ["decile_score >= 5", byDecile],
  ])("predicted positive when %s", (_name, config) => {
    let result: Awaited<ReturnType<typeof audit>>;
    beforeAll(async () => {
      result = await audit(config);
    });

    it("reads all 7,214 defendants", () => {
      expect(result.rows).toBe(7_215); // header included
      expect(result.computation.rows).toBe(7_214);
      expect(result.computation.skipped).toBe(0);
      expect(result.header).toHaveLength(53);
      expect(result.header.filter((name) => name === "decile_score")).toHaveLength(2);
      expect(result.header.filter((name) => name === "priors_count")).toHaveLength(2);
    });

    it("has the six race groups", () => {
      expect(result.computation.groups.map((g) => [g.group, g.n])).toEqual([
        ["African-American", 3_696],
        ["Asian", 32],
        ["Caucasian", 2_454],
        ["Hispanic", 637],
        ["Native American", 18],
        ["Other", 377],
      ]);
      expect(group(result.computation, "Native American").includedInDisparities).toBe(false); // 18 < 30
      expect(result.computation.warnings).toEqual([
        // The file has two decile_score columns (ProPublica's export repeats it): said when the audit reads it.
        ...(config.scoreColumn === "decile_score" ? ['"decile_score" appears 2 times in the header; the first (column 12) was used.'] : []),
        'Group "Native American" has 18 rows, below the minimum of 30; it is reported but left out of disparities.',
      ]);
    });

    it("matches ProPublica's false positive and false negative rates", () => {
      const black = group(result.computation, "African-American");
      const white = group(result.computation, "Caucasian");
      // African-American: FP 805 / (805 + 990) = 44.85%, FN 532 / (532 + 1369) = 27.99%
      expect(black).toMatchObject({ tp: 1_369, fp: 805, tn: 990, fn: 532 });
      expect(black.falsePositiveRate).toBeCloseTo(0.4485, 4);
      expect(black.falseNegativeRate).toBeCloseTo(0.2799, 4);
      // Caucasian: FP 349 / (349 + 1139) = 23.45%, FN 461 / (461 + 505) = 47.72%
      expect(white).toMatchObject({ tp: 505, fp: 349, tn: 1_139, fn: 461 });
      expect(white.falsePositiveRate).toBeCloseTo(0.2345, 4);
      expect(white.falseNegativeRate).toBeCloseTo(0.4772, 4);
    });
  });
});

describe("COMPAS intersectional bias audit (race × sex)", () => {
  let computation: FairnessComputation;
  beforeAll(async () => {
    ({ computation } = await audit({ ...byScoreText, groupColumns: ["race", "sex"] }));
  });

  it('keys groups like "African-American × Male"', () => {
    const keys = computation.groups.map((g) => g.group);
    expect(keys).toContain("African-American × Male");
    expect(keys).toContain("Caucasian × Female");
    expect(keys.every((key) => key.includes(" × "))).toBe(true);
    const sum = computation.groups.reduce((total, g) => total + g.n, 0);
    expect(sum).toBe(7_214);
  });

  it("names African-American and Caucasian groups at the extremes of the false positive rate", async () => {
    // With groups of at least 500 defendants (African-American and Caucasian
    // women and men, Hispanic men) the FPR runs from 46.12% for
    // African-American men (642 / 1,390) to 21.25% for Caucasian men (238 / 1,120).
    const { computation: large } = await audit({ ...byScoreText, groupColumns: ["race", "sex"], minGroupSize: 500 });
    const evaluation = evaluateDisparities(large, DEFAULT_THRESHOLDS, "org-default");
    const fpr = evaluation.disparities.falsePositiveRateDifference;
    expect(fpr).toMatchObject({ maxGroup: "African-American × Male", minGroup: "Caucasian × Male", passed: false });
    expect(fpr.value).toBeCloseTo(0.4612 - 0.2125, 3);
    expect(group(large, "African-American × Male").falsePositiveRate).toBeCloseTo(0.4612, 4);
    expect(group(large, "Caucasian × Male").falsePositiveRate).toBeCloseTo(0.2125, 4);
    expect(evaluation.passed).toBe(false);
  });

  it("with the default minimum of 30, Asian men (30 defendants) have the lowest FPR", () => {
    const evaluation = evaluateDisparities(computation, DEFAULT_THRESHOLDS, "org-default");
    const fpr = evaluation.disparities.falsePositiveRateDifference;
    expect(fpr).toMatchObject({ maxGroup: "African-American × Male", minGroup: "Asian × Male", passed: false });
    expect(group(computation, "Asian × Male")).toMatchObject({ n: 30, includedInDisparities: true });
    expect(group(computation, "Native American × Male").includedInDisparities).toBe(false);
    expect(evaluation.disparities.demographicParityDifference).toMatchObject({
      maxGroup: "African-American × Male",
      minGroup: "Hispanic × Female",
    });
  });
});
