import type Database from "better-sqlite3";
import { computeEventHash } from "../../app/modules/audit/hash";

/** An audit_events row as SQLite stores it. */
export type StoredEventRow = {
  id: number;
  org_id: number | null;
  seq: number;
  actor_type: "user" | "token" | "system";
  actor_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  payload: string;
  created_at: number;
  prev_hash: string;
  hash: string;
};

/**
 * What issue #14's probe did with the database file: drops the update trigger,
 * changes events with `change`, then recomputes every hash of the chain with
 * the project's own computeEventHash, so the chain alone verifies again.
 */
export function rewriteChain(db: Database.Database, orgId: number, change: (row: StoredEventRow) => void): void {
  db.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
  const rows = db.prepare("select * from audit_events where org_id = ? order by id").all(orgId) as StoredEventRow[];
  let prev = rows[0]?.prev_hash;
  for (const row of rows) {
    change(row);
    const hash = computeEventHash(prev!, {
      orgId: row.org_id,
      actorType: row.actor_type,
      actorId: row.actor_id,
      actorLabel: row.actor_label,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      payload: row.payload,
      createdAt: row.created_at,
    });
    db.prepare("update audit_events set actor_label = ?, payload = ?, prev_hash = ?, hash = ? where id = ?").run(
      row.actor_label,
      row.payload,
      prev,
      hash,
      row.id,
    );
    prev = hash;
  }
}
