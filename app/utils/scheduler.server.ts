import os from "node:os";
import { and, eq, isNull, lte, or } from "drizzle-orm";
import { getDb, type Db } from "../../db/client";
import { scheduledJobs } from "../../db/schema";
import type { NextRun } from "./schedule";

/**
 * The one scheduler for timed work (daily audit checkpoints, session expiry,
 * later digests and delivery retries). The jobs are listed in one file,
 * `scripts/server/jobs.ts`; the server's primary process runs them.
 *
 * Exactly one process runs a job however many call `tick()`: each job has a
 * row in `scheduled_jobs` (next run, last run, last error, lease), and a run
 * starts only for the process whose conditional UPDATE claimed the lease
 * (`next_run_at` due and no live lease: SQLite serialises the writers, so one
 * UPDATE changes the row and every other changes nothing). A process that
 * dies mid-run leaves a lease that expires (`leaseMs`), after which any
 * process takes the job over. A run that was missed while no server ran
 * happens once, at the next tick, not once per missed time.
 *
 * The clock is injected (`clock`), so tests move time instead of waiting.
 * These writes are bookkeeping: no cached reader reads `scheduled_jobs`, so
 * they move no change counter.
 */

export type ScheduledJob = {
  /** Unique, stable: the key of the job's row. */
  name: string;
  /** When the job is due again after a run at the given moment (see ./schedule.ts). */
  next: NextRun;
  /** The work. `now` is the scheduler's clock at the start of the run. */
  run: (now: Date) => unknown;
  /** How long a run may take before another process may take the job over. Default 15 minutes. */
  leaseMs?: number;
  /** After a failed run, try again this much later (or at the next regular time, whichever is first). Default 10 minutes. */
  retryMs?: number;
};

export type Clock = () => Date;

export type JobOutcome = { name: string; ok: true } | { name: string; ok: false; error: string };

export type Scheduler = {
  /** Adds a row for each job that has none (due at `next(now)`). */
  register: () => void;
  /** Runs every due job this process wins the lease of, one after another. */
  tick: () => Promise<JobOutcome[]>;
  /** Registers, then ticks every `pollMs` until `stop()`, which waits for a running tick. */
  start: (pollMs?: number) => void;
  stop: () => Promise<void>;
};

const DEFAULT_LEASE_MS = 15 * 60_000;
const DEFAULT_RETRY_MS = 10 * 60_000;
const DEFAULT_POLL_MS = 5_000;

/** This process, as a lease owner: host and process id. */
export function processOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

export function createScheduler(
  jobs: readonly ScheduledJob[],
  {
    clock = () => new Date(),
    owner = processOwner(),
    db = () => getDb(),
    log = (line: string, error?: unknown) => (error === undefined ? console.log(line) : console.error(line, error)),
  }: {
    clock?: Clock;
    owner?: string;
    /** The connection, asked for at each use (tests and CLIs switch databases). */
    db?: () => Db;
    log?: (line: string, error?: unknown) => void;
  } = {},
): Scheduler {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`Two scheduled jobs are named "${job.name}"`);
    names.add(job.name);
  }

  function register(): void {
    const now = clock();
    for (const job of jobs) {
      db()
        .insert(scheduledJobs)
        .values({ name: job.name, nextRunAt: job.next(now) })
        .onConflictDoNothing()
        .run();
    }
  }

  /** Takes the job's lease when it is due and free; true when this process now holds it. */
  function claim(job: ScheduledJob, now: Date): boolean {
    const { changes } = db()
      .update(scheduledJobs)
      .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + (job.leaseMs ?? DEFAULT_LEASE_MS)) })
      .where(
        and(
          eq(scheduledJobs.name, job.name),
          lte(scheduledJobs.nextRunAt, now),
          or(isNull(scheduledJobs.leaseUntil), lte(scheduledJobs.leaseUntil, now)),
        ),
      )
      .run();
    return changes === 1;
  }

  /** Records the run and frees the lease, unless another process took the job over meanwhile. */
  function finish(job: ScheduledJob, now: Date, error: string | null): void {
    const regular = job.next(now);
    const retry = new Date(now.getTime() + (job.retryMs ?? DEFAULT_RETRY_MS));
    db()
      .update(scheduledJobs)
      .set({ lastRunAt: now, lastError: error, nextRunAt: error !== null && retry < regular ? retry : regular, leaseUntil: null })
      .where(and(eq(scheduledJobs.name, job.name), eq(scheduledJobs.leaseOwner, owner)))
      .run();
  }

  /** The jobs due and free now: a read, which never waits for another process's write. */
  function dueNames(now: Date): Set<string> {
    const rows = db()
      .select({ name: scheduledJobs.name })
      .from(scheduledJobs)
      .where(and(lte(scheduledJobs.nextRunAt, now), or(isNull(scheduledJobs.leaseUntil), lte(scheduledJobs.leaseUntil, now))))
      .all();
    return new Set(rows.map((row) => row.name));
  }

  async function tick(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    // Only a due job is claimed: an UPDATE, even one matching nothing, waits for the write lock, and the
    // primary process that ticks also hands connections to the workers.
    const due = dueNames(clock());
    for (const job of jobs) {
      if (!due.has(job.name)) continue;
      const now = clock();
      if (!claim(job, now)) continue;
      try {
        await job.run(now);
        finish(job, now, null);
        outcomes.push({ name: job.name, ok: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`[scheduler] job ${job.name} failed`, error);
        finish(job, now, message.slice(0, 2000));
        outcomes.push({ name: job.name, ok: false, error: message });
      }
    }
    return outcomes;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  function start(pollMs = DEFAULT_POLL_MS): void {
    register();
    const loop = () => {
      if (stopped) return;
      running = tick()
        .catch((error: unknown) => log("[scheduler] tick failed", error))
        .finally(() => {
          if (!stopped) timer = setTimeout(loop, pollMs).unref();
        });
    };
    loop();
  }

  async function stop(): Promise<void> {
    stopped = true;
    clearTimeout(timer);
    await running;
  }

  return { register, tick, start, stop };
}
