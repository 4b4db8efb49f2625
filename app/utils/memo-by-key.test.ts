import { describe, expect, it } from "vitest";
import { memoByKey } from "./memo-by-key";

describe("memoByKey", () => {
  it("builds once per key and forgets the oldest key beyond its bound", () => {
    const built: number[] = [];
    const square = memoByKey(
      (n: number) => String(n),
      (n: number) => {
        built.push(n);
        return { n: n * n };
      },
      2,
    );
    const first = square(2);
    expect(square(2)).toBe(first);
    square(3);
    square(4);
    expect(built).toEqual([2, 3, 4]);
    expect(square(2)).not.toBe(first);
    expect(built).toEqual([2, 3, 4, 2]);
  });
});
