import { describe, expect, it } from "vitest";
import { compareWorkstreams, workstreamLabel, workstreamProgress, workstreamsOfItems, type WorkstreamCounts } from "./workstreams";

const workstream = (w: Partial<WorkstreamCounts> & Pick<WorkstreamCounts, "key">): WorkstreamCounts => ({
  title: w.key,
  dueDate: "2027-06-30",
  catchUp: false,
  startMonth: 1,
  endMonth: 6,
  total: 1,
  done: 0,
  closed: 0,
  ...w,
});

describe("compareWorkstreams: due first, then by name", () => {
  it("puts the one due 2027-03-31 before the one due 2027-04-30, whatever their names", () => {
    const april = workstream({ key: "2-3.pipelines", title: "Comprehensive MLOps pipelines", dueDate: "2027-04-30" });
    const march = workstream({ key: "1-2.model-registry", title: "Model registry", dueDate: "2027-03-31" });
    expect([april, march].sort(compareWorkstreams).map((w) => w.dueDate)).toEqual(["2027-03-31", "2027-04-30"]);
    expect(
      [workstream({ key: "a", dueDate: "2028-03-31" }), workstream({ key: "b", dueDate: "2027-10-31" })].sort(compareWorkstreams)[0]!.key,
    ).toBe("b");
  });

  it("orders workstreams due the same day by name, ignoring case, and two of one name by key", () => {
    const sameDay = [
      workstream({ key: "3-4.model-factory", title: "Model factory and standardization" }),
      workstream({ key: "2-3.lifecycle", title: "model lifecycle management" }),
      workstream({ key: "3-4.advanced-ml", title: "Advanced ML capabilities" }),
      workstream({ key: "2-3.twin", title: "Advanced ML capabilities" }),
    ];
    expect(sameDay.sort(compareWorkstreams).map((w) => w.key)).toEqual([
      "2-3.twin",
      "3-4.advanced-ml",
      "3-4.model-factory",
      "2-3.lifecycle",
    ]);
  });
});

describe("workstreamProgress: every workstream with items, catch-up ones included", () => {
  it("adds up to the roadmap's figures (3 of 28 done, not 2 across the roadmap's own workstreams)", () => {
    // The demo roadmap: four workstreams of its own (24 items, 2 done) and three catch-up ones (4 items, 1 done).
    const rows = workstreamProgress([
      workstream({ key: "3-4.continuous-training", title: "Continuous training", dueDate: "2027-06-30", total: 6, done: 2 }),
      workstream({ key: "3-4.advanced-ml", title: "Advanced ML capabilities", dueDate: "2027-10-31", total: 6 }),
      workstream({ key: "3-4.model-factory", title: "Model factory", dueDate: "2027-12-31", total: 6 }),
      workstream({ key: "3-4.scale-operations", title: "Scale to 20+ models", dueDate: "2028-03-31", total: 6 }),
      workstream({ key: "2-3.pipelines", title: "Comprehensive MLOps pipelines", dueDate: "2027-04-30", total: 2, done: 1, catchUp: true }),
      workstream({ key: "2-3.monitoring", title: "Advanced monitoring", dueDate: "2027-06-30", total: 1, catchUp: true }),
      workstream({ key: "2-3.lifecycle", title: "Model lifecycle management", dueDate: "2027-12-31", total: 1, catchUp: true }),
    ]);
    expect(rows.reduce((n, w) => n + w.done, 0)).toBe(3);
    expect(rows.reduce((n, w) => n + w.total, 0)).toBe(28);
    expect(rows.map((w) => w.key)).toEqual([
      "2-3.pipelines",
      "2-3.monitoring",
      "3-4.continuous-training",
      "3-4.advanced-ml",
      "3-4.model-factory",
      "2-3.lifecycle",
      "3-4.scale-operations",
    ]);
    expect(rows[0]).toEqual({
      key: "2-3.pipelines",
      title: "Comprehensive MLOps pipelines",
      dueDate: "2027-04-30",
      catchUp: true,
      startMonth: 1,
      endMonth: 6,
      done: 1,
      total: 2,
      percent: 50,
      closed: 0,
      open: 1,
    });
  });

  it("leaves the list it is given as it was", () => {
    const given = [workstream({ key: "b", dueDate: "2027-12-31" }), workstream({ key: "a", dueDate: "2027-01-31" })];
    workstreamProgress(given);
    expect(given.map((w) => w.key)).toEqual(["b", "a"]);
  });

  it("names a catch-up workstream as such", () => {
    expect(workstreamLabel({ title: "Model lifecycle management", catchUp: true })).toBe("Model lifecycle management (catch-up)");
    expect(workstreamLabel({ title: "Model factory", catchUp: false })).toBe("Model factory");
  });
});

describe("workstreamsOfItems: the phases of a roadmap read from its items", () => {
  const item = (workstreamKey: string, status: string, extra: Partial<Parameters<typeof workstreamsOfItems>[0][number]> = {}) => ({
    workstreamKey,
    workstream: workstreamKey.toUpperCase(),
    dueDate: "2027-06-30",
    catchUp: false,
    startMonth: 1,
    endMonth: 6,
    status,
    ...extra,
  });

  it("lists the catch-up workstreams beside the level's, due first, with their progress", () => {
    const catchUp = { catchUp: true, dueDate: "2027-03-31", startMonth: 1, endMonth: 3 };
    const workstreams = workstreamsOfItems([
      item("3-4.factory", "done"),
      item("1-2.registry", "todo", catchUp),
      item("3-4.factory", "closed"),
      item("1-2.registry", "done", catchUp),
      item("3-4.factory", "todo"),
    ]);
    expect(workstreams.map((w) => [w.key, w.catchUp, w.startMonth, w.endMonth])).toEqual([
      ["1-2.registry", true, 1, 3],
      ["3-4.factory", false, 1, 6],
    ]);
    expect(workstreams[0]).toMatchObject({ title: "1-2.REGISTRY", done: 1, total: 2, percent: 50 });
    expect(workstreams[1]).toMatchObject({ done: 1, closed: 1, total: 3, open: 1 });
  });

  it("is empty without items", () => {
    expect(workstreamsOfItems([])).toEqual([]);
  });
});
