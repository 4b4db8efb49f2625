/**
 * npm run bench:page -- [--page roadmap] [--rounds 15] [--warm] [--cpu-prof] [--save-html dir] [--against build-dir]
 *
 * A developer's loop for making one page faster, without HTTP or a server:
 * loads the production build (PORTAL_BUILD_DIR, default build-bench; built
 * when missing) into this process, signs in as the demo administrator and
 * times Remix's own request handler on each member page of the large
 * organisation, each request right after a pipeline write (unless --warm),
 * as `npm run bench` does. Prints the median wall and CPU time per page, and
 * with --cpu-prof where the time went; --save-html writes each page's last
 * HTML into the directory, to see what the time is spent rendering.
 * --against loads a second build (say, one of the code before a change) and
 * alternates requests between the two, so both are measured under the same
 * load: on a shared machine the difference is steadier than two runs'. CPU time is this process's own, so it is steadier than wall
 * time when the machine is busy. The numbers that bind are npm run bench's.
 *
 * The large organisation is built once into bench/page-time.db (delete it to
 * rebuild, e.g. after a migration); each run works on a fresh copy of it.
 */
import "../server/node-env"; // first: React must load its production build, as in the server
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Session } from "node:inspector/promises";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { closeSharedDb } from "../../db/client";
import { buildDirectory } from "../../app/utils/env.server";
import { DEMO_ORG, DEMO_USERS, demoPassword } from "../../db/seed";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { cliOptions, fail } from "../cli";
import { buildLargeOrganization, type LargeOrg } from "./seed";
import { ensureBuild } from "./servers";
import { memberPages, SIGN_IN_PAGE, type BenchPage } from "./pages";
import { summarize } from "./stats";

const { values } = cliOptions({
  page: { type: "string" },
  rounds: { type: "string" },
  warm: { type: "boolean" },
  "cpu-prof": { type: "boolean" },
  "save-html": { type: "string" },
  against: { type: "string" },
});
const rounds = Number(values.rounds ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) fail("--rounds must be a whole number of at least 1");

const ORIGIN = "http://localhost";
const seedFile = path.resolve("bench/page-time.db");
const seedInfo = `${seedFile}.json`;

