import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, openDatabase } from "../../db/client";

/** Builds a migrated, empty database file once; tests copy it instead of migrating again. */
export function createBaseDatabase(dir: string): string {
  const file = path.join(dir, "base.db");
  const db = openDatabase(file);
  migrateDatabase(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.pragma("journal_mode = DELETE");
  db.$client.close();
  return file;
}

/** A private copy of the base database in its own temp dir. */
export function copyBaseDatabase(baseFile: string, prefix = "portal-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, "portal.db");
  fs.copyFileSync(baseFile, file);
  return file;
}
