/**
 * npm run framework:validate -- <file.json>
 *
 * Checks a framework version file as the site admin's upload page does (the
 * schema of `content/`, then the cross-checks of framework-validation.ts):
 * prints one summary line and exits 0 when it is valid; prints every problem
 * as `path: message` and exits 1 otherwise. Version numbers are checked against
 * the built-in versions and, when the portal's database exists, its uploads.
 * Reads the database only; never writes.
 */
import fs from "node:fs";
import { databaseFile, openDatabase } from "../db/client";
import { frameworkUploadContext } from "../app/modules/assessment/framework-versions.server";
import { findFramework, listBuiltInFrameworkVersions } from "../app/modules/framework/framework";
import { issueLine, validateFrameworkText, type FrameworkContext } from "../app/modules/framework/framework-validation";
import { cliOptions, fail } from "./cli";

const { positionals } = cliOptions({});
if (positionals.length !== 1) fail("name one file: npm run framework:validate -- <file.json>");
const file = positionals[0]!;
let text: string;
try {
  text = fs.readFileSync(file, "utf8");
} catch (error) {
  fail(`cannot read ${file}: ${(error as Error).message}`);
}

function context(): FrameworkContext {
  if (!fs.existsSync(databaseFile())) {
    return { takenVersions: new Set(listBuiltInFrameworkVersions()), findVersion: (version) => findFramework(version) };
  }
  const db = openDatabase(databaseFile());
  try {
    return frameworkUploadContext(db);
  } finally {
    db.$client.close();
  }
}

const result = validateFrameworkText(text, context());
if (!result.ok) {
  console.error(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? "" : "s"}`);
  for (const issue of result.issues) console.error(`  ${issueLine(issue)}`);
  process.exit(1);
}
const { framework } = result;
const statements = framework.components.reduce((n, c) => n + c.capabilities.length, 0);
console.log(
  `${file}: valid: ${framework.name} (${framework.id}) version ${framework.version}, ${framework.components.length} components, ` +
    `${statements} capability statements, ${framework.questions.length} questions, ${framework.evidenceRules.length} evidence rules` +
    (framework.replaces ? `, replaces ids of version ${framework.replaces.version}` : ""),
);
