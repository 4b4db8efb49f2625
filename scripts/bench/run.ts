/**
 * npm run bench [-- --quick] [-- --strict] [-- --cluster]
 * Builds the large demo organisation into a temp database, starts the portal
 * (production build from PORTAL_BUILD_DIR, default build-bench) and a bare
 * node:http server, and measures, in one run:
 *   - server time per page: each member page alone, right after a pipeline write;
 *   - the mixed load: 20 connections as the 5 demo users on every member page,
 *     in random order, while a pipeline writes, against the bare server and the
 *     sign-in page measured the same way;
 *   - the API, a PDF, a 1,000,000-row bias-audit CSV and first-load JavaScript;
 *   - hostile inputs: the worst request shapes, each within 1 s (hostile.ts);
 *   - in a full run (or with --cluster), the mixed load with WEB_CONCURRENCY=1 and 2.
 * Checks the budgets (budgets.ts) and writes bench/results/latest.json and
 * latest.md. Exits 0 unless --strict and a budget fails (or the harness fails).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeSharedDb } from "../../db/client";
import { buildDirectory, env } from "../../app/utils/env.server";
import { DEMO_ORG, DEMO_USERS, demoPassword } from "../../db/seed";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { cliOptions } from "../cli";
import { buildLargeOrganization, LARGE } from "./seed";
import {
  cleanUpAfter,
  drain,
  ensureBuild,
  exitWith,
  login,
  startBareServer,
  startPortal,
  stopAll,
  stopServer,
  type Server,
} from "./servers";
import { checkTarget, load, type LoadResult, type Target } from "./load";
import { BUDGETS, CONDITIONS, QUICK_CONDITIONS, evaluateBudgets, measureCsvAudit, measureFirstLoadJs } from "./budgets";
import { findHostileTargets, measureHostileInputs } from "./hostile";
import { memberPages, SIGN_IN_PAGE } from "./pages";
import type { Pipeline } from "./pipeline";
import { measureServerTime } from "./server-time";
import { mixedLoad, warmUp, type Session } from "./mixed-load";
import { consoleText, counted, markdown, type ClusterRun, type Report } from "./report";

const { values } = cliOptions({ quick: { type: "boolean" }, strict: { type: "boolean" }, cluster: { type: "boolean" } });
const conditions = values.quick ? QUICK_CONDITIONS : CONDITIONS;
const measureCluster = values.cluster || !values.quick;
const CLUSTER_WORKERS = [1, 2];
const buildDir = buildDirectory("build-bench");
const resultsDir = path.resolve("bench/results");
const log = (line: string) => console.log(line);
const ms = (value: number) => (Number.isNaN(value) ? "–" : value.toFixed(1));

async function main(): Promise<number> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  log(`[bench] load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} CPUs`);
  ensureBuild(buildDir, log);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-bench-"));
  const dbFile = path.join(tmp, "portal.db");
  return cleanUpAfter(tmp, async () => {
    const org = await buildLargeOrganization(dbFile, log);
    const token = createApiToken(org.orgId, { name: "bench", scopes: [...API_SCOPES] }, { ...SYSTEM_ACTOR, label: "bench" }).token;
    closeSharedDb();
    const pipeline: Pipeline = { token, models: org.monitoredVersions };

    log("[bench] starting the portal and the bare server ...");
    const [firstPortal, bare] = await Promise.all([startPortal({ dbFile, buildDir }), startBareServer()]);
    let portal: Server = firstPortal;
    const sessions: Session[] = [];
    for (const user of DEMO_USERS) sessions.push({ email: user.email, cookie: await login(portal.origin, user.email, demoPassword()) });
    const pages = memberPages({ slug: DEMO_ORG.slug, modelSlug: org.modelSlug, assessmentId: org.assessmentId, roadmapId: org.roadmapId });
    await warmUp(portal, pages, sessions);
    const admin = sessions[0]!;
    const api = { authorization: `Bearer ${token}` };
    const signInTarget: Target = { name: SIGN_IN_PAGE.name, kind: "signIn", path: SIGN_IN_PAGE.path };
    const otherTargets: Target[] = [
      { name: "API models", kind: "api", path: "/api/v1/models", headers: api },
      { name: "API metrics", kind: "api", path: "/api/v1/metrics", headers: api },
      {
        name: "Assessment PDF",
        kind: "pdf",
        path: `/orgs/${DEMO_ORG.slug}/assessments/${org.assessmentId}.pdf`,
        headers: { cookie: admin.cookie },
      },
    ];
    const singleMs = new Map<string, number>();
    for (const target of [signInTarget, ...otherTargets]) singleMs.set(target.name, await checkTarget(portal.origin, target));
    const firstLoadJs = await measureFirstLoadJs(portal.origin, `/orgs/${DEMO_ORG.slug}/models`, admin.cookie);

    const loadOne = async (server: Server, target: Target, seconds: number) => {
      const result: LoadResult = { ...(await load(server, target, seconds, conditions.connections)), singleMs: singleMs.get(target.name) };
      log(`[bench] ${result.name}: ${result.requestsPerSec.toFixed(0)} req/s, p97.5 ${ms(result.p975)} ms`);
      return result;
    };
    /** (Re)starts the portal with `env` and warms it, so a fresh process is measured as a running one is. */
    const restart = async (env?: Record<string, string>) => {
      await stopServer(portal);
      portal = await startPortal({ dbFile, buildDir, env });
      await warmUp(portal, pages, sessions);
    };
    /** Requests still queued from one load would be billed to the next: wait for the portal to idle, or start it afresh. */
    const settle = async (env?: Record<string, string>) => {
      if (await drain(portal)) return;
      log("[bench]   the portal is still busy with queued requests: restarting it");
      await restart(env);
    };
    const mixed = async (workers: string) => {
      const result = await mixedLoad(portal, pages, sessions, pipeline, {
        durationSec: conditions.mixedSeconds,
        connections: conditions.connections,
        snapshotsPerSecond: conditions.snapshotsPerSecond,
        seed: 20_261_203,
        workers,
      });
      log(
        `[bench] mixed load (WEB_CONCURRENCY ${workers}): ${result.requestsPerSec.toFixed(0)} req/s, p97.5 ${ms(result.p975)} ms, ` +
          `${result.non2xx + result.errors} errors, pipeline ${result.pipeline.posts} posts (${result.pipeline.failed + result.pipeline.errors} failed)`,
      );
      return result;
    };

    const bareResult = await loadOne(bare, { name: "Bare node:http (2 KB)", kind: "bare", path: "/" }, conditions.mixedSeconds);
    await stopServer(bare);
    const signIn = await loadOne(portal, signInTarget, conditions.mixedSeconds);
    await settle();

    log(`[bench] server time: ${conditions.serverTimeSamples} rounds through ${pages.length + 1} pages, each after a pipeline write ...`);
    const serverTime = await measureServerTime(
      portal.origin,
      [...pages.map((page) => ({ ...page, cookie: admin.cookie })), SIGN_IN_PAGE],
      pipeline,
      conditions.serverTimeSamples,
    );
    for (const page of serverTime.pages)
      log(`[bench]   ${page.name}: median ${ms(page.median)} ms, p90 ${ms(page.p90)}, max ${ms(page.max)}`);

    log(`[bench] mixed load: ${conditions.connections} connections as ${sessions.length} people for ${conditions.mixedSeconds} s ...`);
    const mixedResult = await mixed(String(env().WEB_CONCURRENCY));
    await settle();

    const loads: LoadResult[] = [];
    for (const target of otherTargets) {
      loads.push(await loadOne(portal, target, conditions.loadSeconds));
      await settle();
    }

    log("[bench] hostile inputs: the worst request shapes, one at a time ...");
    const hostile = await measureHostileInputs(
      portal.origin,
      await findHostileTargets(portal.origin, token, DEMO_ORG.slug, admin.cookie),
      3,
      log,
    );
    await settle();

    const cluster: ClusterRun[] = [];
    if (measureCluster) {
      for (const workers of CLUSTER_WORKERS) {
        log(`[bench] the worker cluster: WEB_CONCURRENCY=${workers} ...`);
        const env = { WEB_CONCURRENCY: String(workers) };
        await restart(env);
        const clusterSignIn = await loadOne(portal, signInTarget, conditions.mixedSeconds);
        await settle(env);
        cluster.push({ workers, signIn: clusterSignIn, mixed: await mixed(String(workers)) });
      }
    }
    await stopAll();

    log(`[bench] bias-audit CSV: ${BUDGETS.csvRows.toLocaleString("en")} rows in a child process ...`);
    const csvAudit = await measureCsvAudit();
    const budgets = evaluateBudgets({
      serverTime,
      mixed: mixedResult,
      signIn,
      bare: bareResult,
      loads,
      csv: csvAudit,
      js: firstLoadJs,
      hostile,
    });
    const report: Report = {
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}`,
      loadAverage: { start: loadAtStart, end: os.loadavg() },
      quick: Boolean(values.quick),
      conditions,
      seedMs: org.elapsedMs,
      dataset: {
        models: LARGE.models,
        versions: LARGE.models * LARGE.versionsPerModel,
        auditEvents: LARGE.auditEvents,
        snapshots: LARGE.snapshots,
        assessments: LARGE.assessments,
        roadmapItems: LARGE.roadmapItems,
      },
      serverTimeUser: admin.email,
      bare: bareResult,
      signIn,
      serverTime,
      mixed: mixedResult,
      loads,
      cluster,
      csvAudit,
      firstLoadJs,
      hostile,
      budgets,
      limits: BUDGETS,
    };

    console.log("\n" + consoleText(report));
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(path.join(resultsDir, "latest.md"), markdown(report));
    const failed = counted(budgets).filter((b) => !b.pass).length;
    console.log(
      `[bench] ${counted(budgets).length - failed}/${counted(budgets).length} budgets pass; wrote bench/results/latest.json and latest.md ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return values.strict && failed > 0 ? 1 : 0;
  });
}

exitWith(main);
