import type { Framework } from "./framework-schema";

/**
 * How scores continue across framework versions (trends, deltas, comparisons).
 * A component's scores continue under one key from version to version: the
 * same id continues (T&O v2 keeps v1's ids), and a version's `replaces` maps a
 * new id to the one it replaces in the version it names. A component of a
 * version with `replaces` that is neither mapped nor present in that version
 * starts a key of its own: its trend breaks there instead of continuing a line
 * it does not belong to. Pure: the caller says how to read a version.
 */
export type FindFramework = (version: string) => Framework | undefined;

/** The key a component's scores continue under, across versions. */
export function componentLineageKey(version: string, componentId: string, find: FindFramework): string {
  let framework = find(version);
  let id = componentId;
  // `replaces` always names an earlier version (validated), so this walks down and ends; the bound is a guard.
  for (let step = 0; framework?.replaces && step < 100; step++) {
    const { replaces } = framework;
    const earlier = find(replaces.version);
    const previousId = replaces.components.find((pair) => pair.id === id)?.replaces ?? id;
    if (!earlier || !earlier.components.some((c) => c.id === previousId)) return `${framework.id}@${framework.version}:${id}`;
    framework = earlier;
    id = previousId;
  }
  return `${framework?.id ?? "unknown"}:${id}`;
}

/** Whether two versions' dimension scores are on one scale: the same framework (its versions are re-statements of one dimension). */
export function dimensionComparable(versionA: string, versionB: string, find: FindFramework): boolean {
  const a = find(versionA);
  const b = find(versionB);
  return !!a && !!b && a.id === b.id;
}

type Scored = { frameworkVersion: string; components: ReadonlyArray<{ componentId: string; score: number }> };

/**
 * The earlier assessment's score for each of `current`'s components, where one
 * continues across the versions; null where the component cannot be mapped
 * (the delta is "not comparable", never a comparison with something else).
 */
export function comparableScores(current: Scored, earlier: Scored, find: FindFramework): Map<string, number | null> {
  const byKey = new Map(earlier.components.map((c) => [componentLineageKey(earlier.frameworkVersion, c.componentId, find), c.score]));
  return new Map(
    current.components.map((c) => [c.componentId, byKey.get(componentLineageKey(current.frameworkVersion, c.componentId, find)) ?? null]),
  );
}
