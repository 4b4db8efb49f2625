/**
 * `npm start`, and every test and benchmark server: runs the bundled server
 * of the production build (./bundle.ts), building it first when it is
 * missing. Plain JavaScript, so that starting needs no TypeScript loader.
 * Worker processes run this file too (node:cluster forks the same script)
 * and go straight to the bundle.
 */
import cluster from "node:cluster";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { SERVER_BUNDLE_ENTRY } from "./bundle-location.mjs";

// The build directory only, read before the server (whose env module checks every variable) is loaded.
// eslint-disable-next-line no-restricted-syntax -- the env module is TypeScript, inside the bundle this starts
const entry = path.resolve(process.env.PORTAL_BUILD_DIR || "build", SERVER_BUNDLE_ENTRY);

if (cluster.isPrimary && !fs.existsSync(entry)) {
  console.log("[portal] No production build yet: building (about a minute)...");
  const result = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// Stack traces name the TypeScript sources (the bundle is written with its source map).
process.setSourceMapsEnabled(true);
await import(pathToFileURL(entry).href);
