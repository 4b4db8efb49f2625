/**
 * The performance budgets (the one home of their limits and of how they are
 * measured), and the two measurements that are not load tests: a
 * 1,000,000-row bias-audit CSV (computed in a child process so its memory is
 * its own) and the first-load JavaScript of a page without charts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { HostileResult } from "./hostile";
import type { LoadResult } from "./load";
import type { MixedLoadResult } from "./mixed-load";
import type { PageKey } from "./pages";
import type { ServerTimeRun } from "./server-time";

export const BUDGETS = {
  /** Median server time of each signed-in page, requested alone right after a pipeline write. */
  pageMedianMs: 15,
  /** The roadmap page's own limit: the heaviest page. */
  roadmapMedianMs: 25,
  /** The mixed load: people on every page while the pipeline writes. */
  mixedP975Ms: 100,
  mixedMinRatioToSignIn: 0.3,
  mixedMinRatioToBare: 0.012,
  apiP975Ms: 50,
  pdfP975Ms: 300,
  csvRows: 1_000_000,
  csvSeconds: 3,
  csvPeakMb: 200,
  firstLoadJsKb: 150,
  /** Each hostile input (hostile.ts): the slowest of its samples, wall time. */
  hostileMs: 1000,
} as const;

export const pageMedianLimitMs = (key: PageKey): number => (key === "roadmap" ? BUDGETS.roadmapMedianMs : BUDGETS.pageMedianMs);

/** How the budgets are measured. A --quick run takes fewer samples and shorter runs, and says so in its report. */
export const CONDITIONS = {
  /** Server time: samples per page (after one uncounted round). */
  serverTimeSamples: 15,
  /** The mixed load, and the bare server and sign-in page it is compared with. */
  mixedSeconds: 15,
  connections: 20,
  snapshotsPerSecond: 2,
  /** The API and PDF loads. */
  loadSeconds: 10,
} as const;

export const QUICK_CONDITIONS: Record<keyof typeof CONDITIONS, number> = {
  ...CONDITIONS,
  serverTimeSamples: 5,
  mixedSeconds: 4,
  loadSeconds: 3,
};

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

export type Measurements = {
  serverTime: ServerTimeRun;
  mixed: MixedLoadResult;
  signIn: LoadResult;
  bare: LoadResult;
  /** The API and PDF loads. */
  loads: LoadResult[];
  csv: CsvAuditMeasurement;
  js: FirstLoadJs;
  hostile: HostileResult[];
};

