#!/usr/bin/env node
/**
 * `npm test`: lint (ESLint, Prettier, the TypeScript compiler), unit and
 * integration tests (vitest), then a production build and
 * the end-to-end suite (playwright) in Debian's Chromium against that build,
 * on a free port (playwright.config.ts) with its own temp database. Ends with
 * one summary line.
 *
 *   npm test              everything
 *   npm test -- lint      lint only
 *   npm test -- unit      vitest only
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
  const unit = readJson(path.join(reports, "vitest.json"));
  if (unit) {
    totals.passed += unit.numPassedTests;
    totals.failed += unit.numFailedTests;
    totals.skipped += unit.numPendingTests + unit.numTodoTests;
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

function run(command, args, env = {}, cleanUp = () => {}) {
  console.log(`\n$ ${path.basename(command)} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  cleanUp();
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

/** Runs one chain of lint commands in a shell, stopping at the first failure; resolves with its exit code. */
function lintChain(chain) {
  const script = chain.map((args) => [process.execPath, ...args].map((a) => JSON.stringify(a)).join(" ")).join(" && ");
  return new Promise((resolve) => spawn("sh", ["-c", script], { stdio: "inherit" }).on("exit", (code) => resolve(code ?? 1)));
}

/** In a full run the lint chains run beside the production build; the build waits for nothing. */
const lintDone = only
  ? Promise.resolve(0)
  : (() => {
      for (const chain of LINT_CHAINS)
        console.log(`\n$ lint: ${chain.map((args) => path.basename(args[0])).join(", ")} (beside the build)`);
      return Promise.all(LINT_CHAINS.map(lintChain)).then((codes) => codes.find((code) => code !== 0) ?? 0);
    })();

// One production build serves the integration tests (real server processes) and the e2e suite.
if (only !== "unit") run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"]);
const lintCode = await lintDone;
if (lintCode !== 0) {
  console.error("Lint failed (ESLint, Prettier or tsc, above): run npm run lint, or npm run format to fix formatting.");
  finish(lintCode);
}
if (only !== "e2e") {
  ensurePoppler();
  run(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${path.join(reports, "vitest.json")}`,
      ...(only === "unit" ? extraArgs : []),
    ],
    only === "unit" ? {} : { PORTAL_TEST_BUILD_DIR: process.env.PORTAL_BUILD_DIR ?? "build" },
  );
}
if (only !== "unit") {
  ensureChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-e2e-"));
  run(
    process.execPath,
    ["node_modules/@playwright/test/cli.js", "test", "--reporter=list,json", ...(only === "e2e" ? extraArgs : [])],
    {
      E2E_DATABASE_URL: path.join(dir, "portal.db"),
      PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(reports, "playwright.json"),
    },
    () => fs.rmSync(dir, { recursive: true, force: true }),
  );
}
finish(0);
