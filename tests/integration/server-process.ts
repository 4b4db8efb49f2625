/**
 * Helpers for integration tests that run the real portal server (production
 * build) as child processes against a database file of their own.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { closeSharedDb, migrateDatabase, openDatabase } from "../../db/client";
import { createOrganization } from "../../app/modules/auth/organizations.server";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";

export const ROOT = path.resolve(__dirname, "../..");
export const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
/**
 * The server runs as ONE node process with tsx's loader, not through tsx's CLI:
 * the CLI is a wrapper that runs the script in a grandchild, so a SIGKILL sent
 * to it would leave the real server running (orphaned) instead of crashing it.
 */
const TSX_NODE_ARGS = [
  "--require",
  path.join(ROOT, "node_modules/tsx/dist/preflight.cjs"),
  "--import",
  pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href,
];

/** Builds the production bundle into `buildDir` (relative to the repo root). */
export function buildPortal(buildDir: string): void {
  const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], {
    cwd: ROOT,
    env: { ...process.env, PORTAL_BUILD_DIR: buildDir, NODE_ENV: "production", VITEST: "" },
    encoding: "utf8",
    timeout: 180_000,
  });
  if (result.status !== 0) {
    throw new Error(`vite:build failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * The build directory integration tests run the server from. `npm test` builds
 * once and passes it as PORTAL_TEST_BUILD_DIR; a lone `vitest run` builds into
 * `fallbackDir` and `release` removes it again.
 */
export function acquirePortalBuild(fallbackDir: string): { buildDir: string; release: () => void } {
  const shared = process.env.PORTAL_TEST_BUILD_DIR;
  if (shared && fs.existsSync(path.resolve(ROOT, shared, "server/index.js"))) {
    return { buildDir: shared, release: () => {} };
  }
  buildPortal(fallbackDir);
  return { buildDir: fallbackDir, release: () => fs.rmSync(path.resolve(ROOT, fallbackDir), { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A migrated, empty database in a fresh temp dir. */
export function tempDatabase(prefix = "portal-durability-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, "portal.db");
  const db = openDatabase(file);
  migrateDatabase(db);
  db.$client.close();
  return file;
}

/** Runs `fn` (sync or async) with the app's shared connection pointed at `file`, then points it back. */
export function withDatabase<T>(file: string, fn: () => T): T {
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = file;
  closeSharedDb();
  const restore = () => {
    closeSharedDb();
    process.env.DATABASE_URL = previous;
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * Creates an organisation and a registry read/write API token in `file`,
 * through the app's own modules (so the audit chain is genuine).
 */
export function seedOrgWithToken(file: string, slug = "acme") {
  return withDatabase(file, async () => {
    const { org } = await createOrganization(
      { slug, name: `Org ${slug}`, adminEmail: `admin@${slug}.test`, adminPassword: "Durable-Passw0rd!" } as never,
      SYSTEM_ACTOR,
    );
    const token = createApiToken(org.id, { name: "durability", scopes: ["registry:read", "registry:write"] }, SYSTEM_ACTOR);
    return { orgId: org.id as number, token: token.token };
  });
}

export type ServerHandle = {
  port: number;
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const running = new Set<ChildProcess>();

export async function startServer(opts: { databaseFile: string; buildDir: string; timeoutMs?: number; env?: Record<string, string> }): Promise<ServerHandle> {
  const port = await freePort();
  const child = spawn(process.execPath, [...TSX_NODE_ARGS, "scripts/server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      VITEST: "",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: opts.databaseFile,
      PORTAL_BUILD_DIR: opts.buildDir,
      NODE_ENV: "production",
      SESSION_SECRET: "durability-session-secret",
      COOKIE_SECURE: "false",
      PORTAL_SEED: "none",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const handle: ServerHandle = { port, baseUrl: `http://127.0.0.1:${port}`, child, output: () => out, exited };
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`server exited before it was healthy:\n${out}`);
    try {
      const res = await fetch(`${handle.baseUrl}/healthz`);
      if (res.status === 200) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await killServer(handle, "SIGKILL");
      throw new Error(`server not healthy within the deadline:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function killServer(handle: ServerHandle | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!handle || handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill(signal);
  const timer = setTimeout(() => handle.child.kill("SIGKILL"), 5000);
  await handle.exited;
  clearTimeout(timer);
}

/** Last resort for afterAll: SIGKILL whatever this module started and is still running. */
export function killAllStarted(): void {
  for (const child of running) child.kill("SIGKILL");
}

export async function apiPost(baseUrl: string, token: string, urlPath: string, body: unknown) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function runBounded<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}
