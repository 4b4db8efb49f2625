/**
 * npm run backup [-- --out <file>]
 * SQLite's online backup of DATABASE_URL into data/backups/ (safe while the
 * server runs and writes), then an integrity check of the copy.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databaseFile, getDb } from "../db/client";
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
