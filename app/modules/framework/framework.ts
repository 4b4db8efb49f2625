import v1 from "../../../content/technology-operations/v1.json";
import v2 from "../../../content/technology-operations/v2.json";
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

export const LATEST_FRAMEWORK_VERSION = [...frameworks.keys()].sort((a, b) => Number(b) - Number(a))[0]!;

export function listFrameworkVersions(): string[] {
  return [...frameworks.keys()];
}

export function findFramework(version: string = LATEST_FRAMEWORK_VERSION): Framework | undefined {
  return frameworks.get(version);
}

export function getFramework(version: string = LATEST_FRAMEWORK_VERSION): Framework {
  const framework = frameworks.get(version);
  if (!framework) throw new Error(`Unknown framework version ${version}`);
  return framework;
}

export function levelName(framework: Framework, level: number): string {
  return framework.levels.find((l) => l.level === level)?.name ?? `Level ${level}`;
}
