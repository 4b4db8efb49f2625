/**
 * Operations, against the real server: the scheduler runs in the primary
 * process of the worker cluster.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { scheduledJobs } from "../../db/schema";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, tempDatabase } from "../setup/portal-server";
import { waitFor } from "../setup/processes";

let BUILD_DIR = "build";
let releaseBuild = () => {};
const tempDirs: string[] = [];

function newDatabase(): string {
  const file = tempDatabase();
  tempDirs.push(path.dirname(file));
  return file;
}

beforeAll(() => {
  const build = acquirePortalBuild();
  BUILD_DIR = build.buildDir;
  releaseBuild = build.release;
}, 240_000);

afterAll(() => {
  killAllPortals();
  releaseBuild();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the scheduler under the worker cluster", () => {
  it("runs a due job in the primary process only", async () => {
    const file = newDatabase();
    const server = await startPortal({ databaseFile: file, buildDir: BUILD_DIR, env: { WEB_CONCURRENCY: "2" } });
    const db = openDatabase(file);
    try {
      await waitFor(() => server.output().includes(", 2 workers)"), "both workers listening", 60_000);
      const job = () => db.select().from(scheduledJobs).where(eq(scheduledJobs.name, "refresh-planner-statistics")).get();
      expect(job(), "the job's row, registered at start").toMatchObject({ lastRunAt: null });
      expect(job()!.nextRunAt.getTime()).toBeGreaterThan(Date.now());

      db.update(scheduledJobs)
        .set({ nextRunAt: new Date(0) })
        .where(eq(scheduledJobs.name, "refresh-planner-statistics"))
        .run();
      await waitFor(() => job()!.lastRunAt !== null, "the job to run", 30_000);
      expect(job()).toMatchObject({ leaseOwner: `${os.hostname()}:${server.child.pid}`, lastError: null, leaseUntil: null });
      expect(job()!.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      db.$client.close();
      await stopPortal(server);
    }
  }, 120_000);
});
