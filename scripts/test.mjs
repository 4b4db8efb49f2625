#!/usr/bin/env node
/**
 * `npm test`: lint (ESLint, Prettier, the TypeScript compiler), unit and
 * integration tests (vitest), a production build and the end-to-end suite
 * (playwright) in Debian's Chromium against that build, on a free port
 * (playwright.config.ts) with its own temp database. Ends with one summary line.
 *
 * A full run is two phases, each keeping both cores busy:
 *   1. the lint chains, the production build and vitest's unit project, side by side;
 *   2. once all of those passed: Playwright, with vitest's integration project beside it (the browser
 *      suite mostly waits on pages and timers and used about half of two cores alone). The integration
 *      output is kept and printed when both are done, so the two logs do not interleave.
 *
 *   npm test              everything
 *   npm test -- lint      lint only
 *   npm test -- unit      vitest only (both projects)
 *   npm test -- e2e [pw]  playwright only (extra args go to playwright)
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const only = ["lint", "unit", "e2e"].includes(process.argv[2]) ? process.argv[2] : undefined;
const extraArgs = process.argv.slice(only ? 3 : 2);
const reports = fs.mkdtempSync(path.join(os.tmpdir(), "portal-test-reports-"));
const totals = { passed: 0, failed: 0, skipped: 0 };

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function tally() {
  for (const name of ["vitest.json", "vitest-unit.json", "vitest-integration.json"]) {
    const vitest = readJson(path.join(reports, name));
    if (!vitest) continue;
    totals.passed += vitest.numPassedTests;
    totals.failed += vitest.numFailedTests;
    totals.skipped += vitest.numPendingTests + vitest.numTodoTests;
  }
  const e2e = readJson(path.join(reports, "playwright.json"));
  if (e2e?.stats) {
    totals.passed += e2e.stats.expected + e2e.stats.flaky;
    totals.failed += e2e.stats.unexpected;
    totals.skipped += e2e.stats.skipped;
  }
}

function finish(code) {
  tally();
  fs.rmSync(reports, { recursive: true, force: true });
  console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(code);
}

function run(command, args, env = {}) {
  console.log(`\n$ ${path.basename(command)} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) finish(result.status ?? 1);
}

const hasCommand = (name) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;

/** Installs a Debian package when we are root with apt; otherwise says how and stops. */
function ensureDebianPackage(what, debianPackage, hint) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !hasCommand("apt-get")) {
    console.error(`${what} is missing: install it with 'sudo apt-get install -y ${debianPackage}'${hint}, then run npm test again.`);
    finish(1);
  }
  console.log(`${what} is missing: installing Debian's ${debianPackage} package...`);
  run("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debianPackage} >/dev/null`]);
}

function ensureChromium() {
  if (!fs.existsSync(CHROMIUM)) ensureDebianPackage(`Chromium (${CHROMIUM})`, "chromium", " (or set CHROMIUM_PATH)");
}

/** The PDF checks read reports back with poppler's pdftotext. */
function ensurePoppler() {
  if (!hasCommand("pdftotext")) ensureDebianPackage("pdftotext", "poppler-utils", "");
}

/**
 * The lint checks, as two chains that each keep one core busy (tsc alone is the longest, about as long
 * as ESLint and Prettier together). Prettier and tsc keep caches in .cache/ (git-ignored), so a second
 * run only re-checks what changed; ESLint runs without one, as its cycle rule looks across files.
 */
const CACHE = ".cache";
const LINT_CHAINS = [
  [
    ["node_modules/eslint/bin/eslint.js", "--max-warnings=0", "."],
    ["node_modules/prettier/bin/prettier.cjs", "--check", "--log-level=warn", "--cache", `--cache-location=${CACHE}/prettier`, "."],
  ],
  [["node_modules/typescript/bin/tsc", "--noEmit", "--incremental", "--tsBuildInfoFile", `${CACHE}/tsc.tsbuildinfo`]],
];
if (only === "lint") {
  for (const args of LINT_CHAINS.flat()) run(process.execPath, args);
  finish(0);
}

