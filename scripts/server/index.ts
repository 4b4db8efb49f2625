/**
 * The portal's HTTP server: `npm start` (the production build, where
 * `npm run build` bundles this file: ./start.ts, ./bundle.ts, ./launch.mjs)
 * and `npm run dev` (Vite dev middleware, through tsx). Reads and checks the
 * environment (app/utils/env.server.ts), applies migrations and the demo seed,
 * then listens: Express sets the security headers (./security.ts), refuses
 * cross-origin state-changing requests and hands every other request to
 * Remix's own request handler. No page is ever served from a cache.
 *
 * In production it runs WEB_CONCURRENCY worker processes (./cluster.ts); the
 * primary process alone runs the scheduled jobs (./jobs.ts). Each request gets
 * a log line (./request-log.ts, JSON through pino) in production.
 * SQLite in WAL mode takes writers from several processes (see
 * tests/integration/durability.test.ts); the per-process data cache is keyed
 * by change counters in the database, so it stays correct across workers.
 */
import "./node-env"; // first: sets NODE_ENV before React, Remix or Express load
import cluster from "node:cluster";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { getDb } from "../../db/client";
import { withQueryCounter } from "../../db/query-count";
import { prepareDatabase } from "../../db/prepare";
import { providerOrigins } from "../../app/modules/auth/org-sso.server";
import { sessionStorage } from "../../app/modules/auth/session.server";
import { buildDirectory, env, EnvError, fixEnv, type Env } from "../../app/utils/env.server";
import { logger } from "../../app/utils/log.server";
import { createScheduler } from "../../app/utils/scheduler.server";
import { superviseWorkers } from "./cluster";
import { JOBS } from "./jobs";
import { requestLog } from "./request-log";
import { isCrossOriginMutation, isLegacyDataRequest, securityHeaders } from "./security";
import { COMPRESSION } from "./settings";

const dev = process.argv.includes("--dev");
const config = checkedEnv();
const buildDir = buildDirectory();
const serverBuildFile = path.resolve(buildDir, "server/index.js");
const workerCount = dev ? 1 : config.WEB_CONCURRENCY;

/** The environment, or a stop with the message that names what is wrong. */
function checkedEnv(): Env {
  try {
    return fixEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[portal] ${error.message}`);
    process.exit(1);
  }
}

if (cluster.isPrimary) {
  if (!dev && !fs.existsSync(serverBuildFile)) {
    console.error(`[portal] No production build in ${buildDir}: npm run build first (npm start builds one when missing).`);
    process.exit(1);
  }
  await prepareDatabase();
  // Creates the generated session secret (when SESSION_SECRET is unset) once, before workers race for it.
  sessionStorage();
  if (config.TRUST_PROXY === true) {
    console.warn(
      "[portal] WARNING: TRUST_PROXY=true believes every X-Forwarded-For entry, so a client can choose the address " +
        "that sign-in throttling counts. Set the number of proxies in front instead (TRUST_PROXY=1 behind one).",
    );
  }
  const scheduler = createScheduler(JOBS);
  scheduler.start(env().SCHEDULER_POLL_MS);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void scheduler.stop());
  if (workerCount > 1) {
    superviseWorkers(workerCount, { announce: () => announce(`${workerCount} workers`) });
  } else {
    await serve();
  }
} else {
  await serve();
}

function announce(detail?: string): void {
  console.log(`[portal] Listening on http://localhost:${config.PORT} (${config.NODE_ENV}${detail ? `, ${detail}` : ""})`);
}

async function serve(): Promise<void> {
  const viteDevServer = dev ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true } })) : undefined;

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  // Development has its own line per request (logQueriesPerRequest below).
  if (!dev) app.use(requestLog(logger, { trustProxy: Boolean(config.TRUST_PROXY) }));
  app.use(compression(COMPRESSION));

  // The sign-in form's email step redirects to a single sign-on provider: the site-wide one, or an organisation's
  // (read for the sign-in page only, whose form it is; they change while the server runs).
  const siteFormActions = config.OIDC ? [new URL(config.OIDC.issuer).origin] : [];
  app.use((req, res, next) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    const formActions = req.path === "/login" ? providerOrigins() : siteFormActions;
    res.set(securityHeaders(nonce, { dev, hsts: config.COOKIE_SECURE, formActions }));
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
    if (isLegacyDataRequest(req.url)) {
      res.status(400).type("text/plain").send("?_data requests are not supported");
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
    createRequestHandler({
      build,
      mode: config.NODE_ENV,
      getLoadContext: (_req, res) => ({ cspNonce: res.locals.cspNonce as string }),
    }),
  );

  const server = app.listen(config.PORT, config.HOST, () => {
    if (cluster.isPrimary) announce();
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
