/**
 * When a server-side session ends: after SESSION_IDLE_HOURS without a
 * request, or at its absolute end (SESSION_MAX_DAYS after sign-in), whichever
 * comes first. Its last-seen time is written at most once a minute, so a
 * busy session costs one small write a minute, not one per request.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const LAST_SEEN_EVERY_MS = 60_000;

export type Lifetimes = { idleHours: number; maxDays: number };
export type SessionTimes = { lastSeenAt: Date; expiresAt: Date };

/** The moment the session ends, unless it is used again before its idle end. */
export function sessionEndsAt(session: SessionTimes, lifetimes: Lifetimes): Date {
  const idleEnd = session.lastSeenAt.getTime() + lifetimes.idleHours * HOUR_MS;
  return new Date(Math.min(idleEnd, session.expiresAt.getTime()));
}

export function isSessionLive(session: SessionTimes, lifetimes: Lifetimes, now: number): boolean {
  return now < sessionEndsAt(session, lifetimes).getTime();
}

/** The absolute end of a session started at `now`. */
export function absoluteEnd(now: number, lifetimes: Lifetimes): Date {
  return new Date(now + lifetimes.maxDays * DAY_MS);
}

/** Whether a request at `now` should move the session's last-seen time. */
export function lastSeenIsStale(session: SessionTimes, now: number): boolean {
  return now - session.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS;
}
