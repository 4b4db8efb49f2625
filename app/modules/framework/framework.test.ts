import { describe, it, expect } from "vitest";
import raw from "../../../content/technology-operations/v1.json";
import { findFramework, getFramework, LATEST_FRAMEWORK_VERSION, levelName, listFrameworkVersions } from "./framework";
import { FrameworkSchema, REGISTRY_METRIC_KEYS, type Framework } from "./framework-schema";

const COMPONENT_IDS = ["technical-capability", "mlops", "lifecycle", "production-operations", "standards"] as const;

const LEVEL_NAMES: Array<[number, string, string]> = [
  [1, "Initial", "Aware"],
  [2, "Developing", "Experimenting"],
  [3, "Defined", "Emerging"],
  [4, "Managed", "Performing"],
  [5, "Optimizing", "Leading"],
];

const framework: Framework = getFramework("1");
const componentIds = new Set<string>(framework.components.map((c) => c.id));

/** Collects every string in a value together with its JSON path. */
function collectStrings(value: unknown, path = "$", out: Array<[string, string]> = []) {
  if (typeof value === "string") {
    out.push([path, value]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collectStrings(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) collectStrings(v, `${path}.${k}`, out);
  }
  return out;
}

describe("framework loading", () => {
  it("parses the raw content with the schema", () => {
    const result = FrameworkSchema.safeParse(raw);
    if (!result.success) throw new Error(JSON.stringify(result.error.issues, null, 2));
    expect(result.success).toBe(true);
  });

  it("exposes versions 1 and 2 through the loader, 2 the newest", () => {
    expect(listFrameworkVersions()).toEqual(expect.arrayContaining(["1", "2"]));
    expect(LATEST_FRAMEWORK_VERSION).toBe("2");
    expect(findFramework("1")).toBe(framework);
    expect(findFramework("999")).toBeUndefined();
    expect(() => getFramework("999")).toThrow();
    expect(framework.id).toBe("technology-operations");
    expect(framework.name).toBe("Technology & Operations");
    expect(levelName(framework, 3)).toBe("Defined");
  });

  it("has the score bands strong 4.0 and weak 2.5", () => {
    expect(framework.bands).toEqual({ strong: 4.0, weak: 2.5 });
  });
});

describe("levels", () => {
  it("has exactly 5 levels with the expected names in order", () => {
    expect(framework.levels.map((l) => [l.level, l.name, l.alias])).toEqual(LEVEL_NAMES);
  });
});

describe("components", () => {
  it("has exactly the 5 components in guide order", () => {
    expect(framework.components.map((c) => c.id)).toEqual([...COMPONENT_IDS]);
  });

  it.each(COMPONENT_IDS)("%s has one indicator for each level 1..5", (id) => {
    const component = framework.components.find((c) => c.id === id)!;
    expect(component.indicators.map((i) => i.level)).toEqual([1, 2, 3, 4, 5]);
  });

  it.each(COMPONENT_IDS)("%s has at least 3 capability statements per level 2..5 and none at level 1", (id) => {
    const component = framework.components.find((c) => c.id === id)!;
    const levels = component.capabilities.map((s) => s.level);
    expect(levels).not.toContain(1);
    for (const level of [2, 3, 4, 5]) {
      expect(levels.filter((l) => l === level).length).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(COMPONENT_IDS)("%s capability ids follow <componentId>.l<level>.<n>", (id) => {
    const component = framework.components.find((c) => c.id === id)!;
    for (const statement of component.capabilities) {
      expect(statement.id).toMatch(new RegExp(`^${id}\\.l${statement.level}\\.\\d+$`));
    }
  });

  it("capability ids are unique across the framework", () => {
    const ids = framework.components.flatMap((c) => c.capabilities.map((s) => s.id));
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("each component has a measurement list and weight", () => {
    for (const component of framework.components) {
      expect(component.measurement.length).toBeGreaterThan(0);
      expect(component.weight).toBe(1);
    }
  });
});

describe("questions", () => {
  it("has the three guide questions", () => {
    expect(framework.questions.map((q) => [q.id, q.number, q.componentId])).toEqual([
      ["development-capability", 7, "technical-capability"],
      ["mlops-automation", 8, "mlops"],
      ["production-operations", 9, "production-operations"],
    ]);
  });

  it("each question has 5 responses for levels 1..5 and refers to a known component", () => {
    for (const question of framework.questions) {
      expect(componentIds.has(question.componentId)).toBe(true);
      expect(question.responses.map((r) => r.level)).toEqual([1, 2, 3, 4, 5]);
      expect(question.guidance.length).toBeGreaterThan(0);
    }
  });
});

describe("roadmaps", () => {
  it("has 4 contiguous roadmaps 1-2 .. 4-5", () => {
    expect(framework.roadmaps.map((r) => r.id)).toEqual(["1-2", "2-3", "3-4", "4-5"]);
    framework.roadmaps.forEach((roadmap, index) => {
      expect(roadmap.from).toBe(index + 1);
      expect(roadmap.to).toBe(roadmap.from + 1);
      expect(roadmap.id).toBe(`${roadmap.from}-${roadmap.to}`);
      expect(roadmap.durationMonths.min).toBeLessThanOrEqual(roadmap.durationMonths.max);
    });
  });

  it("workstreams fit inside the roadmap duration", () => {
    for (const roadmap of framework.roadmaps) {
      const workstreamIds = roadmap.workstreams.map((w) => w.id);
      expect(new Set(workstreamIds).size).toBe(workstreamIds.length);
      for (const workstream of roadmap.workstreams) {
        expect(workstream.startMonth).toBeLessThanOrEqual(workstream.endMonth);
        expect(workstream.endMonth).toBeLessThanOrEqual(roadmap.durationMonths.max);
      }
    }
  });

  it("every checklist item is tagged with known component ids", () => {
    const items = framework.roadmaps.flatMap((r) => r.workstreams.flatMap((w) => w.items));
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.components.length).toBeGreaterThan(0);
      for (const componentId of item.components) {
        expect(componentIds.has(componentId), `${item.id} -> ${componentId}`).toBe(true);
      }
    }
  });

  it("item ids and success-criterion ids are unique across the file", () => {
    const ids = framework.roadmaps.flatMap((r) => [
      ...r.workstreams.flatMap((w) => w.items.map((i) => i.id)),
      ...r.successCriteria.map((c) => c.id),
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const roadmap of framework.roadmaps) {
      for (const workstream of roadmap.workstreams) {
        for (const item of workstream.items) {
          expect(item.id.startsWith(`${roadmap.id}.${workstream.id}.`)).toBe(true);
        }
      }
      for (const criterion of roadmap.successCriteria) {
        expect(criterion.id).toMatch(new RegExp(`^${roadmap.id}\\.sc\\.\\d+$`));
      }
    }
  });

  it("each roadmap ends with a re-assessment score check", () => {
    const expected: Record<string, number> = { "1-2": 2.0, "2-3": 3.0, "3-4": 3.5, "4-5": 4.5 };
    for (const roadmap of framework.roadmaps) {
      const checks = roadmap.successCriteria.flatMap((c) => (c.check ? [c.check] : []));
      expect(checks).toContainEqual({
        kind: "assessment",
        metric: "dimensionScore",
        comparison: ">",
        value: expected[roadmap.id],
      });
    }
  });
});

describe("evidence rules", () => {
  it("every rule names a known component and a registry metric", () => {
    expect(framework.evidenceRules.length).toBeGreaterThan(0);
    for (const rule of framework.evidenceRules) {
      expect(componentIds.has(rule.componentId)).toBe(true);
      expect(REGISTRY_METRIC_KEYS).toContain(rule.metric);
      expect(rule.level).toBeGreaterThanOrEqual(2);
    }
  });

  it("production-operations rules match the guide's figures", () => {
    const rules = framework.evidenceRules
      .filter((r) => r.componentId === "production-operations")
      .map((r) => ({ level: r.level, metric: r.metric, comparison: r.comparison, value: r.value }));
    const expected = [
      { level: 2, metric: "productionModels", comparison: ">=", value: 1 },
      { level: 3, metric: "productionModels", comparison: ">=", value: 5 },
      { level: 3, metric: "incidentRate", comparison: "<", value: 0.05 },
      { level: 4, metric: "productionModels", comparison: ">=", value: 10 },
      { level: 4, metric: "incidentRate", comparison: "<", value: 0.01 },
      { level: 5, metric: "productionModels", comparison: ">=", value: 20 },
      { level: 5, metric: "incidentRate", comparison: "<", value: 0.005 },
    ];
    for (const rule of expected) expect(rules).toContainEqual(rule);
  });

  it("covers lifecycle and mlops too", () => {
    const covered = new Set(framework.evidenceRules.map((r) => r.componentId));
    expect(covered.has("lifecycle")).toBe(true);
    expect(covered.has("mlops")).toBe(true);
  });

  it("thresholds get stricter as the level rises", () => {
    const byKey = new Map<string, typeof framework.evidenceRules>();
    for (const rule of framework.evidenceRules) {
      const key = `${rule.componentId}/${rule.metric}`;
      byKey.set(key, [...(byKey.get(key) ?? []), rule]);
    }
    for (const [key, rules] of byKey) {
      const sorted = [...rules].sort((a, b) => a.level - b.level);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1]!;
        const next = sorted[i]!;
        expect(next.level, key).toBeGreaterThan(prev.level);
        expect(next.comparison, key).toBe(prev.comparison);
        if (next.comparison.startsWith(">")) expect(next.value, key).toBeGreaterThanOrEqual(prev.value);
        else expect(next.value, key).toBeLessThanOrEqual(prev.value);
      }
    }
  });
});

describe("text content", () => {
  it("has no empty or whitespace-only strings anywhere", () => {
    const strings = collectStrings(raw);
    expect(strings.length).toBeGreaterThan(100);
    const empty = strings.filter(([, value]) => value.trim().length === 0).map(([path]) => path);
    expect(empty).toEqual([]);
  });

  it("has no mojibake left over from the source", () => {
    const garbled = collectStrings(raw)
      .filter(([, value]) => /[\u201a\u00c3]/.test(value))
      .map(([path]) => path);
    expect(garbled).toEqual([]);
  });
});
