import { and, count, desc, eq, inArray, isNotNull, max, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { auditEvents, deliveryAttempts, outboxMessages, webhookEndpoints } from "../../../db/schema";
import { listPage } from "../../utils/paging";
import type { OutboxQuery } from "./admin-page-schemas";
import { OUTBOX_STATUSES, type OutboxStatus } from "./notification-constants";

/**
 * What the organisation admin's pages read of the outbox: every email and
 * webhook message of the organisation with its state (the deliveries page),
 * and per webhook endpoint its latest attempt and what waits for it (the
 * webhooks page). Reads only.
 */

export const OUTBOX_PAGE_SIZE = 25;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** One page of the organisation's outbox, newest first, with the counts per status under the channel filter. */
export function listOrgOutbox(orgId: number, query: OutboxQuery, pageSize = OUTBOX_PAGE_SIZE, db: DbOrTx = getDb()) {
  const conditions: SQL[] = [eq(outboxMessages.orgId, orgId)];
  if (query.channel) conditions.push(eq(outboxMessages.channel, query.channel));
  const byStatus = Object.fromEntries(OUTBOX_STATUSES.map((status) => [status, 0])) as Record<OutboxStatus, number>;
  for (const row of db
    .select({ status: outboxMessages.status, n: count() })
    .from(outboxMessages)
    .where(and(...conditions))
    .groupBy(outboxMessages.status)
    .all()) {
    byStatus[row.status] = row.n;
  }
  if (query.status) conditions.push(eq(outboxMessages.status, query.status));
  const total = query.status ? byStatus[query.status] : Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  const { page, offset } = listPage(query.page, pageSize, total);
  const messages = db
    .select({
      id: outboxMessages.id,
      messageId: outboxMessages.messageId,
      channel: outboxMessages.channel,
      eventType: outboxMessages.eventType,
      subject: outboxMessages.subject,
      status: outboxMessages.status,
      attempts: outboxMessages.attempts,
      nextAttemptAt: outboxMessages.nextAttemptAt,
      lastError: outboxMessages.lastError,
      createdAt: outboxMessages.createdAt,
      deliveredAt: outboxMessages.deliveredAt,
      toEmail: outboxMessages.toEmail,
      webhookId: webhookEndpoints.id,
      webhookUrl: webhookEndpoints.url,
      webhookDeletedAt: webhookEndpoints.deletedAt,
    })
    .from(outboxMessages)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, outboxMessages.webhookEndpointId))
    .where(and(...conditions))
    .orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id))
    .limit(pageSize)
    .offset(offset)
    .all()
    .map((m) => ({
      ...m,
      // Only a message still waiting has a next attempt.
      nextAttemptAt: m.status === "pending" ? iso(m.nextAttemptAt) : null,
      createdAt: iso(m.createdAt)!,
      deliveredAt: iso(m.deliveredAt),
      webhookDeleted: m.webhookDeletedAt !== null,
      webhookDeletedAt: undefined,
    }));
  return { messages, total, page, pageSize, byStatus };
}

export type EndpointState = {
  /** The newest delivery attempt to the endpoint, or null before the first. */
  lastAttempt: { attemptedAt: string; ok: boolean; statusCode: number | null; durationMs: number; error: string | null } | null;
  /** Messages waiting for it (pending or held): what deleting it drops. */
  waiting: number;
  /** When it was last turned back on (null: on since it was registered). */
  enabledAt: string | null;
};

/** For each of the organisation's endpoints in `ids`: its latest attempt, what waits for it, when it was turned back on. */
export function webhookEndpointStates(orgId: number, ids: readonly number[], db: DbOrTx = getDb()): Map<number, EndpointState> {
  const states = new Map<number, EndpointState>(ids.map((id) => [id, { lastAttempt: null, waiting: 0, enabledAt: null }]));
  if (ids.length === 0) return states;
  const mine = and(eq(outboxMessages.orgId, orgId), inArray(outboxMessages.webhookEndpointId, [...ids]));
  const latest = db
    .select({ endpointId: outboxMessages.webhookEndpointId, attemptId: max(deliveryAttempts.id).as("attempt_id") })
    .from(deliveryAttempts)
    .innerJoin(outboxMessages, eq(outboxMessages.id, deliveryAttempts.outboxMessageId))
    .where(mine)
    .groupBy(outboxMessages.webhookEndpointId)
    .as("latest");
  for (const row of db
    .select({
      endpointId: latest.endpointId,
      attemptedAt: deliveryAttempts.attemptedAt,
      ok: deliveryAttempts.ok,
      statusCode: deliveryAttempts.statusCode,
      durationMs: deliveryAttempts.durationMs,
      error: deliveryAttempts.error,
    })
    .from(latest)
    .innerJoin(deliveryAttempts, eq(deliveryAttempts.id, latest.attemptId))
    .all()) {
    const state = row.endpointId === null ? undefined : states.get(row.endpointId);
    if (state) state.lastAttempt = { ...row, attemptedAt: row.attemptedAt.toISOString() };
  }
  for (const row of db
    .select({ endpointId: outboxMessages.webhookEndpointId, n: count() })
    .from(outboxMessages)
    .where(and(mine, inArray(outboxMessages.status, ["pending", "held"])))
    .groupBy(outboxMessages.webhookEndpointId)
    .all()) {
    const state = row.endpointId === null ? undefined : states.get(row.endpointId);
    if (state) state.waiting = row.n;
  }
  for (const row of db
    .select({ entityId: auditEvents.entityId, at: max(auditEvents.createdAt) })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.orgId, orgId),
        eq(auditEvents.entityType, "webhook"),
        inArray(auditEvents.entityId, ids.map(String)),
        eq(auditEvents.action, "webhook.enabled"),
        isNotNull(auditEvents.entityId),
      ),
    )
    .groupBy(auditEvents.entityId)
    .all()) {
    const state = states.get(Number(row.entityId));
    if (state && row.at) state.enabledAt = row.at.toISOString();
  }
  return states;
}
