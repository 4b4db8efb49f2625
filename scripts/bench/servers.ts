/**
 * The processes the benchmark loads: the portal (production build) and a bare
 * node:http server serving a 2 KB page, the machine's ceiling. Every child is
 * tracked and killed on exit, on errors and on Ctrl-C.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSharedDb } from "../../db/client";
import { buildPortal, freePort, portalBuildFiles, startPortal as startPortalProcess } from "../../tests/setup/portal-server";
import { signIn } from "../../tests/setup/sign-in";
import { processGroupCpuMs } from "./cpu";

export { freePort };

export type Server = {
  name: string;
  origin: string;
  child: ChildProcess;
  output: () => string;
  /** CPU time used so far by the server's processes (its process group: the server and its workers). */
  cpuMs: () => number | undefined;
};

const children = new Set<ChildProcess>();
const servers = new Set<Server>();

/** The servers started and not yet stopped. */
export const runningServers = (): Server[] => [...servers].filter((server) => children.has(server.child));

/**
 * Children run in their own process group (the bare server's, and the portal's
 * with its worker processes), so a signal goes to the whole group of that one child.
 */
function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      kill(child, "SIGKILL");
      return resolve();
    }
    const timer = setTimeout(() => {
      kill(child, "SIGKILL");
      resolve();
    }, 4000);
    child.once("exit", () => {
      clearTimeout(timer);
      kill(child, "SIGKILL"); // whatever is left of its process group
      resolve();
    });
    kill(child);
  });
}

/** Kills every child this module started, and waits (briefly) for them to exit. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
  children.clear();
}

export async function stopServer(server: Server): Promise<void> {
  await stopChild(server.child);
  children.delete(server.child);
}

/**
 * Requests still queued in the server when a load run ends would slow the
 * next target down. Waits until /healthz answers promptly; returns false when
 * it does not within `timeoutMs` (the caller then restarts the server).
 */
export async function drain(server: Server, timeoutMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(`${server.origin}/healthz`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      await response.arrayBuffer();
      if (performance.now() - started < 50) return true;
    } catch {
      return false;
    }
  }
  return false;
}

process.once("exit", () => children.forEach((child) => kill(child, "SIGKILL")));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    children.forEach((child) => kill(child));
    process.exit(130);
  });
}

function started(server: Server): Server {
  servers.add(server);
  server.child.once("exit", () => servers.delete(server));
  return server;
}

/** Children are started detached: each leads a process group of its own. */
const groupCpu = (child: ChildProcess) => () => (child.pid === undefined ? undefined : processGroupCpuMs(child.pid));

function track(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let log = "";
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return { child, output: () => `[${name}] ${log}` };
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Server exited with code ${child.exitCode}\n${output()}`);
    try {
      const response = await fetch(url, { redirect: "manual" });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${url}\n${output()}`);
}

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the production app into `buildDir` unless a build newer than every source file it is made from is there. */
export function ensureBuild(buildDir: string, log: (line: string) => void): void {
  const newestSource = Math.max(...["app", "content", "db", "scripts/server"].map(newestSourceTime));
  if (portalBuildFiles(buildDir).every((file) => fs.existsSync(file) && fs.statSync(file).mtimeMs > newestSource)) return;
  log(`[bench] building the production app into ${buildDir} ...`);
  buildPortal(buildDir, { showOutput: true });
}

/**
 * The portal as the tests start it (tests/setup/portal-server.ts), with the server's own default worker
 * count unless `env` sets one, leading a process group of its own so its workers' CPU time is counted.
 */
export async function startPortal(options: { dbFile: string; buildDir: string; env?: Record<string, string> }): Promise<Server> {
  const portal = await startPortalProcess({
    databaseFile: options.dbFile,
    buildDir: options.buildDir,
    timeoutMs: 60_000,
    detached: true,
    env: { WEB_CONCURRENCY: undefined, PORTAL_SEED: undefined, ...options.env },
  });
  children.add(portal.child);
  portal.child.once("exit", () => children.delete(portal.child));
  const output = () => `[portal] ${portal.output().slice(-8000)}`;
  return started({ name: "portal", origin: portal.baseUrl, child: portal.child, output, cpuMs: groupCpu(portal.child) });
}

/** A bare node:http server returning a fixed 2 KB HTML page. */
const BARE_SERVER = `
const http = require("node:http");
const body = "<!doctype html><html><head><title>bare</title></head><body>" + "<p>benchmark ceiling</p>".repeat(80) + "</body></html>";
const page = Buffer.from(body.padEnd(2048, " ").slice(0, 2048));
http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": page.length });
  res.end(page);
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

export function startBareServer(): Promise<Server> {
  return startNodeServer("bare", ["-e", BARE_SERVER]);
}

/**
 * A Node.js server of the benchmark's own (`node <args>`) that listens on 127.0.0.1 at the port
 * in its PORT variable; `cwd` is where it runs, `env` adds to this process's environment.
 */
export async function startNodeServer(
  name: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Server> {
  const port = await freePort();
  const { child, output } = track(name, process.execPath, args, { ...process.env, ...options.env, PORT: String(port) }, options.cwd);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, child, output);
  return started({ name, origin, child, output, cpuMs: groupCpu(child) });
}

/** Signs in through the login form and returns the `__portal_session` cookie. */
export async function login(origin: string, email: string, password: string): Promise<string> {
  return (await signIn(origin, email, password)).cookie;
}

/**
 * Runs a bench script's work: on a failure, first prints what the servers
 * said (errors they logged, e.g. behind a 500); whatever happens, stops them,
 * closes this process's connection and removes the temp directory `tmp`.
 */
export async function cleanUpAfter<T>(tmp: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const server of runningServers()) console.error(server.output());
    throw error;
  } finally {
    await stopAll();
    closeSharedDb();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs a bench script's `main` and exits with its code; a failure is printed and exits 1 once the servers are stopped. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    async (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      await stopAll();
      process.exit(1);
    },
  );
}
