import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { notifications, outboxMessages } from "../../../db/schema";
import { verifyAuditTrail } from "../audit/checkpoints.server";
import { createTestOrg, member } from "../../../tests/setup/test-orgs";
import { verifyTrailsNightly } from "./audit-alerts.server";

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
    const told = getDb().select().from(notifications).where(eq(notifications.eventType, "audit.verification_failed")).all();
    expect(told.map((n) => n.userId).sort()).toEqual([member(org, "admin").userId, member(org, "auditor").userId].sort());
    expect(told[0]).toMatchObject({ orgId: org.id, path: `/orgs/${org.slug}/audit` });
    expect(told[0]!.body).toContain("Verification stopped at event 1");
    const emails = getDb()
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.eventType, "audit.verification_failed"), eq(outboxMessages.channel, "email")))
      .all();
    expect(emails.map((m) => m.toEmail).sort()).toEqual([org.emails.admin, org.emails.auditor].sort());
    expect(told.some((n) => n.orgId === intact.id)).toBe(false);

    // Still broken an hour later: checked, not told again; a day later, told again.
    expect(await verifyTrailsNightly(new Date(now.getTime() + 3_600_000))).toBe(1);
    expect(getDb().select().from(notifications).where(eq(notifications.eventType, "audit.verification_failed")).all()).toHaveLength(2);
    await verifyTrailsNightly(new Date(now.getTime() + 25 * 3_600_000));
    expect(getDb().select().from(notifications).where(eq(notifications.eventType, "audit.verification_failed")).all()).toHaveLength(4);
  });
});
