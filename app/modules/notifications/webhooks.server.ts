import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { getDb, writeTransaction, type Db, type DbOrTx } from "../../../db/client";
import { deliveryAttempts, outboxMessages, webhookEndpoints } from "../../../db/schema";
import { DomainError, invalid } from "../../utils/errors";
import { openSecret, sealSecret } from "../../utils/keys.server";
import { recordAuditEvent, SYSTEM_ACTOR, type Actor } from "../audit/audit.server";
import { WEBHOOK_DISABLE_AFTER_MS, type AttemptResult } from "./delivery";
import type { EventType } from "./notification-constants";
import type { WebhookCreate } from "./notification-schemas";
import { membersWithRoles, newMessageId, notify, orgSlugOf } from "./notifications.server";
import { postWebhook, refusedReceiver } from "./webhook-transport.server";

/**
 * Webhook endpoints of an organisation: registered by its admins in the
 * portal or by pipelines through the API, signed with a per-endpoint secret
 * in Standard Webhooks' `whsec_…` form, shown once and stored sealed.
 */

const notFound = () => new DomainError("not_found", "Webhook not found");

type EndpointRow = typeof webhookEndpoints.$inferSelect;

function endpointJson(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as EventType[],
    description: row.description,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    failingSince: row.failingSince?.toISOString() ?? null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
  };
}
export type WebhookEndpointJson = ReturnType<typeof endpointJson>;

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries read it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Registers an endpoint; the answer carries its secret, the only time it is shown. */
export function createWebhookEndpoint(orgId: number, input: WebhookCreate, actor: Actor, now = new Date()) {
  // A name that resolves to a private address is refused when the portal sends (webhook-transport.server.ts).
  const refused = refusedReceiver(input.url);
  if (refused) throw invalid(`The portal does not send to this address: ${refused}. Use a receiver on the internet.`, "url");
  const secret = newWebhookSecret();
  const row = writeTransaction({ orgId }, (tx) => {
    const row = tx
      .insert(webhookEndpoints)
      .values({
        orgId,
        url: input.url,
        description: input.description,
        events: JSON.stringify(input.events),
        sealedSecret: sealSecret(secret),
        createdByLabel: actor.label,
        createdAt: now,
      })
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "webhook.created",
      entityType: "webhook",
      entityId: row.id,
      after: { url: row.url, events: input.events, description: row.description },
      at: now,
    });
    return row;
  });
  return { ...endpointJson(row), secret };
}

export function listWebhookEndpoints(orgId: number, db: DbOrTx = getDb()): WebhookEndpointJson[] {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), isNull(webhookEndpoints.deletedAt)))
    .orderBy(desc(webhookEndpoints.id))
    .all()
    .map(endpointJson);
}

function requireEndpoint(db: DbOrTx, orgId: number, id: number): EndpointRow {
  const row = db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)))
    .get();
  if (!row) throw notFound();
  return row;
}

export function getWebhookEndpoint(orgId: number, id: number): WebhookEndpointJson {
  return endpointJson(requireEndpoint(getDb(), orgId, id));
}

/** Removes an endpoint: nothing more is sent to it; what is waiting for it is dropped (kept as `failed`). */
export function deleteWebhookEndpoint(orgId: number, id: number, actor: Actor, now = new Date()): void {
  writeTransaction({ orgId }, (tx) => {
    const row = requireEndpoint(tx, orgId, id);
    tx.update(webhookEndpoints).set({ deletedAt: now }).where(eq(webhookEndpoints.id, id)).run();
    tx.update(outboxMessages)
      .set({ status: "failed", lastError: "the webhook was deleted" })
      .where(and(eq(outboxMessages.webhookEndpointId, id), inArray(outboxMessages.status, ["pending", "held"])))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "webhook.deleted",
      entityType: "webhook",
      entityId: id,
      before: { url: row.url, events: JSON.parse(row.events) as unknown },
      at: now,
    });
  });
}

/** Turns a disabled endpoint back on: held messages are sent again. */
export function enableWebhookEndpoint(orgId: number, id: number, actor: Actor, now = new Date()): void {
  writeTransaction({ orgId }, (tx) => {
    const row = requireEndpoint(tx, orgId, id);
    if (!row.disabledAt) return;
    tx.update(webhookEndpoints)
      .set({ disabledAt: null, disabledReason: null, failingSince: null })
      .where(eq(webhookEndpoints.id, id))
      .run();
    tx.update(outboxMessages)
      .set({ status: "pending", nextAttemptAt: now })
      .where(and(eq(outboxMessages.webhookEndpointId, id), eq(outboxMessages.status, "held")))
      .run();
    recordAuditEvent(tx, { orgId, actor, action: "webhook.enabled", entityType: "webhook", entityId: id, at: now });
  });
}

