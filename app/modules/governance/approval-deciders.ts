import type { Role } from "../auth/roles";

/** What decides whether a member may decide an open approval request. */
export type DeciderFacts = {
  /** The roles whose approval the request still waits for. */
  pendingRoles: readonly Role[];
  /** The member who opened it (null: a pipeline token did). */
  requesterUserId: number | null;
  /** The model's owning person (null: none). */
  ownerUserId: number | null;
  /** The members who already decided on it. */
  decidedByUserIds: readonly number[];
};

/**
 * Why this member cannot decide an open request, in their words, or null when they can: the
 * four-eyes rules (not the requester, not the model's owner), one decision per person, and a
 * role the request still waits for. The reviews badge, the Reviews list and the request's page
 * all ask this, so they agree.
 */
export function whyCannotDecide(request: DeciderFacts, member: { role: Role; userId: number }): string | null {
  if (request.requesterUserId === member.userId) return "You opened this request, so others decide it (four-eyes rule).";
  if (request.ownerUserId === member.userId) return "You own this model, so others decide its promotion (four-eyes rule).";
  if (request.decidedByUserIds.includes(member.userId)) return "You have already decided on this request.";
  if (!request.pendingRoles.includes(member.role)) {
    return request.pendingRoles.length
      ? `It waits for ${request.pendingRoles.join(" and ")}; your role (${member.role}) does not decide it.`
      : "It waits for no more approvals.";
  }
  return null;
}
