/**
 * Sign-in throttling that slows attackers without locking anyone out:
 * - a client that failed MAX_FAILURES_PER_CLIENT times for an account within
 *   the window is refused for that account (the owner elsewhere is not);
 * - an address that failed MAX_FAILURES_PER_IP times, whatever the accounts,
 *   is refused (one address cannot spray many accounts);
 * - an account that failed SLOW_DOWN_AFTER times from all addresses together
 *   (an attack from many addresses) answers every attempt, the right password
 *   included, after a delay that doubles with each further failure, up to
 *   MAX_DELAY_MS: slowed, never locked.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_CLIENT = 5;
export const MAX_FAILURES_PER_IP = 20;
export const SLOW_DOWN_AFTER = 10;
export const FIRST_DELAY_MS = 250;
export const MAX_DELAY_MS = 8000;

export type FailureCounts = { client: number; ip: number; account: number };
export type ThrottleDecision = { refused: boolean; delayMs: number };

/** What to do with a sign-in attempt, given the failures within the window. */
export function throttleDecision(counts: FailureCounts): ThrottleDecision {
  const refused = counts.client >= MAX_FAILURES_PER_CLIENT || counts.ip >= MAX_FAILURES_PER_IP;
  return { refused, delayMs: accountDelayMs(counts.account) };
}

/** The delay for an account that failed `failures` times from anywhere within the window. */
export function accountDelayMs(failures: number): number {
  if (failures < SLOW_DOWN_AFTER) return 0;
  const doublings = Math.min(failures - SLOW_DOWN_AFTER, 16);
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** doublings);
}
