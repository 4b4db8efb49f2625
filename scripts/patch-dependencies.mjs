#!/usr/bin/env node
/**
 * Runs after every `npm install` / `npm ci` (the `postinstall` script).
 *
 * Remix v2's server rebuilds its route tree and re-matches it from scratch on
 * every request: @remix-run/router 1.23 flattens, ranks and compiles every
 * route pattern into a RegExp on each `matchRoutes` call, and
 * @remix-run/react's RemixServer (through react-router-dom's
 * createStaticRouter) builds a fresh route tree per render, so nothing can be
 * reused. With this app's ~70 routes that was a fifth of the server's CPU
 * under load (see scripts/bench and the README's performance notes).
 *
 * A server build's route table never changes, so these patches memoise:
 * the ranked branches per route array, the matches per route array and
 * location, and the compiled patterns per pattern string (router), the render-time route tree per build manifest (Remix), and
 * the static router's data routes per route tree (react-router-dom).
 * Upstream discussion: remix-run/react-router PRs #12098, #14864, #14866 and
 * #14967 (the fix landed in React Router 7 only).
 *
 * Only the CommonJS builds used by Node are patched; browser bundles are not
 * (client-side lazy route discovery mutates its route arrays in place).
 * Idempotent: a marker comment says a file is already patched. When the
 * anchors are missing (a different version) it warns and changes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PATCH_MARKER = "/* portal-perf-patch: memoised route matching */";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const PATCHES = [
  {
    name: "@remix-run/router route matching",
    file: path.join(root, "node_modules/@remix-run/router/dist/router.cjs.js"),
    edits: [
      {
        anchor: "function matchRoutesImpl(routes, locationArg, basename, allowPartial) {",
        replace: `${PATCH_MARKER}
const portalRankedBranches = new WeakMap();
const portalCompiledPaths = new Map();
const portalMatchResults = new WeakMap();
// Results per route tree and location (a server sees the same few paths again and again).
// Callers get their own copies: the cached arrays and objects are never handed out.
function matchRoutesImpl(routes, locationArg, basename, allowPartial) {
  const portalKey = basename + "\u0000" + (typeof locationArg === "string" ? locationArg : locationArg.pathname) + "\u0000" + allowPartial;
  let portalResults = portalMatchResults.get(routes);
  if (portalResults === undefined) {
    portalResults = new Map();
    portalMatchResults.set(routes, portalResults);
  }
  let portalHit = portalResults.get(portalKey);
  if (portalHit === undefined) {
    portalHit = portalMatchRoutesUncached(routes, locationArg, basename, allowPartial);
    if (portalResults.size >= 1000) portalResults.clear();
    portalResults.set(portalKey, portalHit);
  }
  if (portalHit === null) return null;
  // One params object shared by every match of a result, as matchRouteBranch makes it.
  const params = portalHit.length > 0 ? { ...portalHit[0].params } : {};
  return portalHit.map((match) => ({ ...match, params }));
}
function portalMatchRoutesUncached(routes, locationArg, basename, allowPartial) {`,
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
    ],
  },
  {
    name: "@remix-run/react server route tree",
    file: path.join(root, "node_modules/@remix-run/react/dist/server.js"),
    edits: [
      {
        anchor: "function RemixServer({",
        before: `${PATCH_MARKER}
const portalServerRoutes = new WeakMap();
`,
      },
      {
        anchor: "  let routes$1 = routes.createServerRoutes(manifest.routes, routeModules, context.future, context.isSpaMode);\n",
        // routeModules is a fresh object per request, but its modules are the build's: key on the root module.
        replace: `  // The tree depends only on the build (manifest and route modules): build it once per build.
  let portalByModules = portalServerRoutes.get(manifest.routes);
  if (portalByModules === undefined) {
    portalByModules = new WeakMap();
    portalServerRoutes.set(manifest.routes, portalByModules);
  }
  let routes$1 = portalByModules.get(routeModules.root);
  if (routes$1 === undefined) {
    routes$1 = routes.createServerRoutes(manifest.routes, routeModules, context.future, context.isSpaMode);
    portalByModules.set(routeModules.root, routes$1);
  }
`,
      },
    ],
  },
  {
    name: "react-router-dom static router",
    file: path.join(root, "node_modules/react-router-dom/server.js"),
    edits: [
      {
        anchor:
          "function createStaticRouter(routes, context, opts = {}) {\n  let manifest = {};\n  let dataRoutes = router.UNSAFE_convertRoutesToDataRoutes(routes, reactRouter.UNSAFE_mapRouteProperties, undefined, manifest);\n",
        replace: `${PATCH_MARKER}
const portalStaticDataRoutes = new WeakMap();
function createStaticRouter(routes, context, opts = {}) {
  let portalCached = portalStaticDataRoutes.get(routes);
  if (portalCached === undefined) {
    let manifest = {};
    portalCached = { manifest, dataRoutes: router.UNSAFE_convertRoutesToDataRoutes(routes, reactRouter.UNSAFE_mapRouteProperties, undefined, manifest) };
    portalStaticDataRoutes.set(routes, portalCached);
  }
  let { manifest, dataRoutes } = portalCached;
`,
      },
    ],
  },
];

/** Applies `edits` to `source` (all or nothing). */
export function patchSource(source, edits) {
  if (source.includes(PATCH_MARKER)) return { source, status: "already patched" };
  let patched = source;
  for (const edit of edits) {
    if (patched.split(edit.anchor).length !== 2) return { source, status: `anchor not found exactly once: ${JSON.stringify(edit.anchor.slice(0, 60))}` };
    const replacement = edit.replace ?? `${edit.before ?? ""}${edit.anchor}${edit.after ?? ""}`;
    patched = patched.replace(edit.anchor, () => replacement);
  }
  return { source: patched, status: "patched" };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const patch of PATCHES) {
    if (!fs.existsSync(patch.file)) {
      console.warn(`[patch-dependencies] ${path.relative(root, patch.file)} not found: nothing patched`);
      continue;
    }
    const { source, status } = patchSource(fs.readFileSync(patch.file, "utf8"), patch.edits);
    if (status === "patched") fs.writeFileSync(patch.file, source);
    const log = status === "patched" || status === "already patched" ? console.log : console.warn;
    log(`[patch-dependencies] ${patch.name}: ${status}`);
  }
}