/**
 * Starts a command; resolves with its exit code. With `keepOutput` its output is collected (and returned as
 * `output()`) instead of going to the terminal.
 */
function start(label, command, args, { env = {}, keepOutput = false } = {}) {
  const started = performance.now();
  const child = spawn(command, args, { stdio: keepOutput ? ["ignore", "pipe", "pipe"] : "inherit", env: { ...process.env, ...env } });
  const chunks = [];
  if (keepOutput) for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => chunks.push(chunk));
  const code = new Promise((resolve) =>
    child.on("close", (exitCode) => {
      console.log(
        `\n[${label}] ${exitCode === 0 ? "passed" : `failed (exit ${exitCode})`} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      resolve(exitCode ?? 1);
    }),
  );
  return { code, output: () => Buffer.concat(chunks).toString() };
}

/** One chain of lint commands in a shell, stopping at the first failure. */
function startLintChain(chain) {
  const script = chain.map((args) => [process.execPath, ...args].map((a) => JSON.stringify(a)).join(" ")).join(" && ");
  return start(`lint: ${chain.map((args) => path.basename(args[0])).join(", ")}`, "sh", ["-c", script]);
}

const vitestArgs = (reportName, extra = []) => [
  "node_modules/vitest/vitest.mjs",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${path.join(reports, reportName)}`,
  ...extra,
];
const VITEST_ENV = { PORTAL_TEST_BUILD_DIR: process.env.PORTAL_BUILD_DIR ?? "build" };

if (only === "unit") {
  ensurePoppler();
  run(process.execPath, vitestArgs("vitest.json", extraArgs));
  finish(0);
}

/** Playwright against the production build, on a temp database; resolves with its exit code. */
function startPlaywright(args) {
  ensureChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-e2e-"));
  const playwright = start(
    "playwright",
    process.execPath,
    ["node_modules/@playwright/test/cli.js", "test", "--reporter=list,json", ...args],
    {
      env: { E2E_DATABASE_URL: path.join(dir, "portal.db"), PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(reports, "playwright.json") },
    },
  );
  return playwright.code.finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

if (only === "e2e") {
  run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"]);
  finish(await startPlaywright(extraArgs));
}

// Phase 1: lint, the build (its asset list kept unless it fails) and the unit tests.
ensurePoppler();
for (const chain of LINT_CHAINS) console.log(`\n$ lint: ${chain.map((args) => path.basename(args[0])).join(", ")}`);
console.log("$ remix vite:build (output shown if it fails)\n$ vitest --project unit");
const build = start("build", process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], { keepOutput: true });
const phaseOne = await Promise.all([
  ...LINT_CHAINS.map((chain) => startLintChain(chain).code),
  build.code,
  start("vitest unit", process.execPath, vitestArgs("vitest-unit.json", ["--project", "unit"])).code,
]);
if ((await build.code) !== 0) console.error(build.output());
const phaseOneFailure = phaseOne.find((code) => code !== 0);
if (phaseOneFailure !== undefined) {
  console.error("Phase 1 failed (above). Lint: npm run lint, or npm run format to fix formatting; then npm test again.");
  finish(phaseOneFailure);
}

// Phase 2: the browser suite, with the integration tests beside it.
console.log("\n$ playwright test (with vitest --project integration beside it; its output follows the browser suite's)");
const integration = start("vitest integration", process.execPath, vitestArgs("vitest-integration.json", ["--project", "integration"]), {
  env: VITEST_ENV,
  keepOutput: true,
});
const [e2eCode, integrationCode] = await Promise.all([startPlaywright([]), integration.code]);
console.log("\n$ vitest --project integration (ran beside the browser suite)");
process.stdout.write(integration.output());
finish(e2eCode || integrationCode);
