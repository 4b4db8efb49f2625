/**
 * npm run bench [-- --quick] [-- --strict]
 * Builds the large demo organisation into a temp database, starts the portal
 * (production build from PORTAL_BUILD_DIR, default build-bench) and a bare
 * node:http server, loads each page/API with autocannon, checks the budgets
 * and writes bench/results/latest.json and latest.md. Pages are loaded as
 * served (a repeated view comes from the rendered-page cache) and, in a full
 * run, again with that cache off (every request rendered). Exits 0 unless --strict
 * and a budget fails (or the harness itself fails).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeSharedDb } from "../../db/client";
import { buildDirectory } from "../../app/utils/env.server";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { cliOptions } from "../cli";
import { buildLargeOrganization, LARGE } from "./seed";
import { drain, ensureBuild, login, startBareServer, startPortal, stopAll, stopServer } from "./servers";
import { checkTarget, CONNECTIONS, load, type LoadResult, type Target } from "./load";
import { BUDGETS, evaluateBudgets, measureCsvAudit, measureFirstLoadJs, type BudgetLine } from "./budgets";

const { values } = cliOptions({ quick: { type: "boolean" }, strict: { type: "boolean" } });
const durationSec = values.quick ? 3 : 10;
const buildDir = buildDirectory("build-bench");
const resultsDir = path.resolve("bench/results");
const log = (line: string) => console.log(line);

function pad(cells: string[], widths: number[], right: Set<number>): string {
  return cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
}

function table(headings: string[], rows: string[][], right: Set<number>): string[] {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(headings, widths, right), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => pad(r, widths, right))];
}

const LOAD_HEADINGS = ["Target", "Path", "req/s", "p50 ms", "p97.5 ms", "p99 ms", "vs bare", "non-2xx", "1 req ms", "page cache"];
const latency = (value: number, r: LoadResult) => (Number.isNaN(value) ? `>${r.durationSec * 1000}` : value.toFixed(0));
const loadRow = (r: LoadResult) => [
  r.name,
  r.url,
  r.requestsPerSec.toFixed(r.requestsPerSec < 10 ? 1 : 0),
  latency(r.p50, r),
  latency(r.p975, r),
  latency(r.p99, r),
  r.ratioToBare === undefined ? "" : `${(r.ratioToBare * 100).toFixed(2)}%`,
  String(r.non2xx + r.errors),
  r.singleMs === undefined ? "" : r.singleMs.toFixed(0),
  r.pageCache ?? (r.cacheOff ? "off" : ""),
];
const budgetRow = (b: BudgetLine) => [b.informational ? (b.pass ? "info" : "info (over)") : b.pass ? "PASS" : "FAIL", b.budget, b.target, b.actual, b.limit];
const counted = (budgets: BudgetLine[]) => budgets.filter((b) => !b.informational);

function markdown(report: Report): string {
  const md = (headings: string[], rows: string[][]) =>
    [`| ${headings.join(" | ")} |`, `| ${headings.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  return [
    `# Portal benchmark (${report.quick ? "quick" : "full"})`,
    "",
    `${report.startedAt} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"} · load average ${report.loadAverage.map((l) => l.toFixed(1)).join(" ")} · ${CONNECTIONS} connections, ${report.durationSec} s per target`,
    "",
    `Dataset: ${report.dataset.models} models, ${report.dataset.versions} versions, ${report.dataset.auditEvents} audit events, ` +
      `${report.dataset.snapshots} monitoring snapshots, ${report.dataset.assessments} finalised assessments, ${report.dataset.roadmapItems} roadmap items ` +
      `(built in ${(report.seedMs / 1000).toFixed(1)} s).`,
    "",
    "## Load",
    "",
    md(LOAD_HEADINGS, report.loads.map(loadRow)),
    "",
    `## Budgets: ${counted(report.budgets).filter((b) => b.pass).length}/${counted(report.budgets).length} pass`,
    "",
    "Pages are measured as served: 20 connections repeat one URL with one session, so the counted page budgets measure the rendered-page cache's hit path. The \"cache off\" lines (full runs) load the same pages with that cache off, every request rendered; they show render capacity and are not counted.",
    "",
    md(["Result", "Budget", "Target", "Actual", "Limit"], report.budgets.map(budgetRow)),
    "",
  ].join("\n");
}

type Report = {
  startedAt: string;
  /** os.loadavg() at the start: other work on the machine skews every number. */
  loadAverage: number[];
  quick: boolean;
  durationSec: number;
  connections: number;
  seedMs: number;
  dataset: { models: number; versions: number; auditEvents: number; snapshots: number; assessments: number; roadmapItems: number };
  loads: LoadResult[];
  csvAudit: Awaited<ReturnType<typeof measureCsvAudit>>;
  firstLoadJs: Awaited<ReturnType<typeof measureFirstLoadJs>>;
  budgets: BudgetLine[];
  limits: typeof BUDGETS;
};