async function main(): Promise<void> {
  const buildDir = buildDirectory("build-bench");
  ensureBuild(buildDir, console.log);
  if (!fs.existsSync(seedFile) || !fs.existsSync(seedInfo)) {
    fs.mkdirSync(path.dirname(seedFile), { recursive: true });
    const org = await buildLargeOrganization(seedFile, console.log);
    closeSharedDb();
    fs.writeFileSync(seedInfo, JSON.stringify(org));
  }
  const org = JSON.parse(fs.readFileSync(seedInfo, "utf8")) as LargeOrg;
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "portal-page-time-")), "portal.db");
  fs.copyFileSync(seedFile, dbFile);
  // The build reads the environment when it first opens the database.
  // eslint-disable-next-line no-restricted-syntax -- points this process (and the build it loads) at the copy
  process.env.DATABASE_URL = dbFile;
  const token = createApiToken(org.orgId, { name: "page-time", scopes: [...API_SCOPES] }, { ...SYSTEM_ACTOR, label: "page-time" }).token;
  closeSharedDb();

  const handlerOf = async (dir: string) => {
    const build = (await import(pathToFileURL(path.resolve(dir, "server/index.js")).href)) as ServerBuild;
    const handle = createRequestHandler(build, "production");
    return async (pathname: string, init: RequestInit = {}) => {
      const response = await handle(new Request(`${ORIGIN}${pathname}`, init), { cspNonce: "bench" });
      const body = await response.arrayBuffer();
      return { status: response.status, headers: response.headers, bytes: body.byteLength, body };
    };
  };
  const request = await handlerOf(buildDir);
  // Both builds share the database (and its session secret), so one sign-in serves both.
  const builds = [{ dir: buildDir, request }];
  if (values.against) builds.push({ dir: values.against, request: await handlerOf(values.against) });

  const admin = DEMO_USERS[0]!;
  const login = await request("/login", {
    method: "POST",
    body: new URLSearchParams({ email: admin.email, password: demoPassword() }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) fail(`signing in as ${admin.email} failed (${login.status})`);

  let writes = 0;
  const pipelineWrite = async () => {
    const model = org.monitoredVersions[writes++ % org.monitoredVersions.length]!;
    const response = await request(`/api/v1/models/${model.slug}/versions/${model.version}/monitoring`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ metrics: { auc: 0.8, latency_ms: 40 + (writes % 30) } }),
    });
    if (response.status !== 201) fail(`the pipeline write answered ${response.status}`);
  };

  const all: BenchPage[] = [
    ...memberPages({ slug: DEMO_ORG.slug, modelSlug: org.modelSlug, assessmentId: org.assessmentId, roadmapId: org.roadmapId }),
    SIGN_IN_PAGE,
  ];
  const pages = values.page ? all.filter((p) => p.key === values.page) : all;
  if (pages.length === 0) fail(`--page must be one of ${all.map((p) => p.key).join(", ")}`);

  const profiler = values["cpu-prof"] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
  }
  const profiles: Profile[] = [];
  const sampleKey = (dir: string, page: BenchPage) => `${dir}\t${page.key}`;
  const samples = new Map(
    builds.flatMap((b) => pages.map((p) => [sampleKey(b.dir, p), { wall: [] as number[], cpu: [] as number[], status: 0, bytes: 0 }])),
  );
  for (let round = 0; round <= rounds; round++) {
    // With two builds, each round takes them in the other order, so neither always comes first.
    for (const [page, build] of pages.flatMap((p) => (round % 2 ? [...builds].reverse() : builds).map((b) => [p, b] as const))) {
      if (!values.warm) await pipelineWrite();
      // Only the page requests are profiled, not the pipeline writes between them.
      if (round > 0) await profiler?.post("Profiler.start");
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const response = await build.request(page.path, { headers: page.key === "signIn" ? {} : { cookie } });
      const wall = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (round > 0 && profiler) profiles.push((await profiler.post("Profiler.stop")).profile);
      const entry = samples.get(sampleKey(build.dir, page))!;
      entry.status = response.status;
      entry.bytes = response.bytes;
      if (values["save-html"] && round === rounds && build.dir === buildDir) {
        fs.mkdirSync(values["save-html"], { recursive: true });
        fs.writeFileSync(path.join(values["save-html"], `${page.key}.html`), Buffer.from(response.body));
      }
      if (round > 0) {
        entry.wall.push(wall);
        entry.cpu.push((cpu.user + cpu.system) / 1000);
      }
    }
  }
  if (profiler) {
    const profile = mergeProfiles(profiles);
    const file = path.resolve(`bench/page-time-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    console.log(`CPU profile: ${file} (open in Chrome DevTools or speedscope)`);
    printProfileSummary(profile);
  }

  console.log(`${values.warm ? "warm" : "after a pipeline write"}; ${rounds} rounds; build ${builds.map((b) => b.dir).join(" against ")}`);
  console.log("page                    status  wall median  wall p90  cpu median   HTML KB");
  for (const page of pages) {
    const [mine, theirs] = builds.map((b) => {
      const { wall, cpu, status, bytes } = samples.get(sampleKey(b.dir, page))!;
      return { status, bytes, wall: summarize(wall), cpu: summarize(cpu) };
    });
    const { wall: w, cpu: c, status, bytes } = mine!;
    const against = theirs
      ? `  against ${theirs.cpu.median.toFixed(1)} ms, ${(theirs.bytes / 1024).toFixed(1)} KB (${(((c.median - theirs.cpu.median) / theirs.cpu.median) * 100).toFixed(0)}% CPU)`
      : "";
    console.log(
      `${page.name.padEnd(22)}  ${String(status).padStart(6)}  ${w.median.toFixed(1).padStart(11)}  ${w.p90.toFixed(1).padStart(8)}  ${c.median.toFixed(1).padStart(10)}  ${(bytes / 1024).toFixed(1).padStart(8)}${against}`,
    );
  }
  fs.rmSync(path.dirname(dbFile), { recursive: true, force: true });
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };

/** One profile of many (one per request): their trees under one root, their samples one after another. */
function mergeProfiles(profiles: Profile[]): Profile {
  const root: ProfileNode = { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [] };
  const merged: Required<Profile> = { nodes: [root], startTime: 0, endTime: 0, samples: [], timeDeltas: [] };
  let offset = 1;
  for (const profile of profiles) {
    const shift = (id: number) => id + offset;
    let maxId = 0;
    for (const node of profile.nodes) {
      maxId = Math.max(maxId, node.id);
      merged.nodes.push({ ...node, id: shift(node.id), children: node.children?.map(shift) });
    }
    root.children!.push(shift(profile.nodes[0]!.id));
    merged.samples.push(...(profile.samples ?? []).map(shift));
    merged.timeDeltas.push(...(profile.timeDeltas ?? []).map((d, i) => (i === 0 ? 0 : d)));
    merged.endTime += profile.endTime - profile.startTime;
    offset += maxId;
  }
  return merged;
}

/** The functions that took the most time, by their own time and with what they called (each counted once per stack). */
function printProfileSummary(profile: Profile, top = 40): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (url: string) => url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? (url.split("/").slice(-2).join("/") || "(native)");
  const label = (id: number) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    return `${functionName || "(anonymous)"} ${where(url)}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const us = profile.timeDeltas?.[i] ?? 0;
    if (["(idle)", "(program)", "(root)"].includes(nodes.get(id)!.callFrame.functionName)) return;
    total += us;
    self.set(label(id), (self.get(label(id)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = label(cur);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      seen.add(key);
    }
  });
  const show = (title: string, map: Map<string, number>) => {
    console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  };
  show("Own time", self);
  show("With callees", inclusive);
}

await main();
process.exit(0);
