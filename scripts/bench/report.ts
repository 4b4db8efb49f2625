/**
 * The benchmark's report: one list of sections, printed to the console as
 * aligned text and written to bench/results/latest.md as Markdown.
 */
import { type BUDGETS, pageMedianLimitMs, type BudgetLine, type CONDITIONS } from "./budgets";
import type { CsvAuditMeasurement, FirstLoadJs } from "./budgets";
import type { HostileResult } from "./hostile";
import type { LoadResult, LoadStats } from "./load";
import type { MixedLoadResult } from "./mixed-load";
import type { ServerTimeRun } from "./server-time";

/** The same mixed load against a portal started with WEB_CONCURRENCY=workers. */
export type ClusterRun = { workers: number; signIn: LoadResult; mixed: MixedLoadResult };

export type Report = {
  startedAt: string;
  finishedAt: string;
  node: string;
  cpus: string;
  /** os.loadavg() (1, 5, 15 minutes) at the start and the end: other work on the machine skews every number. */
  loadAverage: { start: number[]; end: number[] };
  quick: boolean;
  conditions: Record<keyof typeof CONDITIONS, number>;
  seedMs: number;
  dataset: { models: number; versions: number; auditEvents: number; snapshots: number; assessments: number; roadmapItems: number };
  /** Who the server-time pages are requested as. */
  serverTimeUser: string;
  bare: LoadResult;
  signIn: LoadResult;
  serverTime: ServerTimeRun;
  mixed: MixedLoadResult;
  /** The API and PDF loads. */
  loads: LoadResult[];
  cluster: ClusterRun[];
  csvAudit: CsvAuditMeasurement;
  firstLoadJs: FirstLoadJs;
  /** The worst request shapes (hostile.ts), against the portal before the cluster runs. */
  hostile: HostileResult[];
  budgets: BudgetLine[];
  limits: typeof BUDGETS;
};

export type Section = { title: string; text: string; headings: string[]; rows: string[][]; right: number[] };

const num = (value: number, digits = 0) => (Number.isNaN(value) ? "–" : value.toFixed(digits));
const reqs = (r: LoadStats) => num(r.requestsPerSec, r.requestsPerSec < 10 ? 1 : 0);
const errs = (r: LoadStats) => String(r.non2xx + r.errors);
const cpuCells = (r: LoadStats) => [r.cpu ? num(r.cpu.serverMsPerRequest, 2) : "–", r.cpu ? num(r.cpu.serverCores, 2) : "–"];
const loadRow = (name: string, url: string, r: LoadStats) => [
  name,
  url,
  reqs(r),
  num(r.p50),
  num(r.p975),
  num(r.p99),
  errs(r),
  ...cpuCells(r),
];
const LOAD_HEADINGS = ["Load", "Path", "req/s", "p50 ms", "p97.5 ms", "p99 ms", "errors", "server CPU ms/req", "server cores"];
const LOAD_RIGHT = [2, 3, 4, 5, 6, 7, 8];
const CPU_NOTE =
  "Server CPU ms/req: the CPU time all the server's processes used per answer, which other work on the machine inflates far less than " +
  "wall time; server cores: how many cores the server kept busy on average (below its worker count when the machine is short of CPU).";
export const counted = (budgets: BudgetLine[]) => budgets.filter((b) => !b.informational);
const loads = (list: readonly number[]) => list.map((l) => l.toFixed(2)).join(" ");

export function headline(report: Report): string[] {
  const c = report.conditions;
  return [
    `${report.startedAt} · Node ${report.node} · ${report.cpus} · ` +
      `**load average ${loads(report.loadAverage.start)} at the start, ${loads(report.loadAverage.end)} at the end** ` +
      "(other work on the machine skews every figure: compare runs made at similar load)",
    `Dataset: ${report.dataset.models} models, ${report.dataset.versions} versions, ${report.dataset.auditEvents} audit events, ` +
      `${report.dataset.snapshots} monitoring snapshots, ${report.dataset.assessments} finalised assessments, ${report.dataset.roadmapItems} roadmap items ` +
      `(built in ${(report.seedMs / 1000).toFixed(1)} s).`,
    `Conditions: ${c.serverTimeSamples} server-time samples a page; mixed load ${c.connections} connections for ${c.mixedSeconds} s with ` +
      `${c.snapshotsPerSecond} pipeline snapshots a second; API and PDF ${c.connections} connections for ${c.loadSeconds} s each.` +
      (report.quick ? " **Quick run: fewer samples and shorter loads than the budgets ask for.**" : ""),
  ];
}

