import { describe, expect, it } from "vitest";
import { absoluteEnd, DAY_MS, HOUR_MS, isSessionLive, lastSeenIsStale, LAST_SEEN_EVERY_MS, sessionEndsAt } from "./session-lifetime";

const lifetimes = { idleHours: 12, maxDays: 7 };
const start = Date.UTC(2026, 0, 5, 9);

describe("session lifetimes", () => {
  it("ends after the idle time without requests", () => {
    const session = { lastSeenAt: new Date(start), expiresAt: absoluteEnd(start, lifetimes) };
    expect(isSessionLive(session, lifetimes, start + 12 * HOUR_MS - 1)).toBe(true);
    expect(isSessionLive(session, lifetimes, start + 12 * HOUR_MS)).toBe(false);
  });

  it("ends at its absolute end however active", () => {
    const expiresAt = absoluteEnd(start, lifetimes);
    expect(expiresAt.getTime()).toBe(start + 7 * DAY_MS);
    const busy = { lastSeenAt: new Date(expiresAt.getTime() - 1000), expiresAt };
    expect(sessionEndsAt(busy, lifetimes)).toEqual(expiresAt);
    expect(isSessionLive(busy, lifetimes, expiresAt.getTime() - 1)).toBe(true);
    expect(isSessionLive(busy, lifetimes, expiresAt.getTime())).toBe(false);
  });

  it("moves the last-seen time at most once a minute", () => {
    const session = { lastSeenAt: new Date(start), expiresAt: absoluteEnd(start, lifetimes) };
    expect(lastSeenIsStale(session, start + LAST_SEEN_EVERY_MS - 1)).toBe(false);
    expect(lastSeenIsStale(session, start + LAST_SEEN_EVERY_MS)).toBe(true);
  });
});
