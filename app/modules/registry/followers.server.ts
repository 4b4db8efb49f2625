import { and, eq } from "drizzle-orm";
import { getDb, reusableSql, writeTransaction, type DbOrTx } from "../../../db/client";
import { modelFollowers } from "../../../db/schema";
import { DomainError } from "../../utils/errors";
import { recordAuditEvent } from "../audit/audit.server";
import { findModelBySlug } from "./registry.server";

/**
 * People who follow a model besides its owner: any member may follow any model
 * of their organisation, and hears of its incidents and objective breaches
 * (`modelWatchers` in notifications.server.ts reads this table). Following
 * and unfollowing are audited: they decide who is told about the model.
 */

/** The member following or not; the audit trail names the person, not a token (only people follow). */
export type Follower = { userId: number; label: string };

function requireModel(tx: DbOrTx, orgId: number, slug: string) {
  const model = findModelBySlug(orgId, slug, tx);
  if (!model) throw new DomainError("not_found", "Model not found");
  return model;
}

/**
 * Follows the model (`following`) or stops following it. Already so: nothing changes and nothing is
 * audited. Answers whether it changed.
 */
export function setFollowing(orgId: number, modelSlug: string, follower: Follower, following: boolean, now = new Date()): boolean {
  return writeTransaction({ orgId }, (tx) => {
    const model = requireModel(tx, orgId, modelSlug);
    const changed = following
      ? tx.insert(modelFollowers).values({ orgId, modelId: model.id, userId: follower.userId, createdAt: now }).onConflictDoNothing().run()
      : tx
          .delete(modelFollowers)
          .where(and(eq(modelFollowers.modelId, model.id), eq(modelFollowers.userId, follower.userId)))
          .run();
    if (changed.changes === 0) return false;
    const view = { model: model.slug, follower: follower.label };
    recordAuditEvent(tx, {
      orgId,
      actor: { type: "user", id: follower.userId, label: follower.label },
      action: following ? "model.followed" : "model.unfollowed",
      entityType: "model",
      entityId: model.id,
      ...(following ? { after: view } : { before: view }),
    });
    return true;
  });
}

const followStateQuery = reusableSql<{ followers: number; following: number }, { modelId: number; userId: number }>(
  `SELECT count(*) AS followers, coalesce(sum(user_id = :userId), 0) AS following FROM model_followers WHERE model_id = :modelId`,
);

/** How many follow the model, and whether this person does (the model page's button): one query. */
export function followState(modelId: number, userId: number, db: DbOrTx = getDb()) {
  const row = followStateQuery.get({ modelId, userId }, db);
  return { followers: row?.followers ?? 0, following: (row?.following ?? 0) > 0 };
}
