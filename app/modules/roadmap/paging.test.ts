import { describe, expect, it } from "vitest";
import { pageWindows } from "./paging";

const groups = [
  { key: "a", total: 3 },
  { key: "empty", total: 0 },
  { key: "b", total: 10 },
  { key: "c", total: 2 },
];

describe("pageWindows", () => {
  it("cuts a page out of the groups in order, skipping empty ones", () => {
    expect(pageWindows(groups, 0, 5)).toEqual([
      { key: "a", offset: 0, limit: 3 },
      { key: "b", offset: 0, limit: 2 },
    ]);
    expect(pageWindows(groups, 5, 5)).toEqual([{ key: "b", offset: 2, limit: 5 }]);
    expect(pageWindows(groups, 10, 5)).toEqual([
      { key: "b", offset: 7, limit: 3 },
      { key: "c", offset: 0, limit: 2 },
    ]);
  });

  it("covers every row exactly once across the pages", () => {
    const rows = (size: number) =>
      Array.from({ length: Math.ceil(15 / size) }, (_, page) => pageWindows(groups, page * size, size)).flatMap((windows) =>
        windows.flatMap((w) => Array.from({ length: w.limit }, (_, n) => `${w.key}${w.offset + n}`)),
      );
    const all = groups.flatMap((g) => Array.from({ length: g.total }, (_, n) => `${g.key}${n}`));
    for (const size of [1, 2, 4, 7, 15, 100]) expect(rows(size)).toEqual(all);
  });

  it("is empty past the end or with no rows", () => {
    expect(pageWindows(groups, 15, 5)).toEqual([]);
    expect(pageWindows([], 0, 25)).toEqual([]);
  });
});
