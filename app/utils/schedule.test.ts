import { describe, expect, it } from "vitest";
import { dailyAtUtc, every } from "./schedule";

describe("every", () => {
  it("is due the given time after the last run", () => {
    expect(every(15 * 60_000)(new Date("2026-12-03T10:00:00Z")).toISOString()).toBe("2026-12-03T10:15:00.000Z");
  });

  it("refuses intervals under a second or not whole", () => {
    expect(() => every(999)).toThrow(/at least one second/);
    expect(() => every(60_000.5)).toThrow(/whole number/);
  });
});

describe("dailyAtUtc", () => {
  const at0230 = dailyAtUtc("02:30");

  it("is due later the same day when the time has not come yet", () => {
    expect(at0230(new Date("2026-12-03T01:00:00Z")).toISOString()).toBe("2026-12-03T02:30:00.000Z");
  });

  it("is due the next day once the time has passed, or at the very moment", () => {
    expect(at0230(new Date("2026-12-03T02:30:00Z")).toISOString()).toBe("2026-12-04T02:30:00.000Z");
    expect(at0230(new Date("2026-12-03T23:59:59Z")).toISOString()).toBe("2026-12-04T02:30:00.000Z");
  });

  it("crosses a month and a year end", () => {
    expect(dailyAtUtc("00:00")(new Date("2026-12-31T12:00:00Z")).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("refuses a time that is not HH:MM", () => {
    for (const bad of ["2:30", "24:00", "12:60", "noon"]) expect(() => dailyAtUtc(bad), bad).toThrow(/HH:MM/);
  });
});
