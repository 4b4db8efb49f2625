/**
 * Durability of the SQLite store under the real server: several server
 * processes writing the same WAL database at once, and a server killed with
 * SIGKILL in the middle of a stream of writes.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedDb, openDatabase, type Db } from "../../db/client";
import { verifyAuditChain } from "../../app/modules/audit/audit.server";
import { recordMonitoringSnapshot } from "../../app/modules/registry/registry.server";
import { postJson, runBounded } from "../setup/api-client";
import {
  acquirePortalBuild,
  killAllPortals,
  startPortal,
  stopPortal,
  tempDatabase,
  withDatabase,
  type PortalServer,
} from "../setup/portal-server";
import { childrenOf, isRunning, waitFor } from "../setup/processes";
import { seedOrgWithToken } from "../setup/test-orgs";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";

let BUILD_DIR = "build-durability";
let releaseBuild = () => {};
const tempFiles: string[] = [];

function newDatabase(): string {
  const file = tempDatabase();
  tempFiles.push(path.dirname(file));
  return file;
}

function scalar(db: Db, sql: string, ...params: unknown[]): number {
  return db.$client
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}

/** Rows of `table` without their `action` audit event, and `action` events without their row. */
function unmatchedRowsAndEvents(db: Db, orgId: number, table: string, action: string, entityType: string) {
  return {
    rows: scalar(
      db,
      `select count(*) from ${table} r where r.org_id = ? and not exists
         (select 1 from audit_events e where e.org_id = r.org_id and e.action = ? and e.entity_type = ? and e.entity_id = cast(r.id as text))`,
      orgId,
      action,
      entityType,
    ),
    events: scalar(
      db,
      `select count(*) from audit_events e where e.org_id = ? and e.action = ? and not exists
         (select 1 from ${table} r where cast(r.id as text) = e.entity_id)`,
      orgId,
      action,
    ),
  };
}

/** Verifies `file` with the app's own verifier, through a fresh shared connection. */
function verifyChainIn(file: string, orgId: number) {
  return withDatabase(file, () => verifyAuditChain(orgId));
}

async function createModelAndVersion(server: PortalServer, token: string, slug: string) {
  const model = await postJson(server.baseUrl, token, "/api/v1/models", { name: `Model ${slug}`, slug, riskTier: "minimal" });
  expect(model.status, model.text).toBe(201);
  const version = await postJson(server.baseUrl, token, `/api/v1/models/${slug}/versions`, { version: "1.0.0" });
  expect(version.status, version.text).toBe(201);
}

beforeAll(() => {
  ({ buildDir: BUILD_DIR, release: releaseBuild } = acquirePortalBuild());
}, 180_000);

afterAll(() => {
  killAllPortals();
  closeSharedDb();
  for (const dir of tempFiles) fs.rmSync(dir, { recursive: true, force: true });
  releaseBuild();
});

