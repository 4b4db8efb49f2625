import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client";
import {
  memberships,
  modelFollowers,
  notificationPreferences,
  notifications,
  organizations,
  outboxMessages,
  users,
  webhookEndpoints,
} from "../../../db/schema";
import { EVENT_TYPES, type DeliveryMode, type EventType, type NotificationCategory } from "./notification-constants";
import { composeEmail, publicUrl } from "./email.server";
import type { EventData } from "./notification-payloads";

/**
 * The one way a change tells people and systems about itself. Called inside
 * the change's own `writeTransaction`, so the notification, its emails and
 * its webhook messages exist exactly when the change does (the transactional
 * outbox); the scheduler's delivery job sends them afterwards.
 *
 * Notifications sit on the lowest rung of the domain ladder: every domain may
 * call `notify`, and it imports none of them. Callers say who is told.
 */
type EventOf<T extends EventType> = {
  /** NULL for messages about a person's account, outside any organisation. */
  orgId: number | null;
  type: T;
  /** People told in the portal, and by email as each chose for the event's category. */
  recipients: readonly number[];
  /** False for messages that carry a credential (a password reset link): email only, no inbox entry. */
  inbox?: false;
  /** Addresses without an account to email (an invitation to someone new). */
  emailAddresses?: readonly string[];
  /** One line: the email subject and the inbox entry. */
  title: string;
  /** A few sentences; plain text. */
  body?: string;
  /** Where in the portal the reader acts on it, e.g. `/orgs/demo/approvals/12`. */
  path: string;
  /** What a webhook receives as `data`, typed per event type by the schemas the OpenAPI document declares (notification-payloads.ts). */
  data: EventData<T>;
};
export type NotificationEvent = { [T in EventType]: EventOf<T> }[EventType];

/** The active members of an organisation with one of `roles` (role names as in memberships), but not `except`. */
export function membersWithRoles(tx: DbOrTx, orgId: number, roles: readonly string[], except?: number | null): number[] {
  return tx
    .select({ id: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, roles as never[]), eq(users.active, true)))
    .all()
    .map((m) => m.id)
    .filter((id) => id !== except);
}

/** The active member of an organisation with this email, or undefined (an owning person, an item's owner). */
export function activeMemberByEmail(tx: DbOrTx, orgId: number, email: string): { id: number } | undefined {
  return tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .where(and(eq(users.email, email), eq(users.active, true)))
    .get();
}

/** Who hears about a model: its owning person (when it has one) and everyone who follows it. */
export function modelWatchers(tx: DbOrTx, model: { id: number; ownerUserId: number | null }): number[] {
  const followers = tx
    .select({ userId: modelFollowers.userId })
    .from(modelFollowers)
    .where(eq(modelFollowers.modelId, model.id))
    .all()
    .map((f) => f.userId);
  return [...new Set([...(model.ownerUserId ? [model.ownerUserId] : []), ...followers])];
}

/** An organisation's slug, for paths in notifications. */
export function orgSlugOf(tx: DbOrTx, orgId: number): string {
  return tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId)).get()?.slug ?? String(orgId);
}

/** Messages keep an id receivers can deduplicate on: `msg_` and 24 random characters. */
export function newMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

/** The default for a category nobody chose for: email at once (the due-items reminder is a weekly digest by nature). */
export function defaultModeOf(_category: NotificationCategory): DeliveryMode {
  return "email";
}

/** The webhook payload: Standard Webhooks' shape (`type`, `timestamp`, `data`). */
export function webhookPayload(event: Pick<NotificationEvent, "type" | "data" | "path">, now: Date) {
  return { type: event.type, timestamp: now.toISOString(), data: { ...event.data, url: publicUrl() + event.path } };
}

export function notify(tx: DbOrTx, event: NotificationEvent, now = new Date()): void {
  const { category } = EVENT_TYPES[event.type];
  const recipientIds = [...new Set(event.recipients)];
  const people = recipientIds.length
    ? tx
        .select({ id: users.id, email: users.email, name: users.name })
        .from(users)
        .where(and(inArray(users.id, recipientIds), eq(users.active, true)))
        .all()
    : [];
  const chosen = new Map(
    people.length
      ? tx
          .select({ userId: notificationPreferences.userId, mode: notificationPreferences.mode })
          .from(notificationPreferences)
          .where(and(inArray(notificationPreferences.userId, recipientIds), eq(notificationPreferences.category, category)))
          .all()
          .map((p) => [p.userId, p.mode])
      : [],
  );

  for (const person of people) {
    if (event.inbox !== false)
      tx.insert(notifications)
        .values({
          orgId: event.orgId,
          userId: person.id,
          eventType: event.type,
          category,
          title: event.title,
          body: event.body ?? "",
          path: event.path,
          createdAt: now,
        })
        .run();
    // Account messages always go by email: they are about the person's access.
    const mode = category === "account" ? "email" : (chosen.get(person.id) ?? defaultModeOf(category));
    if (mode === "email") enqueueEmail(tx, event, { email: person.email, userId: person.id }, now);
  }
  for (const email of new Set(event.emailAddresses ?? [])) enqueueEmail(tx, event, { email, userId: null }, now);

  if (event.orgId !== null) {
    const endpoints = tx
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.orgId, event.orgId), isNull(webhookEndpoints.deletedAt), isNull(webhookEndpoints.disabledAt)))
      .all()
      .filter((e) => (JSON.parse(e.events) as string[]).includes(event.type));
    for (const endpoint of endpoints) {
      tx.insert(outboxMessages)
        .values({
          messageId: newMessageId(),
          orgId: event.orgId,
          eventType: event.type,
          channel: "webhook",
          webhookEndpointId: endpoint.id,
          subject: event.title,
          body: JSON.stringify(webhookPayload(event, now)),
          nextAttemptAt: now,
          createdAt: now,
        })
        .run();
    }
  }
}

/** Puts one email in the outbox (notify does this for each recipient who chose email; digests call it directly). */
export function enqueueEmail(tx: DbOrTx, event: NotificationEvent, to: { email: string; userId: number | null }, now: Date) {
  const email = composeEmail(event, to.userId);
  tx.insert(outboxMessages)
    .values({
      messageId: newMessageId(),
      orgId: event.orgId,
      eventType: event.type,
      channel: "email",
      toEmail: to.email,
      toUserId: to.userId,
      subject: event.title,
      body: JSON.stringify(email),
      nextAttemptAt: now,
      createdAt: now,
    })
    .run();
}