export function sections(report: Report): Section[] {
  const st = report.serverTime;
  const mixed = report.mixed;
  const list: Section[] = [
    {
      title: "Server time per page",
      text:
        `Each page requested alone as ${report.serverTimeUser} over one keep-alive connection (${st.connections} used), right after a pipeline write ` +
        `to the organisation (awaited), so nothing is warm from the request before; ${st.rounds} rounds through every page after one uncounted round. ` +
        "Wall time from sending the request to the last byte of the answer.",
      headings: ["Page", "Path", "median ms", "p90 ms", "max ms", "limit"],
      rows: st.pages.map((p) => [
        p.name,
        p.path,
        num(p.median, 1),
        num(p.p90, 1),
        num(p.max, 1),
        p.key === "signIn" ? "(floor)" : `≤ ${pageMedianLimitMs(p.key)}`,
      ]),
      right: [2, 3, 4],
    },
    {
      title: "Mixed load",
      text:
        `${mixed.connections} connections signed in as ${mixed.users.join(", ")} (connection i is person i mod ${mixed.users.length}), each requesting the ` +
        `member pages in its own random order for ${mixed.durationSec} s while the pipeline posts ${mixed.pipeline.perSecond} monitoring snapshots a second ` +
        `(${mixed.pipeline.posts} posts: ${mixed.pipeline.failed + mixed.pipeline.errors} failed, median ${num(mixed.pipeline.latency.median)} ms, ` +
        `p97.5 ${num(mixed.pipeline.latency.p975)} ms). The bare server and the sign-in page run the same connections for the same time, ` +
        `one after the other. WEB_CONCURRENCY: ${mixed.workers}. ${CPU_NOTE}`,
      headings: LOAD_HEADINGS,
      rows: [
        loadRow(report.bare.name, report.bare.url, report.bare),
        loadRow(report.signIn.name, report.signIn.url, report.signIn),
        loadRow("Member pages, mixed", "(below)", mixed),
      ],
      right: LOAD_RIGHT,
    },
    {
      title: "Mixed load by page",
      text: "Each page's answers within the mixed load, as the client timed them (every answer, not only 2xx).",
      headings: ["Page", "requests", "p50 ms", "p97.5 ms", "non-2xx"],
      rows: mixed.pages.map((p) => [p.name, String(p.requests), num(p.p50), num(p.p975), String(p.non2xx)]),
      right: [1, 2, 3, 4],
    },
    {
      title: "API and PDF",
      text: `${report.conditions.connections} connections repeating one URL.`,
      headings: LOAD_HEADINGS,
      rows: report.loads.map((r) => loadRow(r.name, r.url, r)),
      right: LOAD_RIGHT,
    },
  ];
  if (report.cluster.length > 0) {
    list.push({
      title: "Worker cluster",
      text: `The sign-in page and the mixed load again, each against a portal started with the given WEB_CONCURRENCY. ${CPU_NOTE}`,
      headings: [
        "Workers",
        "sign-in req/s",
        "mixed req/s",
        "mixed p50 ms",
        "mixed p97.5 ms",
        "mixed vs sign-in",
        "errors",
        "mixed server CPU ms/req",
        "mixed server cores",
      ],
      rows: report.cluster.map((c) => [
        String(c.workers),
        reqs(c.signIn),
        reqs(c.mixed),
        num(c.mixed.p50),
        num(c.mixed.p975),
        `${((c.mixed.requestsPerSec / c.signIn.requestsPerSec) * 100).toFixed(1)}%`,
        String(c.signIn.non2xx + c.signIn.errors + c.mixed.non2xx + c.mixed.errors + c.mixed.pipeline.failed + c.mixed.pipeline.errors),
        ...cpuCells(c.mixed),
      ]),
      right: [1, 2, 3, 4, 5, 6, 7, 8],
    });
  }
  list.push(hostileSection(report.hostile));
  const budgets = counted(report.budgets);
  list.push({
    title: `Budgets: ${budgets.filter((b) => b.pass).length}/${budgets.length} pass`,
    text: "",
    headings: ["Result", "Budget", "Target", "Actual", "Limit"],
    rows: report.budgets.map((b) => [
      b.informational ? (b.pass ? "info" : "info (over)") : b.pass ? "PASS" : "FAIL",
      b.budget,
      b.target,
      b.actual,
      b.limit,
    ]),
    right: [],
  });
  return list;
}

export function markdown(report: Report): string {
  const table = (s: Section) => [
    `| ${s.headings.join(" | ")} |`,
    `| ${s.headings.map((_, i) => (s.right.includes(i) ? "---:" : "---")).join(" | ")} |`,
    ...s.rows.map((r) => `| ${r.join(" | ")} |`),
  ];
  return [
    `# Portal benchmark (${report.quick ? "quick" : "full"})`,
    "",
    ...headline(report).flatMap((line) => [line, ""]),
    ...sections(report).flatMap((s) => [`## ${s.title}`, "", ...(s.text ? [s.text, ""] : []), ...table(s), ""]),
  ].join("\n");
}

/** A section as aligned console text: its title, headings and rows. */
export function textTable(s: Section): string[] {
  const widths = s.headings.map((h, i) => Math.max(h.length, ...s.rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (s.right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  return [s.title, line(s.headings), widths.map((w) => "-".repeat(w)).join("  "), ...s.rows.map(line)];
}

export function consoleText(report: Report): string {
  return [...headline(report).map((l) => l.replaceAll("**", "")), "", ...sections(report).flatMap((s) => [...textTable(s), ""])].join("\n");
}

/** The hostile inputs: each worst request shape, its answer and time, and /healthz while it ran. */
export function hostileSection(results: HostileResult[]): Section {
  return {
    title: "Hostile inputs",
    text:
      "The worst request shapes found (issue 14), each sent alone over one connection after one uncounted request: bodies filled to their " +
      "limit with items, keys or columns, and forms of repeated fields. Time from sending to the last byte of the answer; the budget is the " +
      "slowest sample. /healthz is asked every 50 ms meanwhile: a shape that holds a worker shows there too.",
    headings: ["Input", "Request", "body KB", "status", "max ms", "samples ms", "/healthz max ms"],
    rows: results.map((r) => [
      r.name,
      `${r.method} ${r.path}`,
      num(r.bodyKb),
      `${r.status}${r.statusExpected ? "" : " (unexpected)"}`,
      num(r.maxMs),
      r.samplesMs.map((v) => num(v)).join(", "),
      num(r.healthzMaxMs),
    ]),
    right: [2, 4, 6],
  };
}
