import { describe, expect, it } from "vitest";
import { getFramework } from "../framework/framework";
import type { Framework } from "../framework/framework-schema";
import {
  defaultStartDate,
  dueDate,
  generateRoadmap,
  planGeneration,
  planRegeneration,
  type ActiveRoadmap,
  type AssessedComponent,
  type ExistingItem,
  type GeneratedRoadmap,
  type RoadmapInput,
} from "./generate";

const framework: Framework = getFramework("1");

type ComponentId = "technical-capability" | "mlops" | "lifecycle" | "production-operations" | "standards";

/** Components with explicit level and score. */
function assessed(entries: Array<[ComponentId, number, number]>): AssessedComponent[] {
  return entries.map(([componentId, level, score]) => ({ componentId, level, score }));
}

/** All five components at `level`, with a distinct score each (plus overrides). */
function allAt(level: number, overrides: Partial<Record<ComponentId, [number, number]>> = {}): AssessedComponent[] {
  const base: Record<ComponentId, [number, number]> = {
    "technical-capability": [level, level + 0.6],
    mlops: [level, level + 0.2],
    lifecycle: [level, level + 0.8],
    "production-operations": [level, level + 0.4],
    standards: [level, level + 0.5],
  };
  return (Object.keys(base) as ComponentId[]).map((id) => {
    const [l, s] = overrides[id] ?? base[id];
    return { componentId: id, level: l, score: s };
  });
}

function generate(input: RoadmapInput, options?: { startDate?: string }): GeneratedRoadmap {
  const roadmap = generateRoadmap(framework, input, options);
  if (!roadmap) throw new Error("expected a roadmap");
  return roadmap;
}

function contentKeys(roadmapId: string): string[] {
  const roadmap = framework.roadmaps.find((r) => r.id === roadmapId)!;
  return roadmap.workstreams.flatMap((w) => w.items.map((i) => i.id));
}

function taggedKeys(roadmapId: string, componentIds: string[]): string[] {
  const roadmap = framework.roadmaps.find((r) => r.id === roadmapId)!;
  return roadmap.workstreams.flatMap((w) => w.items.filter((i) => i.components.some((c) => componentIds.includes(c))).map((i) => i.id));
}

// ---------------------------------------------------------------- dates

describe("defaultStartDate", () => {
  it("is the first day of the quarter after the assessment's", () => {
    expect(defaultStartDate("2026-Q1")).toBe("2026-04-01");
    expect(defaultStartDate("2026-Q2")).toBe("2026-07-01");
    expect(defaultStartDate("2026-Q3")).toBe("2026-10-01");
    expect(defaultStartDate("2026-Q4")).toBe("2027-01-01");
  });

  it("rejects something that is not a quarter", () => {
    expect(() => defaultStartDate("2026-Q5")).toThrow();
    expect(() => defaultStartDate("2026")).toThrow();
  });
});

describe("dueDate", () => {
  it("is the last day of month endMonth, the start's own month being month 1", () => {
    expect(dueDate("2027-01-01", 1)).toBe("2027-01-31");
    expect(dueDate("2027-01-01", 2)).toBe("2027-02-28");
    expect(dueDate("2027-01-01", 12)).toBe("2027-12-31");
    expect(dueDate("2026-10-01", 3)).toBe("2026-12-31");
  });

  it("crosses year ends", () => {
    expect(dueDate("2026-11-01", 3)).toBe("2027-01-31");
    expect(dueDate("2026-10-01", 4)).toBe("2027-01-31");
    expect(dueDate("2026-07-01", 18)).toBe("2027-12-31");
  });

  it("knows February in leap and non-leap years", () => {
    expect(dueDate("2028-01-01", 2)).toBe("2028-02-29");
    expect(dueDate("2027-01-01", 2)).toBe("2027-02-28");
    expect(dueDate("2099-12-01", 3)).toBe("2100-02-28"); // 2100 is not a leap year
    expect(dueDate("2000-02-01", 1)).toBe("2000-02-29"); // 2000 is
    expect(dueDate("2027-11-01", 4)).toBe("2028-02-29");
  });

  it("counts from the start's month even when it starts mid-month", () => {
    expect(dueDate("2027-01-15", 1)).toBe("2027-01-31");
    expect(dueDate("2027-01-31", 2)).toBe("2027-02-28");
  });

  it("rejects malformed dates and months", () => {
    expect(() => dueDate("2027-1-1", 2)).toThrow();
    expect(() => dueDate("2027-02-30", 2)).toThrow();
    expect(() => dueDate("2027-01-01", 0)).toThrow();
    expect(() => dueDate("2027-01-01", 1.5)).toThrow();
  });
});

