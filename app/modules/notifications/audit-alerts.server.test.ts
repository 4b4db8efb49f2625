import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { notifications, outboxMessages } from "../../../db/schema";
import { verifyAuditTrail } from "../audit/checkpoints.server";
import { createTestOrg, member } from "../../../tests/setup/test-orgs";
import { alertBrokenTrail, verifyTrailsNightly } from "./audit-alerts.server";

describe("a broken audit trail", () => {
  it("is told to the organisation's admins and auditors, at most once a day", async () => {
    const org = await createTestOrg("tampered");
    const intact = await createTestOrg("intact");
    expect(verifyAuditTrail(org.id).ok).toBe(true);
    // Someone with the database file edits an event behind the portal's back.
    const sqlite = getDb().$client;
    sqlite.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
    sqlite.prepare("update audit_events set actor_label = 'someone else' where org_id = ? and seq = 1").run(org.id);

    const now = new Date();
    expect(await verifyTrailsNightly(now)).toBe(1);
    // (Other tests here break trails of their own organisations.)
    const alertsHere = () =>
      getDb()
        .select()
        .from(notifications)
        .where(and(eq(notifications.eventType, "audit.verification_failed"), inArray(notifications.orgId, [org.id, intact.id])))
        .all();
    const told = alertsHere();
    expect(told.map((n) => n.userId).sort()).toEqual([member(org, "admin").userId, member(org, "auditor").userId].sort());
    expect(told[0]).toMatchObject({ orgId: org.id, path: `/orgs/${org.slug}/audit` });
    expect(told[0]!.body).toContain("Verification stopped at event 1");
    const emails = getDb()
      .select()
      .from(outboxMessages)
      .where(
        and(
          eq(outboxMessages.eventType, "audit.verification_failed"),
          eq(outboxMessages.channel, "email"),
          eq(outboxMessages.orgId, org.id),
        ),
      )
      .all();
    expect(emails.map((m) => m.toEmail).sort()).toEqual([org.emails.admin, org.emails.auditor].sort());
    expect(told.some((n) => n.orgId === intact.id)).toBe(false);

    // Still broken an hour later: checked, not told again; a day later, told again.
    expect(await verifyTrailsNightly(new Date(now.getTime() + 3_600_000))).toBe(1);
    expect(alertsHere()).toHaveLength(2);
    await verifyTrailsNightly(new Date(now.getTime() + 25 * 3_600_000));
    expect(alertsHere()).toHaveLength(4);
  });
});

describe("a number and hash typed in that the log does not hold", () => {
  it("answers the person who typed them and alerts nobody, so a real break is still told that day", async () => {
    const org = await createTestOrg("typo");
    const typo = verifyAuditTrail(org.id, [], undefined, [{ seq: 1, headHash: "a".repeat(64) }]);
    expect(typo).toMatchObject({ ok: false, brokenBy: "anchor", firstBrokenSeq: 1 });
    expect(alertBrokenTrail(org.id, typo)).toBe(false);
    const told = () => getDb().select().from(notifications).where(eq(notifications.orgId, org.id)).all();
    expect(told().filter((n) => n.eventType === "audit.verification_failed")).toHaveLength(0);

    // A real break found beside a typo is the chain's finding, and it is told.
    const sqlite = getDb().$client;
    sqlite.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
    const label = sqlite.prepare("select actor_label from audit_events where org_id = ? and seq = 2").pluck().get(org.id);
    sqlite.prepare("update audit_events set actor_label = 'someone else' where org_id = ? and seq = 2").run(org.id);
    const both = verifyAuditTrail(org.id, [], undefined, [{ seq: 1, headHash: "a".repeat(64) }]);
    expect(both).toMatchObject({ ok: false, brokenBy: "chain", firstBrokenSeq: 2 });
    expect(alertBrokenTrail(org.id, both)).toBe(true);
    // Put back: other tests here count the broken trails of the whole database.
    sqlite.prepare("update audit_events set actor_label = ? where org_id = ? and seq = 2").run(label, org.id);
    expect(verifyAuditTrail(org.id).ok).toBe(true);
  });
});
