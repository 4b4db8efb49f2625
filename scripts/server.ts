/**
 * The portal's HTTP server: `npm start` (production build, built first when
 * missing) and `npm run dev` (Vite dev middleware). Applies migrations and the
 * demo seed before listening.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { getDb } from "../db/client";
import { prepareDatabase } from "../db/prepare";
import { isCrossOriginMutation, securityHeaders } from "../app/modules/http/security";

const dev = process.argv.includes("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const buildDir = process.env.PORTAL_BUILD_DIR ?? "build";
const serverBuildFile = path.resolve(buildDir, "server/index.js");

if (!dev && !fs.existsSync(serverBuildFile)) {
  console.log("[portal] No production build yet: building (about a minute)...");
  const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

await prepareDatabase();

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
  app.use(viteDevServer.middlewares);
} else {
  app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
}

const build = viteDevServer
  ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
  : ((await import(pathToFileURL(serverBuildFile).href)) as ServerBuild);

app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV,
    getLoadContext: (_req, res) => ({ cspNonce: res.locals.cspNonce as string }),
  }),
);

const server = app.listen(port, host, () => {
  console.log(`[portal] Listening on http://localhost:${port} (${process.env.NODE_ENV})`);
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
