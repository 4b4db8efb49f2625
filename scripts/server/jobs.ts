/**
 * Every job of the scheduler (app/utils/scheduler.server.ts), in one list:
 * the server's primary process runs them (scripts/server/index.ts), and the
 * `scheduled_jobs` lease makes sure only one process runs each, even with
 * several servers on one database. To add a job, append it here with a stable
 * name, when it is due again (`every(ms)` or `dailyAtUtc("HH:MM")` from
 * app/utils/schedule.ts) and what it does (`run(now)`: take the time from
 * `now`, never from the wall clock, so tests can move it). A job does its own
 * audited writes in a `writeTransaction`; a job that throws is retried ten
 * minutes later and its error is kept in `scheduled_jobs.last_error`.
 */
import { refreshPlannerStatistics } from "../../db/prepare";
import { writeDailyCheckpoints } from "../../app/modules/audit/checkpoints.server";
import { expireSessions } from "../../app/modules/auth/session.server";
import { purgeIdempotencyRecords } from "../../app/modules/http/idempotency.server";
import { deliverDueMessages } from "../../app/modules/notifications/outbox.server";
import { sendWeeklyDigests } from "../../app/modules/notifications/digest.server";
import { verifyTrailsNightly } from "../../app/modules/notifications/audit-alerts.server";
import { publicUrl } from "../../app/modules/notifications/email.server";
import { dueItemsByOwner } from "../../app/modules/roadmap/roadmaps.server";
import { dailyAtUtc, every } from "../../app/utils/schedule";
import type { ScheduledJob } from "../../app/utils/scheduler.server";

export const JOBS: readonly ScheduledJob[] = [
  {
    // A server runs for weeks: keep the query planner's statistics following the data, not only at start.
    name: "refresh-planner-statistics",
    next: dailyAtUtc("03:30"),
    run: () => refreshPlannerStatistics(),
  },
  {
    // Ended sessions (idle or past their absolute end) and old failed sign-ins leave the tables.
    name: "expire-sessions",
    next: every(15 * 60_000),
    run: (now) => expireSessions(now),
  },
  {
    // Every chain whose head moved, or whose newest checkpoint is a day old, gets a signed checkpoint.
    name: "audit-checkpoints",
    next: dailyAtUtc("00:05"),
    run: (now) => writeDailyCheckpoints(now),
  },
  {
    // Idempotency keys and form tokens are kept 24 hours; then a repeat is a new request.
    name: "purge-idempotency-records",
    next: every(60 * 60_000),
    run: (now) => purgeIdempotencyRecords(now),
  },
  {
    // The outbox's one delivery worker: emails and webhooks due now, with retries (app/modules/notifications).
    name: "deliver-outbox",
    next: every(1_000),
    run: (now) => deliverDueMessages(now),
    leaseMs: 5 * 60_000,
    retryMs: 5_000,
  },
  {
    // Every organisation's audit trail, checked end to end; a broken one is told to its admins and auditors.
    name: "verify-audit-trails",
    next: dailyAtUtc("02:15"),
    run: (now) => verifyTrailsNightly(now),
  },
  {
    // Monday 08:00 in each organisation's time zone: the weekly digest (once a week per organisation).
    name: "weekly-digests",
    next: every(15 * 60_000),
    run: (now) => sendWeeklyDigests(now, (orgId, slug, today) => dueItemsByOwner(orgId, slug, today), publicUrl()),
  },
];
