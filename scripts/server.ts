/**
 * The portal's HTTP server: `npm start` (production build, built first when
 * missing) and `npm run dev` (Vite dev middleware). Applies migrations and the
 * demo seed before listening.
 *
 * In production it runs WEB_CONCURRENCY worker processes (default: one per
 * CPU, at most 4) behind node:cluster, since server rendering is CPU-bound and
 * one process uses one core. SQLite in WAL mode takes writers from several
 * processes (see tests/integration/durability.test.ts); the per-process data
 * cache is keyed by change counters in the database, so it stays correct
 * across workers.
 */
import cluster from "node:cluster";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import express from "express";
import compression from "compression";
import type { ServerBuild } from "@remix-run/node";
import { databaseFile, getDb } from "../db/client";
import { withQueryCounter } from "../db/query-count";
import { prepareDatabase } from "../db/prepare";
import { isCrossOriginMutation, securityHeaders } from "../app/modules/http/security";
import { sessionStorage } from "../app/modules/auth/session.server";
import { PageCache } from "../app/modules/http/page-cache";
import { createPortalRequestHandler, databaseDataVersion } from "../app/modules/http/page-cache.server";

const dev = process.argv.includes("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const buildDir = process.env.PORTAL_BUILD_DIR ?? "build";
const serverBuildFile = path.resolve(buildDir, "server/index.js");
const workerCount = dev ? 1 : workerProcesses(process.env.WEB_CONCURRENCY);

function workerProcesses(setting: string | undefined): number {
  if (setting === undefined || setting === "") return Math.min(os.availableParallelism(), 4);
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 1) {
    console.error(`[portal] WEB_CONCURRENCY must be a whole number of at least 1, got ${JSON.stringify(setting)}`);
    process.exit(1);
  }
  return count;
}

if (cluster.isPrimary) {
  if (!dev && !fs.existsSync(serverBuildFile)) {
    console.log("[portal] No production build yet: building (about a minute)...");
    const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], {
      stdio: "inherit",
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  await prepareDatabase();
  // Creates the generated session secret (when SESSION_SECRET is unset) once, before workers race for it.
  sessionStorage();
  if (workerCount > 1) {
    superviseWorkers(workerCount);
  } else {
    await serve();
  }
} else {
  await serve();
}

/** Forks the workers, replaces one that dies unexpectedly, and stops them all on SIGINT/SIGTERM. */
function superviseWorkers(count: number): void {
  let stopping = false;
  const recentDeaths: number[] = [];
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    console.error(`[portal] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    if (recentDeaths.length > count * 5) {
      console.error("[portal] workers keep dying: giving up");
      process.exit(1);
    }
    cluster.fork();
  });
  let listening = 0;
  cluster.on("listening", () => {
    if (++listening === count) console.log(`[portal] Listening on http://localhost:${port} (${process.env.NODE_ENV}, ${count} workers)`);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      setTimeout(() => process.exit(0), 4000).unref();
    });
  }
}

async function serve(): Promise<void> {

  const viteDevServer = dev
    ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true } }))
    : undefined;

  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY === "true" ? true : process.env.TRUST_PROXY);
  app.use(compression());

  app.use((req, res, next) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.set(securityHeaders(nonce, { dev }));
    // The app reads the client address from this header only; never trust one sent by the client.
    req.headers["x-portal-client-ip"] = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const authorization = req.get("authorization") ?? "";
    if (
      isCrossOriginMutation({
        method: req.method,
        host: req.get("host"),
        origin: req.get("origin"),
        secFetchSite: req.get("sec-fetch-site"),
        hasBearerToken: req.path.startsWith("/api/") && /^Bearer\s/i.test(authorization),
      })
    ) {
      res.status(403).type("text/plain").send("Cross-origin request refused");
      return;
    }
    next();
  });

  if (viteDevServer) {
    app.use(logQueriesPerRequest);
    app.use(viteDevServer.middlewares);
  } else {
    app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
    // Files from public/ sit at the top level; looking only there spares every page request a filesystem stat.
    const publicFiles = express.static(path.join(buildDir, "client"), { maxAge: "1h" });
    app.use((req, res, next) => (/^\/[^/]+\.[a-z0-9]+$/i.test(req.path) ? publicFiles(req, res, next) : next()));
  }

  const build = viteDevServer
    ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(pathToFileURL(serverBuildFile).href)) as ServerBuild);

  // A refusal sent before the body was read (401, 403, 413...) leaves the rest of that body on a
  // keep-alive connection: drain it briefly so the client's next request works, then give up on it.
  app.use((req, res, next) => {
    res.on("finish", () => {
      if (req.complete) return;
      req.removeAllListeners("data");
      req.resume();
      setTimeout(() => {
        if (!req.complete) req.socket.destroy();
      }, 2000).unref();
    });
    next();
  });

  // A regular expression, not "*": Express would decode the path as a parameter and answer a
  // malformed one (`/api/v1/models/%`) with its own HTML 400 before the app could.
  app.all(
    /.*/,
    createPortalRequestHandler({
      build,
      mode: process.env.NODE_ENV,
      getLoadContext: (_req, res) => ({ cspNonce: res.locals.cspNonce as string }),
      // An in-memory database is private to its connection: its writes could not be seen, so no cache.
      pageCache:
        viteDevServer || process.env.PORTAL_PAGE_CACHE === "off" || databaseFile() === ":memory:"
          ? undefined
          : { cache: new PageCache(), dataVersion: databaseDataVersion() },
    }),
  );

  const server = app.listen(port, host, () => {
    if (cluster.isPrimary) console.log(`[portal] Listening on http://localhost:${port} (${process.env.NODE_ENV})`);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      server.close(() => {
        getDb().$client.close();
        process.exit(0);
      });
      setTimeout(() => process.exit(0), 3000).unref();
    });
  }
}

/** Development only: one log line per page or API request with its SQL statement count. */
function logQueriesPerRequest(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (/^\/(@|node_modules|app\/|assets\/)|\.(js|css|map|svg|ico|png|woff2?)$/.test(req.path)) return next();
  const started = performance.now();
  withQueryCounter((counter) => {
    res.on("finish", () => {
      const ms = (performance.now() - started).toFixed(0);
      const flag = counter.queries > 40 ? "  <- many queries: look for a query per listed row" : "";
      console.log(`[queries] ${String(counter.queries).padStart(3)}  ${req.method} ${req.originalUrl} ${res.statusCode} ${ms} ms${flag}`);
    });
    next();
  });
}
