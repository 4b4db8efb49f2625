import { describe, expect, it } from "vitest";
import { memoByKey } from "./memo";

describe("memoByKey", () => {
  it("builds once per key and keeps at most `max` keys, dropping the oldest", () => {
    const calls: number[] = [];
    const square = memoByKey((n: number) => (calls.push(n), { n: n * n }), 2);
    expect(square(3)).toBe(square(3));
    expect(calls).toEqual([3]);
    square(4);
    square(5); // drops 3
    expect(square(4).n).toBe(16);
    square(3);
    expect(calls).toEqual([3, 4, 5, 3]);
  });
});
