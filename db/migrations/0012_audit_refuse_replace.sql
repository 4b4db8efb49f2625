-- Custom migration (drizzle-kit generate --custom): INSERT OR REPLACE and UPSERT onto an
-- existing audit event must fail too. SQLite fires no DELETE trigger when REPLACE removes the
-- conflicting row (unless recursive_triggers is on), so the insert itself checks for the row
-- it would replace, by id and by position in its chain.
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM audit_events WHERE org_id IS NEW.org_id AND seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_replace BEFORE INSERT ON audit_checkpoints
WHEN EXISTS (SELECT 1 FROM audit_checkpoints WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
