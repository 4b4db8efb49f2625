/** Calendar quarters in UTC, written like "2026-Q4". */

export type QuarterRange = { from: Date; to: Date };

const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

export function isQuarter(value: string): boolean {
  return QUARTER_PATTERN.test(value);
}

export function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

/** [from, to): from the first instant of the quarter to the first instant of the next. */
export function quarterRange(quarter: string): QuarterRange {
  const match = QUARTER_PATTERN.exec(quarter);
  if (!match) throw new Error(`Not a quarter: ${quarter}`);
  const year = Number(match[1]);
  const q = Number(match[2]);
  return {
    from: new Date(Date.UTC(year, (q - 1) * 3, 1)),
    to: new Date(Date.UTC(year, q * 3, 1)),
  };
}

export function shiftQuarter(quarter: string, by: number): string {
  const { from } = quarterRange(quarter);
  return quarterOf(new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + by * 3, 1)));
}

export function currentQuarterRange(now = new Date()): QuarterRange {
  return quarterRange(quarterOf(now));
}

/** "YYYY-MM" of every month that overlaps [from, to). */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  let cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor < to) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
  }
  return months;
}
