import { describe, expect, it } from "vitest";
import { listPage } from "./paging";

describe("listPage", () => {
  it("gives a page within the list its rows, counted from 1", () => {
    expect(listPage(1, 25, 60)).toEqual({ page: 1, pages: 3, offset: 0, first: 1, last: 25 });
    expect(listPage(2, 25, 60)).toEqual({ page: 2, pages: 3, offset: 25, first: 26, last: 50 });
    expect(listPage(3, 25, 60)).toEqual({ page: 3, pages: 3, offset: 50, first: 51, last: 60 });
    expect(listPage(2, 2, 4)).toEqual({ page: 2, pages: 2, offset: 2, first: 3, last: 4 });
  });

  it("keeps a page past the end on the last page, so its range never reads backwards", () => {
    // The reviewer's case: 4 models, 2 a page, page 9 asked for ("17–4 of 4" before).
    expect(listPage(9, 2, 4)).toEqual({ page: 2, pages: 2, offset: 2, first: 3, last: 4 });
    expect(listPage(100_000, 20, 21)).toMatchObject({ page: 2, first: 21, last: 21 });
    for (const [requested, pageSize, total] of [
      [9, 2, 4],
      [3, 10, 5],
      [7, 1, 0],
      [2, 25, 25],
    ] as const) {
      const { first, last } = listPage(requested, pageSize, total);
      expect(first, `${requested}, ${pageSize}, ${total}`).toBeLessThanOrEqual(last);
      expect(last, `${requested}, ${pageSize}, ${total}`).toBeLessThanOrEqual(total);
    }
  });

  it("gives an empty list one page without rows", () => {
    expect(listPage(1, 25, 0)).toEqual({ page: 1, pages: 1, offset: 0, first: 0, last: 0 });
    expect(listPage(9, 25, 0)).toEqual({ page: 1, pages: 1, offset: 0, first: 0, last: 0 });
  });

  it("reads a page before the first, or not a whole number, as the first", () => {
    for (const requested of [0, -3, Number.NaN]) expect(listPage(requested, 10, 30).page).toBe(1);
    expect(listPage(2.7, 10, 30).page).toBe(2);
  });
});
