import { describe, expect, it } from "vitest";
import { linePointRadius, trendSeries, wrapLabel } from "./chart-data";

describe("wrapLabel", () => {
  it("wraps at word boundaries and keeps every word whole", () => {
    expect(wrapLabel("Model Lifecycle Management")).toEqual(["Model Lifecycle", "Management"]);
    expect(wrapLabel("AI/ML Technical Capability", 12)).toEqual(["AI/ML", "Technical", "Capability"]);
    expect(wrapLabel("Supercalifragilistic word", 8)).toEqual(["Supercalifragilistic", "word"]);
    expect(wrapLabel("MLOps")).toEqual(["MLOps"]);
  });
});

const assessment = (
  period: string,
  status: string,
  score: number,
  components: Record<string, number> = { a: score },
  frameworkVersion = "2",
) => ({
  period,
  status,
  frameworkVersion,
  dimensionScore: score,
  components: Object.entries(components).map(([componentId, s]) => ({ componentId, name: componentId.toUpperCase(), score: s })),
});

describe("trendSeries", () => {
  it("lists finalised quarters oldest first and marks the newer draft as draft", () => {
    const series = trendSeries([
      assessment("2026-Q4", "draft", 3.1),
      assessment("2026-Q3", "finalized", 2.9),
      assessment("2026-Q2", "finalized", 2.5),
    ]);
    expect(series.periods).toEqual(["2026-Q2", "2026-Q3", "2026-Q4 (draft)"]);
    expect(series.draftIndex).toBe(2);
    expect(series.lines[0]).toEqual({ label: "Dimension score", values: [2.5, 2.9, 3.1], bold: true });
  });

  it("leaves withdrawn quarters and drafts older than the newest finalised one out", () => {
    const series = trendSeries([
      assessment("2026-Q3", "withdrawn", 4),
      assessment("2026-Q2", "finalized", 2.5),
      assessment("2026-Q1", "draft", 1),
    ]);
    expect(series.periods).toEqual(["2026-Q2"]);
    expect(series.draftIndex).toBeNull();
  });

  it("shows a component missing from a quarter as a gap, not zero", () => {
    const series = trendSeries([assessment("2026-Q1", "finalized", 2, { a: 2 }), assessment("2026-Q2", "finalized", 3, { a: 3, b: 2.5 })]);
    expect(series.lines.find((l) => l.label === "B")!.values).toEqual([null, 2.5]);
  });

  it("continues a component across framework versions under its key, and breaks where the newer version cannot map it", () => {
    // Version 3 keeps "a", replaces "b" with "b2" and has a new "c" (keys as framework-lineage.ts gives them).
    const keyOf = (version: string, id: string) => (version === "3" && id === "b2" ? "b" : version === "3" && id === "c" ? "3:c" : id);
    const series = trendSeries(
      [assessment("2026-Q1", "finalized", 2, { a: 2, b: 2 }), assessment("2026-Q2", "finalized", 3, { a: 3, b2: 3, c: 1 }, "3")],
      keyOf,
    );
    expect(series.lines.map((l) => [l.label, l.values])).toEqual([
      ["Dimension score", [2, 3]],
      ["A", [2, 3]],
      ["B2", [2, 3]],
      ["C", [null, 1]],
    ]);
  });
});

describe("linePointRadius", () => {
  it("draws the points of a short line (one point alone draws nothing otherwise) and none on a long one", () => {
    expect(linePointRadius(1)).toBe(3);
    expect(linePointRadius(12)).toBe(3);
    expect(linePointRadius(13)).toBe(0);
    expect(linePointRadius(5, { upTo: 4, radius: 2 })).toBe(0);
  });
});
