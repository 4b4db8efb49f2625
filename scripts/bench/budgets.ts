/**
 * The performance budgets, and the two measurements that are not load tests:
 * a 1,000,000-row bias-audit CSV (computed in a child process so its memory
 * is its own) and the first-load JavaScript of a page without charts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { LoadResult } from "./load";

export const BUDGETS = {
  htmlP975Ms: 100,
  htmlMinRatioToBare: 0.02,
  apiP975Ms: 50,
  pdfP975Ms: 300,
  csvRows: 1_000_000,
  csvSeconds: 3,
  csvPeakMb: 200,
  firstLoadJsKb: 150,
} as const;

/** `informational` lines are shown for context and never counted as passing or failing. */
export type BudgetLine = { budget: string; target: string; actual: string; limit: string; pass: boolean; informational?: boolean };

// ---------------------------------------------------------------- bias-audit CSV

export type CsvAuditMeasurement = {
  rows: number;
  fileMb: number;
  elapsedMs: number;
  baselineRssMb: number;
  peakRssMb: number;
  maxRssMb: number;
};

/** Writes a synthetic bias-audit CSV (id, race, sex, age, label, score) with `rows` data rows. */
export function writeAuditCsv(file: string, rows: number): void {
  const races = ["African-American", "Caucasian", "Hispanic", "Asian", "Native American", "Other"];
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, "id,race,sex,age,label,score\n");
    const chunk: string[] = [];
    for (let i = 1; i <= rows; i++) {
      const score = ((i * 7919) % 1000) / 1000;
      chunk.push(`${i},${races[i % races.length]},${i % 3 ? "Male" : "Female"},${18 + (i % 60)},${(i * 31) % 5 < 2 ? 1 : 0},${score}\n`);
      if (chunk.length === 50_000) {
        fs.writeSync(fd, chunk.join(""));
        chunk.length = 0;
      }
    }
    if (chunk.length) fs.writeSync(fd, chunk.join(""));
  } finally {
    fs.closeSync(fd);
  }
}

export async function measureCsvAudit(rows: number = BUDGETS.csvRows): Promise<CsvAuditMeasurement> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-csv-"));
  const file = path.join(dir, "audit.csv");
  try {
    writeAuditCsv(file, rows);
    const fileMb = fs.statSync(file).size / 2 ** 20;
    const { stdout } = await promisify(execFile)(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/bench/csv-child.ts", file], {
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Omit<CsvAuditMeasurement, "fileMb">;
    if (result.rows !== rows) throw new Error(`The CSV child parsed ${result.rows} rows, expected ${rows}`);
    return { ...result, fileMb };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- first-load JavaScript

export type FirstLoadJs = { page: string; files: number; rawKb: number; gzipKb: number };

/** Fetches the page's HTML, collects every /assets/*.js it loads (scripts, modulepreloads, inline imports) and gzips each. */
export async function measureFirstLoadJs(origin: string, page: string, cookie: string): Promise<FirstLoadJs> {
  const response = await fetch(origin + page, { headers: { cookie }, redirect: "manual" });
  if (response.status !== 200) throw new Error(`GET ${page} answered ${response.status}`);
  const html = await response.text();
  const urls = new Set<string>();
  for (const match of html.matchAll(/["'(](\/assets\/[^"'()\s]+\.js)["')]/g)) urls.add(match[1]!);
  let raw = 0;
  let gzip = 0;
  for (const url of urls) {
    const body = Buffer.from(await (await fetch(origin + url)).arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { page, files: urls.size, rawKb: raw / 1024, gzipKb: gzip / 1024 };
}

// ---------------------------------------------------------------- evaluation

const ms = (value: number) => (Number.isNaN(value) ? "none completed in the run" : `${value.toFixed(1)} ms`);
/** NaN (no request completed) fails every latency budget. */
const within = (value: number, limit: number) => !Number.isNaN(value) && value <= limit;

export function evaluateBudgets(loads: LoadResult[], csv: CsvAuditMeasurement, js: FirstLoadJs): BudgetLine[] {
  const lines: BudgetLine[] = [];
  for (const r of loads) {
    if (r.kind === "html" && r.cacheOff) {
      // Render capacity with the page cache off: 20 connections rendering the same page again and
      // again, which the cache absorbs in real use. Shown beside the budget, not counted.
      lines.push({
        budget: "HTML p97.5, cache off",
        target: r.name,
        actual: `${ms(r.p975)}, ${r.requestsPerSec.toFixed(0)} req/s`,
        limit: `(${BUDGETS.htmlP975Ms} ms)`,
        pass: within(r.p975, BUDGETS.htmlP975Ms),
        informational: true,
      });
    } else if (r.kind === "html") {
      lines.push({ budget: "HTML p97.5", target: r.name, actual: ms(r.p975), limit: `≤ ${BUDGETS.htmlP975Ms} ms`, pass: within(r.p975, BUDGETS.htmlP975Ms) });
      const ratio = r.ratioToBare ?? 0;
      lines.push({
        budget: "HTML throughput vs bare",
        target: r.name,
        actual: `${(ratio * 100).toFixed(2)}%`,
        limit: `≥ ${BUDGETS.htmlMinRatioToBare * 100}%`,
        pass: ratio >= BUDGETS.htmlMinRatioToBare,
      });
    } else if (r.kind === "api") {
      lines.push({ budget: "API list p97.5", target: r.name, actual: ms(r.p975), limit: `≤ ${BUDGETS.apiP975Ms} ms`, pass: within(r.p975, BUDGETS.apiP975Ms) });
    } else if (r.kind === "pdf") {
      lines.push({ budget: "PDF p97.5", target: r.name, actual: ms(r.p975), limit: `≤ ${BUDGETS.pdfP975Ms} ms`, pass: within(r.p975, BUDGETS.pdfP975Ms) });
    }
    if (r.kind !== "bare" && (r.non2xx > 0 || r.errors > 0)) {
      lines.push({ budget: "No errors under load", target: r.name, actual: `${r.non2xx} non-2xx, ${r.errors} errors ${JSON.stringify(r.errorCodes)}`, limit: "0", pass: false });
    }
  }
  const seconds = csv.elapsedMs / 1000;
  lines.push({ budget: "Bias-audit CSV time", target: `${csv.rows.toLocaleString("en")} rows`, actual: `${seconds.toFixed(2)} s`, limit: `≤ ${BUDGETS.csvSeconds} s`, pass: seconds <= BUDGETS.csvSeconds });
  const peak = Math.max(csv.peakRssMb, csv.maxRssMb);
  lines.push({
    budget: "Bias-audit CSV peak memory",
    target: `${csv.rows.toLocaleString("en")} rows`,
    actual: `${peak.toFixed(0)} MB RSS (process at start ${csv.baselineRssMb.toFixed(0)} MB)`,
    limit: `≤ ${BUDGETS.csvPeakMb} MB`,
    pass: peak <= BUDGETS.csvPeakMb,
  });
  lines.push({
    budget: "First-load JS (gzip)",
    target: js.page,
    actual: `${js.gzipKb.toFixed(1)} KB (${js.files} files, ${js.rawKb.toFixed(0)} KB raw)`,
    limit: `≤ ${BUDGETS.firstLoadJsKb} KB`,
    pass: js.gzipKb <= BUDGETS.firstLoadJsKb,
  });
  return lines;
}
