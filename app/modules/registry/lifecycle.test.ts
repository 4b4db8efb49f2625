import { describe, expect, it } from "vitest";
import {
  breachedObjectives,
  newlyBreached,
  checkTransition,
  compare,
  compareSemver,
  FORWARD_ORDER,
  isLineageComplete,
  lineageGaps,
  median,
  nextStages,
  parseSemver,
  productionIntervals,
  productionVersionOn,
  type Semver,
  type TransitionRecord,
} from "./lifecycle";
import { STAGES, type Stage } from "./registry-constants";

const sv = (value: string): Semver => {
  const parsed = parseSemver(value);
  if (!parsed) throw new Error(`test fixture is not semver: ${value}`);
  return parsed;
};

describe("parseSemver", () => {
  it.each([
    ["0.0.0", { major: 0, minor: 0, patch: 0, prerelease: null }],
    ["1.2.3", { major: 1, minor: 2, patch: 3, prerelease: null }],
    ["10.20.30", { major: 10, minor: 20, patch: 30, prerelease: null }],
    ["2.0.0-rc.1", { major: 2, minor: 0, patch: 0, prerelease: "rc.1" }],
    ["1.0.0-alpha", { major: 1, minor: 0, patch: 0, prerelease: "alpha" }],
    ["1.0.0-0.3.7", { major: 1, minor: 0, patch: 0, prerelease: "0.3.7" }],
    ["1.0.0-x-y-z.--", { major: 1, minor: 0, patch: 0, prerelease: "x-y-z.--" }],
    // Build metadata is accepted and ignored.
    ["1.0.0+20130313144700", { major: 1, minor: 0, patch: 0, prerelease: null }],
    ["1.0.0-beta+exp.sha.5114f85", { major: 1, minor: 0, patch: 0, prerelease: "beta" }],
    // Largest safe integer is still fine.
    ["9007199254740991.0.0", { major: 9007199254740991, minor: 0, patch: 0, prerelease: null }],
  ])("parses %s", (value, expected) => {
    expect(parseSemver(value)).toEqual(expected);
  });

  it.each([
    "1.0",
    "1",
    "v1.0.0",
    "V1.0.0",
    "01.0.0",
    "1.01.0",
    "1.0.01",
    "1.0.0-",
    "1.0.0+",
    "1.0.0-01", // numeric pre-release identifiers may not have leading zeros
    "1.0.0-alpha..1",
    "1.0.0-alpha_1",
    " 1.0.0",
    "1.0.0 ",
    "1.0.0.0",
    "a.b.c",
    "",
    "-1.0.0",
    // Beyond Number.MAX_SAFE_INTEGER: refused rather than silently rounded.
    "9007199254740992.0.0",
    "99999999999999999999.0.0",
    "1.99999999999999999999.0",
    "1.0.99999999999999999999",
  ])("refuses %j", (value) => {
    expect(parseSemver(value)).toBeNull();
  });
});