/** Queues a `webhook.test` message to one endpoint, whatever it subscribed to. */
export function sendTestEvent(orgId: number, id: number, actor: Actor, now = new Date()): { messageId: string } {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireEndpoint(tx, orgId, id);
    const messageId = newMessageId();
    tx.insert(outboxMessages)
      .values({
        messageId,
        orgId,
        eventType: "webhook.test",
        channel: "webhook",
        webhookEndpointId: row.id,
        subject: "Test event",
        body: JSON.stringify({ type: "webhook.test", timestamp: now.toISOString(), data: { webhookId: row.id, sentBy: actor.label } }),
        nextAttemptAt: now,
        createdAt: now,
      })
      .run();
    recordAuditEvent(tx, { orgId, actor, action: "webhook.test_sent", entityType: "webhook", entityId: id, at: now });
    return { messageId };
  });
}

/** The newest delivery attempts to one endpoint, with the message each belongs to. */
export function listWebhookDeliveries(orgId: number, id: number, limit = 100) {
  const db = getDb();
  requireEndpoint(db, orgId, id);
  return db
    .select({
      messageId: outboxMessages.messageId,
      eventType: outboxMessages.eventType,
      status: outboxMessages.status,
      attemptedAt: deliveryAttempts.attemptedAt,
      ok: deliveryAttempts.ok,
      statusCode: deliveryAttempts.statusCode,
      durationMs: deliveryAttempts.durationMs,
      error: deliveryAttempts.error,
    })
    .from(deliveryAttempts)
    .innerJoin(outboxMessages, eq(outboxMessages.id, deliveryAttempts.outboxMessageId))
    .where(and(eq(outboxMessages.webhookEndpointId, id), eq(outboxMessages.orgId, orgId)))
    .orderBy(desc(deliveryAttempts.id))
    .limit(limit)
    .all()
    .map((d) => ({ ...d, attemptedAt: d.attemptedAt.toISOString() }));
}

type OutboxRow = typeof outboxMessages.$inferSelect;

/** The outbox's webhook sender: signs with the endpoint's secret and posts. */
export async function sendWebhookMessage(message: OutboxRow, db: Db = getDb()): Promise<AttemptResult> {
  const endpoint = message.webhookEndpointId
    ? db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, message.webhookEndpointId)).get()
    : undefined;
  if (!endpoint || endpoint.deletedAt) return { ok: false, statusCode: null, error: "the webhook was deleted" };
  return postWebhook({
    url: endpoint.url,
    secret: openSecret(endpoint.sealedSecret),
    messageId: message.messageId,
    timestamp: new Date(),
    payload: message.body,
  });
}

/**
 * Keeps an endpoint's health after an attempt (bookkeeping, in the attempt's
 * transaction): a success clears its failing streak, a failure starts one.
 * Returns true when the streak has lasted `WEBHOOK_DISABLE_AFTER_MS`: the
 * caller then disables the endpoint (`disableFailingEndpoint`).
 */
export function recordWebhookHealth(tx: DbOrTx, message: OutboxRow, ok: boolean, now: Date): boolean {
  if (!message.webhookEndpointId) return false;
  const endpoint = tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, message.webhookEndpointId)).get();
  if (!endpoint || endpoint.deletedAt || endpoint.disabledAt) return false;
  if (ok) {
    if (endpoint.failingSince) tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id)).run();
    return false;
  }
  if (!endpoint.failingSince) {
    tx.update(webhookEndpoints).set({ failingSince: now }).where(eq(webhookEndpoints.id, endpoint.id)).run();
    return false;
  }
  return now.getTime() - endpoint.failingSince.getTime() >= WEBHOOK_DISABLE_AFTER_MS;
}

/** Disables an endpoint that failed for a day, holds what waits for it, and tells its organisation's admins. */
export function disableFailingEndpoint(endpointId: number, now: Date, db: Db = getDb()): void {
  const endpoint = db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get();
  if (!endpoint || endpoint.disabledAt || endpoint.deletedAt || !endpoint.failingSince) return;
  const orgId = endpoint.orgId;
  const reason = `Every delivery failed for 24 hours (since ${endpoint.failingSince.toISOString()})`;
  writeTransaction(
    { orgId },
    (tx) => {
      tx.update(webhookEndpoints).set({ disabledAt: now, disabledReason: reason }).where(eq(webhookEndpoints.id, endpoint.id)).run();
      tx.update(outboxMessages)
        .set({ status: "held", lastError: "the webhook is disabled" })
        .where(and(eq(outboxMessages.webhookEndpointId, endpoint.id), eq(outboxMessages.status, "pending")))
        .run();
      recordAuditEvent(tx, {
        orgId,
        actor: SYSTEM_ACTOR,
        action: "webhook.disabled",
        entityType: "webhook",
        entityId: endpoint.id,
        details: { reason },
        at: now,
      });
      const slug = orgSlugOf(tx, orgId);
      const admins = membersWithRoles(tx, orgId, ["admin"]);
      notify(
        tx,
        {
          orgId,
          type: "webhook.disabled",
          recipients: admins,
          title: `Webhook disabled: ${endpoint.url}`,
          body: `${reason}. Messages for it are held; turn it back on from the webhooks page once the receiver answers again.`,
          path: `/orgs/${slug}/admin/webhooks`,
          data: { webhookId: endpoint.id, url: endpoint.url },
        },
        now,
      );
    },
    db,
  );
}
