import { describe, expect, it } from "vitest";
import v2 from "../../../content/technology-operations/v2.json";
import { getFramework } from "./framework";
import { comparableScores, componentLineageKey, dimensionComparable } from "./framework-lineage";
import type { Framework } from "./framework-schema";
import { issueLine, issuePath, validateFramework, validateFrameworkText, type FrameworkContext } from "./framework-validation";

/** A copy of T&O v2 numbered 3: a valid upload to start each test from. */
function upload(): Record<string, any> {
  return { ...structuredClone(v2), version: "3" };
}

const builtIns: FrameworkContext = {
  takenVersions: new Set(["1", "2"]),
  findVersion: (version) => (version === "1" || version === "2" ? getFramework(version) : undefined),
};

function issuesOf(raw: unknown, context = builtIns) {
  const result = validateFramework(raw, context);
  return result.ok ? [] : result.issues.map(issueLine);
}

describe("validateFramework", () => {
  it("accepts the built-in v2 under a new version number", () => {
    const result = validateFramework(upload(), builtIns);
    expect(result.ok && result.framework.version).toBe("3");
  });

  it("accepts both built-in versions' content against their own numbers when nothing is taken", () => {
    const none: FrameworkContext = { takenVersions: new Set(), findVersion: builtIns.findVersion };
    expect(issuesOf(getFramework("1"), none)).toEqual([]);
    expect(issuesOf(getFramework("2"), none)).toEqual([]);
  });

  it("says where the schema fails, field by field", () => {
    const raw = upload();
    raw.components[2].indicators = raw.components[2].indicators.slice(0, 4);
    delete raw.name;
    raw.bands.strong = "high";
    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        "components[2].indicators: must have 5 items",
        "name: is required",
        "bands.strong: must be number, not string",
      ]),
    );
  });

  it("refuses a version number a built-in (or another upload) uses", () => {
    expect(issuesOf({ ...upload(), version: "2" })).toContain("version: version 2 is taken already: give this version a new number");
    const taken: FrameworkContext = { ...builtIns, takenVersions: new Set(["1", "2", "3"]) };
    expect(issuesOf(upload(), taken)).toContain("version: version 3 is taken already: give this version a new number");
  });

  it("checks that questions, roadmap items and evidence rules name components of this version", () => {
    const raw = upload();
    raw.questions[1].componentId = "nowhere";
    raw.roadmaps[0].workstreams[0].items[0].components = ["mlops", "ghost"];
    raw.evidenceRules[0].componentId = "phantom";
    expect(issuesOf(raw)).toEqual([
      'questions[1].componentId: names component "nowhere", which this version does not have',
      'roadmaps[0].workstreams[0].items[0].components[1]: names component "ghost", which this version does not have',
      'evidenceRules[0].componentId: names component "phantom", which this version does not have',
    ]);
  });

  it("refuses ids used twice and levels out of order", () => {
    const raw = upload();
    raw.components[1].id = raw.components[0].id;
    raw.components[0].indicators.reverse();
    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        `components[1].id: component id "${raw.components[0].id}" is used twice`,
        "components[0].indicators: must be one indicator for each level 1 to 5, in order",
      ]),
    );
  });

  it("checks `replaces` against the earlier version it names", () => {
    const raw = upload();
    raw.components[1].id = "ml-platform";
    raw.roadmaps.forEach((r: any) =>
      r.workstreams.forEach((w: any) =>
        w.items.forEach((i: any) => (i.components = i.components.map((c: string) => (c === "mlops" ? "ml-platform" : c)))),
      ),
    );
    raw.questions.forEach((q: any) => (q.componentId = q.componentId === "mlops" ? "ml-platform" : q.componentId));
    raw.evidenceRules.forEach((e: any) => (e.componentId = e.componentId === "mlops" ? "ml-platform" : e.componentId));
    raw.replaces = { version: "2", components: [{ id: "ml-platform", replaces: "mlops" }] };
    expect(issuesOf(raw)).toEqual([]);
    raw.replaces = {
      version: "2",
      components: [{ id: "ml-platform", replaces: "ml-ops" }],
      capabilities: [{ id: "nope", replaces: "mlops.l2.1" }],
    };
    expect(issuesOf(raw)).toEqual([
      'replaces.components[0].replaces: names component "ml-ops", which version 2 does not have',
      'replaces.capabilities[0].id: names capability "nope", which this version does not have',
    ]);
    raw.replaces = { version: "7" };
    expect(issuesOf(raw)).toEqual(["replaces.version: names version 7, which is not a published version of technology-operations"]);
  });

  it("reads a file's text: not JSON is one issue for the whole file", () => {
    const result = validateFrameworkText("{ not json", builtIns);
    expect(result.ok).toBe(false);
    expect(!result.ok && issueLine(result.issues[0]!)).toMatch(/^The file is not valid JSON/);
    expect(validateFrameworkText(JSON.stringify(upload()), builtIns).ok).toBe(true);
  });

  it("writes paths the way people read them", () => {
    expect(issuePath(["components", 2, "indicators"])).toBe("components[2].indicators");
    expect(issuePath([])).toBe("");
  });
});

describe("scores across versions", () => {
  const v3 = { ...upload(), id: "technology-operations" } as Framework;
  v3.components = v3.components.map((c) =>
    c.id === "mlops" ? { ...c, id: "ml-platform" } : c.id === "standards" ? { ...c, id: "data-foundations" } : c,
  );
  v3.replaces = { version: "2", components: [{ id: "ml-platform", replaces: "mlops" }], capabilities: [] };
  const find = (version: string) => (version === "3" ? v3 : version === "1" || version === "2" ? getFramework(version) : undefined);

  it("continues the same ids from v1 to v2, and mapped ids from v2 to an upload; an unmapped one breaks", () => {
    expect(componentLineageKey("1", "mlops", find)).toBe(componentLineageKey("2", "mlops", find));
    expect(componentLineageKey("3", "ml-platform", find)).toBe(componentLineageKey("1", "mlops", find));
    expect(componentLineageKey("3", "lifecycle", find)).toBe(componentLineageKey("2", "lifecycle", find));
    expect(componentLineageKey("3", "data-foundations", find)).not.toBe(componentLineageKey("2", "standards", find));
    expect(dimensionComparable("2", "3", find)).toBe(true);
  });

  it("gives the earlier score of each mapped component, null for one that cannot be mapped", () => {
    const earlier = {
      frameworkVersion: "2",
      components: [
        { componentId: "mlops", score: 2.5 },
        { componentId: "standards", score: 3 },
      ],
    };
    const current = {
      frameworkVersion: "3",
      components: [
        { componentId: "ml-platform", score: 3 },
        { componentId: "data-foundations", score: 4 },
      ],
    };
    expect(comparableScores(current, earlier, find)).toEqual(
      new Map([
        ["ml-platform", 2.5],
        ["data-foundations", null],
      ]),
    );
  });
});

describe("the JSON Schema generated from FrameworkSchema", () => {
  it("accepts the built-in versions and refuses what the zod schema refuses", async () => {
    const { default: Ajv } = await import("ajv");
    const { frameworkJsonSchema } = await import("./framework-json-schema");
    const validate = new Ajv({ allErrors: true, strict: false }).compile(frameworkJsonSchema());
    expect(validate(v2), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(getFramework("1"))).toBe(true);
    const raw = upload();
    raw.components[2].indicators.pop();
    expect(validate(raw)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/components/2/indicators");
  });
});
