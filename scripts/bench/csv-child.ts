/**
 * Child process of the bias-audit budget: streams a CSV file through
 * parseCsvStream + FairnessAccumulator and prints one JSON line with the
 * elapsed time and this process's peak memory (its own, not the harness's).
 *   node node_modules/tsx/dist/cli.mjs scripts/bench/csv-child.ts <file>
 */
import fs from "node:fs";
import { parseCsvStream } from "../../app/utils/csv-parser";
import { FairnessAccumulator, type FairnessConfig } from "../../app/modules/governance/fairness";

export const BENCH_AUDIT_CONFIG: FairnessConfig = {
  groupColumns: ["race"],
  labelColumn: "label",
  positiveLabels: ["1"],
  scoreColumn: "score",
  threshold: 0.5,
};

async function main(file: string): Promise<void> {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  let accumulator: FairnessAccumulator | undefined;
  const { rows } = await parseCsvStream(fs.createReadStream(file), (fields, rowNumber) => {
    if (rowNumber === 1) accumulator = new FairnessAccumulator(BENCH_AUDIT_CONFIG, fields);
    else accumulator!.add(fields, rowNumber);
  });
  const computation = accumulator!.result();
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      rows: rows - 1,
      counted: computation.rows,
      groups: computation.groups.length,
      elapsedMs,
      baselineRssMb: baselineRss / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

await main(process.argv[2]!);
