import { and, eq } from "drizzle-orm";
import { getDb, writeTransaction, type Tx } from "../../../db/client";
import { notificationPreferences } from "../../../db/schema";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { CATEGORY_LABELS, type DeliveryMode, type NotificationCategory } from "./notification-constants";
import { CHOOSABLE_CATEGORIES, type NotificationChoices } from "./notification-schemas";
import { defaultModeOf } from "./notifications.server";

/**
 * Each person chooses, per category, how they hear of things: email at once,
 * the weekly digest, or the portal only. A person's own choice: recorded in
 * the site-wide trail like their other account changes.
 */

export function notificationChoices(userId: number) {
  const chosen = new Map(
    getDb()
      .select({ category: notificationPreferences.category, mode: notificationPreferences.mode })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.userId, userId))
      .all()
      .map((p) => [p.category, p.mode]),
  );
  return CHOOSABLE_CATEGORIES.map((category) => ({
    category,
    label: CATEGORY_LABELS[category],
    mode: chosen.get(category) ?? defaultModeOf(category),
  }));
}

function setMode(tx: Tx, userId: number, category: NotificationCategory, mode: DeliveryMode, now: Date) {
  tx.insert(notificationPreferences)
    .values({ userId, category, mode, updatedAt: now })
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.category], set: { mode, updatedAt: now } })
    .run();
}

export function saveNotificationChoices(userId: number, choices: NotificationChoices, actor: Actor, now = new Date()): void {
  const before = Object.fromEntries(notificationChoices(userId).map((c) => [c.category, c.mode]));
  writeTransaction("bookkeeping", (tx) => {
    for (const category of CHOOSABLE_CATEGORIES) setMode(tx, userId, category, choices[category], now);
    recordAuditEvent(tx, {
      orgId: null,
      actor,
      action: "user.notifications_changed",
      entityType: "user",
      entityId: userId,
      before,
      after: choices,
      at: now,
    });
  });
}

/** The unsubscribe link of an email: that category goes to the portal only. Idempotent. */
export function unsubscribe(userId: number, category: NotificationCategory, now = new Date()): void {
  const current = getDb()
    .select({ mode: notificationPreferences.mode })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, userId), eq(notificationPreferences.category, category)))
    .get();
  if (current?.mode === "portal") return;
  writeTransaction("bookkeeping", (tx) => {
    setMode(tx, userId, category, "portal", now);
    recordAuditEvent(tx, {
      orgId: null,
      actor: { type: "user", id: userId, label: `user ${userId} (unsubscribe link)` },
      action: "user.notifications_changed",
      entityType: "user",
      entityId: userId,
      details: { unsubscribed: category },
      at: now,
    });
  });
}
