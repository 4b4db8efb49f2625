import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random";

const take = <T>(next: () => T, n: number) => Array.from({ length: n }, next);

describe("seededRandom", () => {
  it("replays the same floats in [0, 1) for the same seed", () => {
    const a = take(seededRandom(42), 1000);
    expect(take(seededRandom(42), 1000)).toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(take(seededRandom(43), 1000)).not.toEqual(a);
  });
});
