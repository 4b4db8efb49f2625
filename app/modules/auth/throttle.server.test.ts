import { describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { loginFailures } from "../../../db/schema";
import {
  clearLoginFailures,
  isLoginThrottled,
  MAX_FAILURES_PER_EMAIL,
  MAX_FAILURES_PER_IP,
  recordLoginFailure,
  THROTTLE_WINDOW_MS,
} from "./throttle.server";

function fail(email: string, ip: string, times = 1) {
  writeTransaction("bookkeeping", (tx) => {
    for (let i = 0; i < times; i++) recordLoginFailure(tx, email, ip);
  });
}

describe("login throttling", () => {
  it("uses the documented limits", () => {
    expect(MAX_FAILURES_PER_EMAIL).toBe(5);
    expect(MAX_FAILURES_PER_IP).toBe(20);
    expect(THROTTLE_WINDOW_MS).toBe(15 * 60 * 1000);
  });

  it("is not throttled with no failures", () => {
    expect(isLoginThrottled("fresh@example.com", "10.0.0.1")).toBe(false);
  });

  it("is not throttled below the per-email limit and is at the limit", () => {
    const email = "victim@example.com";
    fail(email, "10.0.1.1", MAX_FAILURES_PER_EMAIL - 1);
    expect(isLoginThrottled(email, "10.0.1.1")).toBe(false);
    fail(email, "10.0.1.2");
    expect(isLoginThrottled(email, "10.0.1.1")).toBe(true);
    // The email is throttled from any address, even one with no failures of its own.
    expect(isLoginThrottled(email, "192.168.9.9")).toBe(true);
    // Other emails from those addresses are not.
    expect(isLoginThrottled("someone-else@example.com", "10.0.1.1")).toBe(false);
  });

  it("throttles an IP at the per-IP limit across different emails", () => {
    const ip = "10.0.2.1";
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) fail(`spray${i}@example.com`, ip);
    expect(isLoginThrottled("new-target@example.com", ip)).toBe(false);
    fail("spray-last@example.com", ip);
    expect(isLoginThrottled("new-target@example.com", ip)).toBe(true);
    // A different IP trying the same fresh email is fine.
    expect(isLoginThrottled("new-target@example.com", "10.0.2.2")).toBe(false);
  });

  it("ignores failures older than the window", () => {
    const email = "old@example.com";
    fail(email, "10.0.3.1", MAX_FAILURES_PER_EMAIL);
    expect(isLoginThrottled(email, "10.0.3.1")).toBe(true);
    const justBeforeExpiry = Date.now() + THROTTLE_WINDOW_MS - 60_000;
    expect(isLoginThrottled(email, "10.0.3.1", justBeforeExpiry)).toBe(true);
    const farFuture = Date.now() + THROTTLE_WINDOW_MS + 60_000;
    expect(isLoginThrottled(email, "10.0.3.1", farFuture)).toBe(false);
    // The IP-wide throttle from the previous test also expires.
    expect(isLoginThrottled("new-target@example.com", "10.0.2.1", farFuture)).toBe(false);
  });

  it("clearLoginFailures resets one email only", () => {
    const email = "cleared@example.com";
    fail(email, "10.0.4.1", MAX_FAILURES_PER_EMAIL);
    fail("kept@example.com", "10.0.4.2", MAX_FAILURES_PER_EMAIL);
    expect(isLoginThrottled(email, "10.0.4.1")).toBe(true);

    writeTransaction("bookkeeping", (tx) => clearLoginFailures(tx, email));

    expect(isLoginThrottled(email, "10.0.4.1")).toBe(false);
    expect(getDb().select({ n: count() }).from(loginFailures).where(eq(loginFailures.email, email)).get()!.n).toBe(0);
    expect(isLoginThrottled("kept@example.com", "10.0.4.2")).toBe(true);
  });
});
