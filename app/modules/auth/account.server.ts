import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { auditEvents, memberships, sessions, users } from "../../../db/schema";
import { DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor, type AuditEventInput } from "../audit/audit.server";
import type { PasswordChange } from "./account-schemas";
import { listUserOrganizations } from "./membership.server";
import { hashPassword, verifyPassword } from "./password.server";
import { endOtherSessionsOfUser, endSessionsOfUser, listSessionsOfUser } from "./session.server";

/** Failed sign-ins shown to the account's owner: the last 30 days, at most 20. */
export const FAILED_SIGN_INS_SHOWN = 20;
const FAILED_SIGN_INS_DAYS = 30;

export type FailedSignIn = { at: Date; address: string; userAgent: string; reason: string };

/**
 * Failed sign-ins to an account, newest first, from the site-wide audit
 * chain (which keeps them; the throttle's rows are short-lived).
 */
export function recentFailedSignIns(userId: number, now = Date.now()): FailedSignIn[] {
  const rows = getDb()
    .select({ createdAt: auditEvents.createdAt, payload: auditEvents.payload })
    .from(auditEvents)
    .where(
      and(
        isNull(auditEvents.orgId),
        eq(auditEvents.entityType, "user"),
        eq(auditEvents.entityId, String(userId)),
        eq(auditEvents.action, "auth.login_failed"),
        gt(auditEvents.createdAt, new Date(now - FAILED_SIGN_INS_DAYS * 86_400_000)),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(FAILED_SIGN_INS_SHOWN)
    .all();
  return rows.map((row) => {
    const details = (JSON.parse(row.payload) as { details?: Record<string, unknown> }).details ?? {};
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return { at: row.createdAt, address: text(details.ip), userAgent: text(details.userAgent), reason: text(details.reason) };
  });
}

/** Everything the account page shows. */
export function accountOverview(userId: number) {
  const user = getDb().select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId)).get();
  if (!user) throw new DomainError("not_found", "No such account");
  return {
    user,
    sessions: listSessionsOfUser(userId),
    failedSignIns: recentFailedSignIns(userId),
    memberships: listUserOrganizations(userId),
  };
}

/** An account's own changes are recorded in the site-wide chain (they belong to no organisation). */
const accountEvent = (
  actor: Actor,
  userId: number,
  action: string,
  extra: Pick<AuditEventInput, "before" | "after" | "details">,
): AuditEventInput => ({
  orgId: null,
  actor,
  action,
  entityType: "user",
  entityId: userId,
  ...extra,
});

export function renameAccount(userId: number, name: string, actor: Actor): void {
  writeTransaction("site", (tx) => {
    const before = tx.select({ name: users.name }).from(users).where(eq(users.id, userId)).get();
    if (!before || before.name === name) return;
    tx.update(users).set({ name }).where(eq(users.id, userId)).run();
    recordAuditEvent(tx, accountEvent(actor, userId, "user.renamed", { before, after: { name } }));
  });
}

/** Changes the password after checking the current one; every other session of the account ends, this one goes on. */
export async function changePassword(userId: number, input: PasswordChange, keepSessionId: number, actor: Actor): Promise<void> {
  const row = getDb().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).get();
  if (!row || !(await verifyPassword(input.currentPassword, row.passwordHash))) {
    throw invalid("That is not your current password", "currentPassword");
  }
  const passwordHash = await hashPassword(input.newPassword);
  writeTransaction("site", (tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
    const ended = endOtherSessionsOfUser(tx, userId, keepSessionId);
    recordAuditEvent(tx, accountEvent(actor, userId, "user.password_changed", { details: { otherSessionsEnded: ended } }));
  });
}

/** Ends one session of the account (not someone else's: 404). */
export function endOwnSession(userId: number, sessionId: number, actor: Actor): void {
  writeTransaction("bookkeeping", (tx) => {
    const ended = tx
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
      .run().changes;
    if (!ended) throw new DomainError("not_found", "That session has already ended", "sessionId");
    recordAuditEvent(tx, accountEvent(actor, userId, "auth.session_ended", { details: { sessionId } }));
  });
}

/**
 * An organisation's admin ends every session of one of its members (recorded in the organisation's trail): who, and
 * how many live sessions ended.
 */
export function endMemberSessions(orgId: number, userId: number, actor: Actor): { name: string; email: string; sessions: number } {
  return writeTransaction({ orgId }, (tx) => {
    const member = tx
      .select({ name: users.name, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .get();
    if (!member) throw new DomainError("not_found", "That person is not a member of this organisation", "userId");
    const ended = endSessionsOfUser(tx, userId);
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "user.sessions_ended",
      entityType: "user",
      entityId: userId,
      details: { email: member.email, sessions: ended },
    });
    return { ...member, sessions: ended };
  });
}
