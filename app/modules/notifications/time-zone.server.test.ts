import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { auditEvents, changeCounters, orgSettings } from "../../../db/schema";
import { insertTestOrg } from "../../../tests/setup/factories";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { OrgTimeZoneSchema } from "./notification-schemas";
import { getOrgTimeZone, updateOrgTimeZone } from "./time-zone.server";

const ADMIN: Actor = { type: "system", label: "admin@test" };

const eventsOf = (orgId: number) =>
  getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "settings.time_zone_updated")))
    .all()
    .map((event) => JSON.parse(event.payload) as { before: unknown; after: unknown });

const counterOf = (orgId: number) =>
  getDb()
    .select()
    .from(changeCounters)
    .where(eq(changeCounters.scope, `org:${orgId}`))
    .get()?.version ?? 0;

describe("the organisation's time zone", () => {
  it("is UTC until an admin chooses; each change is audited with old and new, and moves the organisation's counter", () => {
    const { id: orgId } = insertTestOrg("tz");
    const friday = new Date("2026-12-04T12:00:00Z");
    expect(getOrgTimeZone(orgId, friday)).toEqual({ timeZone: "UTC", nextDigestAt: new Date("2026-12-07T08:00:00Z") });

    const counter = counterOf(orgId);
    expect(updateOrgTimeZone(orgId, OrgTimeZoneSchema.parse({ timeZone: "europe/berlin" }), ADMIN)).toBe("Europe/Berlin");
    expect(getOrgTimeZone(orgId, friday)).toEqual({ timeZone: "Europe/Berlin", nextDigestAt: new Date("2026-12-07T07:00:00Z") });
    expect(counterOf(orgId)).toBeGreaterThan(counter);
    updateOrgTimeZone(orgId, { timeZone: "Asia/Tokyo" }, ADMIN);
    expect(eventsOf(orgId)).toEqual([
      expect.objectContaining({ before: { timeZone: "UTC" }, after: { timeZone: "Europe/Berlin" } }),
      expect.objectContaining({ before: { timeZone: "Europe/Berlin" }, after: { timeZone: "Asia/Tokyo" } }),
    ]);
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });

  it("records nothing when the zone stays the same, and keeps the other settings", () => {
    const { id: orgId } = insertTestOrg("tz-same");
    getDb().insert(orgSettings).values({ orgId, fairnessRatioMin: 0.9 }).run();
    updateOrgTimeZone(orgId, { timeZone: "UTC" }, ADMIN);
    expect(eventsOf(orgId)).toEqual([]);
    updateOrgTimeZone(orgId, { timeZone: "America/New_York" }, ADMIN);
    expect(getDb().select().from(orgSettings).where(eq(orgSettings.orgId, orgId)).get()).toMatchObject({
      timeZone: "America/New_York",
      fairnessRatioMin: 0.9,
    });
  });

  it("counts this week's digest as still to go on Monday until it has gone", () => {
    const { id: orgId } = insertTestOrg("tz-due");
    const monday = new Date("2026-12-07T09:00:00Z");
    expect(getOrgTimeZone(orgId, monday).nextDigestAt).toEqual(new Date("2026-12-07T08:00:00Z"));
    getDb().insert(orgSettings).values({ orgId, digestSentFor: "2026-W50" }).run();
    expect(getOrgTimeZone(orgId, monday).nextDigestAt).toEqual(new Date("2026-12-14T08:00:00Z"));
  });
});
