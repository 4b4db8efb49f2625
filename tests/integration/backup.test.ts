/**
 * `npm run backup` taken while the database is being written, and
 * `npm run restore` of that copy into a fresh database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedDb, openDatabase } from "../../db/client";
import { listAuditEvents, SYSTEM_ACTOR, verifyAuditChain } from "../../app/modules/audit/audit.server";
import { checkpointForExport, verifyAuditTrail } from "../../app/modules/audit/checkpoints.server";
import { createModel, createVersion, recordMonitoringSnapshot } from "../../app/modules/registry/registry.server";
import { rewriteChain } from "../setup/audit-attacker";
import {
  acquirePortalBuild,
  ROOT,
  startPortal,
  stopPortal,
  tempDatabase,
  TSX_CLI,
  withDatabase,
  type PortalServer,
} from "../setup/portal-server";
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
function runCli(script: string, args: string[], databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, VITEST: "", DATABASE_URL: databaseUrl, ...extraEnv },
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
    // It names the keys it leaves out (issue #14: they are backed up apart from the database).
    expect(backup.stdout).toMatch(/Not in the backup, by design: the keys \S*audit-signing\.key and \S*secrets\.key/);
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

/**
 * Issue #14 §6: restore copied a backup with a broken chain over the live
 * database first, and ran while the server was up (rolling back a write the
 * server had acknowledged). Now it checks first, refuses without touching
 * anything, refuses while the database is in use, keeps what it replaces and
 * records the rollback so verify tells it from a truncation.
 */
describe("restore never makes things worse", () => {
  const signingKey = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  /** A live installation: a database with an organisation, some history and a checkpoint, and a backup of it. */
  async function installation(name: string) {
    const live = tempDatabase(`portal-restore-${name}-`);
    dirs.push(path.dirname(live));
    const { orgId: id } = await seedOrgWithToken(live, "acme");
    const backupFile = path.join(path.dirname(live), "backups", "portal-earlier.db");
    withDatabase(live, () => {
      createModel(id, { name: "Restore model", slug: "restore-model", riskTier: "minimal" } as never, SYSTEM_ACTOR, "api" as never);
      checkpointForExport(id, "board-report");
    });
    const db = openDatabase(live);
    fs.mkdirSync(path.dirname(backupFile), { recursive: true });
    await db.$client.backup(backupFile);
    db.$client.close();
    // Later work the backup does not have, anchored by a checkpoint that left the building.
    const outside = withDatabase(live, () => {
      createVersion(id, "restore-model", { version: "1.0.0" } as never, SYSTEM_ACTOR, "api" as never);
      return checkpointForExport(id, "audit-export")!;
    });
    return { live, backupFile, orgId: id, outside };
  }

  const fingerprint = (file: string) => {
    const db = openDatabase(file);
    try {
      return {
        events: db.$client.prepare("select count(*) from audit_events").pluck().get(),
        head: db.$client.prepare("select hash from audit_events order by id desc limit 1").pluck().get(),
      };
    } finally {
      db.$client.close();
    }
  };

  const restore = (backupFile: string, live: string) => runCli("scripts/restore.ts", [backupFile], live, { AUDIT_SIGNING_KEY: signingKey });

  beforeAll(() => {
    process.env.AUDIT_SIGNING_KEY = signingKey;
  });
  afterAll(() => {
    delete process.env.AUDIT_SIGNING_KEY;
  });

  it("refuses a backup whose chain is broken, leaving the live database as it was", async () => {
    const { live, backupFile } = await installation("broken");
    const db = new Database(backupFile);
    db.exec("DROP TRIGGER audit_events_no_update");
    db.prepare(
      "update audit_events set actor_label = 'mallory' where id = (select min(id) from audit_events where org_id is not null)",
    ).run();
    db.close();
    const before = fingerprint(live);
    const result = await restore(backupFile, live);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(/does not verify[\s\S]*Nothing was changed/);
    expect(fingerprint(live)).toEqual(before);
    expect(fs.readdirSync(path.dirname(live)).filter((f) => f.includes("restoring"))).toEqual([]);
  }, 60_000);

  it("refuses a backup rewritten with recomputed hashes: it disagrees with the live checkpoints", async () => {
    const { live, backupFile, orgId: id } = await installation("forged");
    const db = new Database(backupFile);
    db.exec("DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints;");
    rewriteChain(db, id, (row) => {
      if (row.seq === 1) row.actor_label = "mallory@acme.test";
    });
    db.close();
    const before = fingerprint(live);
    const result = await restore(backupFile, live);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(/differs from the given checkpoint[\s\S]*Nothing was changed/);
    expect(fingerprint(live)).toEqual(before);
  }, 60_000);

  it("refuses while the server has the database open, and the server's acknowledged writes stay", async () => {
    const { live, backupFile } = await installation("busy");
    const build = acquirePortalBuild();
    let server: PortalServer | undefined;
    try {
      server = await startPortal({ databaseFile: live, buildDir: build.buildDir, env: { AUDIT_SIGNING_KEY: signingKey } });
      const before = fingerprint(live);
      const result = await restore(backupFile, live);
      expect(result.code, result.stdout).toBe(1);
      expect(result.stderr).toMatch(/is in use .*stop the server.*Nothing was changed/);
      expect(fingerprint(live)).toEqual(before);
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await stopPortal(server);
      build.release();
    }
    // Once it has stopped, the restore goes ahead.
    expect((await restore(backupFile, live)).code).toBe(0);
  }, 240_000);

  it("keeps the replaced database and records an audited rollback that verify tells from a truncation", async () => {
    const { live, backupFile, orgId: id, outside } = await installation("good");
    const replaced = fingerprint(live);
    const result = await restore(backupFile, live);
    expect(result.code, result.stderr).toBe(0);
    const kept = /kept at (\S+)\.$/m.exec(result.stdout)?.[1];
    expect(kept, result.stdout).toBeDefined();
    expect(fingerprint(kept!)).toEqual(replaced);

    const trail = withDatabase(live, () => verifyAuditTrail(id, [outside]));
    expect(trail).toMatchObject({ ok: true, rolledBackCheckpoints: 1 });
    expect(trail.rollbacks).toEqual([expect.objectContaining({ restoredFromSeq: outside.seq - 1, replacedSeq: outside.seq })]);
    const event = withDatabase(live, () => listAuditEvents(id, { action: "audit.restored" }, { limit: 1 }).events[0]);
    expect(event?.payload.details).toMatchObject({ summary: `Restored from a backup at sequence ${outside.seq - 1}` });

    // The CLI with the outside copy: ok, with the restore noted.
    const copy = path.join(path.dirname(live), "outside-checkpoint.json");
    fs.writeFileSync(copy, JSON.stringify(outside));
    const verify = await runCli("scripts/audit-verify.ts", ["--org", "acme", "--checkpoint", copy], live, {
      AUDIT_SIGNING_KEY: signingKey,
    });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/note {4}acme: restored from a backup at sequence \d+/);
  }, 60_000);
});
