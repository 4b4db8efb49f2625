import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseFile, getDb, openDatabase } from "../../db/client";
import { scheduledJobs } from "../../db/schema";
import { ROOT, TSX_NODE_ARGS } from "../../tests/setup/portal-server";
import { every } from "./schedule";
import { createScheduler, isDeadLocalOwner, isProcessRunning, processOwner, type ScheduledJob } from "./scheduler.server";

const HOUR = 3_600_000;
const T0 = new Date("2026-12-03T10:00:00Z").getTime();

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms), set: (t: number) => (now = t) };
}

function row(name: string) {
  return getDb().select().from(scheduledJobs).where(eq(scheduledJobs.name, name)).get();
}

/** A job that records the clock of each run. */
function recordingJob(name: string, overrides: Partial<ScheduledJob> = {}) {
  const runs: string[] = [];
  const job: ScheduledJob = { name, next: every(HOUR), run: (now) => void runs.push(now.toISOString()), ...overrides };
  return { job, runs };
}

describe("the scheduler", () => {
  it("runs a job only once it is due, then schedules the next run from the clock", async () => {
    const time = manualClock();
    const { job, runs } = recordingJob("hourly");
    const scheduler = createScheduler([job], { clock: time.clock, owner: "a" });
    scheduler.register();
    expect(row("hourly")?.nextRunAt.getTime()).toBe(T0 + HOUR);

    expect(await scheduler.tick()).toEqual([]);
    time.advance(HOUR - 1);
    expect(await scheduler.tick()).toEqual([]);
    time.advance(1);
    expect(await scheduler.tick()).toEqual([{ name: "hourly", ok: true }]);
    expect(await scheduler.tick()).toEqual([]);
    expect(runs).toEqual([new Date(T0 + HOUR).toISOString()]);
    expect(row("hourly")).toMatchObject({ lastRunAt: new Date(T0 + HOUR), nextRunAt: new Date(T0 + 2 * HOUR), leaseUntil: null });
  });

  it("runs a job missed while no server ran once, not once per missed time", async () => {
    const time = manualClock();
    const { job, runs } = recordingJob("missed");
    const scheduler = createScheduler([job], { clock: time.clock, owner: "a" });
    scheduler.register();
    time.advance(3 * 24 * HOUR);
    await scheduler.tick();
    await scheduler.tick();
    expect(runs).toHaveLength(1);
    expect(row("missed")?.nextRunAt.getTime()).toBe(T0 + 3 * 24 * HOUR + HOUR);
  });

  it("keeps the schedule stored: a second registration (a restart) does not move it", async () => {
    const time = manualClock();
    const { job } = recordingJob("restart");
    createScheduler([job], { clock: time.clock, owner: "a" }).register();
    time.advance(HOUR / 2);
    createScheduler([job], { clock: time.clock, owner: "b" }).register();
    expect(row("restart")?.nextRunAt.getTime()).toBe(T0 + HOUR);
  });

  it("lets only one of several processes run a due job", async () => {
    const time = manualClock();
    const { job, runs } = recordingJob("shared");
    const schedulers = ["a", "b", "c"].map((owner) => createScheduler([job], { clock: time.clock, owner }));
    schedulers[0]!.register();
    time.advance(HOUR);
    const outcomes = await Promise.all(schedulers.map((s) => s.tick()));
    expect(outcomes.flat()).toEqual([{ name: "shared", ok: true }]);
    expect(runs).toHaveLength(1);
  });

  it("does not start a job another process is running; takes it over once that lease has expired", async () => {
    const time = manualClock();
    const { job, runs } = recordingJob("leased", { leaseMs: 10 * 60_000 });
    const a = createScheduler([job], { clock: time.clock, owner: "a" });
    const b = createScheduler([job], { clock: time.clock, owner: "b" });
    a.register();
    time.advance(HOUR);
    // Process a took the lease and died mid-run (its run never finished).
    getDb()
      .update(scheduledJobs)
      .set({ leaseOwner: "a", leaseUntil: new Date(T0 + HOUR + 10 * 60_000) })
      .where(eq(scheduledJobs.name, "leased"))
      .run();
    time.advance(10 * 60_000 - 1);
    expect(await b.tick()).toEqual([]);
    time.advance(1);
    expect(await b.tick()).toEqual([{ name: "leased", ok: true }]);
    expect(runs).toHaveLength(1);
    expect(row("leased")).toMatchObject({ leaseOwner: "b", leaseUntil: null });
  });

  it("takes over at once the lease of a process of this host that has ended, never that of a running one", async () => {
    const time = manualClock();
    const { job, runs } = recordingJob("crashed", { leaseMs: 15 * 60_000 });
    const logged: string[] = [];
    const restarted = createScheduler([job], { clock: time.clock, log: (line) => logged.push(line) });
    restarted.register();
    time.advance(HOUR);
    // A process of this host that ran the job and was killed mid-run (SIGKILL: it could free nothing).
    const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => dead.once("exit", resolve));
    const [host, , namespace] = processOwner().split(":");
    const holdLease = (leaseOwner: string) =>
      getDb()
        .update(scheduledJobs)
        .set({ leaseOwner, leaseUntil: new Date(time.clock().getTime() + 15 * 60_000) })
        .where(eq(scheduledJobs.name, "crashed"))
        .run();

    // The parent of this test process runs: its lease is left to run out.
    holdLease(`${host}:${process.ppid}:${namespace}:0a0b0c0d`);
    expect(await restarted.tick()).toEqual([]);
    // Another host's process cannot be checked from here: its lease is left to run out too.
    holdLease(`elsewhere.example:${dead.pid}:${namespace}:0a0b0c0d`);
    expect(await restarted.tick()).toEqual([]);
    expect(runs).toEqual([]);

    holdLease(`${host}:${dead.pid}:${namespace}:0a0b0c0d`);
    expect(await restarted.tick()).toEqual([{ name: "crashed", ok: true }]);
    expect(runs).toHaveLength(1);
    expect(row("crashed")).toMatchObject({ leaseOwner: processOwner(), leaseUntil: null });
    expect(logged).toEqual([`[scheduler] job crashed: took over the lease of ended process ${host}:${dead.pid}:${namespace}:0a0b0c0d`]);
  });

  it("counts a zombie (ended, not reaped by its parent) as ended", async () => {
    // The child exits at once; its parent never reaps it (a shell might, before it execs: that made this flaky).
    const parent = spawn("perl", ["-e", '$| = 1; my $pid = fork(); exit 0 if $pid == 0; print "$pid\\n"; sleep 5;'], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(String(d)))));
      const deadline = Date.now() + 5_000;
      while (fs.readFileSync(`/proc/${zombie}/stat`, "utf8").split(") ")[1]![0] !== "Z" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(isProcessRunning(zombie)).toBe(false);
      expect(isProcessRunning(parent.pid!)).toBe(true);
      expect(isProcessRunning(process.pid)).toBe(true);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("tells an ended lease owner by host, process id namespace, process id and incarnation", () => {
    const self = "host-a:100:4026531836:aaaaaaaa";
    const running = (pid: number) => pid === 100 || pid === 200;
    expect(isDeadLocalOwner("host-a:300:4026531836:bbbbbbbb", self, running)).toBe(true);
    expect(isDeadLocalOwner("host-a:200:4026531836:bbbbbbbb", self, running)).toBe(false);
    // Same pid, another incarnation: this process restarted with the pid its predecessor had (as in a container).
    expect(isDeadLocalOwner("host-a:100:4026531836:bbbbbbbb", self, running)).toBe(true);
    expect(isDeadLocalOwner(self, self, running)).toBe(false);
    // Another host, or another process id namespace on this host (a container sharing the host name): not judged.
    expect(isDeadLocalOwner("host-b:300:4026531836:bbbbbbbb", self, running)).toBe(false);
    expect(isDeadLocalOwner("host-a:300:4026532000:bbbbbbbb", self, running)).toBe(false);
    // Owners in another form (the lease format before incarnations, tests' names) run out instead.
    expect(isDeadLocalOwner("host-a:300", self, running)).toBe(false);
    expect(isDeadLocalOwner("a", self, running)).toBe(false);
    expect(isDeadLocalOwner("host-a:x:4026531836:bbbbbbbb", self, running)).toBe(false);
  });

  it("records a failure, tries again after retryMs, and clears the error once a run succeeds", async () => {
    const time = manualClock();
    let fail = true;
    const logged: string[] = [];
    const job: ScheduledJob = {
      name: "flaky",
      next: every(24 * HOUR),
      retryMs: 10 * 60_000,
      run: () => {
        if (fail) throw new Error("disk full");
      },
    };
    const scheduler = createScheduler([job], { clock: time.clock, owner: "a", log: (line) => logged.push(line) });
    scheduler.register();
    time.advance(24 * HOUR);
    expect(await scheduler.tick()).toEqual([{ name: "flaky", ok: false, error: "disk full" }]);
    expect(logged).toEqual(["[scheduler] job flaky failed"]);
    expect(row("flaky")).toMatchObject({ lastError: "disk full", nextRunAt: new Date(T0 + 24 * HOUR + 10 * 60_000), leaseUntil: null });

    fail = false;
    time.advance(10 * 60_000);
    expect(await scheduler.tick()).toEqual([{ name: "flaky", ok: true }]);
    expect(row("flaky")).toMatchObject({ lastError: null, nextRunAt: new Date(T0 + 48 * HOUR + 10 * 60_000) });
  });

  it("waits for an async job and holds its lease meanwhile", async () => {
    const time = manualClock();
    let release = () => {};
    const job: ScheduledJob = { name: "slow", next: every(HOUR), run: () => new Promise<void>((resolve) => (release = resolve)) };
    const a = createScheduler([job], { clock: time.clock, owner: "a" });
    const b = createScheduler([job], { clock: time.clock, owner: "b" });
    a.register();
    time.advance(HOUR);
    const running = a.tick();
    expect(row("slow")?.leaseOwner).toBe("a");
    expect(await b.tick()).toEqual([]);
    release();
    expect(await running).toEqual([{ name: "slow", ok: true }]);
  });

  it("takes no write lock while nothing is due, so a tick never waits for another process's write", async () => {
    const time = manualClock();
    const { job } = recordingJob("idle");
    const scheduler = createScheduler([job], { clock: time.clock, owner: "a" });
    scheduler.register();
    const other = openDatabase(databaseFile());
    other.$client.pragma("busy_timeout = 0");
    other.$client.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      expect(await scheduler.tick()).toEqual([]);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      other.$client.exec("ROLLBACK");
      other.$client.close();
    }
  });

  it("refuses two jobs of the same name", () => {
    const { job } = recordingJob("twice");
    expect(() => createScheduler([job, job])).toThrow(/Two scheduled jobs are named "twice"/);
  });

  it("runs a due job exactly once when separate processes tick at the same moment", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scheduler-race-"));
    const now = new Date(T0 + 2 * HOUR).toISOString();
    // Registered two hours before the processes' clock: due for them.
    createScheduler([recordingJob("race").job], { clock: () => new Date(T0), owner: "test" }).register();
    const files = { OUT_FILE: path.join(dir, "runs.txt"), GO_FILE: path.join(dir, "go") };
    const children = Array.from({ length: 4 }, (_, i) => {
      const ready = path.join(dir, `ready-${i}`);
      const child = spawn(process.execPath, [...TSX_NODE_ARGS, "tests/setup/scheduler-race-child.ts"], {
        cwd: ROOT,
        env: { ...process.env, ...files, NOW: now, READY_FILE: ready },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const done = new Promise<string>((resolve) => child.once("exit", () => resolve(out)));
      return { ready, done };
    });
    try {
      const deadline = Date.now() + 60_000;
      while (!children.every((c) => fs.existsSync(c.ready))) {
        if (Date.now() > deadline) throw new Error("the processes did not start");
        await new Promise((r) => setTimeout(r, 20));
      }
      fs.writeFileSync(files.GO_FILE, "go");
      const outputs = await Promise.all(children.map((c) => c.done));
      const ran = outputs.flatMap((out) => JSON.parse(out) as unknown[]);
      expect(ran).toEqual([{ name: "race", ok: true }]);
      expect(fs.readFileSync(files.OUT_FILE, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
