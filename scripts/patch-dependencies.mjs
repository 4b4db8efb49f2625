#!/usr/bin/env node
/**
 * Runs after every `npm install` / `npm ci` (the `postinstall` script).
 *
 * @remix-run/router 1.23 (the Remix v2 router) flattens, ranks and compiles
 * every route pattern into a RegExp again on each call of `matchRoutes`, and
 * the server calls it several times per request. With this app's ~70 routes
 * that was a fifth of the server's CPU under load (see scripts/bench and the
 * README's benchmark notes). The route table of a server build never changes,
 * so this patch memoises the ranked branches per route array and the compiled
 * patterns per pattern string. Upstream discussion: remix-run/react-router
 * PRs #12098, #14864, #14866 and #14967 (the fix landed in React Router 7 only).
 *
 * Only the CommonJS build used by Node is patched; the browser bundle is not
 * (client-side lazy route discovery mutates its route arrays in place).
 * Idempotent: a marker comment says the file is already patched. When the
 * anchors are missing (a different router version) it warns and changes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PATCH_MARKER = "/* portal-perf-patch: memoised route matching */";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROUTER_FILE = path.join(root, "node_modules/@remix-run/router/dist/router.cjs.js");

const EDITS = [
  {
    anchor: "function matchRoutesImpl(routes, locationArg, basename, allowPartial) {",
    before: `${PATCH_MARKER}
const portalRankedBranches = new WeakMap();
const portalCompiledPaths = new Map();
`,
  },
  {
    anchor: "  let branches = flattenRoutes(routes);\n  rankRouteBranches(branches);\n",
    replace: `  let branches = portalRankedBranches.get(routes);
  if (branches === undefined) {
    branches = flattenRoutes(routes);
    rankRouteBranches(branches);
    portalRankedBranches.set(routes, branches);
  }
`,
  },
  {
    anchor: "function compilePath(path, caseSensitive, end) {\n",
    after: `  const portalKey = path + "\\u0000" + caseSensitive + "\\u0000" + end;
  const portalCached = portalCompiledPaths.get(portalKey);
  if (portalCached !== undefined) return portalCached;
  const portalCompiled = portalCompilePathUncached(path, caseSensitive, end);
  // Route patterns are a fixed set; the cap only guards ad-hoc matchPath() calls.
  if (portalCompiledPaths.size >= 2000) portalCompiledPaths.clear();
  portalCompiledPaths.set(portalKey, portalCompiled);
  return portalCompiled;
}
function portalCompilePathUncached(path, caseSensitive, end) {
`,
  },
];

export function patchRouterSource(source) {
  if (source.includes(PATCH_MARKER)) return { source, status: "already patched" };
  let patched = source;
  for (const edit of EDITS) {
    if (patched.split(edit.anchor).length !== 2) return { source, status: `anchor not found exactly once: ${JSON.stringify(edit.anchor.slice(0, 60))}` };
    const replacement = edit.replace ?? `${edit.before ?? ""}${edit.anchor}${edit.after ?? ""}`;
    patched = patched.replace(edit.anchor, () => replacement);
  }
  return { source: patched, status: "patched" };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!fs.existsSync(ROUTER_FILE)) {
    console.warn(`[patch-dependencies] ${path.relative(root, ROUTER_FILE)} not found: nothing patched`);
  } else {
    const { source, status } = patchRouterSource(fs.readFileSync(ROUTER_FILE, "utf8"));
    if (status === "patched") fs.writeFileSync(ROUTER_FILE, source);
    const log = status === "patched" || status === "already patched" ? console.log : console.warn;
    log(`[patch-dependencies] @remix-run/router route matching: ${status}`);
  }
}