const ms = (value: number) => (Number.isNaN(value) ? "none completed in the run" : `${value.toFixed(1)} ms`);
const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%`;
/** NaN (no request completed) fails every latency budget. */
const within = (value: number, limit: number) => !Number.isNaN(value) && value <= limit;
const errorsOf = (r: { non2xx: number; errors: number; errorCodes: Record<string, number> }) =>
  `${r.non2xx} non-2xx, ${r.errors} socket errors${r.errors ? ` ${JSON.stringify(r.errorCodes)}` : ""}`;

export function evaluateBudgets(m: Measurements): BudgetLine[] {
  const lines: BudgetLine[] = [];
  for (const page of m.serverTime.pages) {
    if (page.key === "signIn") continue; // the floor, shown for reference
    const limit = pageMedianLimitMs(page.key);
    lines.push({
      budget: "Server time, median",
      target: page.name,
      actual: `${ms(page.median)} (p90 ${page.p90.toFixed(1)}, max ${page.max.toFixed(1)})`,
      limit: `≤ ${limit} ms`,
      pass: within(page.median, limit),
    });
  }
  const mixed = m.mixed;
  const pipeline = mixed.pipeline;
  lines.push({
    budget: "Mixed load p97.5",
    target: "member pages",
    actual: ms(mixed.p975),
    limit: `≤ ${BUDGETS.mixedP975Ms} ms`,
    pass: within(mixed.p975, BUDGETS.mixedP975Ms),
  });
  lines.push({
    budget: "Mixed load errors",
    target: "pages and pipeline",
    actual:
      `pages: ${errorsOf(mixed)}; pipeline: ${pipeline.failed} failed, ${pipeline.errors} errors of ${pipeline.posts} posts` +
      (pipeline.firstFailure ? ` (first: ${pipeline.firstFailure.slice(0, 120)})` : "") +
      (pipeline.errors ? ` ${JSON.stringify(pipeline.errorCodes)}` : ""),
    limit: "0",
    pass: mixed.non2xx + mixed.errors + pipeline.failed + pipeline.errors === 0 && mixed.requests > 0 && pipeline.posts > 0,
  });
  const throughput = (reference: LoadResult, name: string, minRatio: number) => {
    const ratio = mixed.requestsPerSec / reference.requestsPerSec;
    lines.push({
      budget: `Mixed load throughput vs ${name}`,
      target: "member pages",
      actual: `${percent(ratio)} (${mixed.requestsPerSec.toFixed(0)} vs ${reference.requestsPerSec.toFixed(0)} req/s)`,
      limit: `≥ ${minRatio * 100}%`,
      pass: ratio >= minRatio,
    });
  };
  throughput(m.signIn, "sign-in page", BUDGETS.mixedMinRatioToSignIn);
  throughput(m.bare, "bare", BUDGETS.mixedMinRatioToBare);
  for (const r of m.loads) {
    if (r.kind === "api") {
      lines.push({
        budget: "API list p97.5",
        target: r.name,
        actual: ms(r.p975),
        limit: `≤ ${BUDGETS.apiP975Ms} ms`,
        pass: within(r.p975, BUDGETS.apiP975Ms),
      });
    } else if (r.kind === "pdf") {
      lines.push({
        budget: "PDF p97.5",
        target: r.name,
        actual: ms(r.p975),
        limit: `≤ ${BUDGETS.pdfP975Ms} ms`,
        pass: within(r.p975, BUDGETS.pdfP975Ms),
      });
    }
  }
  for (const r of [m.signIn, ...m.loads]) {
    if (r.non2xx > 0 || r.errors > 0)
      lines.push({ budget: "No errors under load", target: r.name, actual: errorsOf(r), limit: "0", pass: false });
  }
  const seconds = m.csv.elapsedMs / 1000;
  lines.push({
    budget: "Bias-audit CSV time",
    target: `${m.csv.rows.toLocaleString("en")} rows`,
    actual: `${seconds.toFixed(2)} s`,
    limit: `≤ ${BUDGETS.csvSeconds} s`,
    pass: seconds <= BUDGETS.csvSeconds,
  });
  const peak = Math.max(m.csv.peakRssMb, m.csv.maxRssMb);
  lines.push({
    budget: "Bias-audit CSV peak memory",
    target: `${m.csv.rows.toLocaleString("en")} rows`,
    actual: `${peak.toFixed(0)} MB RSS (process at start ${m.csv.baselineRssMb.toFixed(0)} MB)`,
    limit: `≤ ${BUDGETS.csvPeakMb} MB`,
    pass: peak <= BUDGETS.csvPeakMb,
  });
  lines.push(...hostileBudgetLines(m.hostile));
  lines.push({
    budget: "First-load JS (gzip)",
    target: m.js.page,
    actual: `${m.js.gzipKb.toFixed(1)} KB (${m.js.files} files, ${m.js.rawKb.toFixed(0)} KB raw)`,
    limit: `≤ ${BUDGETS.firstLoadJsKb} KB`,
    pass: m.js.gzipKb <= BUDGETS.firstLoadJsKb,
  });
  return lines;
}

/** One line per hostile input: its slowest sample within BUDGETS.hostileMs, answered with the status it should get. */
export function hostileBudgetLines(results: HostileResult[]): BudgetLine[] {
  return results.map((r) => ({
    budget: "Hostile input",
    target: r.name,
    actual: `${ms(r.maxMs)}, ${r.status}${r.statusExpected ? "" : " (unexpected)"}; /healthz meanwhile ≤ ${r.healthzMaxMs.toFixed(0)} ms`,
    limit: `≤ ${BUDGETS.hostileMs} ms`,
    pass: r.statusExpected && within(r.maxMs, BUDGETS.hostileMs),
  }));
}
