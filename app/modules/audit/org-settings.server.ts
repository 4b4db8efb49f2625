import { writeTransaction, type Tx } from "../../../db/client";
import { orgSettings } from "../../../db/schema";
import { recordAuditEvent, type Actor } from "./audit.server";

type OrgSettingsValues = Partial<Omit<typeof orgSettings.$inferInsert, "orgId" | "updatedAt">>;

/**
 * The one way an admin changes the organisation's settings (`org_settings`,
 * one row per organisation, created at the first change): reads what was
 * (`read`, inside the transaction), writes `after`, and records `action` with
 * old and new in the same transaction. Unless `after` equals what was: then
 * nothing is written or recorded. Returns `after`.
 */
export function changeOrgSettings<T extends OrgSettingsValues>(
  orgId: number,
  actor: Actor,
  action: string,
  read: (tx: Tx) => T,
  after: T,
): T {
  return writeTransaction({ orgId }, (tx) => {
    const before = read(tx);
    if (Object.keys(after).every((key) => Object.is(before[key as keyof T], after[key as keyof T]))) return after;
    tx.insert(orgSettings)
      .values({ orgId, ...after, updatedAt: new Date() })
      .onConflictDoUpdate({ target: orgSettings.orgId, set: { ...after, updatedAt: new Date() } })
      .run();
    recordAuditEvent(tx, { orgId, actor, action, entityType: "organization", entityId: orgId, before, after });
    return after;
  });
}
