/**
 * npm run backup [-- --out <file>]
 * SQLite's online backup of DATABASE_URL into data/backups/ (safe while the
 * server runs and writes), then an integrity check of the copy. The keys are
 * not in it, by design (a stolen backup must not forge audit checkpoints or
 * open stored secrets): it names them so they are backed up separately.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databaseFile, getDb } from "../db/client";
import { env } from "../app/utils/env.server";
import { KEY_FILES, keysDirectory } from "../app/utils/keys.server";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({ out: { type: "string" } });
const source = databaseFile();
if (!fs.existsSync(source)) fail(`No database at ${source}`);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const target = path.resolve(values.out ?? path.join(path.dirname(source), "backups", `portal-${stamp}.db`));
fs.mkdirSync(path.dirname(target), { recursive: true });
await getDb().$client.backup(target);
const copy = new Database(target, { readonly: true });
const integrity = copy.pragma("integrity_check", { simple: true });
copy.close();
if (integrity !== "ok") fail(`The backup at ${target} failed its integrity check: ${String(integrity)}`);
console.log(`Backed up ${source} to ${target} (${(fs.statSync(target).size / 1024).toFixed(0)} KB, integrity ok)`);

const keys = [
  env().AUDIT_SIGNING_KEY ? "AUDIT_SIGNING_KEY (environment)" : path.join(keysDirectory(), KEY_FILES.auditSigning),
  env().PORTAL_SECRETS_KEY ? "PORTAL_SECRETS_KEY (environment)" : path.join(keysDirectory(), KEY_FILES.secrets),
];
console.log(
  `Not in the backup, by design: the keys ${keys.join(" and ")}. Keep a copy of them apart from the backups; a restore needs them (README, "Backups and keys").`,
);