async function main(): Promise<number> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverage = os.loadavg();
  ensureBuild(buildDir, log);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-bench-"));
  const dbFile = path.join(tmp, "portal.db");
  try {
    const org = await buildLargeOrganization(dbFile, log);
    const token = createApiToken(org.orgId, { name: "bench", scopes: [...API_SCOPES] }, { ...SYSTEM_ACTOR, label: "bench" }).token;
    closeSharedDb();

    log("[bench] starting the portal and the bare server ...");
    const [firstPortal, bare] = await Promise.all([startPortal({ dbFile, buildDir }), startBareServer()]);
    let portal = firstPortal;
    const cookie = await login(portal.origin, "admin@demo.local", "demo-password");
    const session = { cookie };
    const api = { authorization: `Bearer ${token}` };
    const targets: Target[] = [
      // The lightest real page (anonymous, no queries): the floor of this server and framework.
      { name: "Sign-in page", kind: "html", path: "/login" },
      { name: "Org dashboard", kind: "html", path: "/orgs/demo", headers: session },
      { name: "Model list", kind: "html", path: "/orgs/demo/models", headers: session },
      { name: "Model list (filtered)", kind: "html", path: "/orgs/demo/models?riskTier=high&sort=-updated", headers: session },
      { name: "Model detail", kind: "html", path: `/orgs/demo/models/${org.modelSlug}`, headers: session },
      { name: "Audit log", kind: "html", path: "/orgs/demo/audit", headers: session },
      { name: "Assessment", kind: "html", path: `/orgs/demo/assessments/${org.assessmentId}`, headers: session },
      { name: "Roadmap", kind: "html", path: `/orgs/demo/roadmaps/${org.roadmapId}`, headers: session },
      { name: "API models", kind: "api", path: "/api/v1/models", headers: api },
      { name: "API metrics", kind: "api", path: "/api/v1/metrics", headers: api },
      { name: "Assessment PDF", kind: "pdf", path: `/orgs/demo/assessments/${org.assessmentId}.pdf`, headers: session },
    ];
    const checks = new Map<string, Awaited<ReturnType<typeof checkTarget>>>();
    for (const target of targets) checks.set(target.name, await checkTarget(portal.origin, target));
    const firstLoadJs = await measureFirstLoadJs(portal.origin, "/orgs/demo/models", cookie);

    const loads: LoadResult[] = [];
    const ceiling = await load(bare.origin, { name: "Bare node:http (2 KB)", kind: "bare", path: "/" }, durationSec);
    loads.push(ceiling);
    log(`[bench] ${ceiling.name}: ${ceiling.requestsPerSec.toFixed(0)} req/s`);
    await stopServer(bare);
    /** Loads each target in turn; `env` starts the portal (again) with settings of its own. */
    const loadEach = async (list: Target[], options: { cacheOff?: boolean; env?: Record<string, string> } = {}) => {
      for (const target of list) {
        const result = await load(portal.origin, options.cacheOff ? { ...target, name: `${target.name}, cache off` } : target, durationSec);
        result.ratioToBare = result.requestsPerSec / ceiling.requestsPerSec;
        if (!options.cacheOff) Object.assign(result, checks.get(target.name));
        result.cacheOff = options.cacheOff;
        loads.push(result);
        log(`[bench] ${result.name}: ${result.requestsPerSec.toFixed(1)} req/s, p97.5 ${latency(result.p975, result)} ms`);
        if (target !== list.at(-1) && !(await drain(portal))) {
          // Requests still queued from this run would be billed to the next target: start afresh.
          log("[bench]   the portal is still busy with queued requests: restarting it");
          await stopServer(portal);
          portal = await startPortal({ dbFile, buildDir, env: options.env });
        }
      }
    };
    await loadEach(targets);
    if (!values.quick) {
      // The same pages rendered on every request, as a page's first view after any change is.
      log("[bench] the HTML pages again with the rendered-page cache off (PORTAL_PAGE_CACHE=off) ...");
      await stopServer(portal);
      const env = { PORTAL_PAGE_CACHE: "off" };
      portal = await startPortal({ dbFile, buildDir, env });
      await loadEach(targets.filter((target) => target.kind === "html"), { cacheOff: true, env });
    }
    await stopAll();

    log(`[bench] bias-audit CSV: ${BUDGETS.csvRows.toLocaleString("en")} rows in a child process ...`);
    const csvAudit = await measureCsvAudit();
    const budgets = evaluateBudgets(loads, csvAudit, firstLoadJs);
    const report: Report = {
      startedAt,
      loadAverage,
      quick: Boolean(values.quick),
      durationSec,
      connections: CONNECTIONS,
      seedMs: org.elapsedMs,
      dataset: {
        models: LARGE.models,
        versions: LARGE.models * LARGE.versionsPerModel,
        auditEvents: LARGE.auditEvents,
        snapshots: LARGE.snapshots,
        assessments: LARGE.assessments,
        roadmapItems: LARGE.roadmapItems,
      },
      loads,
      csvAudit,
      firstLoadJs,
      budgets,
      limits: BUDGETS,
    };

    console.log("");
    table(LOAD_HEADINGS, loads.map(loadRow), new Set([2, 3, 4, 5, 6, 7])).forEach((line) => console.log(line));
    console.log("");
    table(["Result", "Budget", "Target", "Actual", "Limit"], budgets.map(budgetRow), new Set()).forEach((line) => console.log(line));
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(path.join(resultsDir, "latest.md"), markdown(report));
    const failed = counted(budgets).filter((b) => !b.pass).length;
    console.log(
      `\n[bench] ${counted(budgets).length - failed}/${counted(budgets).length} budgets pass; wrote bench/results/latest.json and latest.md ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return values.strict && failed > 0 ? 1 : 0;
  } finally {
    await stopAll();
    closeSharedDb();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stopAll();
    process.exit(1);
  },
);
