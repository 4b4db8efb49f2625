import { describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { loginFailures } from "../../../db/schema";
import {
  clearLoginFailures,
  isLoginThrottled,
  loginFailureCounts,
  loginThrottle,
  MAX_FAILURES_PER_CLIENT,
  MAX_FAILURES_PER_IP,
  recordLoginFailure,
  THROTTLE_WINDOW_MS,
} from "./throttle.server";
import { SLOW_DOWN_AFTER } from "./throttle-policy";

function fail(email: string, ip: string, times = 1) {
  writeTransaction("bookkeeping", (tx) => {
    for (let i = 0; i < times; i++) recordLoginFailure(tx, email, ip, "test-agent");
  });
}

describe("login throttling", () => {
  it("uses the documented limits", () => {
    expect(MAX_FAILURES_PER_CLIENT).toBe(5);
    expect(MAX_FAILURES_PER_IP).toBe(20);
    expect(THROTTLE_WINDOW_MS).toBe(15 * 60 * 1000);
  });

  it("is not throttled with no failures", () => {
    expect(loginThrottle("fresh@example.com", "10.0.0.1")).toEqual({ refused: false, delayMs: 0 });
  });

  it("refuses the failing client for that account only; the account from a clean address is not refused", () => {
    const email = "victim@example.com";
    fail(email, "10.0.1.1", MAX_FAILURES_PER_CLIENT - 1);
    expect(isLoginThrottled(email, "10.0.1.1")).toBe(false);
    fail(email, "10.0.1.1");
    expect(isLoginThrottled(email, "10.0.1.1")).toBe(true);
    expect(isLoginThrottled(email, "192.168.9.9")).toBe(false);
    expect(isLoginThrottled("someone-else@example.com", "10.0.1.1")).toBe(false);
  });

  it("counts per (account, address), per address and per account", () => {
    fail("counted@example.com", "10.0.5.1", 2);
    fail("counted@example.com", "10.0.5.2", 3);
    fail("other@example.com", "10.0.5.1", 1);
    expect(loginFailureCounts("counted@example.com", "10.0.5.1")).toEqual({ client: 2, ip: 3, account: 5 });
  });

  it("slows an account under attack from many addresses, without refusing a clean client", () => {
    const email = "besieged@example.com";
    for (let i = 0; i < SLOW_DOWN_AFTER + 2; i++) fail(email, `10.0.6.${i + 1}`);
    const decision = loginThrottle(email, "172.16.0.1");
    expect(decision.refused).toBe(false);
    expect(decision.delayMs).toBeGreaterThan(0);
  });

  it("throttles an IP at the per-IP limit across different emails", () => {
    const ip = "10.0.2.1";
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) fail(`spray${i}@example.com`, ip);
    expect(isLoginThrottled("new-target@example.com", ip)).toBe(false);
    fail("spray-last@example.com", ip);
    expect(isLoginThrottled("new-target@example.com", ip)).toBe(true);
    expect(isLoginThrottled("new-target@example.com", "10.0.2.2")).toBe(false);
  });

  it("ignores failures older than the window", () => {
    const email = "old@example.com";
    fail(email, "10.0.3.1", MAX_FAILURES_PER_CLIENT);
    expect(isLoginThrottled(email, "10.0.3.1")).toBe(true);
    expect(isLoginThrottled(email, "10.0.3.1", Date.now() + THROTTLE_WINDOW_MS - 60_000)).toBe(true);
    const farFuture = Date.now() + THROTTLE_WINDOW_MS + 60_000;
    expect(isLoginThrottled(email, "10.0.3.1", farFuture)).toBe(false);
    expect(isLoginThrottled("new-target@example.com", "10.0.2.1", farFuture)).toBe(false);
  });

  it("clearLoginFailures forgives one client's failures for one account only", () => {
    const email = "cleared@example.com";
    fail(email, "10.0.4.1", MAX_FAILURES_PER_CLIENT);
    fail(email, "10.0.4.3", 2);
    fail("kept@example.com", "10.0.4.1", MAX_FAILURES_PER_CLIENT);

    writeTransaction("bookkeeping", (tx) => clearLoginFailures(tx, email, "10.0.4.1"));

    expect(isLoginThrottled(email, "10.0.4.1")).toBe(false);
    const left = (ip: string) =>
      getDb()
        .select({ n: count() })
        .from(loginFailures)
        .where(and(eq(loginFailures.email, email), eq(loginFailures.ip, ip)))
        .get()!.n;
    expect(left("10.0.4.1")).toBe(0);
    expect(left("10.0.4.3")).toBe(2);
    expect(isLoginThrottled("kept@example.com", "10.0.4.1")).toBe(true);
  });
});
