/**
 * npm run restore -- <backup file>
 * Restores a backup without ever making things worse:
 * 1. refuses while anything has the database open (the server, its workers,
 *    another command): it takes SQLite's exclusive lock and holds it to the end;
 * 2. checks a copy of the backup first (integrity, migrations, every audit
 *    chain, its checkpoints and the live database's checkpoints up to the
 *    backup's head) and refuses a bad one without touching the database;
 * 3. records the rollback in each chain it rolls back ("restored from a
 *    backup at sequence N") with a new signed checkpoint, so audit:verify
 *    tells it from a truncation;
 * 4. keeps the database it replaces in data/backups/, then swaps the checked
 *    copy in with one rename.
 * The keys (data/keys/ or AUDIT_SIGNING_KEY, PORTAL_SECRETS_KEY) are not in a
 * backup: the installation's own are used.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databaseFile, migrateDatabase, openDatabase, type Db } from "../db/client";
import {
  backupProblems,
  chainHeads,
  lockDatabaseExclusively,
  recordRollbacks,
  storedCheckpoints,
} from "../app/modules/audit/restore.server";
import type { ChainPoint, Checkpoint } from "../app/modules/audit/checkpoint";
import { cliOptions, fail } from "./cli";

const { positionals } = cliOptions({});
const file = positionals[0];
if (!file) fail("Name the backup file: npm run restore -- data/backups/portal-….db");
if (!fs.existsSync(file)) fail(`No file at ${file}`);
const target = path.resolve(databaseFile());
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const unchanged = "Nothing was changed.";

// 1. Nobody else may have the live database open, now or until the swap.
let live: Db | null = null;
let replacedHeads = new Map<number | null, ChainPoint>();
let liveCheckpoints: Checkpoint[] = [];
if (fs.existsSync(target)) {
  live = lockDatabaseExclusively(target);
  if (!live)
    fail(
      `${target} is in use (a running server, one of its workers or another command has it open): stop the server and try again. ${unchanged}`,
    );
  replacedHeads = chainHeads(live);
  liveCheckpoints = storedCheckpoints(live);
}

// 2. Check a copy of the backup, beside the target so the swap is one rename.
const candidate = `${target}.restoring-${stamp}`;
const refuse = (message: string): never => {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(candidate + suffix, { force: true });
  live?.$client.close();
  fail(`${message} ${unchanged}`);
};
let restored: Db | undefined;
try {
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await backup.backup(candidate);
  } finally {
    backup.close();
  }
  restored = openDatabase(candidate);
  const integrity = restored.$client.pragma("integrity_check", { simple: true });
  if (integrity !== "ok") refuse(`${file} failed its integrity check: ${String(integrity)}.`);
  migrateDatabase(restored);
} catch (error) {
  restored?.$client.close();
  refuse(`${file} is not a usable database backup (${(error as Error).message}).`);
}
const problems = backupProblems(restored!, liveCheckpoints);
if (problems.length) {
  restored!.$client.close();
  const keyHint = problems.some((p) => p.includes("not signed by this installation's key"))
    ? "\nOn another machine, put the installation's audit signing key in place first (data/keys/ or AUDIT_SIGNING_KEY).\n"
    : "\n";
  refuse(`Refused: the audit trail in ${file} does not verify:\n  ${problems.join("\n  ")}${keyHint}`);
}

// 3. Record the rollback in the copy, signed with this installation's key.
const rollbacks = recordRollbacks(restored!, replacedHeads, path.basename(file));
restored!.$client.pragma("wal_checkpoint(TRUNCATE)");
restored!.$client.close();

// 4. Keep what is replaced, then swap.
let kept = "";
if (live) {
  kept = path.join(path.dirname(target), "backups", `portal-replaced-${stamp}.db`);
  fs.mkdirSync(path.dirname(kept), { recursive: true });
  await live.$client.backup(kept);
  live.$client.pragma("wal_checkpoint(TRUNCATE)");
  live.$client.pragma("journal_mode = DELETE");
}
fs.renameSync(candidate, target);
for (const suffix of ["-wal", "-shm"]) fs.rmSync(candidate + suffix, { force: true });
live?.$client.close();

console.log(`Restored ${file} into ${target}; integrity ok, audit chains verify.`);
if (kept) console.log(`The database it replaced is kept at ${kept}.`);
for (const c of rollbacks)
  console.log(
    `Recorded in the ${c.orgId === null ? "site-wide" : `organisation ${c.orgId}`} audit trail: restored from a backup, new checkpoint at sequence ${c.seq}.`,
  );
