import type { Comparison, Stage } from "./registry-constants";

// ---------------------------------------------------------------- semantic versions

/** semver.org 2.0.0, without a leading "v". */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export type Semver = { major: number; minor: number; patch: number; prerelease: string | null };

export function parseSemver(value: string): Semver | null {
  const match = SEMVER.exec(value);
  if (!match) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, prerelease: match[4] ?? null };
}

/** semver.org §11: dot-separated identifiers, numeric ones compared as numbers and below alphanumeric ones. */
function comparePrerelease(a: string, b: string): number {
  const left = a.split(".");
  const right = b.split(".");
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
    } else if (xNumeric !== yNumeric) {
      return xNumeric ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function compareSemver(a: Semver, b: Semver): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    // A pre-release sorts before its release.
    (a.prerelease === b.prerelease
      ? 0
      : a.prerelease === null
        ? 1
        : b.prerelease === null
          ? -1
          : comparePrerelease(a.prerelease, b.prerelease))
  );
}

// ---------------------------------------------------------------- stages

export const FORWARD_ORDER: readonly Stage[] = ["development", "validation", "staging", "production"];

/**
 * Moves follow the order one step at a time; any stage may retire; the only
 * way back is to development.
 */
export function checkTransition(from: Stage, to: Stage): { ok: true } | { ok: false; reason: string } {
  if (from === to) return { ok: false, reason: `The version is already in ${to}` };
  if (to === "retired") return { ok: true };
  if (to === "development") return { ok: true };
  const fromIndex = FORWARD_ORDER.indexOf(from);
  const toIndex = FORWARD_ORDER.indexOf(to);
  if (fromIndex >= 0 && toIndex === fromIndex + 1) return { ok: true };
  const next = fromIndex >= 0 ? FORWARD_ORDER[fromIndex + 1] : undefined;
  return {
    ok: false,
    reason: next
      ? `A version in ${from} can move to ${next}, back to development, or to retired; not to ${to}`
      : `A version in ${from} can only go back to development; not to ${to}`,
  };
}

export function nextStages(from: Stage): Stage[] {
  return (["development", "validation", "staging", "production", "retired"] as const).filter((to) => checkTransition(from, to).ok);
}

// ---------------------------------------------------------------- lineage

export type LineageFields = {
  codeRef: string | null | undefined;
  trainingDataRef: string | null | undefined;
  hyperparameters: Record<string, unknown> | null | undefined;
  metrics: Record<string, number> | null | undefined;
};

export function lineageGaps(version: LineageFields): string[] {
  const gaps: string[] = [];
  if (!version.codeRef) gaps.push("code reference");
  if (!version.trainingDataRef) gaps.push("training data reference");
  if (!version.hyperparameters || Object.keys(version.hyperparameters).length === 0) gaps.push("hyperparameters");
  if (!version.metrics || Object.keys(version.metrics).length === 0) gaps.push("at least one metric");
  return gaps;
}

export const isLineageComplete = (version: LineageFields) => lineageGaps(version).length === 0;

// ---------------------------------------------------------------- objectives

export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case ">=":
      return value >= threshold;
    case ">":
      return value > threshold;
    case "<=":
      return value <= threshold;
    case "<":
      return value < threshold;
  }
}

export type Objective = { metric: string; comparison: Comparison; threshold: number };

/** Names of the objectives a snapshot misses; metrics the snapshot lacks are not breaches. */
export function breachedObjectives(objectives: Objective[], metrics: Record<string, number>): string[] {
  return objectives
    .filter((o) => typeof metrics[o.metric] === "number" && !compare(metrics[o.metric]!, o.comparison, o.threshold))
    .map((o) => o.metric);
}

/**
 * The objectives a monitoring snapshot moves from met into breach: breached in it, met in the model's
 * latest snapshot before it (no snapshot before: met). A snapshot observed before that latest one is a
 * backfill, which says nothing about now: it moves none.
 */
export function newlyBreached(breaches: string[], observedAt: Date, previous?: { observedAt: Date; breaches: string[] }): string[] {
  if (!previous) return breaches;
  if (observedAt < previous.observedAt) return [];
  return breaches.filter((metric) => !previous.breaches.includes(metric));
}

// ---------------------------------------------------------------- production timeline

export type TransitionRecord = {
  versionId: number;
  version: string;
  fromStage: Stage | null;
  toStage: Stage;
  at: Date;
};

export type ProductionInterval = { versionId: number; version: string; from: Date; to: Date | null };

/** Which version was in production when, from the transition history of one model. */
export function productionIntervals(transitions: TransitionRecord[]): ProductionInterval[] {
  const ordered = [...transitions].sort((a, b) => a.at.getTime() - b.at.getTime());
  const intervals: ProductionInterval[] = [];
  const open = new Map<number, ProductionInterval>();
  for (const t of ordered) {
    if (t.toStage === "production") {
      const interval = { versionId: t.versionId, version: t.version, from: t.at, to: null };
      open.set(t.versionId, interval);
      intervals.push(interval);
    } else if (t.fromStage === "production") {
      const interval = open.get(t.versionId);
      if (interval) interval.to = t.at;
      open.delete(t.versionId);
    }
  }
  return intervals;
}

export function productionVersionOn(intervals: ProductionInterval[], date: Date): ProductionInterval | null {
  return intervals.find((i) => i.from.getTime() <= date.getTime() && (i.to === null || date.getTime() < i.to.getTime())) ?? null;
}

// ---------------------------------------------------------------- statistics

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
