import { describe, expect, it } from "vitest";
import { median, percentile, summarize } from "./stats";

describe("median", () => {
  it("is the middle sample of an odd count, whatever the order", () => {
    expect(median([9, 1, 5])).toBe(5);
  });
  it("is the mean of the two middle samples of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it("is NaN without samples", () => {
    expect(median([])).toBeNaN();
  });
});

describe("percentile (nearest rank)", () => {
  const fifteen = Array.from({ length: 15 }, (_, i) => 15 - i); // 15, 14, …, 1
  it("is a sample, never an interpolation", () => {
    expect(percentile(fifteen, 90)).toBe(14); // ceil(13.5) = 14th smallest
    expect(percentile(fifteen, 97.5)).toBe(15);
    expect(percentile(fifteen, 50)).toBe(8);
  });
  it("is the largest sample at 100 and the smallest at a tiny p", () => {
    expect(percentile(fifteen, 100)).toBe(15);
    expect(percentile(fifteen, 0.1)).toBe(1);
  });
  it("refuses a p outside (0, 100]", () => {
    expect(() => percentile(fifteen, 0)).toThrow(RangeError);
    expect(() => percentile(fifteen, 101)).toThrow(RangeError);
  });
  it("is NaN without samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("reports count, median, p90, p97.5 and max", () => {
    expect(summarize([3, 1, 2, 10])).toEqual({ count: 4, median: 2.5, p90: 10, p975: 10, max: 10 });
  });
  it("is all NaN but the count without samples", () => {
    expect(summarize([])).toEqual({ count: 0, median: NaN, p90: NaN, p975: NaN, max: NaN });
  });
});
