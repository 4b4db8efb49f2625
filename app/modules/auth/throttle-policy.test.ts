import { describe, expect, it } from "vitest";
import {
  accountDelayMs,
  FIRST_DELAY_MS,
  MAX_DELAY_MS,
  MAX_FAILURES_PER_CLIENT,
  MAX_FAILURES_PER_IP,
  SLOW_DOWN_AFTER,
  throttleDecision,
} from "./throttle-policy";

describe("throttleDecision", () => {
  it("refuses a client after its failures for the account, and an address after its failures for any accounts", () => {
    expect(throttleDecision({ client: MAX_FAILURES_PER_CLIENT - 1, ip: 0, account: 0 }).refused).toBe(false);
    expect(throttleDecision({ client: MAX_FAILURES_PER_CLIENT, ip: 0, account: 0 }).refused).toBe(true);
    expect(throttleDecision({ client: 0, ip: MAX_FAILURES_PER_IP - 1, account: 0 }).refused).toBe(false);
    expect(throttleDecision({ client: 0, ip: MAX_FAILURES_PER_IP, account: 0 }).refused).toBe(true);
  });

  it("never refuses a clean client because of the account's failures elsewhere, however many", () => {
    for (const account of [0, SLOW_DOWN_AFTER, 1_000, 1_000_000]) {
      expect(throttleDecision({ client: 0, ip: 0, account }).refused).toBe(false);
    }
  });
});

describe("accountDelayMs", () => {
  it("is zero until the account has failed from anywhere SLOW_DOWN_AFTER times", () => {
    expect(accountDelayMs(0)).toBe(0);
    expect(accountDelayMs(SLOW_DOWN_AFTER - 1)).toBe(0);
    expect(accountDelayMs(SLOW_DOWN_AFTER)).toBe(FIRST_DELAY_MS);
  });

  it("doubles with each further failure, up to a ceiling", () => {
    expect(accountDelayMs(SLOW_DOWN_AFTER + 1)).toBe(2 * FIRST_DELAY_MS);
    expect(accountDelayMs(SLOW_DOWN_AFTER + 2)).toBe(4 * FIRST_DELAY_MS);
    let previous = 0;
    for (let n = SLOW_DOWN_AFTER; n < SLOW_DOWN_AFTER + 40; n++) {
      expect(accountDelayMs(n)).toBeGreaterThanOrEqual(previous);
      previous = accountDelayMs(n);
    }
    expect(accountDelayMs(1_000_000)).toBe(MAX_DELAY_MS);
  });
});
