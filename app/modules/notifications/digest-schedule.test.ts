import { describe, expect, it } from "vitest";
import { digestWeekDue, isoWeekOf, isTimeZone, localMoment } from "./digest-schedule";

describe("the weekly digest's moment", () => {
  it("reads the local date, weekday and hour in a time zone, across summer time", () => {
    expect(localMoment(new Date("2026-12-07T07:30:00Z"), "Europe/Berlin")).toEqual({ date: "2026-12-07", weekday: 1, hour: 8 });
    expect(localMoment(new Date("2026-07-06T06:30:00Z"), "Europe/Berlin")).toEqual({ date: "2026-07-06", weekday: 1, hour: 8 });
    // Still Sunday evening in New York when it is Monday morning in UTC.
    expect(localMoment(new Date("2026-12-07T03:00:00Z"), "America/New_York")).toEqual({ date: "2026-12-06", weekday: 7, hour: 22 });
  });

  it("numbers ISO weeks, where the Thursday decides the year", () => {
    expect(isoWeekOf("2026-12-07")).toBe("2026-W50");
    expect(isoWeekOf("2026-01-01")).toBe("2026-W01"); // a Thursday
    expect(isoWeekOf("2027-01-01")).toBe("2026-W53"); // a Friday: still the last week of 2026
    expect(isoWeekOf("2024-12-30")).toBe("2025-W01"); // a Monday of the week holding 2 January 2025
  });

  it("is due on Monday from 08:00 local time only", () => {
    expect(digestWeekDue(new Date("2026-12-07T07:59:00Z"), "UTC")).toBeNull();
    expect(digestWeekDue(new Date("2026-12-07T08:00:00Z"), "UTC")).toBe("2026-W50");
    expect(digestWeekDue(new Date("2026-12-07T23:59:00Z"), "UTC")).toBe("2026-W50");
    expect(digestWeekDue(new Date("2026-12-08T08:00:00Z"), "UTC")).toBeNull();
    // 08:00 in Tokyo is 23:00 UTC on Sunday.
    expect(digestWeekDue(new Date("2026-12-06T23:00:00Z"), "Asia/Tokyo")).toBe("2026-W50");
    expect(digestWeekDue(new Date("2026-12-07T08:00:00Z"), "America/Los_Angeles")).toBeNull();
  });

  it("knows real time zones from made-up ones", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
