import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { writeTransaction, type Db } from "../../../db/client";
import * as schema from "../../../db/schema";
import { allChains, chainHead, recordRestore, verifyAuditTrail, type StoredCheckpoint } from "./checkpoints.server";
import { auditCheckpoints } from "../../../db/schema";
import type { ChainPoint, Checkpoint } from "./checkpoint";

/**
 * The pieces of `npm run restore` (scripts/restore.ts) that touch the database.
 *
 * Whether a server uses the database: every open connection to a SQLite
 * database in WAL mode holds a shared lock on the file for as long as it is
 * open (the server, each of its workers, any other command), and the kernel
 * drops it when the process ends. So taking SQLite's exclusive lock (locking
 * mode EXCLUSIVE, then a write transaction, without waiting) succeeds only when
 * nothing else has the database open, and holding it keeps a server from
 * starting until the restore is done.
 */
export function lockDatabaseExclusively(file: string): Db | null {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE; COMMIT");
    return drizzle(db, { schema });
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") return null;
    throw error;
  }
}

/** Each chain's head (organisation id, or null for the site-wide chain). */
export function chainHeads(db: Db): Map<number | null, ChainPoint> {
  const heads = new Map<number | null, ChainPoint>();
  for (const orgId of allChains(db)) {
    const head = chainHead(orgId, db);
    if (head) heads.set(orgId, head);
  }
  return heads;
}

/** The live database's checkpoints, to check the backup against: it must be an earlier state of the same trail. */
export function storedCheckpoints(db: Db): Checkpoint[] {
  return db
    .select()
    .from(auditCheckpoints)
    .all()
    .map((row) => ({ ...row, version: 1 as const, createdAt: row.createdAt.toISOString() }));
}

/**
 * What is wrong with a (migrated) backup, one line per chain: its hash chains
 * and the checkpoints it holds, then the live database's checkpoints up to the
 * backup's head (a checkpoint past it is what the restore rolls back).
 */
export function backupProblems(backup: Db, liveCheckpoints: readonly Checkpoint[]): string[] {
  const problems: string[] = [];
  for (const orgId of allChains(backup)) {
    const headSeq = chainHead(orgId, backup)?.seq ?? 0;
    const covered = liveCheckpoints.filter((c) => c.orgId === orgId && c.seq <= headSeq);
    const result = verifyAuditTrail(orgId, covered, backup);
    if (!result.ok) problems.push(`${orgId === null ? "site-wide chain" : `organisation ${orgId}`}: ${result.reason}`);
  }
  return problems;
}

/**
 * Records the restore in every chain of the restored copy that the live
 * database had reached further, or at all: an event "restored from a backup
 * at sequence N" and a new checkpoint (so verify tells the rollback from a
 * truncation). Chains the restore does not roll back get nothing.
 */
export function recordRollbacks(restored: Db, replacedHeads: Map<number | null, ChainPoint>, backupName: string): StoredCheckpoint[] {
  return writeTransaction(
    "bookkeeping",
    (tx) => {
      const written: StoredCheckpoint[] = [];
      for (const orgId of allChains(tx)) {
        const replaced = replacedHeads.get(orgId);
        const head = chainHead(orgId, tx);
        if (!replaced || (head && head.seq === replaced.seq && head.hash === replaced.hash)) continue;
        const checkpoint = recordRestore(tx, orgId, replaced, backupName);
        if (checkpoint) written.push(checkpoint);
      }
      return written;
    },
    restored,
  );
}
