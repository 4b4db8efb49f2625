import type { ZodIssue } from "zod";
import { FrameworkSchema, type Framework } from "./framework-schema";

/**
 * Checks a framework version before it is saved: the zod schema of `content/`
 * first, then what the schema cannot express (ids that must refer to each
 * other, a version number nobody uses yet). The upload page, the
 * `framework:validate` command and the tests all call `validateFramework`, so
 * they agree on what is valid and say it in the same words.
 */

/** One problem, where it is: `components[2].indicators`, `questions[0].componentId`; "" for the file as a whole. */
export type FrameworkIssue = { path: string; message: string };

export type FrameworkValidation = { ok: true; framework: Framework } | { ok: false; issues: FrameworkIssue[] };

/** What the checks compare against: the versions already taken, and how to read an earlier version (for `replaces`). */
export type FrameworkContext = {
  takenVersions: ReadonlySet<string>;
  findVersion: (version: string) => Framework | undefined;
};

/** `["components", 2, "indicators"]` → `components[2].indicators`. */
export function issuePath(path: ReadonlyArray<string | number>): string {
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

const items = (n: number | bigint) => `${n} item${Number(n) === 1 ? "" : "s"}`;

/** Zod's messages in the words of this file's readers. */
function issueMessage(issue: ZodIssue): string {
  if (issue.code === "invalid_type")
    return issue.received === "undefined" ? "is required" : `must be ${issue.expected}, not ${issue.received}`;
  if (issue.code === "too_small" && issue.type === "array") return `must have ${issue.exact ? "" : "at least "}${items(issue.minimum)}`;
  if (issue.code === "too_big" && issue.type === "array") return `must have ${issue.exact ? "" : "at most "}${items(issue.maximum)}`;
  if (issue.code === "too_small" && issue.type === "string") return "must not be empty";
  if (issue.code === "too_small" && issue.type === "number") return `must be at least ${issue.minimum}`;
  if (issue.code === "too_big" && issue.type === "number") return `must be at most ${issue.maximum}`;
  if (issue.code === "unrecognized_keys") return `has unknown keys: ${issue.keys.join(", ")}`;
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

/** The schema's issues as path → message. */
export function schemaIssues(issues: readonly ZodIssue[]): FrameworkIssue[] {
  return issues.map((issue) => ({ path: issuePath(issue.path), message: issueMessage(issue) }));
}

/** The same id twice in `ids`: an issue at the second one. */
function duplicates(ids: Array<{ id: string; path: string }>, what: string): FrameworkIssue[] {
  const seen = new Set<string>();
  const issues: FrameworkIssue[] = [];
  for (const { id, path } of ids) {
    if (seen.has(id)) issues.push({ path, message: `${what} "${id}" is used twice` });
    seen.add(id);
  }
  return issues;
}

const LEVELS = [1, 2, 3, 4, 5];
const inOrder = (levels: number[]) => levels.length === LEVELS.length && levels.every((level, i) => level === LEVELS[i]);

/** Everything the schema cannot check: ids that must exist, ids used twice, levels in order, a free version number. */
export function crossReferenceIssues(framework: Framework, context: FrameworkContext): FrameworkIssue[] {
  const issues: FrameworkIssue[] = [];
  const componentIds = new Set(framework.components.map((c) => c.id));
  const known = (id: string) => componentIds.has(id);
  const unknownComponent = (id: string) => `names component "${id}", which this version does not have`;

  if (context.takenVersions.has(framework.version)) {
    issues.push({ path: "version", message: `version ${framework.version} is taken already: give this version a new number` });
  }
  if (!inOrder(framework.levels.map((l) => l.level))) issues.push({ path: "levels", message: "must be levels 1 to 5, in order" });
  issues.push(
    ...duplicates(
      framework.components.map((c, i) => ({ id: c.id, path: `components[${i}].id` })),
      "component id",
    ),
  );
  issues.push(
    ...duplicates(
      framework.components.flatMap((c, i) => c.capabilities.map((s, j) => ({ id: s.id, path: `components[${i}].capabilities[${j}].id` }))),
      "capability id",
    ),
  );
  framework.components.forEach((component, i) => {
    if (!inOrder(component.indicators.map((indicator) => indicator.level))) {
      issues.push({ path: `components[${i}].indicators`, message: "must be one indicator for each level 1 to 5, in order" });
    }
    for (const level of [2, 3, 4, 5]) {
      if (!component.capabilities.some((s) => s.level === level)) {
        issues.push({ path: `components[${i}].capabilities`, message: `has no capability statement for level ${level}` });
      }
    }
  });
  issues.push(
    ...duplicates(
      framework.questions.map((q, i) => ({ id: q.id, path: `questions[${i}].id` })),
      "question id",
    ),
  );
  framework.questions.forEach((question, i) => {
    if (!known(question.componentId)) issues.push({ path: `questions[${i}].componentId`, message: unknownComponent(question.componentId) });
    if (!inOrder(question.responses.map((r) => r.level))) {
      issues.push({ path: `questions[${i}].responses`, message: "must be one response for each level 1 to 5, in order" });
    }
  });
  framework.roadmaps.forEach((roadmap, r) => {
    if (roadmap.from !== r + 1 || roadmap.to !== r + 2) {
      issues.push({
        path: `roadmaps[${r}]`,
        message: `must lead from level ${r + 1} to level ${r + 2} (roadmaps 1→2, 2→3, 3→4, 4→5 in order)`,
      });
    }
    if (roadmap.durationMonths.min > roadmap.durationMonths.max) {
      issues.push({ path: `roadmaps[${r}].durationMonths`, message: "min must not be above max" });
    }
    roadmap.workstreams.forEach((workstream, w) => {
      if (workstream.startMonth > workstream.endMonth) {
        issues.push({ path: `roadmaps[${r}].workstreams[${w}]`, message: "startMonth must not be after endMonth" });
      }
      workstream.items.forEach((item, k) =>
        item.components.forEach((id, c) => {
          if (!known(id))
            issues.push({ path: `roadmaps[${r}].workstreams[${w}].items[${k}].components[${c}]`, message: unknownComponent(id) });
        }),
      );
    });
  });
  issues.push(
    ...duplicates(
      framework.roadmaps.flatMap((roadmap, r) => [
        ...roadmap.workstreams.flatMap((w, j) =>
          w.items.map((item, k) => ({ id: item.id, path: `roadmaps[${r}].workstreams[${j}].items[${k}].id` })),
        ),
        ...roadmap.successCriteria.map((c, k) => ({ id: c.id, path: `roadmaps[${r}].successCriteria[${k}].id` })),
      ]),
      "roadmap item or success-criterion id",
    ),
  );
  framework.evidenceRules.forEach((rule, i) => {
    if (!known(rule.componentId)) issues.push({ path: `evidenceRules[${i}].componentId`, message: unknownComponent(rule.componentId) });
  });
  if (framework.bands.weak >= framework.bands.strong) issues.push({ path: "bands", message: "weak must be below strong" });
  issues.push(...replacesIssues(framework, context));
  return issues;
}

/** `replaces` names an earlier version of the same framework, and ids that exist on both sides. */
function replacesIssues(framework: Framework, context: FrameworkContext): FrameworkIssue[] {
  const replaces = framework.replaces;
  if (!replaces) return [];
  const earlier = context.findVersion(replaces.version);
  if (!earlier || earlier.id !== framework.id) {
    return [
      { path: "replaces.version", message: `names version ${replaces.version}, which is not a published version of ${framework.id}` },
    ];
  }
  if (Number(replaces.version) >= Number(framework.version)) {
    return [{ path: "replaces.version", message: `must be an earlier version than ${framework.version}` }];
  }
  const issues: FrameworkIssue[] = [];
  const check = (
    kind: "components" | "capabilities",
    mine: ReadonlySet<string>,
    theirs: ReadonlySet<string>,
    pairs: Array<{ id: string; replaces: string }>,
  ) => {
    const what = kind === "components" ? "component" : "capability";
    pairs.forEach((pair, i) => {
      if (!mine.has(pair.id))
        issues.push({ path: `replaces.${kind}[${i}].id`, message: `names ${what} "${pair.id}", which this version does not have` });
      if (!theirs.has(pair.replaces)) {
        issues.push({
          path: `replaces.${kind}[${i}].replaces`,
          message: `names ${what} "${pair.replaces}", which version ${replaces.version} does not have`,
        });
      }
    });
    issues.push(
      ...duplicates(
        pairs.map((pair, i) => ({ id: pair.id, path: `replaces.${kind}[${i}].id` })),
        `replaced ${what}`,
      ),
    );
  };
  const capabilitiesOf = (f: Framework) => new Set(f.components.flatMap((c) => c.capabilities.map((s) => s.id)));
  check("components", new Set(framework.components.map((c) => c.id)), new Set(earlier.components.map((c) => c.id)), replaces.components);
  check("capabilities", capabilitiesOf(framework), capabilitiesOf(earlier), replaces.capabilities);
  return issues;
}

/** A framework version as uploaded (parsed JSON): valid, or every problem found, each at its path. */
export function validateFramework(raw: unknown, context: FrameworkContext): FrameworkValidation {
  const parsed = FrameworkSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error.issues) };
  const issues = crossReferenceIssues(parsed.data, context);
  return issues.length ? { ok: false, issues } : { ok: true, framework: parsed.data };
}

/** The same, from the text of a file: a file that is not JSON is one issue for the whole file. */
export function validateFrameworkText(text: string, context: FrameworkContext): FrameworkValidation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: "", message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  return validateFramework(raw, context);
}

/** One issue as a line: `components[2].indicators: must have 5 items`. */
export const issueLine = (issue: FrameworkIssue) => (issue.path ? `${issue.path}: ${issue.message}` : `The file ${issue.message}`);