describe("compareSemver", () => {
  it("orders by major, then minor, then patch numerically (not as text)", () => {
    expect(compareSemver(sv("1.10.0"), sv("1.9.0"))).toBeGreaterThan(0);
    expect(compareSemver(sv("1.9.0"), sv("1.10.0"))).toBeLessThan(0);
    expect(compareSemver(sv("2.0.0"), sv("1.99.99"))).toBeGreaterThan(0);
    expect(compareSemver(sv("1.2.10"), sv("1.2.9"))).toBeGreaterThan(0);
    expect(compareSemver(sv("1.2.3"), sv("1.2.3"))).toBe(0);
  });

  it("puts a pre-release before its release, and after the previous patch", () => {
    expect(compareSemver(sv("1.0.0-rc.1"), sv("1.0.0"))).toBeLessThan(0);
    expect(compareSemver(sv("1.0.0"), sv("1.0.0-rc.1"))).toBeGreaterThan(0);
    expect(compareSemver(sv("1.0.0-rc.1"), sv("0.9.9"))).toBeGreaterThan(0);
    expect(compareSemver(sv("1.0.0-alpha"), sv("1.0.0-beta"))).toBeLessThan(0);
    expect(compareSemver(sv("1.0.0-rc.1"), sv("1.0.0-rc.1"))).toBe(0);
  });

  it("ignores build metadata", () => {
    expect(compareSemver(sv("1.0.0+build.1"), sv("1.0.0+build.2"))).toBe(0);
  });

  it("sorts a mixed list into semantic order", () => {
    const input = ["1.10.0", "1.0.0", "1.0.0-rc.1", "0.9.0", "1.9.0", "2.0.0-alpha", "1.0.0-beta"];
    const sorted = [...input].sort((a, b) => compareSemver(sv(a), sv(b)));
    expect(sorted).toEqual(["0.9.0", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0", "2.0.0-alpha"]);
  });

  // Regression (lifecycle.ts compareSemver): pre-release identifiers are compared as one
  // string, so "beta.11" < "beta.2" and "alpha.10" < "alpha.9". semver.org §11
  // compares dot-separated identifiers one by one, numeric ones numerically,
  // and a shorter identifier list sorts first ("alpha" < "alpha.1").
  it("compares numeric pre-release identifiers numerically (semver §11)", () => {
    // 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0
    const spec = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"];
    const shuffled = [spec[5], spec[7], spec[0], spec[4], spec[2], spec[6], spec[1], spec[3]] as string[];
    expect(shuffled.sort((a, b) => compareSemver(sv(a), sv(b)))).toEqual(spec);
  });
});

describe("checkTransition", () => {
  // Expected legality of every (from, to) pair, written out by hand.
  const allowed: Record<Stage, Stage[]> = {
    development: ["validation", "retired"],
    validation: ["development", "staging", "retired"],
    staging: ["development", "production", "retired"],
    production: ["development", "retired"],
    retired: ["development"],
  };
  const pairs = STAGES.flatMap((from) => STAGES.map((to) => [from, to, allowed[from].includes(to)] as const));

  it("covers all 25 pairs", () => {
    expect(pairs).toHaveLength(25);
    expect(pairs.filter(([, , ok]) => ok)).toHaveLength(11);
  });

  it.each(pairs)("%s → %s allowed: %s", (from, to, ok) => {
    const result = checkTransition(from, to);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toMatch(/\S/);
  });

  it("forward moves go exactly one step", () => {
    for (let i = 0; i < FORWARD_ORDER.length; i++) {
      for (let j = i + 1; j < FORWARD_ORDER.length; j++) {
        expect(checkTransition(FORWARD_ORDER[i]!, FORWARD_ORDER[j]!).ok).toBe(j === i + 1);
      }
    }
  });

  it("explains refusals", () => {
    const same = checkTransition("staging", "staging");
    expect(same).toEqual({ ok: false, reason: "The version is already in staging" });
    const skip = checkTransition("development", "staging");
    expect(skip.ok).toBe(false);
    if (!skip.ok) {
      expect(skip.reason).toContain("validation");
      expect(skip.reason).toContain("not to staging");
    }
    const back = checkTransition("production", "staging");
    expect(back.ok).toBe(false);
    if (!back.ok) expect(back.reason).toContain("not to staging");
    const revive = checkTransition("retired", "production");
    expect(revive.ok).toBe(false);
    if (!revive.ok) expect(revive.reason).toBe("A version in retired can only go back to development; not to production");
  });

  it("development → development is refused even though 'to development' is otherwise always allowed", () => {
    expect(checkTransition("development", "development").ok).toBe(false);
  });
});

describe("nextStages", () => {
  it.each([
    ["development", ["validation", "retired"]],
    ["validation", ["development", "staging", "retired"]],
    ["staging", ["development", "production", "retired"]],
    ["production", ["development", "retired"]],
    ["retired", ["development"]],
  ] as const)("from %s", (from, expected) => {
    expect(nextStages(from)).toEqual(expected);
  });
});

describe("lineageGaps / isLineageComplete", () => {
  const complete = {
    codeRef: "git:abc123",
    trainingDataRef: "s3://bucket/train.parquet",
    hyperparameters: { lr: 0.01 },
    metrics: { auc: 0.9 },
  };

  it("a version with all four parts has no gaps", () => {
    expect(lineageGaps(complete)).toEqual([]);
    expect(isLineageComplete(complete)).toBe(true);
  });

  it("lists every missing part in a fixed order", () => {
    expect(lineageGaps({ codeRef: null, trainingDataRef: undefined, hyperparameters: null, metrics: undefined })).toEqual([
      "code reference",
      "training data reference",
      "hyperparameters",
      "at least one metric",
    ]);
  });

  it("treats empty strings and empty objects as missing", () => {
    expect(lineageGaps({ ...complete, codeRef: "" })).toEqual(["code reference"]);
    expect(lineageGaps({ ...complete, trainingDataRef: "" })).toEqual(["training data reference"]);
    expect(lineageGaps({ ...complete, hyperparameters: {} })).toEqual(["hyperparameters"]);
    expect(lineageGaps({ ...complete, metrics: {} })).toEqual(["at least one metric"]);
    expect(isLineageComplete({ ...complete, metrics: {} })).toBe(false);
  });

  it("a zero-valued metric still counts as a metric", () => {
    expect(lineageGaps({ ...complete, metrics: { drift: 0 } })).toEqual([]);
  });
});

describe("compare", () => {
  it.each([
    [0.9, ">=", 0.9, true],
    [0.89, ">=", 0.9, false],
    [0.9, ">", 0.9, false],
    [0.91, ">", 0.9, true],
    [0.1, "<=", 0.1, true],
    [0.11, "<=", 0.1, false],
    [0.1, "<", 0.1, false],
    [0.09, "<", 0.1, true],
    [-1, "<", 0, true],
  ] as const)("%d %s %d → %s", (value, comparison, threshold, expected) => {
    expect(compare(value, comparison, threshold)).toBe(expected);
  });
});

describe("newlyBreached", () => {
  const at = (day: number) => new Date(Date.UTC(2026, 10, day));

  it("names only the objectives that were met in the model's latest snapshot before", () => {
    expect(newlyBreached(["auc", "drift"], at(2), { observedAt: at(1), breaches: ["drift"] })).toEqual(["auc"]);
    expect(newlyBreached(["drift"], at(3), { observedAt: at(2), breaches: ["drift"] }), "still breached: no news").toEqual([]);
    expect(newlyBreached([], at(3), { observedAt: at(2), breaches: ["drift"] })).toEqual([]);
  });

  it("counts the first snapshot's breaches as new, and a backfilled older snapshot's as none", () => {
    expect(newlyBreached(["auc"], at(1))).toEqual(["auc"]);
    expect(newlyBreached(["auc"], at(1), { observedAt: at(5), breaches: [] })).toEqual([]);
    expect(newlyBreached(["auc"], at(5), { observedAt: at(5), breaches: [] }), "the same moment is not older").toEqual(["auc"]);
  });
});

describe("breachedObjectives", () => {
  const objectives = [
    { metric: "auc", comparison: ">=" as const, threshold: 0.8 },
    { metric: "precision", comparison: ">" as const, threshold: 0.7 },
    { metric: "latency_ms", comparison: "<=" as const, threshold: 200 },
    { metric: "drift", comparison: "<" as const, threshold: 0.1 },
  ];

  it("nothing breached when every metric meets its objective (including the exact thresholds of >= and <=)", () => {
    expect(breachedObjectives(objectives, { auc: 0.8, precision: 0.71, latency_ms: 200, drift: 0.09 })).toEqual([]);
  });

  it("names each missed objective, in objective order", () => {
    expect(breachedObjectives(objectives, { auc: 0.79, precision: 0.7, latency_ms: 201, drift: 0.1 })).toEqual([
      "auc",
      "precision",
      "latency_ms",
      "drift",
    ]);
    expect(breachedObjectives(objectives, { auc: 0.95, precision: 0.9, latency_ms: 250, drift: 0 })).toEqual(["latency_ms"]);
  });

  it("a metric missing from the snapshot is not a breach", () => {
    expect(breachedObjectives(objectives, {})).toEqual([]);
    expect(breachedObjectives(objectives, { drift: 0.5 })).toEqual(["drift"]);
  });

  it("metrics without an objective are ignored", () => {
    expect(breachedObjectives([], { auc: 0 })).toEqual([]);
    expect(breachedObjectives(objectives, { unrelated: -100 })).toEqual([]);
  });
});

describe("productionIntervals / productionVersionOn", () => {
  const d = (iso: string) => new Date(iso);
  const t = (versionId: number, version: string, fromStage: Stage | null, toStage: Stage, at: string): TransitionRecord => ({
    versionId,
    version,
    fromStage,
    toStage,
    at: d(at),
  });

  // v1 promoted Feb 1; v2 promoted Mar 1 which retires v1 at the same instant;
  // v2 demoted to development Apr 1 (nothing in production afterwards).
  const history: TransitionRecord[] = [
    t(1, "1.0.0", null, "development", "2026-01-01T00:00:00Z"),
    t(1, "1.0.0", "development", "validation", "2026-01-10T00:00:00Z"),
    t(1, "1.0.0", "validation", "staging", "2026-01-20T00:00:00Z"),
    t(1, "1.0.0", "staging", "production", "2026-02-01T00:00:00Z"),
    t(2, "2.0.0", null, "staging", "2026-02-15T00:00:00Z"),
    t(1, "1.0.0", "production", "retired", "2026-03-01T00:00:00Z"),
    t(2, "2.0.0", "staging", "production", "2026-03-01T00:00:00Z"),
    t(2, "2.0.0", "production", "development", "2026-04-01T00:00:00Z"),
  ];

  it("builds one interval per promotion, closed by retirement or demotion", () => {
    expect(productionIntervals(history)).toEqual([
      { versionId: 1, version: "1.0.0", from: d("2026-02-01T00:00:00Z"), to: d("2026-03-01T00:00:00Z") },
      { versionId: 2, version: "2.0.0", from: d("2026-03-01T00:00:00Z"), to: d("2026-04-01T00:00:00Z") },
    ]);
  });

  it("does not depend on the input order", () => {
    const reversed = [...history].reverse();
    // Reversed, the Mar 1 promotion of v2 comes before the same-instant retirement of v1; the result is the same.
    expect(productionIntervals(reversed).map((i) => [i.version, i.from.toISOString(), i.to?.toISOString() ?? null])).toEqual([
      ["1.0.0", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"],
      ["2.0.0", "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"],
    ]);
  });

  it("an interval stays open while the version is still in production", () => {
    const intervals = productionIntervals(history.slice(0, 4));
    expect(intervals).toEqual([{ versionId: 1, version: "1.0.0", from: d("2026-02-01T00:00:00Z"), to: null }]);
    expect(productionVersionOn(intervals, d("2030-01-01T00:00:00Z"))?.version).toBe("1.0.0");
  });

  it("a version promoted twice gets two intervals", () => {
    const twice = [
      t(1, "1.0.0", "staging", "production", "2026-01-01T00:00:00Z"),
      t(1, "1.0.0", "production", "development", "2026-01-05T00:00:00Z"),
      t(1, "1.0.0", "development", "validation", "2026-01-06T00:00:00Z"),
      t(1, "1.0.0", "validation", "staging", "2026-01-07T00:00:00Z"),
      t(1, "1.0.0", "staging", "production", "2026-01-08T00:00:00Z"),
    ];
    expect(productionIntervals(twice)).toEqual([
      { versionId: 1, version: "1.0.0", from: d("2026-01-01T00:00:00Z"), to: d("2026-01-05T00:00:00Z") },
      { versionId: 1, version: "1.0.0", from: d("2026-01-08T00:00:00Z"), to: null },
    ]);
  });

  it("answers which version was in production on a date; intervals are [from, to)", () => {
    const intervals = productionIntervals(history);
    expect(productionVersionOn(intervals, d("2026-01-31T23:59:59.999Z"))).toBeNull();
    expect(productionVersionOn(intervals, d("2026-02-01T00:00:00Z"))?.version).toBe("1.0.0");
    expect(productionVersionOn(intervals, d("2026-02-28T23:59:59.999Z"))?.version).toBe("1.0.0");
    // Exactly at the hand-over instant the new version is in production, not the old one.
    expect(productionVersionOn(intervals, d("2026-03-01T00:00:00Z"))?.version).toBe("2.0.0");
    expect(productionVersionOn(intervals, d("2026-03-31T23:59:59.999Z"))?.version).toBe("2.0.0");
    // Demoted to development at Apr 1: nothing in production from that instant.
    expect(productionVersionOn(intervals, d("2026-04-01T00:00:00Z"))).toBeNull();
    expect(productionVersionOn(intervals, d("2027-01-01T00:00:00Z"))).toBeNull();
  });

  it("no transitions → no intervals", () => {
    expect(productionIntervals([])).toEqual([]);
    expect(productionVersionOn([], d("2026-01-01T00:00:00Z"))).toBeNull();
  });
});

describe("median", () => {
  it("empty → null", () => {
    expect(median([])).toBeNull();
  });
  it("single value", () => {
    expect(median([7])).toBe(7);
  });
  it("odd count → middle value", () => {
    expect(median([1, 3, 2])).toBe(2);
    expect(median([5, 1, 100, 2, 3])).toBe(3);
  });
  it("even count → mean of the two middle values", () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([10, 2])).toBe(6);
  });
  it("sorts numerically, not as text, and does not mutate its input", () => {
    const values = [10, 9, 100, 1];
    expect(median(values)).toBe(9.5);
    expect(values).toEqual([10, 9, 100, 1]);
  });
});