describe("several server processes on one database file", () => {
  it("answers every concurrent write with 201 and keeps rows and the audit chain consistent", async () => {
    const file = newDatabase();
    const { orgId, token } = await seedOrgWithToken(file);
    const servers: PortalServer[] = [];
    try {
      servers.push(
        ...(await Promise.all([
          startPortal({ databaseFile: file, buildDir: BUILD_DIR }),
          startPortal({ databaseFile: file, buildDir: BUILD_DIR }),
        ])),
      );
      await createModelAndVersion(servers[0]!, token, "shared-model");

      const check = openDatabase(file);
      const eventsBefore = scalar(check, "select count(*) from audit_events where org_id = ?", orgId);
      check.$client.close();

      const WORKERS = 4;
      const PER_WORKER = 125;
      const IN_PROCESS = 100;
      // API writers: 4 workers spread over both servers, ~20 requests in flight in total.
      const apiWriters = Array.from({ length: WORKERS }, (_, w) =>
        runBounded(PER_WORKER, 5, async (i) => {
          const server = servers[(w + i) % servers.length]!;
          try {
            return await postJson(server.baseUrl, token, "/api/v1/models/shared-model/versions/1.0.0/monitoring", {
              metrics: { accuracy: 0.9, worker: w, i },
            });
          } catch (error) {
            return { status: 0, text: String(error) };
          }
        }),
      );
      // The test process writes the same database directly, interleaved with the requests.
      const inProcessWriter = (async () => {
        const previous = process.env.DATABASE_URL;
        process.env.DATABASE_URL = file;
        closeSharedDb();
        let ok = 0;
        try {
          for (let i = 0; i < IN_PROCESS; i++) {
            recordMonitoringSnapshot(orgId, "shared-model", "1.0.0", { metrics: { accuracy: 0.8, i } } as never, SYSTEM_ACTOR);
            ok++;
            await new Promise((r) => setTimeout(r, 2));
          }
        } finally {
          closeSharedDb();
          process.env.DATABASE_URL = previous;
        }
        return ok;
      })();

      const [results, inProcessOk] = await Promise.all([Promise.all(apiWriters), inProcessWriter]);
      const flat = results.flat();
      const failures = flat.filter((r) => r.status !== 201);
      expect(failures.slice(0, 5), `${failures.length} of ${flat.length} writes failed`).toEqual([]);
      expect(inProcessOk).toBe(IN_PROCESS);
      const expected = WORKERS * PER_WORKER + IN_PROCESS;

      const db = openDatabase(file);
      try {
        expect(db.$client.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(scalar(db, "select count(*) from monitoring_snapshots where org_id = ?", orgId)).toBe(expected);
        expect(scalar(db, "select count(*) from audit_events where org_id = ? and action = 'monitoring.recorded'", orgId)).toBe(expected);
      } finally {
        db.$client.close();
      }
      expect(verifyChainIn(file, orgId)).toEqual({ ok: true, events: eventsBefore + expected });
      for (const server of servers) expect(server.output()).not.toMatch(/SQLITE_BUSY|database is locked/);
    } finally {
      await Promise.all(servers.map((s) => stopPortal(s)));
    }
  }, 120_000);
});

describe("a server killed with SIGKILL mid-write", () => {
  it("leaves an intact database with no half-applied changes, and a restarted server works", async () => {
    const file = newDatabase();
    const { orgId, token } = await seedOrgWithToken(file);
    let server: PortalServer | undefined = await startPortal({ databaseFile: file, buildDir: BUILD_DIR });
    let restarted: PortalServer | undefined;
    try {
      await createModelAndVersion(server, token, "crash-model");
      const target = server;
      let stop = false;
      let accepted = 0;
      let attempted = 0;
      let killing = false;
      const unexpected: string[] = [];
      // Mixed writes: snapshots and model creations (each model plus its audit event in one transaction).
      const writers = Array.from({ length: 12 }, async (_, lane) => {
        let n = 0;
        while (!stop) {
          attempted++;
          const i = n++;
          try {
            const res =
              i % 4 === 3
                ? await postJson(target.baseUrl, token, "/api/v1/models", {
                    name: `Crash ${lane}-${i}`,
                    slug: `crash-${lane}-${i}`,
                    riskTier: "minimal",
                  })
                : await postJson(target.baseUrl, token, "/api/v1/models/crash-model/versions/1.0.0/monitoring", {
                    metrics: { accuracy: 0.5, lane, i },
                  });
            if (res.status === 201) accepted++;
            else unexpected.push(`${res.status}: ${res.text}`);
          } catch (error) {
            // Only the kill may cut a request off; never throw here (nobody awaits the lanes yet).
            if (!killing) unexpected.push(String(error));
            return;
          }
        }
      });
      // Let writes run, then kill the server while requests are in flight.
      const started = Date.now();
      while (accepted < 150 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
      expect(accepted).toBeGreaterThan(0);
      killing = true;
      target.child.kill("SIGKILL");
      const exit = await target.exited;
      stop = true;
      await Promise.all(writers);
      expect(unexpected).toEqual([]);
      expect(exit.signal).toBe("SIGKILL");
      server = undefined;
      expect(attempted).toBeGreaterThan(accepted); // some requests were cut off mid-flight

      const db = openDatabase(file);
      try {
        expect(db.$client.pragma("integrity_check", { simple: true })).toBe("ok");
        const snapshots = scalar(db, "select count(*) from monitoring_snapshots where org_id = ?", orgId);
        // Everything the server acknowledged is there (synchronous=NORMAL in WAL loses
        // nothing on a process crash; only an OS crash could).
        const crashModels = scalar(db, "select count(*) from models where org_id = ? and slug like 'crash-%-%'", orgId);
        expect(snapshots + crashModels).toBeGreaterThanOrEqual(accepted);
        expect(snapshots + crashModels).toBeLessThanOrEqual(attempted);
        expect(scalar(db, "select count(*) from audit_events where org_id = ? and action = 'monitoring.recorded'", orgId)).toBe(snapshots);
        // Every row has its event, and every event its row.
        expect(unmatchedRowsAndEvents(db, orgId, "monitoring_snapshots", "monitoring.recorded", "monitoring_snapshot")).toEqual({
          rows: 0,
          events: 0,
        });
        expect(unmatchedRowsAndEvents(db, orgId, "models", "model.created", "model")).toEqual({ rows: 0, events: 0 });
      } finally {
        db.$client.close();
      }
      const chain = verifyChainIn(file, orgId);
      expect(chain.ok, JSON.stringify(chain)).toBe(true);

      restarted = await startPortal({ databaseFile: file, buildDir: BUILD_DIR });
      const health = await fetch(`${restarted.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      const after = await postJson(restarted.baseUrl, token, "/api/v1/models/crash-model/versions/1.0.0/monitoring", {
        metrics: { accuracy: 0.99 },
      });
      expect(after.status, after.text).toBe(201);
      const finalChain = verifyChainIn(file, orgId);
      expect(finalChain).toEqual({ ok: true, events: chain.events + 1 });
    } finally {
      await stopPortal(server, "SIGKILL");
      await stopPortal(restarted);
    }
  }, 120_000);
});

describe("the worker cluster", () => {
  it("replaces a worker that dies, keeps answering meanwhile, and stops every worker on SIGTERM", async () => {
    const file = newDatabase();
    await seedOrgWithToken(file);
    const server = await startPortal({ databaseFile: file, buildDir: BUILD_DIR, env: { WEB_CONCURRENCY: "2" } });
    try {
      const primary = server.child.pid!;
      await waitFor(() => childrenOf(primary).length === 2, "two workers");
      // Both must be listening: while only one is, killing it leaves nobody to take connections.
      await waitFor(() => server.output().includes(", 2 workers)"), "both workers listening");
      const [victim] = childrenOf(primary);
      process.kill(victim!, "SIGKILL");
      // The surviving worker answers while the primary starts a replacement. Two requests may be lost
      // at the moment of death: one on a kept-alive connection the dead worker held (reset), and one
      // the primary accepted and handed to the victim before it noticed the death (node:cluster never
      // answers that one, so it hangs). A client retrying with a timeout must then be served; each
      // attempt's limit is generous because the replacement's start competes for the CPU.
      const healthz = async (): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          try {
            const response = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
            return response.status;
          } catch (error) {
            if (attempt === 3) throw error;
          }
        }
      };
      for (let i = 0; i < 10; i++) expect(await healthz()).toBe(200);
      await waitFor(() => server.output().includes(`worker ${victim} exited (SIGKILL); starting another`), "the replacement notice");
      await waitFor(() => childrenOf(primary).length === 2 && !childrenOf(primary).includes(victim!), "a replacement worker");
      const workers = childrenOf(primary);
      await stopPortal(server, "SIGTERM");
      await waitFor(() => !workers.some(isRunning), "the workers to stop");
    } finally {
      await stopPortal(server, "SIGKILL");
    }
  }, 120_000);

  it("refuses to start with a WEB_CONCURRENCY that is not a whole number of at least 1, saying so", async () => {
    const file = newDatabase();
    await expect(
      startPortal({ databaseFile: file, buildDir: BUILD_DIR, env: { WEB_CONCURRENCY: "zero" }, timeoutMs: 15_000 }),
    ).rejects.toThrow(/WEB_CONCURRENCY="zero": must be a whole number from 1 to 256/);
  }, 30_000);
});
