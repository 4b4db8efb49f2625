import { randomBytes } from "node:crypto";
import fs from "node:fs";
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
 * process takes the job over; a process on the same host (and in the same
 * process id namespace) takes it over at once when the lease's owner is no
 * longer running, so a server restarted after a crash does not wait out the
 * lease of its dead predecessor. A run that was missed while no server ran
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

/** The process id namespace (Linux: the inode of /proc/self/ns/pid), so containers sharing a host name are told apart; "-" elsewhere. */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(fs.readlinkSync("/proc/self/ns/pid"))?.[1] ?? "-";
  } catch {
    return "-";
  }
}

/** This process as a lease owner, "host:pid:pid-namespace:incarnation": the last part tells a restart that got the same pid apart. */
const THIS_PROCESS = `${os.hostname()}:${process.pid}:${pidNamespace()}:${randomBytes(4).toString("hex")}`;

export function processOwner(): string {
  return THIS_PROCESS;
}

/**
 * Whether process `pid` runs (on this host): signal 0 checks without sending (EPERM: it runs as someone else);
 * on Linux a zombie (ended, not yet reaped by its parent) counts as ended.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux), or the process ended just now: the lease runs out instead
  }
}

/**
 * Whether `leaseOwner` is a process of this host and process id namespace that has ended: its pid no longer
 * runs, or it is this very pid under another incarnation (a restart that got the same pid, as in a container).
 * An owner of another host, or written in another form (tests name owners "a", "b"), is never judged dead:
 * its lease runs out instead. A dead owner's pid taken by an unrelated process looks alive: the lease runs out too.
 */
export function isDeadLocalOwner(leaseOwner: string, self: string = THIS_PROCESS, running = isProcessRunning): boolean {
  const theirs = leaseOwner.split(":");
  const mine = self.split(":");
  if (theirs.length !== 4 || mine.length !== 4 || leaseOwner === self) return false;
  if (theirs[0] !== mine[0] || theirs[2] !== mine[2]) return false;
  const pid = Number(theirs[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  return theirs[1] === mine[1] || !running(pid);
}

export function createScheduler(
  jobs: readonly ScheduledJob[],
  {
    clock = () => new Date(),
    owner = processOwner(),
    db = () => getDb(),
    log = (line: string, error?: unknown) => (error === undefined ? console.log(line) : console.error(line, error)),
    isDeadOwner = (leaseOwner: string) => isDeadLocalOwner(leaseOwner, owner),
  }: {
    clock?: Clock;
    owner?: string;
    /** Whether a lease's owner has ended, so its lease is free before it runs out (default: `isDeadLocalOwner`). */
    isDeadOwner?: (leaseOwner: string) => boolean;
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

  /**
   * Takes the job's lease when it is due and free, or held by `deadOwner` (still holding it: of several
   * processes that saw the same dead owner, one UPDATE changes the row); true when this process now holds it.
   */
  function claim(job: ScheduledJob, now: Date, deadOwner?: string): boolean {
    const { changes } = db()
      .update(scheduledJobs)
      .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + (job.leaseMs ?? DEFAULT_LEASE_MS)) })
      .where(
        and(
          eq(scheduledJobs.name, job.name),
          lte(scheduledJobs.nextRunAt, now),
          deadOwner === undefined
            ? or(isNull(scheduledJobs.leaseUntil), lte(scheduledJobs.leaseUntil, now))
            : eq(scheduledJobs.leaseOwner, deadOwner),
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

  /**
   * The jobs due now, each with the owner of its lease when that lease still runs (null: free): a read,
   * which never waits for another process's write.
   */
  function dueJobs(now: Date): Map<string, string | null> {
    const rows = db()
      .select({ name: scheduledJobs.name, leaseOwner: scheduledJobs.leaseOwner, leaseUntil: scheduledJobs.leaseUntil })
      .from(scheduledJobs)
      .where(lte(scheduledJobs.nextRunAt, now))
      .all();
    return new Map(rows.map((row) => [row.name, row.leaseUntil !== null && row.leaseUntil > now ? row.leaseOwner : null]));
  }

  async function tick(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    // Only a due job is claimed: an UPDATE, even one matching nothing, waits for the write lock, and the
    // primary process that ticks also hands connections to the workers.
    const due = dueJobs(clock());
    for (const job of jobs) {
      if (!due.has(job.name)) continue;
      const holder = due.get(job.name);
      // Held: only a lease of a process that has ended is taken (before it runs out); a live one is left alone.
      const deadOwner = holder != null && isDeadOwner(holder) ? holder : undefined;
      if (holder != null && deadOwner === undefined) continue;
      const now = clock();
      if (!claim(job, now, deadOwner)) continue;
      if (deadOwner !== undefined) log(`[scheduler] job ${job.name}: took over the lease of ended process ${deadOwner}`);
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
