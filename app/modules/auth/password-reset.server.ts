import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, gt, isNull } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { passwordResets, sessions, users } from "../../../db/schema";
import { DomainError } from "../../utils/errors";
import { recordAuditEvent, SYSTEM_ACTOR } from "../audit/audit.server";
import { notify } from "../notifications/notifications.server";
import { hashPassword } from "./password.server";
import { clearLoginFailures } from "./throttle.server";

/**
 * "Forgot your password": a link by email, valid for an hour and once. Only
 * the SHA-256 of its secret is stored. The page answers the same whether or
 * not an account has the email, and requests are throttled per account and
 * per address, so the form can neither list accounts nor flood an inbox.
 * Setting a new password ends every session of the account.
 */

export const RESET_LINK_MINUTES = 60;
/** At most this many links per account, and this many requests per address, in `RESET_WINDOW_MS`. */
export const RESETS_PER_ACCOUNT = 3;
export const RESETS_PER_ADDRESS = 10;
export const RESET_WINDOW_MS = 15 * 60_000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export const resetPath = (token: string) => `/reset-password/${token}`;

/**
 * Emails a reset link when `email` names an active account and neither the
 * account nor the address has asked too often. Says nothing about which: the
 * caller shows one answer for every outcome. Returns the link's secret for
 * tests and the CLI only.
 */
export function requestPasswordReset(email: string, fromAddress: string, now = new Date()): { token: string } | null {
  const since = new Date(now.getTime() - RESET_WINDOW_MS);
  const db = getDb();
  const fromHere = db
    .select({ n: count() })
    .from(passwordResets)
    .where(and(eq(passwordResets.requestedFrom, fromAddress), gt(passwordResets.createdAt, since)))
    .get()!.n;
  if (fromHere >= RESETS_PER_ADDRESS) return null;
  const user = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), eq(users.active, true)))
    .get();
  if (!user) return null;
  const forAccount = db
    .select({ n: count() })
    .from(passwordResets)
    .where(and(eq(passwordResets.userId, user.id), gt(passwordResets.createdAt, since)))
    .get()!.n;
  if (forAccount >= RESETS_PER_ACCOUNT) return null;

  const token = randomBytes(32).toString("base64url");
  writeTransaction("bookkeeping", (tx) => {
    tx.insert(passwordResets)
      .values({
        userId: user.id,
        tokenHash: hashOf(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_LINK_MINUTES * 60_000),
        requestedFrom: fromAddress,
      })
      .run();
    notify(
      tx,
      {
        orgId: null,
        type: "account.password_reset",
        recipients: [user.id],
        inbox: false, // the link is a credential: it goes to the mailbox only
        title: "Reset your password",
        body:
          `Someone (we hope you) asked to reset the password of this account. The link below works once, for ` +
          `${RESET_LINK_MINUTES} minutes. If it was not you, ignore this email: your password stays as it is.`,
        path: resetPath(token),
        data: {},
      },
      now,
    );
  });
  return { token };
}

type OpenReset = { id: number; userId: number; email: string };

/** The account an unused, unexpired link resets, or undefined. */
export function findPasswordReset(token: string, now = new Date()): OpenReset | undefined {
  if (!/^[\w-]{43}$/.test(token)) return undefined;
  return getDb()
    .select({ id: passwordResets.id, userId: passwordResets.userId, email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(
      and(
        eq(passwordResets.tokenHash, hashOf(token)),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, now),
        eq(users.active, true),
      ),
    )
    .get();
}

/** Sets the new password through the link (once), ends every session of the account, and records it. */
export async function resetPassword(token: string, newPassword: string, fromAddress: string, now = new Date()): Promise<{ email: string }> {
  const reset = findPasswordReset(token, now);
  if (!reset) throw new DomainError("not_found", "This link no longer works: it was used or it expired. Ask for a new one.");
  const passwordHash = await hashPassword(newPassword);
  writeTransaction("site", (tx) => {
    // Claimed inside the transaction: two submissions of one link cannot both set a password.
    const claimed = tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.id, reset.id), isNull(passwordResets.usedAt)))
      .run().changes;
    if (claimed === 0) throw new DomainError("not_found", "This link was just used. Ask for a new one if that was not you.");
    tx.update(users).set({ passwordHash }).where(eq(users.id, reset.userId)).run();
    // Every other reset link of the account closes too.
    tx.update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.usedAt)))
      .run();
    const ended = tx.delete(sessions).where(eq(sessions.userId, reset.userId)).run().changes;
    clearLoginFailures(tx, reset.email, fromAddress);
    recordAuditEvent(tx, {
      orgId: null,
      actor: { ...SYSTEM_ACTOR, label: `${reset.email} (reset link)` },
      action: "user.password_reset",
      entityType: "user",
      entityId: reset.userId,
      details: { sessionsEnded: ended, from: fromAddress },
      at: now,
    });
  });
  return { email: reset.email };
}