// ---------------------------------------------------------------- generation

describe("generateRoadmap: choosing the roadmap", () => {
  it("L = 1 → roadmap 1-2 with all its items, no catch-up, priorities 1..N", () => {
    const roadmap = generate({ period: "2026-Q3", level: 1, components: allAt(1) });
    expect(roadmap.roadmapId).toBe("1-2");
    expect(roadmap.transition).toEqual({ from: 1, to: 2 });
    expect(roadmap.title).toBe("MLOps Foundation");
    expect(roadmap.durationMonths).toEqual({ min: 3, max: 6 });
    expect(roadmap.period).toBe("2026-Q3");
    expect(roadmap.items).toHaveLength(24);
    expect(new Set(roadmap.items.map((i) => i.key))).toEqual(new Set(contentKeys("1-2")));
    expect(roadmap.items.every((i) => !i.catchUp && i.roadmapId === "1-2")).toBe(true);
    expect(roadmap.items.map((i) => i.priority)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(roadmap.workstreams).toEqual([
      { key: "1-2.code-quality", title: "Code quality and version control", startMonth: 1, endMonth: 2 },
      { key: "1-2.model-registry", title: "Model registry and tracking", startMonth: 2, endMonth: 3 },
      { key: "1-2.mlops-pipeline", title: "Basic MLOps pipeline", startMonth: 3, endMonth: 5 },
      { key: "1-2.first-deployment", title: "First production deployment", startMonth: 4, endMonth: 6 },
    ]);
  });

  it("copies an item's content: title, components, workstream", () => {
    const roadmap = generate({ period: "2026-Q3", level: 1, components: allAt(1) });
    const item = roadmap.items.find((i) => i.key === "1-2.model-registry.1")!;
    const content = framework.roadmaps[0]!.workstreams[1]!.items[0]!;
    expect(item).toMatchObject({
      title: content.text,
      components: ["mlops", "technical-capability"],
      roadmapId: "1-2",
      workstreamKey: "1-2.model-registry",
      workstreamTitle: "Model registry and tracking",
      startMonth: 2,
      endMonth: 3,
      catchUp: false,
    });
  });

  it("L = 4 → roadmap 4-5", () => {
    const roadmap = generate({ period: "2026-Q3", level: 4, components: allAt(4) });
    expect(roadmap.roadmapId).toBe("4-5");
    expect(roadmap.transition).toEqual({ from: 4, to: 5 });
    expect(roadmap.title).toBe("Innovation Leadership");
    expect(roadmap.items).toHaveLength(18);
    expect(new Set(roadmap.items.map((i) => i.key))).toEqual(new Set(contentKeys("4-5")));
    expect(roadmap.items.some((i) => i.catchUp)).toBe(false);
  });

  it("L = 5 → null, nothing to generate", () => {
    expect(generateRoadmap(framework, { period: "2026-Q3", level: 5, components: allAt(5) })).toBeNull();
  });

  it("rejects a level outside 1..5", () => {
    for (const level of [0, 6, 2.5, Number.NaN]) {
      expect(() => generateRoadmap(framework, { period: "2026-Q3", level, components: [] })).toThrow();
    }
  });

  it("lists the target roadmap's success criteria in content order, check or null", () => {
    const roadmap = generate({ period: "2026-Q3", level: 2, components: allAt(2) });
    expect(roadmap.successCriteria.map((c) => c.key)).toEqual([
      "2-3.sc.1",
      "2-3.sc.2",
      "2-3.sc.3",
      "2-3.sc.4",
      "2-3.sc.5",
      "2-3.sc.6",
      "2-3.sc.7",
    ]);
    expect(roadmap.successCriteria[0]!.check).toBeNull();
    expect(roadmap.successCriteria[2]!.check).toEqual({
      kind: "registry",
      metric: "productionModels",
      comparison: ">=",
      value: 5,
    });
    expect(roadmap.successCriteria[3]!.check).toEqual({
      kind: "registry",
      metric: "incidentRate",
      comparison: "<",
      value: 0.05,
    });
    expect(roadmap.successCriteria[6]!.check).toEqual({
      kind: "assessment",
      metric: "dimensionScore",
      comparison: ">",
      value: 3,
    });
    expect(roadmap.successCriteria[0]!.text).toBe(framework.roadmaps[1]!.successCriteria[0]!.text);
  });
});

describe("generateRoadmap: catch-up", () => {
  it("L = 2 with mlops at level 1 adds the 1-2 items tagged mlops, marked catchUp", () => {
    const roadmap = generate({ period: "2026-Q3", level: 2, components: allAt(2, { mlops: [1, 1.7] }) });
    expect(roadmap.roadmapId).toBe("2-3");
    const catchUp = roadmap.items.filter((i) => i.catchUp);
    // Hand-worked from content: model-registry.1 and the six mlops-pipeline items.
    expect(catchUp.map((i) => i.key).sort()).toEqual(
      [
        "1-2.model-registry.1",
        "1-2.mlops-pipeline.1",
        "1-2.mlops-pipeline.2",
        "1-2.mlops-pipeline.3",
        "1-2.mlops-pipeline.4",
        "1-2.mlops-pipeline.5",
        "1-2.mlops-pipeline.6",
      ].sort(),
    );
    expect(catchUp.every((i) => i.roadmapId === "1-2" && i.components.includes("mlops"))).toBe(true);
    const main = roadmap.items.filter((i) => !i.catchUp);
    expect(main.map((i) => i.key).sort()).toEqual(contentKeys("2-3").sort());
    expect(roadmap.items).toHaveLength(24 + 7);
    expect(roadmap.items.map((i) => i.priority)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });

  it("two weak components pulling the same earlier item get it once", () => {
    // 1-2.mlops-pipeline.5 is tagged both lifecycle and mlops.
    const roadmap = generate({
      period: "2026-Q3",
      level: 2,
      components: allAt(2, { mlops: [1, 1.7], lifecycle: [1, 1.4] }),
    });
    const keys = roadmap.items.map((i) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k === "1-2.mlops-pipeline.5")).toHaveLength(1);
    const catchUp = roadmap.items.filter((i) => i.catchUp).map((i) => i.key);
    // model-registry.1..6 (mlops or lifecycle) + mlops-pipeline.1..6 = 12.
    expect(catchUp.sort()).toEqual(taggedKeys("1-2", ["mlops", "lifecycle"]).sort());
    expect(catchUp).toHaveLength(12);
    expect(roadmap.items).toHaveLength(24 + 12);
  });

  it("L = 3 with standards at level 1 catches up from 1-2 and 2-3", () => {
    const roadmap = generate({ period: "2026-Q3", level: 3, components: allAt(3, { standards: [1, 1.3] }) });
    expect(roadmap.roadmapId).toBe("3-4");
    const catchUp = roadmap.items.filter((i) => i.catchUp);
    expect(
      catchUp
        .filter((i) => i.roadmapId === "1-2")
        .map((i) => i.key)
        .sort(),
    ).toEqual(
      [
        "1-2.code-quality.1",
        "1-2.code-quality.2",
        "1-2.code-quality.3",
        "1-2.code-quality.4",
        "1-2.code-quality.5",
        "1-2.model-registry.6",
        "1-2.mlops-pipeline.4",
        "1-2.mlops-pipeline.6",
        "1-2.first-deployment.4",
      ].sort(),
    );
    expect(
      catchUp
        .filter((i) => i.roadmapId === "2-3")
        .map((i) => i.key)
        .sort(),
    ).toEqual(["2-3.pipelines.2", "2-3.pipelines.6", "2-3.monitoring.6", "2-3.lifecycle.5"].sort());
    expect(catchUp).toHaveLength(13);
    expect(roadmap.items).toHaveLength(24 + 13);
  });

  it("L = 3 with a component at level 2 catches up from 2-3 only", () => {
    const roadmap = generate({ period: "2026-Q3", level: 3, components: allAt(3, { standards: [2, 2.3] }) });
    const catchUp = roadmap.items.filter((i) => i.catchUp);
    expect(catchUp.map((i) => i.key).sort()).toEqual(["2-3.pipelines.2", "2-3.pipelines.6", "2-3.monitoring.6", "2-3.lifecycle.5"].sort());
  });

  it("components at or above the dimension level add nothing; neither do unassessed ones", () => {
    const atLevel = generate({ period: "2026-Q3", level: 3, components: allAt(3, { mlops: [4, 4.2] }) });
    expect(atLevel.items.some((i) => i.catchUp)).toBe(false);
    const unassessed = generate({ period: "2026-Q3", level: 3, components: [] });
    expect(unassessed.items.some((i) => i.catchUp)).toBe(false);
    expect(unassessed.items).toHaveLength(24);
  });
});

describe("generateRoadmap: order and priority", () => {
  it("L = 1, hand-worked: lowest tagged score first, then start month, then content order", () => {
    // technical-capability 1.2, mlops 1.5, lifecycle 1.1, production-operations 1.9, standards 1.4
    const components = assessed([
      ["technical-capability", 1, 1.2],
      ["mlops", 1, 1.5],
      ["lifecycle", 1, 1.1],
      ["production-operations", 1, 1.9],
      ["standards", 1, 1.4],
    ]);
    const roadmap = generate({ period: "2026-Q3", level: 1, components });
    expect(roadmap.items.map((i) => i.key)).toEqual([
      // rank 1.1 (lifecycle)
      "1-2.model-registry.2",
      "1-2.model-registry.3",
      "1-2.model-registry.4",
      "1-2.model-registry.5",
      "1-2.model-registry.6",
      "1-2.mlops-pipeline.5",
      // rank 1.2 (technical-capability)
      "1-2.code-quality.1",
      "1-2.code-quality.2",
      "1-2.code-quality.6",
      "1-2.model-registry.1",
      // rank 1.4 (standards)
      "1-2.code-quality.3",
      "1-2.code-quality.4",
      "1-2.code-quality.5",
      "1-2.mlops-pipeline.4",
      "1-2.mlops-pipeline.6",
      "1-2.first-deployment.4",
      // rank 1.5 (mlops)
      "1-2.mlops-pipeline.1",
      "1-2.mlops-pipeline.2",
      "1-2.mlops-pipeline.3",
      // rank 1.9 (production-operations)
      "1-2.first-deployment.1",
      "1-2.first-deployment.2",
      "1-2.first-deployment.3",
      "1-2.first-deployment.5",
      "1-2.first-deployment.6",
    ]);
    expect(roadmap.items[0]!.priority).toBe(1);
    expect(roadmap.items[23]!.priority).toBe(24);
  });

  it("the weakest component's items come first (L = 4, production-operations weakest)", () => {
    const roadmap = generate({
      period: "2026-Q3",
      level: 4,
      components: allAt(4, { "production-operations": [4, 4.05] }),
    });
    const first = roadmap.items[0]!;
    expect(first.components).toContain("production-operations");
    // Start month 1: self-healing.2,3,4,6 are tagged production-operations.
    expect(roadmap.items.slice(0, 4).map((i) => i.key)).toEqual([
      "4-5.self-healing.2",
      "4-5.self-healing.3",
      "4-5.self-healing.4",
      "4-5.self-healing.6",
    ]);
    expect(roadmap.items[4]!.key).toBe("4-5.industry-leadership.3"); // start month 6
  });

  it("ties on score break by start month, then by the earlier transition, then content order (L = 3, standards at 1)", () => {
    const roadmap = generate({ period: "2026-Q3", level: 3, components: allAt(3, { standards: [1, 1.3] }) });
    expect(roadmap.items[0]!.components).toContain("standards");
    // Every standards-tagged item has rank 1.3: 13 catch-up + 5 main.
    expect(roadmap.items.slice(0, 18).map((i) => i.key)).toEqual([
      // start month 1: 1-2 before 2-3
      "1-2.code-quality.1",
      "1-2.code-quality.2",
      "1-2.code-quality.3",
      "1-2.code-quality.4",
      "1-2.code-quality.5",
      "2-3.pipelines.2",
      "2-3.pipelines.6",
      // start month 2
      "1-2.model-registry.6",
      "2-3.monitoring.6",
      // start month 3
      "1-2.mlops-pipeline.4",
      "1-2.mlops-pipeline.6",
      // start month 4: the catch-up 1-2 item, then the main 3-4 items
      "1-2.first-deployment.4",
      "3-4.model-factory.1",
      "3-4.model-factory.2",
      "3-4.model-factory.3",
      "3-4.model-factory.6",
      // start month 6
      "2-3.lifecycle.5",
      "3-4.scale-operations.6",
    ]);
    // Next: mlops (3.2) items, starting with the main continuous-training workstream (month 1).
    expect(roadmap.items[18]!.key).toBe("3-4.continuous-training.1");
  });

  it("follows (rank, start month, transition, content order) throughout", () => {
    const components = allAt(3, { standards: [1, 1.3], lifecycle: [2, 2.9] });
    const roadmap = generate({ period: "2026-Q3", level: 3, components });
    const score = new Map(components.map((c) => [c.componentId, c.score]));
    const order = framework.roadmaps.flatMap((r) => r.workstreams.flatMap((w) => w.items.map((i) => i.id)));
    const sortKey = (i: (typeof roadmap.items)[number]) =>
      [
        Math.min(...i.components.map((c) => score.get(c) ?? 5)),
        i.startMonth,
        Number(i.roadmapId.split("-")[0]),
        order.indexOf(i.key),
      ] as const;
    for (let n = 1; n < roadmap.items.length; n++) {
      const a = sortKey(roadmap.items[n - 1]!);
      const b = sortKey(roadmap.items[n]!);
      const cmp = a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
      expect(cmp).toBeLessThan(0);
    }
    expect(roadmap.items.map((i) => i.priority)).toEqual(roadmap.items.map((_, n) => n + 1));
  });

  it("counts components missing from the assessment as 5", () => {
    // Only mlops assessed, at 1.5: its items first; the rest rank 5, ordered by start month.
    const roadmap = generate({ period: "2026-Q3", level: 1, components: assessed([["mlops", 1, 1.5]]) });
    const mlopsTagged = roadmap.items.filter((i) => i.components.includes("mlops"));
    expect(roadmap.items.slice(0, mlopsTagged.length)).toEqual(mlopsTagged);
    expect(roadmap.items[mlopsTagged.length]!.key).toBe("1-2.code-quality.1");
  });
});

describe("generateRoadmap: dates", () => {
  it("starts the quarter after the assessment by default", () => {
    expect(generate({ period: "2026-Q4", level: 1, components: allAt(1) }).startDate).toBe("2027-01-01");
    expect(generate({ period: "2026-Q3", level: 1, components: allAt(1) }).startDate).toBe("2026-10-01");
  });

  it("every item is due at the end of its workstream's endMonth", () => {
    const roadmap = generate({ period: "2026-Q3", level: 1, components: allAt(1) });
    const expected: Record<string, string> = {
      "1-2.code-quality": "2026-11-30", // endMonth 2
      "1-2.model-registry": "2026-12-31", // endMonth 3
      "1-2.mlops-pipeline": "2027-02-28", // endMonth 5
      "1-2.first-deployment": "2027-03-31", // endMonth 6
    };
    for (const item of roadmap.items) {
      expect(item.dueDate).toBe(expected[item.workstreamKey]);
      expect(item.dueDate).toBe(dueDate(roadmap.startDate, item.endMonth));
    }
  });

  it("catch-up items use their own workstream's month range", () => {
    const roadmap = generate({ period: "2026-Q3", level: 2, components: allAt(2, { mlops: [1, 1.7] }) });
    const catchUp = roadmap.items.find((i) => i.key === "1-2.mlops-pipeline.1")!;
    expect(catchUp).toMatchObject({ startMonth: 3, endMonth: 5, dueDate: "2027-02-28", catchUp: true });
    const main = roadmap.items.find((i) => i.key === "2-3.pipelines.1")!;
    expect(main).toMatchObject({ startMonth: 1, endMonth: 4, dueDate: "2027-01-31", catchUp: false });
    for (const item of roadmap.items) expect(item.dueDate).toBe(dueDate(roadmap.startDate, item.endMonth));
  });

  it("an explicit startDate overrides the default", () => {
    const roadmap = generate({ period: "2026-Q3", level: 1, components: allAt(1) }, { startDate: "2028-01-01" });
    expect(roadmap.startDate).toBe("2028-01-01");
    const item = roadmap.items.find((i) => i.key === "1-2.code-quality.1")!;
    expect(item.dueDate).toBe("2028-02-29"); // endMonth 2 in a leap year
    for (const i of roadmap.items) expect(i.dueDate).toBe(dueDate("2028-01-01", i.endMonth));
  });

  it("rejects a malformed startDate", () => {
    expect(() => generateRoadmap(framework, { period: "2026-Q3", level: 1, components: [] }, { startDate: "2028/01/01" })).toThrow();
  });
});

// ---------------------------------------------------------------- regeneration

describe("planRegeneration", () => {
  // The new roadmap: 2→3 from 2026-Q3, standards still at level 1 (so 1-2 standards items are catch-up).
  const generated = generate({ period: "2026-Q3", level: 2, components: allAt(2, { standards: [1, 1.4] }) });

  const previous: ExistingItem[] = [
    { id: 1, key: "1-2.code-quality.1", status: "in_progress" }, // needed again (standards) → carry
    { id: 2, key: "1-2.model-registry.2", status: "todo" }, // lifecycle only, not needed → close
    { id: 3, key: "1-2.code-quality.2", status: "done" }, // done, needed again → neither carried nor added
    { id: 4, key: "1-2.code-quality.3", status: "closed" }, // closed before, needed again → added anew
    { id: 5, key: "1-2.first-deployment.1", status: "blocked" }, // not needed → close
    { id: 6, key: "1-2.first-deployment.2", status: "done" }, // done, not needed → ignored
    { id: 7, key: "1-2.first-deployment.3", status: "closed" }, // closed, not needed → ignored
    { id: 8, key: "1-2.mlops-pipeline.4", status: "blocked" }, // standards → carry
    { id: 9, key: "2-3.pipelines.1", status: "todo" }, // already a main item → carry
  ];

  const plan = planRegeneration(previous, generated);

  it("carries unfinished items present again, keeping their ids", () => {
    expect(plan.carry).toEqual([
      { previousId: 1, key: "1-2.code-quality.1" },
      { previousId: 8, key: "1-2.mlops-pipeline.4" },
      { previousId: 9, key: "2-3.pipelines.1" },
    ]);
  });

  it("closes unfinished items no longer needed, naming the new transition and period", () => {
    expect(plan.close.map((c) => [c.previousId, c.key])).toEqual([
      [2, "1-2.model-registry.2"],
      [5, "1-2.first-deployment.1"],
    ]);
    for (const c of plan.close) {
      expect(c.reason).toBe("Not needed for the 2→3 roadmap generated from 2026-Q3");
    }
  });

  it("leaves done and closed items alone", () => {
    const touched = new Set([...plan.carry.map((c) => c.previousId), ...plan.close.map((c) => c.previousId)]);
    for (const id of [3, 4, 6, 7]) expect(touched.has(id)).toBe(false);
  });

  it("adds every generated item not carried, except keys already done", () => {
    const addKeys = plan.add.map((i) => i.key);
    expect(addKeys).not.toContain("1-2.code-quality.2"); // done stays done
    expect(addKeys).toContain("1-2.code-quality.3"); // was only closed
    expect(addKeys).not.toContain("1-2.code-quality.1");
    expect(addKeys).not.toContain("2-3.pipelines.1");
    expect(addKeys).toHaveLength(generated.items.length - 3 /* carried */ - 1 /* done */);
    // The added items keep the generated order and priorities.
    expect(plan.add).toEqual(
      generated.items.filter(
        (i) => !["1-2.code-quality.1", "1-2.mlops-pipeline.4", "2-3.pipelines.1", "1-2.code-quality.2"].includes(i.key),
      ),
    );
  });

  it("has no duplicate keys across carry and add, and covers every generated key but done ones", () => {
    const keys = [...plan.carry.map((c) => c.key), ...plan.add.map((i) => i.key)];
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set([...keys, "1-2.code-quality.2"])).toEqual(new Set(generated.items.map((i) => i.key)));
  });

  it("carries one of two unfinished items sharing a key and closes the other as a duplicate", () => {
    const dup = planRegeneration(
      [
        { id: 12, key: "2-3.pipelines.1", status: "todo" },
        { id: 11, key: "2-3.pipelines.1", status: "in_progress" },
      ],
      generated,
    );
    expect(dup.carry).toEqual([{ previousId: 11, key: "2-3.pipelines.1" }]);
    expect(dup.close).toHaveLength(1);
    expect(dup.close[0]).toMatchObject({ previousId: 12, key: "2-3.pipelines.1" });
    expect(dup.close[0]!.reason).toContain("2→3");
    expect(dup.add.map((i) => i.key)).not.toContain("2-3.pipelines.1");
  });

  it("with no previous items, adds everything", () => {
    const fresh = planRegeneration([], generated);
    expect(fresh).toEqual({ carry: [], add: generated.items, close: [] });
  });
});

