import { describe, expect, it } from "vitest";
import { evaluateBudgets, type Measurements } from "./budgets";
import type { HostileResult } from "./hostile";
import type { LoadResult, LoadStats } from "./load";
import type { PageKey } from "./pages";
import { summarize } from "./stats";

const stats = (requestsPerSec: number, p975: number): LoadStats => ({
  durationSec: 15,
  connections: 20,
  requestsPerSec,
  p50: p975 / 2,
  p975,
  p99: p975,
  requests: requestsPerSec * 15,
  non2xx: 0,
  errors: 0,
  errorCodes: {},
});
const result = (name: string, kind: LoadResult["kind"], requestsPerSec: number, p975: number): LoadResult => ({
  name,
  kind,
  url: "/",
  ...stats(requestsPerSec, p975),
});
const page = (key: PageKey, medianMs: number) => ({ key, name: key, path: `/${key}`, samplesMs: [medianMs], ...summarize([medianMs]) });

const hostile = (name: string, status: number, statusExpected: boolean, maxMs: number): HostileResult => ({
  name,
  method: "POST",
  path: "/api/v1/x",
  bodyKb: 169,
  status,
  statusExpected,
  samplesMs: [maxMs],
  maxMs,
  healthzMaxMs: 5,
});

function measurements(
  overrides: {
    pages?: Array<[PageKey, number]>;
    mixedRps?: number;
    mixedErrors?: number;
    pipelineFailed?: number;
    hostile?: HostileResult[];
  } = {},
): Measurements {
  const pages = overrides.pages ?? [
    ["dashboard", 10],
    ["roadmap", 20],
    ["signIn", 2],
  ];
  return {
    serverTime: { rounds: 15, connections: 1, pages: pages.map(([key, ms]) => page(key, ms)) },
    mixed: {
      ...stats(overrides.mixedRps ?? 400, 80),
      errors: overrides.mixedErrors ?? 0,
      users: ["a", "b"],
      pages: [],
      workers: "default",
      pipeline: { perSecond: 2, posts: 30, failed: overrides.pipelineFailed ?? 0, errors: 0, errorCodes: {}, latency: summarize([5]) },
    },
    signIn: result("Sign-in page", "signIn", 1000, 30),
    bare: result("Bare", "bare", 20_000, 5),
    loads: [result("API models", "api", 500, 40), result("Assessment PDF", "pdf", 20, 250)],
    csv: { rows: 1_000_000, fileMb: 40, elapsedMs: 2000, baselineRssMb: 60, peakRssMb: 100, maxRssMb: 100 },
    js: { page: "/orgs/demo/models", files: 10, rawKb: 300, gzipKb: 100 },
    hostile: overrides.hostile ?? [hostile("wide row", 422, true, 80)],
  };
}

const failing = (m: Measurements) =>
  evaluateBudgets(m)
    .filter((b) => !b.pass)
    .map((b) => `${b.budget}: ${b.target}`);

describe("evaluateBudgets", () => {
  it("passes a run within every limit, with one server-time line per member page (not the sign-in page)", () => {
    const lines = evaluateBudgets(measurements());
    expect(lines.filter((b) => !b.pass)).toEqual([]);
    expect(lines.filter((b) => b.budget === "Server time, median").map((b) => b.target)).toEqual(["dashboard", "roadmap"]);
  });

  it("gives the roadmap 25 ms and every other page 15 ms", () => {
    expect(
      failing(
        measurements({
          pages: [
            ["dashboard", 15],
            ["roadmap", 25],
            ["audit", 15.1],
          ],
        }),
      ),
    ).toEqual(["Server time, median: audit"]);
    expect(failing(measurements({ pages: [["roadmap", 25.1]] }))).toEqual(["Server time, median: roadmap"]);
  });

  it("compares the mixed throughput with 30% of the sign-in page's and 1.2% of the bare server's", () => {
    // 299 req/s: under 30% of 1,000 (and 1.495% of 20,000, over 1.2%).
    expect(failing(measurements({ mixedRps: 299 }))).toEqual(["Mixed load throughput vs sign-in page: member pages"]);
  });

  it("fails the mixed load on any socket error or failed pipeline write", () => {
    expect(failing(measurements({ mixedErrors: 1 }))).toEqual(["Mixed load errors: pages and pipeline"]);
    expect(failing(measurements({ pipelineFailed: 1 }))).toEqual(["Mixed load errors: pages and pipeline"]);
  });

  it("gives each hostile input 1 s and fails it on an unexpected answer, however fast", () => {
    const lines = evaluateBudgets(
      measurements({ hostile: [hostile("ok", 422, true, 1000), hostile("slow", 201, true, 1000.1), hostile("wrong", 500, false, 3)] }),
    );
    expect(lines.filter((b) => b.budget === "Hostile input").map((b) => [b.target, b.pass])).toEqual([
      ["ok", true],
      ["slow", false],
      ["wrong", false],
    ]);
  });
});
