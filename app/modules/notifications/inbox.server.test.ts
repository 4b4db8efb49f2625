import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { auditEvents, changeCounters } from "../../../db/schema";
import { createTestOrg, member } from "../../../tests/setup/test-orgs";
import { INBOX_PAGE_SIZE, listInbox, markAllRead, openNotification, unreadNotificationCount } from "./inbox.server";
import { notify } from "./notifications.server";

/** `count` notifications to `userId`, one a minute from `start`, through the real `notify`. */
function tell(orgId: number | null, userId: number, count: number, start = new Date("2026-11-02T09:00:00Z")) {
  for (let i = 0; i < count; i++) {
    writeTransaction(orgId === null ? "site" : { orgId }, (tx) =>
      notify(
        tx,
        orgId === null
          ? { orgId, type: "account.new_device", recipients: [userId], title: `Note ${i + 1}`, path: `/account#${i + 1}`, data: {} }
          : {
              orgId,
              type: "webhook.test",
              recipients: [userId],
              title: `Note ${i + 1}`,
              path: `/orgs/somewhere/models/m#${i + 1}`,
              data: { webhookId: 0, sentBy: "test" },
            },
        new Date(start.getTime() + i * 60_000),
      ),
    );
  }
}

const auditCount = (orgId: number) => getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).all().length;
const orgCounter = (orgId: number) =>
  getDb()
    .select({ version: changeCounters.version })
    .from(changeCounters)
    .where(eq(changeCounters.scope, `org:${orgId}`))
    .get()?.version;

describe("the inbox", () => {
  it("lists this organisation's and the account's notifications newest first, 20 a page, unread marked", async () => {
    const org = await createTestOrg("inbox-list");
    const elsewhere = await createTestOrg("inbox-elsewhere");
    const { userId } = member(org, "team");
    tell(org.id, userId, 23);
    tell(null, userId, 1, new Date("2026-11-03T09:00:00Z"));
    tell(elsewhere.id, userId, 2); // not a member there, but even so: another organisation's inbox
    tell(org.id, member(org, "ethics").userId, 3); // someone else's

    const first = listInbox(org.id, userId);
    expect(first).toMatchObject({ page: 1, pageSize: INBOX_PAGE_SIZE, total: 24, unread: 24 });
    expect(first.notifications).toHaveLength(20);
    expect(first.notifications.slice(0, 3).map((n) => n.title)).toEqual(["Note 1", "Note 23", "Note 22"]); // the account one is newest
    expect(first.notifications.every((n) => n.unread)).toBe(true);
    const second = listInbox(org.id, userId, 2);
    expect(second.notifications.map((n) => n.title)).toEqual(["Note 4", "Note 3", "Note 2", "Note 1"]);
    expect(listInbox(org.id, userId, 99).page, "a page past the end shows the last").toBe(2);
    expect(unreadNotificationCount(org.id, userId)).toBe(24);
    expect(unreadNotificationCount(elsewhere.id, userId), "the account message shows in every inbox").toBe(3);
  });

  it("opening one marks it read once and answers its path; someone else's is not found", async () => {
    const org = await createTestOrg("inbox-open");
    const { userId } = member(org, "leadership");
    tell(org.id, userId, 2);
    const [newest] = listInbox(org.id, userId).notifications;
    const audited = auditCount(org.id);
    const counter = orgCounter(org.id);

    const openedAt = new Date("2026-11-05T10:00:00Z");
    expect(openNotification(org.id, userId, newest!.id, openedAt)).toEqual({ path: "/orgs/somewhere/models/m#2" });
    expect(openNotification(org.id, userId, newest!.id, new Date("2026-11-06T10:00:00Z")).path).toBe("/orgs/somewhere/models/m#2");
    const after = listInbox(org.id, userId);
    expect(after.notifications.map((n) => n.unread)).toEqual([false, true]);
    expect(after.unread).toBe(1);
    expect(auditCount(org.id), "reading is one person's bookkeeping: not audited").toBe(audited);
    expect(orgCounter(org.id), "and it moves no change counter").toBe(counter);

    expect(() => openNotification(org.id, member(org, "ethics").userId, newest!.id)).toThrow("Notification not found");
    const other = await createTestOrg("inbox-open-other");
    expect(() => openNotification(other.id, userId, newest!.id), "not through another organisation").toThrow("Notification not found");
  });

  it("marks all read only up to the newest the page showed: what arrives meanwhile stays unread", async () => {
    const org = await createTestOrg("inbox-all");
    const { userId } = member(org, "auditor");
    tell(org.id, userId, 3);
    const shown = listInbox(org.id, userId);
    tell(org.id, userId, 1, new Date("2026-11-04T09:00:00Z")); // arrives while the person reads

    expect(markAllRead(org.id, userId, shown.newestId!)).toBe(3);
    const after = listInbox(org.id, userId);
    expect(after.unread).toBe(1);
    expect(after.notifications[0]).toMatchObject({ title: "Note 1", unread: true });
    expect(markAllRead(org.id, userId, shown.newestId!), "again: nothing left to mark").toBe(0);
    expect(markAllRead(org.id, member(org, "team").userId, Number.MAX_SAFE_INTEGER), "only one's own").toBe(0);
    expect(unreadNotificationCount(org.id, userId)).toBe(1);
  });
});
