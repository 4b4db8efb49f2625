/**
 * When a scheduled job runs next (pure; the scheduler in scheduler.server.ts
 * stores the answer in `scheduled_jobs.next_run_at`). Each function takes the
 * moment a run happened (or the scheduler first saw the job) and returns the
 * first moment after it the job is due again.
 */
export type NextRun = (after: Date) => Date;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** Every `ms` milliseconds (at least a second) after the last run: a job runs at most once per scheduler tick. */
export function every(ms: number): NextRun {
  if (!Number.isInteger(ms) || ms < SECOND) throw new Error(`every(${ms}): a whole number of milliseconds, at least one second`);
  return (after) => new Date(after.getTime() + ms);
}

/** Once a day at `HH:MM` UTC: the first such moment strictly after `after`. */
export function dailyAtUtc(time: string): NextRun {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new Error(`dailyAtUtc("${time}"): a time of day as HH:MM (UTC)`);
  const offset = Number(match[1]) * 60 * MINUTE + Number(match[2]) * MINUTE;
  return (after) => {
    const startOfDay = Math.floor(after.getTime() / DAY) * DAY;
    const today = startOfDay + offset;
    return new Date(today > after.getTime() ? today : today + DAY);
  };
}
