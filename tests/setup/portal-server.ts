/**
 * The real portal server (production build) as a child process on a free
 * port and a database file of its own: used by the integration suites, the
 * Playwright config and the benchmark. Also the temp databases they run on.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { closeSharedDb, migrateDatabase, openDatabase } from "../../db/client";
import { SERVER_BUNDLE_ENTRY } from "../../scripts/server/bundle-location.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The server's start script, relative to the repository root: the one place that names it. It runs the
 * server bundled into the build (scripts/server/launch.mjs), as `npm start` does: one node process, no
 * TypeScript loader, so a signal sent to it reaches the server itself.
 */
export const SERVER_ENTRY = "scripts/server/launch.mjs";

export const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
/**
 * Node's arguments to run a TypeScript script in ONE process with tsx's loader, not through tsx's CLI: the
 * CLI is a wrapper that runs the script in a grandchild, so a SIGKILL sent to it would leave the script running.
 */
export const TSX_NODE_ARGS = [
  "--require",
  path.join(ROOT, "node_modules/tsx/dist/preflight.cjs"),
  "--import",
  pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href,
];

/** `node scripts/server/launch.mjs`: the command line that starts the server (Playwright's webServer uses it too). */
export const SERVER_COMMAND = [process.execPath, SERVER_ENTRY];

/** The files a complete build in `buildDir` has: Remix's server build and the bundled server (scripts/server/bundle.ts). */
export function portalBuildFiles(buildDir: string): string[] {
  return [path.resolve(ROOT, buildDir, "server/index.js"), path.resolve(ROOT, buildDir, SERVER_BUNDLE_ENTRY)];
}

/**
 * Builds the production app (Remix and the bundled server) into `buildDir` (relative to the repo root). Its
 * output is kept for the error, or with `showOutput` shown as it goes.
 */
export function buildPortal(buildDir: string, { showOutput = false } = {}): void {
  const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], {
    cwd: ROOT,
    env: { ...process.env, PORTAL_BUILD_DIR: buildDir, NODE_ENV: "production", VITEST: "" },
    encoding: "utf8",
    stdio: showOutput ? "inherit" : "pipe",
    timeout: 180_000,
  });
  if (result.status !== 0) {
    throw new Error(`vite:build failed (${result.status ?? result.signal}):\n${result.stdout ?? ""}\n${result.stderr ?? ""}`);
  }
}

/**
 * The build directory integration tests run the server from. `npm test` builds
 * once and passes it as PORTAL_TEST_BUILD_DIR; without it, this process builds
 * a directory of its own and `release` removes it again.
 */
export function acquirePortalBuild(): { buildDir: string; release: () => void } {
  const shared = process.env.PORTAL_TEST_BUILD_DIR;
  if (shared && portalBuildFiles(shared).every((file) => fs.existsSync(file))) {
    return { buildDir: shared, release: () => {} };
  }
  const own = `build-test-${process.pid}`;
  buildPortal(own);
  return { buildDir: own, release: () => fs.rmSync(path.resolve(ROOT, own), { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A migrated, empty database in a fresh temp dir. */
export function tempDatabase(prefix = "portal-test-"): string {
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

export type PortalServer = {
  port: number;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * The server's environment for tests: production mode, plain-HTTP cookies, no
 * demo seed, one worker, no request log. `env` overrides it; an `undefined` value removes the variable.
 */
export function portalEnv(opts: {
  port: number;
  databaseFile: string;
  buildDir: string;
  env?: Record<string, string | undefined>;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VITEST: "",
    PORT: String(opts.port),
    HOST: "127.0.0.1",
    DATABASE_URL: opts.databaseFile,
    PORTAL_BUILD_DIR: opts.buildDir,
    NODE_ENV: "production",
    SESSION_SECRET: "test-session-secret-test-session-secret",
    COOKIE_SECURE: "false",
    PORTAL_SEED: "none",
    WEB_CONCURRENCY: "1",
    // No request log in tests unless asked for (LOG_LEVEL=info npm test …).
    LOG_LEVEL: process.env.LOG_LEVEL || "silent",
    ...opts.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

const running = new Set<ChildProcess>();

/** Starts the server on a free port (or `port`) and resolves once /healthz answers 200. */
export async function startPortal(opts: {
  /** A port chosen beforehand (when the server's own address must be known first, as PUBLIC_URL). */
  port?: number;
  databaseFile: string;
  buildDir: string;
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  /** Lead a process group of its own (the benchmark reads the CPU time of the whole group). */
  detached?: boolean;
}): Promise<PortalServer> {
  const port = opts.port ?? (await freePort());
  const [command, ...args] = SERVER_COMMAND;
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: portalEnv({ ...opts, port }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached,
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
  const server: PortalServer = { port, baseUrl: `http://127.0.0.1:${port}`, child, output: () => out, exited };
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`server exited before it was healthy:\n${out}`);
    try {
      const res = await fetch(`${server.baseUrl}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopPortal(server, "SIGKILL");
      throw new Error(`server not healthy within the deadline:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
export async function stopPortal(server: PortalServer | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 5000);
  await server.exited;
  clearTimeout(timer);
}

/** Last resort for afterAll: SIGKILL every server this process started that is still running. */
export function killAllPortals(): void {
  for (const child of running) child.kill("SIGKILL");
}
