/**
 * `npm run backup` taken while the database is being written, and
 * `npm run restore` of that copy into a fresh database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedDb, openDatabase } from "../../db/client";
import { SYSTEM_ACTOR, verifyAuditChain } from "../../app/modules/audit/audit.server";
import { createModel, createVersion, recordMonitoringSnapshot } from "../../app/modules/registry/registry.server";
import { ROOT, tempDatabase, TSX_CLI, withDatabase } from "../setup/portal-server";
import { seedOrgWithToken } from "../setup/test-orgs";

const dirs: string[] = [];
let source: string;
let orgId: number;

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-backup-"));
  dirs.push(dir);
  return dir;
}

type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs a CLI script asynchronously (so this process can keep writing meanwhile). */
function runCli(script: string, args: string[], databaseUrl: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, VITEST: "", DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function countEvents(file: string): number {
  const db = openDatabase(file);
  try {
    return db.$client.prepare("select count(*) from audit_events where org_id = ?").pluck().get(orgId) as number;
  } finally {
    db.$client.close();
  }
}

beforeAll(async () => {
  source = tempDatabase("portal-backup-src-");
  dirs.push(path.dirname(source));
  ({ orgId } = await seedOrgWithToken(source, "backup-org"));
  withDatabase(source, () => {
    createModel(orgId, { name: "Backup model", slug: "backup-model", riskTier: "minimal" } as never, SYSTEM_ACTOR, "api" as never);
    createVersion(orgId, "backup-model", { version: "1.0.0" } as never, SYSTEM_ACTOR, "api" as never);
    // Enough data (well over 100 pages) that the online backup needs several steps.
    const metrics: Record<string, number> = {};
    for (let m = 0; m < 20; m++) metrics[`metric_${m}`] = Math.random();
    for (let i = 0; i < 1500; i++) {
      recordMonitoringSnapshot(orgId, "backup-model", "1.0.0", { metrics: { ...metrics, i } } as never, SYSTEM_ACTOR);
    }
  });
}, 60_000);

afterAll(() => {
  closeSharedDb();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("backup and restore", () => {
  it("backs up a database that is being written, and restores it with verified audit chains", async () => {
    const out = path.join(tempDir(), "nested", "portal-backup.db");
    const eventsAtStart = countEvents(source);

    // Write continuously from this process while the backup runs in a child process.
    let backupDone = false;
    let written = 0;
    const writer = (async () => {
      const previous = process.env.DATABASE_URL;
      process.env.DATABASE_URL = source;
      closeSharedDb();
      try {
        while (!backupDone) {
          recordMonitoringSnapshot(orgId, "backup-model", "1.0.0", { metrics: { accuracy: 0.7, written } } as never, SYSTEM_ACTOR);
          written++;
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        closeSharedDb();
        process.env.DATABASE_URL = previous;
      }
    })();
    const backup = await runCli("scripts/backup.ts", ["--out", out], source).finally(() => (backupDone = true));
    await writer;

    expect(backup.code, backup.stderr + backup.stdout).toBe(0);
    expect(backup.stdout).toMatch(/integrity ok/);
    expect(written).toBeGreaterThan(0); // the backup really ran alongside writes
    const copy = openDatabase(out);
    try {
      expect(copy.$client.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      copy.$client.close();
    }

    const restoredFile = path.join(tempDir(), "restored.db");
    const restore = await runCli("scripts/restore.ts", [out], restoredFile);
    expect(restore.code, restore.stderr + restore.stdout).toBe(0);
    expect(restore.stdout).toMatch(/audit chains verify/);

    const chain = withDatabase(restoredFile, () => verifyAuditChain(orgId));
    expect(chain.ok, JSON.stringify(chain)).toBe(true);
    expect(chain.events).toBeGreaterThanOrEqual(eventsAtStart);
    expect(chain.events).toBeLessThanOrEqual(eventsAtStart + written);
    // The site-wide chain restored too.
    expect(withDatabase(restoredFile, () => verifyAuditChain(null)).ok).toBe(true);
    // Rows and events in the restored copy match one for one.
    const restored = openDatabase(restoredFile);
    try {
      const snapshots = restored.$client.prepare("select count(*) from monitoring_snapshots").pluck().get();
      const events = restored.$client.prepare("select count(*) from audit_events where action = 'monitoring.recorded'").pluck().get();
      expect(snapshots).toBe(events);
    } finally {
      restored.$client.close();
    }
  }, 60_000);

  it("refuses to restore a file that does not exist", async () => {
    const dir = tempDir();
    const missing = path.join(dir, "no-such-backup.db");
    const target = path.join(dir, "target.db");
    const result = await runCli("scripts/restore.ts", [missing], target);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`No file at ${missing}`);
    expect(fs.existsSync(target)).toBe(false);
  }, 60_000);

  it("fails to back up a database that does not exist", async () => {
    const dir = tempDir();
    const missing = path.join(dir, "missing.db");
    const out = path.join(dir, "out.db");
    const result = await runCli("scripts/backup.ts", ["--out", out], missing);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`No database at ${missing}`);
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);
});
