/**
 * npm run bench:hostile
 * The benchmark's hostile-inputs section alone (hostile.ts): the demo
 * organisation in a temp database, the production build (PORTAL_BUILD_DIR,
 * default build-bench) started as `npm run bench` starts it, each worst
 * request shape timed against it. Prints the section and its budget lines;
 * exits 1 when a budget fails. `npm run bench` measures the same shapes
 * against the large organisation and puts them in its report.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeSharedDb, getDb, migrateDatabase } from "../../db/client";
import { DEMO_ORG, DEMO_USERS, demoPassword, seedDemoOrganization } from "../../db/seed";
import { buildDirectory } from "../../app/utils/env.server";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { hostileBudgetLines } from "./budgets";
import { findHostileTargets, measureHostileInputs } from "./hostile";
import { hostileSection, textTable } from "./report";
import { cleanUpAfter, ensureBuild, exitWith, login, startPortal, stopAll } from "./servers";

async function main(): Promise<number> {
  const buildDir = buildDirectory("build-bench");
  ensureBuild(buildDir, console.log);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-bench-hostile-"));
  const dbFile = path.join(tmp, "portal.db");
  return cleanUpAfter(tmp, async () => {
    // eslint-disable-next-line no-restricted-syntax -- points this process's app connection (read through the env module) at the bench database
    process.env.DATABASE_URL = dbFile;
    migrateDatabase(getDb());
    const { orgId } = await seedDemoOrganization();
    const token = createApiToken(orgId, { name: "bench-hostile", scopes: [...API_SCOPES] }, { ...SYSTEM_ACTOR, label: "bench" }).token;
    closeSharedDb();
    const portal = await startPortal({ dbFile, buildDir });
    console.log("[bench] hostile inputs ...");
    const cookie = await login(portal.origin, DEMO_USERS[0]!.email, demoPassword());
    const results = await measureHostileInputs(portal.origin, await findHostileTargets(portal.origin, token, DEMO_ORG.slug, cookie));
    await stopAll();
    const lines = hostileBudgetLines(results);
    console.log(`\n${textTable(hostileSection(results)).join("\n")}\n`);
    const failed = lines.filter((line) => !line.pass);
    console.log(`[bench] ${lines.length - failed.length}/${lines.length} hostile-input budgets pass`);
    for (const line of failed) console.log(`[bench] FAIL ${line.target}: ${line.actual} (limit ${line.limit})`);
    return failed.length ? 1 : 0;
  });
}

exitWith(main);
