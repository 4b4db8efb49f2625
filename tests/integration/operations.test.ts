/**
 * Operations, against the real server: the scheduler runs in the primary
 * process of the worker cluster, HSTS when cookies are secure, the request
 * log, no stack traces for ordinary client errors, TRUST_PROXY read as the
 * number of proxies in front (and the warning for `true`), and `npm start`
 * stopped by SIGTERM to npm or by Ctrl-C, workers and all.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { scheduledJobs } from "../../db/schema";
import { send } from "../setup/api-client";
import {
  acquirePortalBuild,
  freePort,
  killAllPortals,
  portalEnv,
  ROOT,
  startPortal,
  stopPortal,
  tempDatabase,
  type PortalServer,
} from "../setup/portal-server";
import { descendantsOf, isRunning, waitFor } from "../setup/processes";

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

/** The JSON lines of a server's output whose `msg` is `request`. */
function requestLines(server: PortalServer): Record<string, unknown>[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === "request");
}

describe("a server with secure cookies behind a proxy, logging requests", () => {
  let server: PortalServer | undefined;
  beforeAll(async () => {
    server = await startPortal({
      databaseFile: newDatabase(),
      buildDir: BUILD_DIR,
      env: { COOKIE_SECURE: "true", LOG_LEVEL: "info", TRUST_PROXY: "true" },
    });
  }, 120_000);
  afterAll(() => stopPortal(server));

  it("asks browsers to keep to HTTPS (HSTS) on every answer", async () => {
    for (const url of ["/login", "/healthz", "/no-such-page"]) {
      const reply = await send(server!.baseUrl, url);
      expect(reply.headers.get("strict-transport-security"), url).toBe("max-age=31536000; includeSubDomains");
    }
  });

  it("logs one JSON line per request: method, path without query secrets, status, duration, request id", async () => {
    const reply = await send(server!.baseUrl, "/login?token=s3cret-value&redirectTo=%2Forgs", {
      headers: { "X-Request-Id": "edge-req-1" },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("x-request-id")).toBe("edge-req-1");
    const missing = await send(server!.baseUrl, "/no-such-page?api_key=k3y-value");
    expect(missing.status).toBe(404);
    const ownId = missing.headers.get("x-request-id");
    expect(ownId).toMatch(/^[0-9a-f-]{36}$/);

    await waitFor(() => requestLines(server!).some((line) => line.reqId === ownId), "the request log line");
    const lines = requestLines(server!);
    const login = lines.find((line) => line.reqId === "edge-req-1");
    expect(login).toMatchObject({ level: 30, method: "GET", path: "/login?token=[redacted]&redirectTo=%2Forgs", status: 200 });
    expect(typeof login!.ms).toBe("number");
    expect(typeof login!.time).toBe("string");
    expect(lines.find((line) => line.reqId === ownId)).toMatchObject({ path: "/no-such-page?api_key=[redacted]", status: 404 });
    expect(server!.output()).not.toContain("s3cret-value");
    expect(server!.output()).not.toContain("k3y-value");
  });

  it("writes no stack trace for ordinary client errors: unknown pages, old ?_data requests, a POST to a page without a form", async () => {
    const before = server!.output().length;
    expect((await send(server!.baseUrl, "/no-such-page")).status).toBe(404);
    // Remix answered these pre-single-fetch requests itself: a warning with a stack each, and a 500 for /login.
    expect((await send(server!.baseUrl, "/no-such-page?_data=root")).status).toBe(400);
    expect((await send(server!.baseUrl, "/login?_data=routes%2Flogin")).status).toBe(400);
    expect((await send(server!.baseUrl, "/framework", { method: "POST", body: new URLSearchParams({ a: "1" }) })).status).toBe(405);
    await waitFor(() => requestLines(server!).filter((line) => line.status === 405).length === 1, "the 405's log line");
    const logged = server!.output().slice(before);
    expect(logged).not.toMatch(/^\s+at /m);
    expect(logged).not.toMatch(/Error/);
  });

  it("warns at start that TRUST_PROXY=true lets a client choose its address", () => {
    expect(server!.output()).toContain("TRUST_PROXY=true believes every X-Forwarded-For entry");
  });

  it("with TRUST_PROXY=true takes the address a client wrote into X-Forwarded-For (what the warning is about)", async () => {
    expect(await clientAddressLogged(server!, "203.0.113.9, 198.51.100.7")).toBe("203.0.113.9");
  });
});

/** The client address the server logs for a request carrying `forwardedFor` (the last entry as a proxy would append it). */
async function clientAddressLogged(server: PortalServer, forwardedFor: string): Promise<unknown> {
  const reqId = `xff-${Math.random().toString(36).slice(2)}`;
  await send(server.baseUrl, "/healthz", { headers: { "X-Forwarded-For": forwardedFor, "X-Request-Id": reqId } });
  await waitFor(() => requestLines(server).some((line) => line.reqId === reqId), "the request log line");
  return requestLines(server).find((line) => line.reqId === reqId)!.client;
}

describe("a server behind one proxy (TRUST_PROXY=1), with two workers", () => {
  let server: PortalServer | undefined;
  let file = "";
  beforeAll(async () => {
    file = newDatabase();
    server = await startPortal({
      databaseFile: file,
      buildDir: BUILD_DIR,
      env: { WEB_CONCURRENCY: "2", TRUST_PROXY: "1", LOG_LEVEL: "info" },
    });
    await waitFor(() => server!.output().includes(", 2 workers)"), "both workers listening", 60_000);
  }, 120_000);
  afterAll(() => stopPortal(server));

  it("runs a due scheduled job in the primary process only", async () => {
    const db = openDatabase(file);
    try {
      const job = () => db.select().from(scheduledJobs).where(eq(scheduledJobs.name, "refresh-planner-statistics")).get();
      expect(job(), "the job's row, registered at start").toMatchObject({ lastRunAt: null });
      expect(job()!.nextRunAt.getTime()).toBeGreaterThan(Date.now());

      db.update(scheduledJobs)
        .set({ nextRunAt: new Date(0) })
        .where(eq(scheduledJobs.name, "refresh-planner-statistics"))
        .run();
      await waitFor(() => job()!.lastRunAt !== null, "the job to run", 30_000);
      expect(job()).toMatchObject({
        leaseOwner: expect.stringMatching(`^${os.hostname()}:${server!.child.pid}:`),
        lastError: null,
        leaseUntil: null,
      });
      expect(job()!.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      db.$client.close();
    }
  }, 60_000);

  it("counts the address the proxy saw, whatever the client wrote into X-Forwarded-For", async () => {
    expect(await clientAddressLogged(server!, "203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
    expect(await clientAddressLogged(server!, "198.51.100.8")).toBe("198.51.100.8");
  });

  it("sends no HSTS without secure cookies", async () => {
    expect((await send(server!.baseUrl, "/login")).headers.get("strict-transport-security")).toBeNull();
  });
});

describe("npm start", () => {
  /** `npm start` with two workers, leading a process group of its own as a terminal's foreground job would. */
  async function npmStart(env: Record<string, string | undefined> = {}) {
    const port = await freePort();
    const child = spawn("npm", ["start"], {
      cwd: ROOT,
      env: portalEnv({ port, databaseFile: newDatabase(), buildDir: BUILD_DIR, env: { WEB_CONCURRENCY: "2", ...env } }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    await waitFor(() => out.includes(", 2 workers)") || child.exitCode !== null, "npm start to listen", 90_000);
    expect(child.exitCode, out).toBeNull();
    expect((await send(`http://127.0.0.1:${port}`, "/healthz")).status).toBe(200);
    const processes = [child.pid!, ...descendantsOf(child.pid!)];
    // npm, the server's primary and its two workers (a shell between npm and node would make five).
    expect(processes.length, out).toBeGreaterThanOrEqual(4);
    return { child, port, processes, output: () => out };
  }

  async function expectAllStopWithin(processes: number[], ms: number, output: () => string) {
    const started = Date.now();
    try {
      await waitFor(() => !processes.some(isRunning), "npm, the server and its workers to stop", ms);
    } catch (error) {
      const left = processes.filter(isRunning);
      for (const pid of left) process.kill(pid, "SIGKILL");
      throw new Error(`still running after ${ms} ms: ${left.join(", ")}\n${output()}`, { cause: error });
    }
    return Date.now() - started;
  }

  it("stops the server and every worker within 10 s of SIGTERM to the npm process", async () => {
    // Without NODE_ENV, as people run it: every process must still render with React's production build.
    const reporter = path.join(ROOT, "tests/setup/report-react-build.mjs");
    const { child, port, processes, output } = await npmStart({ NODE_ENV: undefined, NODE_OPTIONS: `--import=${reporter}` });
    expect((await send(`http://127.0.0.1:${port}`, "/login")).status).toBe(200);
    process.kill(child.pid!, "SIGTERM");
    expect(await expectAllStopWithin(processes, 10_000, output)).toBeLessThan(10_000);
    const reports = output()
      .split("\n")
      .filter((line) => line.startsWith("[react-builds] "))
      .map((line) => JSON.parse(line.slice("[react-builds] ".length)) as string[]);
    const loaded = reports.flat();
    expect(loaded, output()).toContain("react-dom/cjs/react-dom-server.node.production.min.js");
    expect(
      loaded.filter((file) => file.includes("development")),
      output(),
    ).toEqual([]);
  }, 120_000);

  it("stops the server and every worker within 10 s of Ctrl-C (SIGINT to the foreground process group)", async () => {
    const { child, processes, output } = await npmStart();
    process.kill(-child.pid!, "SIGINT");
    expect(await expectAllStopWithin(processes, 10_000, output)).toBeLessThan(10_000);
  }, 120_000);
});
