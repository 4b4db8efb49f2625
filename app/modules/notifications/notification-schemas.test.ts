import { describe, expect, it } from "vitest";
import { OrgTimeZoneSchema } from "./notification-schemas";

describe("OrgTimeZoneSchema", () => {
  const parse = (timeZone: unknown) => OrgTimeZoneSchema.safeParse({ timeZone });
  const messageOf = (timeZone: unknown) => {
    const result = parse(timeZone);
    return result.success ? null : result.error.issues[0]!.message;
  };

  it("takes an IANA zone, trimmed and spelled as the zone spells itself", () => {
    expect(parse("Europe/Berlin")).toEqual({ success: true, data: { timeZone: "Europe/Berlin" } });
    expect(parse("  america/new_york ")).toEqual({ success: true, data: { timeZone: "America/New_York" } });
    expect(parse("UTC")).toEqual({ success: true, data: { timeZone: "UTC" } });
    expect(parse("utc")).toEqual({ success: true, data: { timeZone: "UTC" } });
  });

  it("refuses made-up zones, offsets, empty input and overlong names with a message naming an example", () => {
    expect(messageOf("Mars/Olympus_Mons")).toMatch(/^Not a time zone this portal knows.*Europe\/Berlin/);
    expect(messageOf("+01:00")).toMatch(/^Not a time zone/);
    expect(messageOf("Berlin")).toMatch(/^Not a time zone/);
    expect(messageOf("")).toBe("Choose a time zone, e.g. Europe/Berlin or UTC");
    expect(messageOf("   ")).toBe("Choose a time zone, e.g. Europe/Berlin or UTC");
    expect(messageOf(undefined)).toBe("Choose a time zone, e.g. Europe/Berlin or UTC");
    expect(messageOf(`Europe/${"x".repeat(100)}`)).toMatch(/^No time zone has a name that long/);
    expect(messageOf(["UTC", "UTC"])).toMatch(/string/i);
  });
});
