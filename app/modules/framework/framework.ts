import v1 from "../../../content/technology-operations/v1.json";
import v2 from "../../../content/technology-operations/v2.json";
import { comparableScores, componentLineageKey, dimensionComparable } from "./framework-lineage";
import { FrameworkSchema, type Framework } from "./framework-schema";

/**
 * Every framework version the portal knows. Assessments pin a version, so
 * older versions stay loadable after a newer one is added beside them.
 */
const frameworks: ReadonlyMap<string, Framework> = new Map(
  [v1, v2].map((raw) => {
    const framework = FrameworkSchema.parse(raw);
    return [framework.version, framework] as const;
  }),
);

/** The newest built-in version: what new assessments use unless the organisation or the request names another. */
export const LATEST_FRAMEWORK_VERSION = [...frameworks.keys()].sort((a, b) => Number(b) - Number(a))[0]!;

/** Where published uploaded versions come from (by version number), once the server has installed a source. */
export type UploadedFrameworkSource = { find: (version: string) => Framework | undefined; versions: () => string[] };

let uploaded: UploadedFrameworkSource | undefined;

/**
 * Installs where published uploaded versions are read from: the data cache
 * (app/data-cache.server.ts) installs its site-wide reader of
 * `framework_versions` when it loads, so this module stays free of the
 * database and a built-in version never costs a query.
 */
export function installUploadedFrameworks(source: UploadedFrameworkSource): void {
  uploaded = source;
}

/** The built-in version numbers (in `content/`). */
export function listBuiltInFrameworkVersions(): string[] {
  return [...frameworks.keys()];
}

export function isBuiltInFrameworkVersion(version: string): boolean {
  return frameworks.has(version);
}

/** Every version an assessment may use: the built-in ones, then the published uploaded ones. */
export function listFrameworkVersions(): string[] {
  return [...frameworks.keys(), ...(uploaded?.versions() ?? [])];
}

export function findFramework(version: string = LATEST_FRAMEWORK_VERSION): Framework | undefined {
  return frameworks.get(version) ?? uploaded?.find(version);
}

export function getFramework(version: string = LATEST_FRAMEWORK_VERSION): Framework {
  const framework = findFramework(version);
  if (!framework) throw new Error(`Unknown framework version ${version}`);
  return framework;
}

export function levelName(framework: Framework, level: number): string {
  return framework.levels.find((l) => l.level === level)?.name ?? `Level ${level}`;
}

/** The key a component's scores continue under across versions (framework-lineage.ts), with every version the portal knows. */
export function componentTrendKey(version: string, componentId: string): string {
  return componentLineageKey(version, componentId, findFramework);
}

/** An earlier assessment's score for each component of a later one, null where it cannot be mapped across their versions. */
export function comparableComponentScores(
  current: Parameters<typeof comparableScores>[0],
  earlier: Parameters<typeof comparableScores>[1],
): Map<string, number | null> {
  return comparableScores(current, earlier, findFramework);
}

/** Whether two versions' dimension scores can be compared (the same framework). */
export function frameworkVersionsComparable(versionA: string, versionB: string): boolean {
  return dimensionComparable(versionA, versionB, findFramework);
}

/** What a component's page shows (`/framework/<component>` and the upload preview); undefined for an id the version lacks. */
export function componentView(framework: Framework, componentId: string | undefined) {
  const component = framework.components.find((c) => c.id === componentId);
  if (!component) return undefined;
  return {
    version: framework.version,
    component,
    levels: framework.levels.map((l) => ({ level: l.level, name: l.name })),
    questions: framework.questions.filter((q) => q.componentId === component.id),
    roadmaps: framework.roadmaps.filter((r) => r.workstreams.some((ws) => ws.items.some((i) => i.components.includes(component.id)))),
    componentNames: Object.fromEntries(framework.components.map((c) => [c.id, c.name])),
  };
}
export type ComponentView = NonNullable<ReturnType<typeof componentView>>;

/**
 * A version as a reader may see it: built-in versions are public, like the guide they come from;
 * an uploaded one only to the signed-in and to API tokens (`isSignedIn` is asked only then).
 * Anyone else gets undefined, as for a version that does not exist: its existence does not leak.
 */
export async function findFrameworkFor(version: string | undefined, isSignedIn: () => boolean | Promise<boolean>) {
  if (version === undefined || isBuiltInFrameworkVersion(version)) return findFramework(version);
  return (await isSignedIn()) ? findFramework(version) : undefined;
}

/** The versions a reader may see, as `findFrameworkFor` decides (`isSignedIn` is asked only when there are uploads). */
export async function listFrameworkVersionsFor(isSignedIn: () => boolean | Promise<boolean>): Promise<string[]> {
  const all = listFrameworkVersions();
  return all.length > frameworks.size && (await isSignedIn()) ? all : listBuiltInFrameworkVersions();
}
