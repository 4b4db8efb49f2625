/**
 * When the weekly digest goes out (pure): Monday from 08:00 in the
 * organisation's time zone, once per ISO week. The scheduler's job runs every
 * quarter of an hour; each organisation's digests go at its first run on or
 * after its Monday 08:00, and `org_settings.digest_sent_for` keeps them to one
 * a week.
 */

export const DIGEST_WEEKDAY = 1; // Monday, ISO numbering
export const DIGEST_HOUR = 8;

/** Whether `timeZone` is an IANA zone this runtime knows (e.g. "Europe/Berlin", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date, ISO weekday (1 = Monday) and hour of `now` in `timeZone`. */
export function localMoment(now: Date, timeZone: string): { date: string; weekday: number; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
      weekday: "short",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday!) + 1;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday, hour: Number(parts.hour) };
}

/** The ISO week of a calendar date (YYYY-MM-DD), e.g. "2026-W49". */
export function isoWeekOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = day.getUTCDay() || 7;
  // The Thursday of the same week decides the year.
  const thursday = new Date(day.getTime() + (4 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The ISO week whose digest is due at `now` in `timeZone`, or null when it is not Monday from 08:00 there. */
export function digestWeekDue(now: Date, timeZone: string): string | null {
  const local = localMoment(now, timeZone);
  return local.weekday === DIGEST_WEEKDAY && local.hour >= DIGEST_HOUR ? isoWeekOf(local.date) : null;
}
