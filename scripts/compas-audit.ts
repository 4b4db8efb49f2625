/**
 * npx tsx scripts/compas-audit.ts [path]
 *
 * Demo: streams ProPublica's COMPAS file (default ../shared/datasets/compas-scores-two-years.csv,
 * next to the repository) through the bias-audit engine and prints, per race group,
 * the defendants, false positive / false negative rates and selection rate, then the
 * disparities with pass/fail under the org-default thresholds (ratio >= 0.8, difference <= 0.1).
 * "Medium" and "High" risk scores count as predicting recidivism (`two_year_recid` = 1).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CsvError, parseCsvStream } from "../app/utils/csv-parser";
import {
  FairnessConfigError,
  DEFAULT_THRESHOLDS,
  evaluateDisparities,
  FairnessAccumulator,
  type FairnessConfig,
  type Disparity,
} from "../app/modules/governance/fairness";
import { fail } from "./cli";

const DEFAULT_FILE = fileURLToPath(new URL("../../shared/datasets/compas-scores-two-years.csv", import.meta.url));
const file = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_FILE;

const config: FairnessConfig = {
  groupColumns: ["race"],
  labelColumn: "two_year_recid",
  positiveLabels: ["1"],
  predictionColumn: "score_text",
  positivePredictions: ["Medium", "High"],
};

const percent = (value: number | null) => (value === null ? "n/a" : `${(value * 100).toFixed(2)}%`);

function table(headings: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join("  ");
  return [line(headings), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  if (!fs.existsSync(file)) {
    fail(`COMPAS file not found: ${file}\nPass the path to compas-scores-two-years.csv (from github.com/propublica/compas-analysis).`);
  }
  const started = performance.now();
  let accumulator: FairnessAccumulator | undefined;
  try {
    await parseCsvStream(fs.createReadStream(file), (fields, rowNumber) => {
      if (rowNumber === 1) accumulator = new FairnessAccumulator(config, fields);
      else accumulator?.add(fields, rowNumber);
    });
  } catch (error) {
    if (error instanceof CsvError) fail(`${file}: row ${error.rowNumber}: ${error.message}`);
    if (error instanceof FairnessConfigError) fail(`${file}: ${error.message}`);
    throw error;
  }
  if (!accumulator) fail(`${file} is empty`);
  const computation = accumulator.result();
  const evaluation = evaluateDisparities(computation, DEFAULT_THRESHOLDS, "org-default");
  const elapsed = performance.now() - started;

  console.log(`COMPAS bias audit: ${file}`);
  console.log(`${computation.rows} defendants (${computation.skipped} skipped) in ${elapsed.toFixed(0)} ms`);
  console.log(`Predicted positive: score_text Medium/High; actual positive: two_year_recid = 1\n`);
  console.log(
    table(
      ["Race", "n", "FPR", "FNR", "Selection rate", "Included"],
      evaluation.groups.map((g) => [
        g.group,
        String(g.n),
        percent(g.falsePositiveRate),
        percent(g.falseNegativeRate),
        percent(g.selectionRate),
        g.includedInDisparities ? "yes" : "no",
      ]),
      new Set([1, 2, 3, 4]),
    ),
  );

  const names: Record<string, string> = {
    demographicParityDifference: "Demographic parity difference",
    demographicParityRatio: "Demographic parity ratio",
    equalOpportunityDifference: "Equal opportunity difference",
    falsePositiveRateDifference: "False positive rate difference",
    equalizedOddsDifference: "Equalized odds difference",
    minimumImpactRatio: "Minimum impact ratio",
  };
  const entries = Object.entries(evaluation.disparities) as [string, Disparity][];
  console.log(`\nDisparities (org-default: ratio >= ${DEFAULT_THRESHOLDS.ratioMin}, difference <= ${DEFAULT_THRESHOLDS.differenceMax})\n`);
  console.log(
    table(
      ["Metric", "Value", "Threshold", "Result", "Highest group", "Lowest group"],
      entries.map(([key, d]) => [
        names[key] ?? key,
        d.value === null ? "n/a" : d.value.toFixed(4),
        `${d.comparison} ${d.threshold}`,
        d.passed === null ? "n/a" : d.passed ? "PASS" : "FAIL",
        d.maxGroup ?? "-",
        d.minGroup ?? "-",
      ]),
      new Set([1]),
    ),
  );
  const warnings = [...computation.warnings, ...evaluation.warnings];
  if (warnings.length > 0) console.log(`\nWarnings:\n${warnings.map((w) => `- ${w}`).join("\n")}`);
  console.log(`\nOverall: ${evaluation.passed ? "PASS" : "FAIL"}`);
}

await main();
