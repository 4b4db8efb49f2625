import { and, eq, gt } from "drizzle-orm";
import { getDb, writeTransaction, type Db } from "../../../db/client";
import { notifications, organizations } from "../../../db/schema";
import type { TrailVerification } from "../audit/checkpoints.server";
import { allChains, verifyAuditTrailYielding } from "../audit/checkpoints.server";
import { membersWithRoles, notify } from "./notifications.server";

/**
 * A broken audit trail is told to the organisation's admins and auditors, in
 * the portal and by email: found by the nightly check of every trail, or by
 * anyone's "verify" (page, API). At most once a day per organisation, so a
 * trail that stays broken does not flood anyone. A verify against a number
 * and hash typed in that disagrees only with them alerts nobody.
 */

const DAY_MS = 86_400_000;

/** Tells the organisation's admins and auditors when `verification` failed; returns whether it told anyone. */
export function alertBrokenTrail(orgId: number, verification: TrailVerification, now = new Date(), db: Db = getDb()): boolean {
  // Only the trail's own evidence raises the alarm: a sequence number and hash someone typed in may hold a typo, and
  // a false alarm would also silence a real one for a day. The person who typed them sees the disagreement.
  if (verification.ok || verification.brokenBy === "anchor") return false;
  const { brokenBy } = verification;
  const toldToday = db
    .select({ id: notifications.id })
    .from(notifications)
    .where(
      and(
        eq(notifications.orgId, orgId),
        eq(notifications.eventType, "audit.verification_failed"),
        gt(notifications.createdAt, new Date(now.getTime() - DAY_MS)),
      ),
    )
    .get();
  if (toldToday) return false;
  const org = db
    .select({ slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .get();
  if (!org) return false;
  const readers = membersWithRoles(db, orgId, ["admin", "auditor"]);
  writeTransaction(
    { orgId },
    (tx) =>
      notify(
        tx,
        {
          orgId,
          type: "audit.verification_failed",
          recipients: readers,
          title: `The audit trail of ${org.name} failed verification`,
          body:
            `Verification stopped at event ${verification.firstBrokenSeq} (found by the ${brokenBy}): ` +
            `${verification.reason}. The trail may have been altered outside the portal. Compare it with an exported ` +
            `copy or a board report's head hash, and restore from a backup if it was tampered with.`,
          path: `/orgs/${org.slug}/audit`,
          data: { firstBrokenSeq: verification.firstBrokenSeq, brokenBy, reason: verification.reason },
        },
        now,
      ),
    db,
  );
  return true;
}

/**
 * The scheduler's nightly check: verifies every organisation's trail and alerts on a broken one; returns how many
 * were broken. It yields between batches of events: with one server process, requests are served meanwhile.
 */
export async function verifyTrailsNightly(now = new Date(), db: Db = getDb()): Promise<number> {
  let broken = 0;
  for (const orgId of allChains(db)) {
    if (orgId === null) continue; // the site-wide chain has no organisation to tell; `npm run audit:verify` checks it
    const verification = await verifyAuditTrailYielding(orgId, [], db);
    if (!verification.ok) {
      broken++;
      alertBrokenTrail(orgId, verification, now, db);
    }
  }
  return broken;
}