// ---------------------------------------------------------------- the preview of a generation

describe("defaultStartDate after a late finalisation", () => {
  it("starts in the quarter after the finalisation when that came after the assessment's quarter", () => {
    expect(defaultStartDate("2026-Q3", "2026-10-08T09:00:00.000Z")).toBe("2027-01-01");
    expect(defaultStartDate("2026-Q3", "2026-09-30T23:00:00.000Z")).toBe("2026-10-01");
    expect(defaultStartDate("2026-Q3", null)).toBe("2026-10-01");
    expect(generate({ period: "2026-Q3", finalizedAt: "2026-10-08T09:00:00.000Z", level: 1, components: allAt(1) }).startDate).toBe(
      "2027-01-01",
    );
  });
});

describe("planGeneration (what the preview shows is what generation does)", () => {
  /** The active 3 → 4 roadmap from 2026-Q2: its first 8 items done, the others unfinished. */
  const level3 = generate({ period: "2026-Q2", level: 3, components: allAt(3) });
  const active: ActiveRoadmap = {
    id: 41,
    transition: { from: 3, to: 4 },
    title: level3.title,
    period: "2026-Q2",
    assessmentId: 7,
    items: level3.items.map((item, index) => ({
      id: 100 + index,
      key: item.key,
      title: item.title,
      components: item.components,
      status: index < 8 ? "done" : index % 3 === 0 ? "in_progress" : "todo",
    })),
  };
  const input = { assessmentId: 9, period: "2026-Q3", level: 1, components: allAt(1) };

  it("without an active roadmap, replaces nothing and adds every item", () => {
    const preview = planGeneration(framework, input, null)!;
    expect(preview.replaces).toBeNull();
    expect(preview.added).toBe(preview.generated.items.length);
    expect(preview.levelNames).toEqual({ from: "Initial", to: "Developing" });
    expect(preview.generated).toEqual(generateRoadmap(framework, input));
  });

  it("lists the items carried over and the ones closed, with titles and why, from the same plan generation carries out", () => {
    const preview = planGeneration(framework, input, active)!;
    const plan = planRegeneration(active.items, preview.generated);
    expect(preview.plan).toEqual(plan);
    const replaces = preview.replaces!;
    expect(replaces.carried.map((c) => c.key)).toEqual(plan.carry.map((c) => c.key));
    expect(replaces.closed.map((c) => c.key)).toEqual(plan.close.map((c) => c.key));
    // 3 → 4 items are not needed by a 1 → 2 roadmap: every unfinished one closes, none is carried.
    expect(replaces.carried).toEqual([]);
    expect(replaces.closed).toHaveLength(active.items.length - 8);
    expect(replaces.keptDone).toBe(8);
    for (const closed of replaces.closed) {
      const item = active.items.find((i) => i.key === closed.key)!;
      expect(closed).toEqual({
        key: item.key,
        title: item.title,
        components: item.components,
        status: item.status,
        reason: "Not needed for the 1→2 roadmap generated from 2026-Q3",
      });
    }
    expect(preview.added).toBe(plan.add.length);
  });

  it("calls out a lower level than the active roadmap's, and a same-assessment replacement", () => {
    expect(planGeneration(framework, input, active)!.replaces).toMatchObject({
      lowerLevel: true,
      sameAssessment: false,
      transition: { from: 3, to: 4 },
      period: "2026-Q2",
    });
    const higher = planGeneration(framework, { ...input, assessmentId: 7, level: 4, components: allAt(4) }, active)!;
    expect(higher.replaces).toMatchObject({ lowerLevel: false, sameAssessment: true });
    expect(higher.levelNames).toEqual({ from: "Managed", to: "Optimizing" });
  });

  it("carries the unfinished items the new roadmap needs again", () => {
    const again = planGeneration(framework, { ...input, level: 3, components: allAt(3) }, active)!;
    expect(again.replaces!.closed).toEqual([]);
    expect(again.replaces!.carried).toHaveLength(active.items.length - 8);
    expect(again.replaces!.carried[0]).toEqual({
      key: active.items[8]!.key,
      title: active.items[8]!.title,
      status: active.items[8]!.status,
    });
    expect(again.added).toBe(0); // done ones stay done, unfinished ones are carried
  });

  it("counts in its total only the items the new roadmap will hold: done ones stay out", () => {
    const again = planGeneration(framework, { ...input, level: 3, components: allAt(3) }, active)!;
    // 8 generated keys are done in the active roadmap: not carried, not added.
    expect(again.generated.items).toHaveLength(active.items.length);
    expect(again.total).toBe(again.plan.carry.length + again.plan.add.length);
    expect(again.total).toBe(active.items.length - 8);
    const heldDue = again.generated.items.slice(8).map((i) => i.dueDate);
    expect(again.lastDue).toBe(heldDue.reduce((max, d) => (d > max ? d : max)));
    const fresh = planGeneration(framework, input, null)!;
    expect(fresh.total).toBe(fresh.generated.items.length);
    expect(fresh.lastDue).toBe(fresh.generated.items.reduce((max, i) => (i.dueDate > max ? i.dueDate : max), ""));
  });

  it("is null at level 5, like generation", () => {
    expect(planGeneration(framework, { ...input, level: 5, components: allAt(5) }, active)).toBeNull();
  });
});
