import { describe, expect, it } from "vitest";
import { currentQuarterRange, isQuarter, monthsBetween, quarterOf, quarterRange, shiftQuarter } from "./quarters";

const d = (iso: string) => new Date(iso);

describe("quarterOf", () => {
  it.each([
    ["2026-01-01T00:00:00Z", "2026-Q1"],
    ["2026-03-31T23:59:59.999Z", "2026-Q1"],
    ["2026-04-01T00:00:00Z", "2026-Q2"],
    ["2026-06-30T12:00:00Z", "2026-Q2"],
    ["2026-07-01T00:00:00Z", "2026-Q3"],
    ["2026-09-30T23:59:59Z", "2026-Q3"],
    ["2026-10-01T00:00:00Z", "2026-Q4"],
    ["2026-12-31T23:59:59.999Z", "2026-Q4"],
  ])("%s is in %s", (iso, quarter) => {
    expect(quarterOf(d(iso))).toBe(quarter);
  });

  it("uses UTC, not the local time zone", () => {
    // 23:30 on Mar 31 at UTC-05:00 is already Apr 1 in UTC.
    expect(quarterOf(d("2026-03-31T23:30:00-05:00"))).toBe("2026-Q2");
  });
});

describe("quarterRange", () => {
  it.each([
    ["2026-Q1", "2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"],
    ["2026-Q2", "2026-04-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z"],
    ["2026-Q3", "2026-07-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"],
    ["2026-Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
  ])("%s is [%s, %s)", (quarter, from, to) => {
    const range = quarterRange(quarter);
    expect(range.from.toISOString()).toBe(from);
    expect(range.to.toISOString()).toBe(to);
  });

  it("the end of one quarter is the start of the next, and is not in the quarter", () => {
    const q1 = quarterRange("2026-Q1");
    expect(q1.to.getTime()).toBe(quarterRange("2026-Q2").from.getTime());
    expect(quarterOf(q1.to)).toBe("2026-Q2");
    expect(quarterOf(new Date(q1.to.getTime() - 1))).toBe("2026-Q1");
  });

  it.each(["2026-Q0", "2026-Q5", "2026Q1", "26-Q1", "2026-q1", ""])("refuses %j", (value) => {
    expect(() => quarterRange(value)).toThrow(/Not a quarter/);
  });
});

describe("shiftQuarter", () => {
  it.each([
    ["2026-Q2", 1, "2026-Q3"],
    ["2026-Q4", 1, "2027-Q1"],
    ["2026-Q3", 3, "2027-Q2"],
    ["2026-Q1", -1, "2025-Q4"],
    ["2026-Q2", -2, "2025-Q4"],
    ["2026-Q1", -5, "2024-Q4"],
    ["2026-Q2", 0, "2026-Q2"],
    ["2026-Q1", 8, "2028-Q1"],
  ] as const)("%s shifted by %d is %s", (quarter, by, expected) => {
    expect(shiftQuarter(quarter, by)).toBe(expected);
  });
});

describe("monthsBetween", () => {
  it("lists the three months of a quarter", () => {
    const { from, to } = quarterRange("2026-Q4");
    expect(monthsBetween(from, to)).toEqual(["2026-10", "2026-11", "2026-12"]);
  });

  it("includes partially covered months at both ends and crosses years", () => {
    expect(monthsBetween(d("2025-11-15T00:00:00Z"), d("2026-02-02T00:00:00Z"))).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
  });

  it("an end exactly at a month start excludes that month", () => {
    expect(monthsBetween(d("2026-01-01T00:00:00Z"), d("2026-03-01T00:00:00Z"))).toEqual(["2026-01", "2026-02"]);
    expect(monthsBetween(d("2026-01-01T00:00:00Z"), d("2026-03-01T00:00:00.001Z"))).toEqual(["2026-01", "2026-02", "2026-03"]);
  });

  it("an empty or inverted window has no months", () => {
    expect(monthsBetween(d("2026-01-01T00:00:00Z"), d("2026-01-01T00:00:00Z"))).toEqual([]);
    expect(monthsBetween(d("2026-05-01T00:00:00Z"), d("2026-01-01T00:00:00Z"))).toEqual([]);
  });

  it("a window inside one month gives that month", () => {
    expect(monthsBetween(d("2026-05-10T00:00:00Z"), d("2026-05-11T00:00:00Z"))).toEqual(["2026-05"]);
  });
});

describe("isQuarter", () => {
  it.each([
    ["2026-Q1", true],
    ["1999-Q4", true],
    ["2026-Q0", false],
    ["2026-Q5", false],
    ["2026-q1", false],
    ["2026-Q1 ", false],
    ["2026-Q12", false],
    ["Q1-2026", false],
    ["", false],
  ])("%j → %s", (value, expected) => {
    expect(isQuarter(value)).toBe(expected);
  });
});

describe("currentQuarterRange", () => {
  it("is the quarter containing the given instant", () => {
    const range = currentQuarterRange(d("2026-08-15T10:00:00Z"));
    expect(range.from.toISOString()).toBe("2026-07-01T00:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-10-01T00:00:00.000Z");
  });
});
