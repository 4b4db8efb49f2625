import { describe, expect, it } from "vitest";
import { issuesOf } from "../http/api.server";
import { BiasAuditJsonSchema } from "./governance-schemas";

const CONFIG = { groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], predictionColumn: "p", positivePredictions: ["1"] };
const issues = (rows: unknown) => {
  const result = BiasAuditJsonSchema.safeParse({ config: CONFIG, rows });
  return result.success ? [] : issuesOf(result.error);
};

describe("BiasAuditJsonSchema rows", () => {
  it("passes valid rows on as sent", () => {
    const rows = [{ g: "a", y: 1, p: true, note: null }];
    expect(BiasAuditJsonSchema.parse({ config: CONFIG, rows }).rows).toEqual(rows);
  });

  it("names the row or the value that is wrong", () => {
    expect(issues(undefined)).toEqual([{ path: "rows", message: "Send the prediction rows" }]);
    expect(issues("rows")).toEqual([{ path: "rows", message: "Expected array, received string" }]);
    expect(issues([])).toEqual([{ path: "rows", message: "Send at least one row" }]);
    expect(issues([{ g: "a" }, 1, [], { g: { nested: 1 } }])).toEqual([
      { path: "rows.1", message: "Expected object, received number" },
      { path: "rows.2", message: "Expected object, received array" },
      { path: "rows.3.g", message: "A value must be text, a number, true, false or null" },
    ]);
  });

  it("reports the first 20 problems, not one per row of a large body", () => {
    expect(issues(Array.from({ length: 10_000 }, () => 0))).toHaveLength(20);
  });
});
