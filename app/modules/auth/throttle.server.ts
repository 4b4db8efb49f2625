import { and, eq, gt, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { loginFailures } from "../../../db/schema";
import { THROTTLE_WINDOW_MS, throttleDecision, type FailureCounts, type ThrottleDecision } from "./throttle-policy";

export { MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_IP, THROTTLE_WINDOW_MS } from "./throttle-policy";

/** The failures within the window per (account, client address), per address and per account; kept in the database so every server process sees the same counts. */
export function loginFailureCounts(email: string, ip: string, now = Date.now()): FailureCounts {
  const since = new Date(now - THROTTLE_WINDOW_MS);
  const count = (where: SQL | undefined) =>
    getDb()
      .select({ n: sql<number>`count(*)` })
      .from(loginFailures)
      .where(and(where, gt(loginFailures.createdAt, since)))
      .get()?.n ?? 0;
  return {
    client: count(and(eq(loginFailures.email, email), eq(loginFailures.ip, ip))),
    ip: count(eq(loginFailures.ip, ip)),
    account: count(eq(loginFailures.email, email)),
  };
}

/** Whether this client may try this account now, and how long to make it wait first. */
export function loginThrottle(email: string, ip: string, now = Date.now()): ThrottleDecision {
  return throttleDecision(loginFailureCounts(email, ip, now));
}

/** Refused outright (this client for this account, or this address): the right password from a clean client never is. */
export function isLoginThrottled(email: string, ip: string, now = Date.now()): boolean {
  return loginThrottle(email, ip, now).refused;
}

export function recordLoginFailure(tx: DbOrTx, email: string, ip: string, userAgent = ""): void {
  tx.insert(loginFailures)
    .values({ email, ip, userAgent: userAgent.slice(0, 300) })
    .run();
}

/** After a successful sign-in: this client's failures for the account are forgiven; failures from other addresses keep counting. */
export function clearLoginFailures(tx: DbOrTx, email: string, ip: string): void {
  tx.delete(loginFailures)
    .where(and(eq(loginFailures.email, email), eq(loginFailures.ip, ip)))
    .run();
}
