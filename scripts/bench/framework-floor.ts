/**
 * npm run bench:floor [-- --seconds 15]
 *
 * What stock Remix costs per request on this machine before the portal does any
 * work of its own: the floor under the mixed-load budget (at least 1.2% of the bare
 * server's throughput, budgets.ts). Builds two stub apps into bench/floor/ with the
 * portal's Remix future flags and its buffered render, and runs each as the portal
 * runs (Express, the same compression, WEB_CONCURRENCY workers):
 *   - "one route": a root and a sign-in page with a form and a loader;
 *   - "the portal's routes": the same, plus an empty module for every other route
 *     file in app/routes, so Remix matches and builds the portal's route table.
 * Then loads, one after the other with the mixed load's 20 connections, the bare
 * node:http server, both stubs' sign-in pages and the portal's own sign-in page (on a
 * demo database), and prints each one's requests a second and share of the bare server.
 *
 * Remix 2 flattens, ranks and matches the whole route table three times per page
 * request and rebuilds its route objects for every render; docs/decisions/0012
 * explains what these figures mean for the budget.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { buildDirectory, env } from "../../app/utils/env.server";
import { COMPRESSION, REMIX_FUTURE } from "../server/settings";
import { cliOptions, fail } from "../cli";
import { BUDGETS, CONDITIONS } from "./budgets";
import { load, type LoadResult } from "./load";
import { cleanUpAfter, ensureBuild, exitWith, startBareServer, startNodeServer, startPortal, stopServer, type Server } from "./servers";

const { values } = cliOptions({ seconds: { type: "string" } });
const seconds = Number(values.seconds ?? CONDITIONS.mixedSeconds);
if (!Number.isInteger(seconds) || seconds < 1) fail("--seconds must be a whole number of at least 1");

const stubsDir = path.resolve("bench/floor");
const remixCli = path.resolve("node_modules/@remix-run/dev/dist/cli.js");

const STUB_FILES = {
  // Remix looks for its server runtime among the app's dependencies; the packages come from the portal's node_modules.
  "package.json": JSON.stringify({
    name: "framework-floor-stub",
    private: true,
    type: "module",
    dependencies: { "@remix-run/node": "*", "@remix-run/react": "*", "@remix-run/express": "*", react: "*", "react-dom": "*" },
  }),
  "vite.config.mjs": `import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
export default defineConfig({ logLevel: "warn", plugins: [remix({ future: ${JSON.stringify(REMIX_FUTURE)} })] });
`,
  "app/root.tsx": `import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";
export default function App() {
  return (
    <html lang="en">
      <head><meta charSet="utf-8" /><Meta /><Links /></head>
      <body><Outlet /><ScrollRestoration /><Scripts /></body>
    </html>
  );
}
`,
  // The portal's render (app/entry.server.tsx): the whole document into one buffer.
  "app/entry.server.tsx": `import { Writable } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
export default function handleRequest(request: Request, status: number, headers: Headers, context: EntryContext) {
  return new Promise<Response>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); },
      final(done) {
        headers.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(Buffer.concat(chunks), { headers, status }));
        done();
      },
    });
    const { pipe } = renderToPipeableStream(<RemixServer context={context} url={request.url} />, {
      onAllReady() { pipe(collect); },
      onShellError: reject,
    });
  });
}
`,
  "app/routes/login.tsx": `import { Form, useLoaderData } from "@remix-run/react";
export function loader() { return { email: "", error: null as string | null }; }
export default function SignIn() {
  const data = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Sign in</h1>
      <Form method="post">
        <label>Email <input name="email" type="email" defaultValue={data.email} /></label>
        <label>Password <input name="password" type="password" /></label>
        {data.error ? <p role="alert">{data.error}</p> : null}
        <button type="submit">Sign in</button>
      </Form>
    </main>
  );
}
`,
  "server.mjs": `import cluster from "node:cluster";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
const workers = Number(process.env.WORKERS);
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const build = await import("./build/server/index.js");
  const app = express();
  app.disable("x-powered-by");
  app.use(compression(${JSON.stringify(COMPRESSION)}));
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  app.all(/.*/, createRequestHandler({ build, mode: "production" }));
  app.listen(Number(process.env.PORT), "127.0.0.1");
}
`,
};

/** An empty module in the stub for one of the portal's route files: what Remix matches is the file's name. */
const emptyRoute = (file: string) =>
  file.endsWith(".tsx") ? "export default function Stub() { return null; }\n" : "export function loader() { return null; }\n";

/** Writes and builds one stub app; `routeFiles` are the route files it has besides the sign-in page. */
function buildStub(name: string, routeFiles: string[]): string {
  const dir = path.join(stubsDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  const files: Record<string, string> = { ...STUB_FILES };
  for (const file of routeFiles) files[`app/routes/${file}`] = emptyRoute(file);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const result = spawnSync(process.execPath, [remixCli, "vite:build"], { cwd: dir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the ${name} stub failed:\n${result.stdout}\n${result.stderr}`);
  return dir;
}

const share = (result: LoadResult, bare: LoadResult) => (result.requestsPerSec / bare.requestsPerSec) * 100;

async function main(): Promise<number> {
  const workers = String(env().WEB_CONCURRENCY);
  const portalRoutes = fs
    .readdirSync("app/routes")
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file) && file !== "login.tsx");
  console.log(
    `[floor] building two stub apps into ${path.relative(process.cwd(), stubsDir)}/ (one route; ${portalRoutes.length + 1} routes) ...`,
  );
  const stubs = [
    { name: "Stock Remix, one route", dir: buildStub("one-route", []) },
    { name: `Stock Remix, the portal's ${portalRoutes.length + 1} routes (empty)`, dir: buildStub("portal-routes", portalRoutes) },
  ];
  const buildDir = buildDirectory("build-bench");
  ensureBuild(buildDir, console.log);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-floor-"));
  return cleanUpAfter(tmp, async () => {
    const results: LoadResult[] = [];
    const measure = async (server: Server, name: string, urlPath: string) => {
      const result = await load(server, { name, kind: "signIn", path: urlPath }, seconds, CONDITIONS.connections);
      if (result.non2xx + result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
      console.log(`[floor] ${name}: ${result.requestsPerSec.toFixed(0)} req/s`);
      results.push(result);
      await stopServer(server);
    };
    await measure(await startBareServer(), "Bare node:http (2 KB)", "/");
    for (const stub of stubs)
      await measure(
        await startNodeServer("stub", ["server.mjs"], { cwd: stub.dir, env: { WORKERS: workers, NODE_ENV: "production" } }),
        stub.name,
        "/login",
      );
    const portal = await startPortal({ dbFile: path.join(tmp, "portal.db"), buildDir });
    await measure(portal, "The portal's sign-in page", "/login");

    const bare = results[0]!;
    const line = `${(BUDGETS.mixedMinRatioToBare * 100).toFixed(1)}% of the bare server is ${((bare.requestsPerSec * BUDGETS.mixedMinRatioToBare) | 0).toLocaleString("en")} req/s`;
    console.log(
      `\n${seconds} s each, ${CONDITIONS.connections} connections, WEB_CONCURRENCY ${workers}, ${os.cpus().length} CPUs; ${line}`,
    );
    console.log("what is loaded                                        req/s   of bare   p97.5 ms");
    for (const result of results) {
      console.log(
        `${result.name.padEnd(50)} ${result.requestsPerSec.toFixed(0).padStart(8)} ${share(result, bare).toFixed(2).padStart(8)}% ${String(result.p975).padStart(10)}`,
      );
    }
    return 0;
  });
}

exitWith(main);
