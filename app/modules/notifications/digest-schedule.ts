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

/**
 * The current IANA names of zones this runtime's ICU still calls by an older one (Node 20 answers
 * "Asia/Calcutta" for "Asia/Kolkata"): people type and expect the current name.
 */
const CURRENT_ZONE_NAMES: Record<string, string> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

/** A name as people know it today: the runtime's older alias replaced by the current IANA name. */
function currentName(zone: string): string {
  const current = CURRENT_ZONE_NAMES[zone];
  return current !== undefined && isTimeZone(current) ? current : zone;
}

/** The zone's own current spelling ("europe/berlin" → "Europe/Berlin", "GMT" → "UTC", "asia/kolkata" → "Asia/Kolkata"); call only with a known zone. */
export function canonicalTimeZone(timeZone: string): string {
  return currentName(new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone);
}

/** The IANA zones offered to choose from: UTC first, then every zone this runtime knows, by current name. */
export function timeZoneNames(): string[] {
  const names = Intl.supportedValuesOf("timeZone")
    .filter((zone) => zone !== "UTC")
    .map(currentName);
  return ["UTC", ...[...new Set(names)].sort()];
}

/** The wall clock in `timeZone` at `moment`: the fields as that zone's clocks show them (hours 0–23). */
function wallClock(moment: Date, timeZone: string): Record<"year" | "month" | "day" | "hour" | "minute" | "second" | "weekday", string> {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    weekday: "short",
  }).formatToParts(moment);
  return Object.fromEntries(parts.map((p) => [p.type, p.value])) as ReturnType<typeof wallClock>;
}

/** How far `timeZone`'s clock is ahead of UTC at `moment`, in milliseconds (negative west of Greenwich). */
export function utcOffsetMs(moment: Date, timeZone: string): number {
  const c = wallClock(moment, timeZone);
  const wall = Date.UTC(Number(c.year), Number(c.month) - 1, Number(c.day), Number(c.hour), Number(c.minute), Number(c.second));
  return wall - Math.floor(moment.getTime() / 1000) * 1000;
}

/** The local calendar date, ISO weekday (1 = Monday) and hour of `now` in `timeZone`. */
export function localMoment(now: Date, timeZone: string): { date: string; weekday: number; hour: number } {
  const c = wallClock(now, timeZone);
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(c.weekday) + 1;
  return { date: `${c.year}-${c.month}-${c.day}`, weekday, hour: Number(c.hour) };
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

/**
 * When the next weekly digest goes out in `timeZone`, seen at `now`: this week's Monday 08:00 local time
 * when it is due and has not gone yet (`sentFor` is the ISO week whose digests went; the job then sends
 * it within a quarter of an hour), else the first Monday 08:00 local time after `now`.
 */
export function nextDigestAt(now: Date, timeZone: string, sentFor: string | null = null): Date {
  const local = localMoment(now, timeZone);
  const dueWeek = digestWeekDue(now, timeZone);
  const startOfToday = Date.parse(`${local.date}T00:00:00Z`);
  const daysAhead =
    dueWeek !== null && dueWeek !== sentFor
      ? 0
      : local.weekday === DIGEST_WEEKDAY && local.hour < DIGEST_HOUR
        ? 0
        : (7 + DIGEST_WEEKDAY - local.weekday) % 7 || 7;
  // Monday 08:00 on the wall clock, read as UTC, then moved by the zone's offset at that moment
  // (asked twice: the offset before a change of summer time can differ from the one after).
  const wall = startOfToday + daysAhead * 86_400_000 + DIGEST_HOUR * 3_600_000;
  const guess = wall - utcOffsetMs(new Date(wall), timeZone);
  return new Date(wall - utcOffsetMs(new Date(guess), timeZone));
}
