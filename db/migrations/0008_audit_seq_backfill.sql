-- Custom migration (drizzle-kit generate --custom): number existing audit events 1, 2, 3… per chain.
-- The append-only trigger is lifted for this one statement and put back; `seq` is not part of the hash.
DROP TRIGGER audit_events_no_update;
--> statement-breakpoint
UPDATE audit_events SET seq = numbered.rn
FROM (SELECT id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS rn FROM audit_events) AS numbered
WHERE numbered.id = audit_events.id;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
