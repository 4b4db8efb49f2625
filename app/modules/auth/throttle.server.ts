import { and, eq, gt, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { loginFailures } from "../../../db/schema";

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 20;

/** Kept in the database so every server process sees the same counts. */
export function isLoginThrottled(email: string, ip: string, now = Date.now()): boolean {
  const since = new Date(now - THROTTLE_WINDOW_MS);
  const count = (where: ReturnType<typeof and>) =>
    getDb()
      .select({ n: sql<number>`count(*)` })
      .from(loginFailures)
      .where(where)
      .get()?.n ?? 0;
  return (
    count(and(eq(loginFailures.email, email), gt(loginFailures.createdAt, since))) >= MAX_FAILURES_PER_EMAIL ||
    count(and(eq(loginFailures.ip, ip), gt(loginFailures.createdAt, since))) >= MAX_FAILURES_PER_IP
  );
}

export function recordLoginFailure(tx: DbOrTx, email: string, ip: string): void {
  tx.insert(loginFailures).values({ email, ip }).run();
}

export function clearLoginFailures(tx: DbOrTx, email: string): void {
  tx.delete(loginFailures).where(eq(loginFailures.email, email)).run();
}
