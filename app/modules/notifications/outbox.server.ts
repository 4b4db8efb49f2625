import { and, asc, eq, lte } from "drizzle-orm";
import { getDb, writeTransaction, type Db } from "../../../db/client";
import { deliveryAttempts, outboxMessages } from "../../../db/schema";
import { retryDelayMs, MAX_EMAIL_ATTEMPTS, type AttemptResult } from "./delivery";
import { sendEmail, smtpConfigured } from "./smtp.server";
import { disableFailingEndpoint, recordWebhookHealth, sendWebhookMessage } from "./webhooks.server";

/**
 * Delivers what `notify` left in the outbox: the scheduler's `deliver-outbox`
 * job calls `deliverDueMessages` (one process at a time, by the job's lease).
 *
 * Each message is sent, then its outcome recorded. A crash in between leaves
 * the message pending, so it is sent once more under the same message id,
 * which receivers use to drop the repeat: at most one duplicate, never a loss.
 * Failures are retried with exponential backoff (./delivery.ts); every
 * attempt is logged in `delivery_attempts`. All of it is bookkeeping: no
 * cached reader reads these tables, so no change counter moves.
 */

type OutboxRow = typeof outboxMessages.$inferSelect;

export type Sender = (message: OutboxRow) => Promise<AttemptResult>;

export const NO_SMTP = "not sent: no SMTP configured";

const defaultSenders: Record<OutboxRow["channel"], Sender> = {
  email: (message) => sendEmail(message),
  webhook: (message) => sendWebhookMessage(message),
};

/** The pending messages due at `now`, oldest first. */
function dueMessages(db: Db, now: Date, limit: number): OutboxRow[] {
  return db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.status, "pending"), lte(outboxMessages.nextAttemptAt, now)))
    .orderBy(asc(outboxMessages.nextAttemptAt), asc(outboxMessages.id))
    .limit(limit)
    .all();
}

function record(db: Db, message: OutboxRow, result: AttemptResult, attemptedAt: Date, durationMs: number) {
  const attempts = message.attempts + 1;
  const disable = writeTransaction(
    "bookkeeping",
    (tx) => {
      tx.insert(deliveryAttempts)
        .values({
          outboxMessageId: message.id,
          attemptedAt,
          ok: result.ok,
          statusCode: result.statusCode,
          durationMs: Math.round(durationMs),
          error: result.ok ? null : result.error,
        })
        .run();
      const finished = new Date(attemptedAt.getTime() + durationMs);
      const update = result.ok
        ? { status: "delivered" as const, attempts, deliveredAt: finished, lastError: null }
        : message.channel === "email" && attempts >= MAX_EMAIL_ATTEMPTS
          ? { status: "failed" as const, attempts, lastError: result.error }
          : { attempts, lastError: result.error, nextAttemptAt: new Date(attemptedAt.getTime() + retryDelayMs(attempts)) };
      tx.update(outboxMessages).set(update).where(eq(outboxMessages.id, message.id)).run();
      return message.channel === "webhook" && recordWebhookHealth(tx, message, result.ok, finished);
    },
    db,
  );
  if (disable && message.webhookEndpointId) disableFailingEndpoint(message.webhookEndpointId, attemptedAt, db);
}

/**
 * Sends the messages due at `now` (up to `limit`), one after another, taking no new one after `budgetMs`
 * (well inside the job's five-minute lease); returns how many were tried. The rest wait for the next run.
 * Emails wait in the outbox, marked `held`, while no SMTP server is configured, and go back in line on the
 * first run after one is (a restart with `SMTP_URL` set).
 */
export async function deliverDueMessages(
  now: Date,
  {
    db = getDb(),
    limit = 100,
    budgetMs = 60_000,
    senders = defaultSenders,
  }: { db?: Db; limit?: number; budgetMs?: number; senders?: Partial<Record<OutboxRow["channel"], Sender>> } = {},
): Promise<number> {
  if (smtpConfigured()) releaseHeldEmails(now, db);
  const messages = dueMessages(db, now, limit);
  const deadline = performance.now() + budgetMs;
  let tried = 0;
  for (const message of messages) {
    if (performance.now() > deadline) break;
    tried++;
    const send = senders[message.channel] ?? defaultSenders[message.channel];
    if (send === defaultSenders.email && !smtpConfigured()) {
      db.update(outboxMessages).set({ status: "held", lastError: NO_SMTP }).where(eq(outboxMessages.id, message.id)).run();
      continue;
    }
    const started = performance.now();
    let result: AttemptResult;
    try {
      result = await send(message);
    } catch (error) {
      result = { ok: false, statusCode: null, error: error instanceof Error ? error.message : String(error) };
    }
    record(db, message, result, now, performance.now() - started);
  }
  return tried;
}

/** Puts held emails back in line (after SMTP was configured): returns how many. */
export function releaseHeldEmails(now: Date, db: Db = getDb()): number {
  return db
    .update(outboxMessages)
    .set({ status: "pending", nextAttemptAt: now, lastError: null })
    .where(and(eq(outboxMessages.status, "held"), eq(outboxMessages.channel, "email")))
    .run().changes;
}
