import { eq } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { orgSettings } from "../../../db/schema";
import type { Actor } from "../audit/audit.server";
import { changeOrgSettings } from "../audit/org-settings.server";
import { nextDigestAt } from "./digest-schedule";
import type { OrgTimeZone } from "./notification-schemas";

/**
 * The organisation's time zone (`org_settings.time_zone`, UTC until an admin
 * chooses): weekly digests go out Monday 08:00 there.
 */
export function getOrgTimeZone(orgId: number, now: Date = new Date(), db: DbOrTx = getDb()) {
  const row = db
    .select({ timeZone: orgSettings.timeZone, sentFor: orgSettings.digestSentFor })
    .from(orgSettings)
    .where(eq(orgSettings.orgId, orgId))
    .get();
  const timeZone = row?.timeZone ?? "UTC";
  return { timeZone, nextDigestAt: nextDigestAt(now, timeZone, row?.sentFor ?? null) };
}

/** Sets the organisation's time zone (already checked and spelled as the zone spells itself), audited with old and new. */
export function updateOrgTimeZone(orgId: number, input: OrgTimeZone, actor: Actor): string {
  const read = (tx: DbOrTx) => ({ timeZone: getOrgTimeZone(orgId, new Date(), tx).timeZone });
  return changeOrgSettings(orgId, actor, "settings.time_zone_updated", read, { timeZone: input.timeZone }).timeZone;
}
