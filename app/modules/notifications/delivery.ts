/**
 * Retry rules of the outbox (pure). A failed attempt is tried again after a
 * delay that doubles each time, from 30 seconds up to 6 hours, with ±10%
 * jitter so many messages failing together do not all retry in the same
 * second. Emails give up after `MAX_EMAIL_ATTEMPTS` (the last one about 15 hours
 * after the first); webhooks keep trying until their endpoint has failed for
 * `WEBHOOK_DISABLE_AFTER_MS`, which disables it.
 */

const SECOND = 1000;
export const FIRST_RETRY_MS = 30 * SECOND;
export const MAX_RETRY_MS = 6 * 3600 * SECOND;
export const MAX_EMAIL_ATTEMPTS = 12;
export const WEBHOOK_DISABLE_AFTER_MS = 24 * 3600 * SECOND;

/** The wait before the next attempt, after `attempts` failed ones (1, 2, …). `random` is injected for tests. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
  return Math.round(base * (0.9 + 0.2 * random()));
}

/** What one attempt came to: the receiver's status code when there was one. */
export type AttemptResult = { ok: true; statusCode: number | null } | { ok: false; statusCode: number | null; error: string };

/**
 * A failed attempt's error in words an admin reads, e.g. "getaddrinfo ENOTFOUND example.com" →
 * "The name example.com was not found (DNS)". The stored error stays as the system gave it; the
 * pages show both.
 */
export function attemptErrorInWords(error: string): string {
  const notFound = /ENOTFOUND (\S+)/.exec(error);
  if (notFound) return `The name ${notFound[1]} was not found (DNS)`;
  if (/ECONNREFUSED/.test(error)) return "The receiver refused the connection: nothing listens at that address and port";
  if (/ECONNRESET|socket hang up/.test(error)) return "The receiver dropped the connection before answering";
  if (/ETIMEDOUT|no answer within/.test(error)) return "The receiver did not answer in time";
  if (/CERT|certificate|self[- ]signed/i.test(error)) return "The receiver's TLS certificate was not accepted";
  if (/^refused: /.test(error)) {
    const why = error.replace(/^refused: (connected to )?/, "");
    return `Not sent: ${why}; receivers on private, loopback and link-local addresses are refused unless the server allows them`;
  }
  const answered = /^answered (\d{3})/.exec(error);
  if (answered) return `The receiver answered ${answered[1]}`;
  return error;
}
