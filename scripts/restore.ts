/**
 * npm run restore -- <backup file>
 * Checks the backup, then copies it into DATABASE_URL with SQLite's online
 * backup (so the result is consistent); stop the server first.
 */
import fs from "node:fs";
import Database from "better-sqlite3";
import { closeSharedDb, databaseFile, getDb, migrateDatabase } from "../db/client";
import { verifyAuditChain } from "../app/modules/audit/audit.server";
import { listAllOrganizations } from "../app/modules/auth/organizations.server";
import { cliOptions, fail } from "./cli";

const { positionals } = cliOptions({});
const file = positionals[0];
if (!file) fail("Name the backup file: npm run restore -- data/backups/portal-….db");
if (!fs.existsSync(file)) fail(`No file at ${file}`);
const backup = new Database(file, { readonly: true, fileMustExist: true });
const integrity = backup.pragma("integrity_check", { simple: true });
if (integrity !== "ok") fail(`${file} failed its integrity check: ${String(integrity)}`);
const target = databaseFile();
await backup.backup(target);
backup.close();
closeSharedDb();
migrateDatabase(getDb());
const broken = [
  ...listAllOrganizations().map((o) => ({ slug: o.slug, result: verifyAuditChain(o.id) })),
  { slug: "(site)", result: verifyAuditChain(null) },
].filter((c) => !c.result.ok);
if (broken.length) fail(`Restored, but audit chains do not verify: ${broken.map((b) => b.slug).join(", ")}`);
console.log(`Restored ${file} into ${target}; integrity ok, audit chains verify.`);
