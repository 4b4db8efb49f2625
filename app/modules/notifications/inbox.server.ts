import { and, desc, eq, isNull, lte, or, sql } from "drizzle-orm";
import { getDb, reusableQuery, reusableSql, writeTransaction, type DbOrTx } from "../../../db/client";
import { notifications } from "../../../db/schema";
import { DomainError } from "../../utils/errors";
import { listPage } from "../../utils/paging";

/**
 * A person's stored notifications, as the inbox of an organisation shows them:
 * that organisation's and the ones about the person's own account (no
 * organisation), newest first.
 *
 * Reading them is bookkeeping of one person, like a session's last-seen time:
 * marking a notification read changes nothing anyone else sees, decides nothing
 * and proves nothing about the organisation's governance, so it is NOT audited
 * (an audit event per click would bury the trail's real changes) and moves no
 * change counter (`"bookkeeping"`: no cached reader reads `notifications`).
 * What a notification is about is audited where it happened.
 */

export const INBOX_PAGE_SIZE = 20;

/** This organisation's notifications of the person, and their account's. */
const ofPerson = (orgId: number | ReturnType<typeof sql.placeholder>, userId: number | ReturnType<typeof sql.placeholder>) =>
  and(eq(notifications.userId, userId), or(eq(notifications.orgId, orgId), isNull(notifications.orgId)));

const inboxPageQuery = reusableQuery((db) =>
  db
    .select({
      id: notifications.id,
      eventType: notifications.eventType,
      title: notifications.title,
      body: notifications.body,
      path: notifications.path,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .where(ofPerson(sql.placeholder("orgId"), sql.placeholder("userId")))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(INBOX_PAGE_SIZE)
    .offset(sql.placeholder("offset")),
);

const inboxTotalsQuery = reusableSql<{ total: number; unread: number; newestId: number | null }, { orgId: number; userId: number }>(
  `SELECT count(*) AS total, count(*) - count(read_at) AS unread, max(id) AS newestId
     FROM notifications WHERE user_id = :userId AND (org_id = :orgId OR org_id IS NULL)`,
);

/** One page of the inbox (20 a page, newest first), with the counts and the newest id "mark all as read" stops at. */
export function listInbox(orgId: number, userId: number, page = 1, db: DbOrTx = getDb()) {
  const totals = inboxTotalsQuery.get({ orgId, userId }, db) ?? { total: 0, unread: 0, newestId: null };
  const { page: current, offset } = listPage(page, INBOX_PAGE_SIZE, totals.total);
  const rows = inboxPageQuery(db).all({ orgId, userId, offset });
  return {
    notifications: rows.map(({ readAt, ...n }) => ({ ...n, createdAt: n.createdAt.toISOString(), unread: readAt === null })),
    page: current,
    pageSize: INBOX_PAGE_SIZE,
    total: totals.total,
    unread: totals.unread,
    newestId: totals.newestId,
  };
}
export type InboxEntry = ReturnType<typeof listInbox>["notifications"][number];

const unreadCountQuery = reusableSql<{ n: number }, { orgId: number; userId: number }>(
  `SELECT count(*) AS n FROM notifications
    WHERE user_id = :userId AND read_at IS NULL AND (org_id = :orgId OR org_id IS NULL)`,
);

/**
 * The header badge's unread notifications: one query on the (user, read_at) index, never cached
 * (marking read moves no counter, so a cached count would lag behind the inbox).
 */
export function unreadNotificationCount(orgId: number, userId: number, db: DbOrTx = getDb()): number {
  return unreadCountQuery.get({ orgId, userId }, db)?.n ?? 0;
}

/**
 * Opens one of the person's notifications: marks it read (once; opening it again keeps the first time) and
 * answers the path it links to. Someone else's notification, or another organisation's, is not found.
 */
export function openNotification(orgId: number, userId: number, notificationId: number, now = new Date()): { path: string } {
  return writeTransaction("bookkeeping", (tx) => {
    const row = tx
      .select({ path: notifications.path, readAt: notifications.readAt })
      .from(notifications)
      .where(and(eq(notifications.id, notificationId), ofPerson(orgId, userId)))
      .get();
    if (!row) throw new DomainError("not_found", "Notification not found");
    if (row.readAt === null) tx.update(notifications).set({ readAt: now }).where(eq(notifications.id, notificationId)).run();
    return { path: row.path };
  });
}

/**
 * Marks read the person's unread notifications up to `upToId`, the newest the inbox showed: one that
 * arrived after the page was drawn stays unread. Answers how many it marked.
 */
export function markAllRead(orgId: number, userId: number, upToId: number, now = new Date()): number {
  return writeTransaction("bookkeeping", (tx) =>
    tx
      .update(notifications)
      .set({ readAt: now })
      .where(and(ofPerson(orgId, userId), isNull(notifications.readAt), lte(notifications.id, upToId)))
      .run(),
  ).changes;
}
