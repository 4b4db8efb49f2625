import { describe, expect, it } from "vitest";
import {
  canonicalTimeZone,
  digestWeekDue,
  isoWeekOf,
  isTimeZone,
  localMoment,
  nextDigestAt,
  timeZoneNames,
  utcOffsetMs,
} from "./digest-schedule";

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

describe("when the next digest goes out", () => {
  it("is the next Monday 08:00 in the zone, whatever the offset or summer time", () => {
    // Friday 4 December 2026, 12:00 UTC.
    const friday = new Date("2026-12-04T12:00:00Z");
    expect(nextDigestAt(friday, "UTC")).toEqual(new Date("2026-12-07T08:00:00Z"));
    expect(nextDigestAt(friday, "Europe/Berlin")).toEqual(new Date("2026-12-07T07:00:00Z"));
    expect(nextDigestAt(friday, "America/New_York")).toEqual(new Date("2026-12-07T13:00:00Z"));
    expect(nextDigestAt(friday, "Asia/Kolkata")).toEqual(new Date("2026-12-07T02:30:00Z"));
    expect(nextDigestAt(friday, "Asia/Tokyo")).toEqual(new Date("2026-12-06T23:00:00Z"));
    // Summer time in Berlin: 08:00 is 06:00 UTC. Europe changes its clocks on Sunday 29 March 2026.
    expect(nextDigestAt(new Date("2026-03-28T12:00:00Z"), "Europe/Berlin")).toEqual(new Date("2026-03-30T06:00:00Z"));
  });

  it("is this Monday before 08:00, and today while this week's digest is due and has not gone", () => {
    expect(nextDigestAt(new Date("2026-12-07T07:59:00Z"), "UTC")).toEqual(new Date("2026-12-07T08:00:00Z"));
    expect(nextDigestAt(new Date("2026-12-07T09:00:00Z"), "UTC", null)).toEqual(new Date("2026-12-07T08:00:00Z"));
    expect(nextDigestAt(new Date("2026-12-07T09:00:00Z"), "UTC", "2026-W49")).toEqual(new Date("2026-12-07T08:00:00Z"));
    // Sent already: a week later.
    expect(nextDigestAt(new Date("2026-12-07T09:00:00Z"), "UTC", "2026-W50")).toEqual(new Date("2026-12-14T08:00:00Z"));
    expect(nextDigestAt(new Date("2026-12-08T00:00:00Z"), "UTC", null)).toEqual(new Date("2026-12-14T08:00:00Z"));
  });

  it("reads a zone's offset from UTC at a moment", () => {
    expect(utcOffsetMs(new Date("2026-12-04T12:00:00Z"), "Europe/Berlin")).toBe(3_600_000);
    expect(utcOffsetMs(new Date("2026-07-04T12:00:00Z"), "Europe/Berlin")).toBe(7_200_000);
    expect(utcOffsetMs(new Date("2026-12-04T12:00:00Z"), "America/St_Johns")).toBe(-3.5 * 3_600_000);
  });

  it("offers UTC first, then every zone the runtime knows, each once, and spells a zone as it spells itself", () => {
    const names = timeZoneNames();
    expect(names[0]).toBe("UTC");
    expect(names).toContain("Europe/Berlin");
    expect(new Set(names).size).toBe(names.length);
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("utc")).toBe("UTC");
    // The current names, though the runtime's ICU may answer an older alias (Node 20: Asia/Calcutta, Europe/Kiev).
    expect(canonicalTimeZone("asia/kolkata")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Europe/Kyiv")).toBe("Europe/Kyiv");
    expect(timeZoneNames()).toEqual(expect.arrayContaining(["Asia/Kolkata", "Europe/Kyiv"]));
    expect(timeZoneNames()).not.toContain("Asia/Calcutta");
  });
});
