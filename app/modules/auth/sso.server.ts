import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { memberships, oidcLinkProofs, userIdentities, users } from "../../../db/schema";
import type { OidcSettings } from "../../utils/env.server";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import type { OidcClaims } from "./oidc-strategy.server";
import { activeAdminCount, deleteMembership, findOrganizationBySlug, findUserByEmail, updateMemberRole } from "./organizations.server";
import type { Role } from "./roles";
import { decoyPasswordHash, verifyPassword } from "./password.server";
import type { SessionUser } from "./session.server";
import { isSsoEmail, roleForGroups } from "./single-sign-on";
import { recordLoginFailure } from "./throttle.server";

/**
 * Signing in through an OpenID Connect provider, the site-wide one (OIDC_*)
 * or an organisation's own (org-sso.server.ts), docs/decisions/0009:
 * identities by (issuer, subject), a first sign-in for an existing account
 * only after a password proof, never a site administrator, and membership in
 * the provider's organisation only following the groups claim.
 */

export type SsoOutcome =
  /** `provider`: the settings' id ("env" or an organisation's provider's), which the session keeps for signing out there. */
  | { kind: "signed-in"; user: SessionUser; issuer: string; provider: string }
  /** The email has an account the identity is not linked to: the person proves it with its password first. */
  | { kind: "link"; token: string }
  | { kind: "refused"; status: number; message: string };

/** A password sign-in account created through single sign-on has no password: this hash matches none. */
export const NO_PASSWORD = "sso-only";

const LINK_PROOF_MS = 15 * 60_000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const providerActor = (issuer: string): Actor => ({ type: "system", label: `single sign-on (${issuer})` });

type Client = { ip: string; userAgent: string };

export const SITE_ADMIN_REFUSED = "Site administrators sign in with their password, never through single sign-on. Use the password form.";

function refused(status: number, message: string): SsoOutcome {
  return { kind: "refused", status, message };
}

function noGroupMessage(settings: OidcSettings) {
  return `Your account at the identity provider is in none of the groups that give access to this portal's organisation "${settings.orgSlug}". Ask your administrator to add you to one.`;
}

/** A refused sign-in through the provider, in the site-wide audit chain (as failed password sign-ins are). */
function recordRefusal(tx: DbOrTx, claims: OidcClaims, client: Client, reason: string, userId: number | null = null) {
  recordAuditEvent(tx, {
    orgId: null,
    actor: providerActor(claims.issuer),
    action: "auth.sso_login_refused",
    entityType: "user",
    entityId: userId,
    details: { issuer: claims.issuer, subject: claims.subject, email: claims.email, reason, ...client },
  });
}

/**
 * Brings the membership in the provider's organisation in line with the role
 * the groups give (null: no membership). Changes are audited with the provider
 * as the actor. The organisation's last active administrator keeps the role.
 */
function followGroups(tx: DbOrTx, orgId: number, user: { id: number; email: string }, role: Role | null, issuer: string) {
  const actor = providerActor(issuer);
  const current = tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)))
    .get();
  if (current?.role === role || (!current && role === null)) return;
  if (current?.role === "admin" && activeAdminCount(tx, orgId) <= 1) return;
  if (!current && role) {
    tx.insert(memberships).values({ orgId, userId: user.id, role }).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "member.added",
      entityType: "user",
      entityId: user.id,
      after: { email: user.email, role },
      details: { through: "single sign-on" },
    });
  } else if (current && role) {
    updateMemberRole(tx, orgId, user, current.role, role, actor, { through: "single sign-on" });
  } else if (current) {
    deleteMembership(tx, orgId, user, current.role, actor, {
      through: "single sign-on",
      reason: "no mapped group at the identity provider",
    });
  }
}

function recordSignIn(tx: DbOrTx, claims: OidcClaims, user: { id: number; email: string }, client: Client) {
  tx.update(userIdentities)
    .set({ lastSignInAt: new Date(), email: claims.email ?? user.email })
    .where(and(eq(userIdentities.issuer, claims.issuer), eq(userIdentities.subject, claims.subject)))
    .run();
  recordAuditEvent(tx, {
    orgId: null,
    actor: { type: "user", id: user.id, label: user.email },
    action: "auth.sso_login_succeeded",
    entityType: "user",
    entityId: user.id,
    details: { issuer: claims.issuer, subject: claims.subject, ip: client.ip },
  });
}

const sessionUserOf = (user: typeof users.$inferSelect): SessionUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  isSiteAdmin: user.isSiteAdmin,
});

/**
 * The outcome of a sign-in whose ID token the strategy validated: signed in
 * (the caller starts the session), a password proof needed, or refused with
 * words for the person. Refusals are audited; membership changes stay even
 * when the sign-in is refused (losing every mapped group ends the membership).
 */
export function completeSsoSignIn(settings: OidcSettings, claims: OidcClaims, client: Client): SsoOutcome {
  const email = claims.email;
  const org = findOrganizationBySlug(getDb(), settings.orgSlug);
  if (!org)
    return refused(503, `Single sign-on is set up for an organisation "${settings.orgSlug}" that does not exist. Ask your administrator.`);
  const role = roleForGroups(claims.groups, settings.roleMap, settings.defaultRole);
  return writeTransaction({ orgId: org.id, site: true }, (tx): SsoOutcome => {
    const refuse = (status: number, message: string, reason: string, userId: number | null = null) => {
      recordRefusal(tx, claims, client, reason, userId);
      return refused(status, message);
    };
    if (!email)
      return refuse(403, "The identity provider did not tell the portal your email address, so it cannot sign you in.", "no email");
    if (!claims.emailVerified) {
      return refuse(
        403,
        "The identity provider has not verified your email address, so it cannot sign you in here. Ask its administrators to verify it.",
        "email not verified",
      );
    }
    if (!isSsoEmail(email, settings.domains)) {
      return refuse(
        403,
        `Single sign-on here is for people at ${settings.domains.join(", ")}; ${email} is not one of them. Sign in with your password instead.`,
        "domain not allowed",
      );
    }
    const identity = tx
      .select({ userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.issuer, claims.issuer), eq(userIdentities.subject, claims.subject)))
      .get();
    let user = identity ? tx.select().from(users).where(eq(users.id, identity.userId)).get() : findUserByEmail(tx, email);
    if (user?.isSiteAdmin) return refuse(403, SITE_ADMIN_REFUSED, "site administrator", user.id);
    if (user && !user.active) return refuse(403, "This account is deactivated. Ask your administrator.", "deactivated", user.id);
    if (user && !identity) {
      // Never linked by email alone: the person proves the account with its password first.
      const token = randomBytes(32).toString("base64url");
      tx.delete(oidcLinkProofs).where(eq(oidcLinkProofs.userId, user.id)).run();
      tx.insert(oidcLinkProofs)
        .values({
          tokenHash: hashToken(token),
          issuer: claims.issuer,
          subject: claims.subject,
          userId: user.id,
          email,
          groups: JSON.stringify(claims.groups),
          provider: settings.id,
          expiresAt: new Date(Date.now() + LINK_PROOF_MS),
        })
        .run();
      return { kind: "link", token };
    }
    if (!user) {
      if (!settings.createUsers) {
        return refuse(
          403,
          `There is no account for ${email} here, and this portal does not create accounts on a first sign-in. Ask your administrator to invite you.`,
          "no account",
        );
      }
      if (!role) return refuse(403, noGroupMessage(settings), "no mapped group");
      user = tx
        .insert(users)
        .values({ email, name: claims.name?.trim().slice(0, 120) || email.split("@")[0]!, passwordHash: NO_PASSWORD })
        .returning()
        .get();
      tx.insert(userIdentities)
        .values({ issuer: claims.issuer, subject: claims.subject, userId: user.id, email, lastSignInAt: new Date() })
        .run();
      recordAuditEvent(tx, {
        orgId: org.id,
        actor: providerActor(claims.issuer),
        action: "user.created_by_sso",
        entityType: "user",
        entityId: user.id,
        after: { email, name: user.name },
        details: { issuer: claims.issuer, subject: claims.subject },
      });
    }
    followGroups(tx, org.id, user, role, claims.issuer);
    if (!role) return refuse(403, noGroupMessage(settings), "no mapped group", user.id);
    recordSignIn(tx, claims, user, client);
    return { kind: "signed-in", user: sessionUserOf(user), issuer: claims.issuer, provider: settings.id };
  });
}

/** A pending link the browser holds the secret of, while it has not expired: for the link page. */
export function findPendingLink(token: string | null) {
  if (!token) return null;
  return (
    getDb()
      .select({
        id: oidcLinkProofs.id,
        email: oidcLinkProofs.email,
        issuer: oidcLinkProofs.issuer,
        userId: oidcLinkProofs.userId,
        provider: oidcLinkProofs.provider,
      })
      .from(oidcLinkProofs)
      .where(and(eq(oidcLinkProofs.tokenHash, hashToken(token)), gt(oidcLinkProofs.expiresAt, new Date())))
      .get() ?? null
  );
}

export class WrongPasswordError extends Error {
  constructor() {
    super("That password is not this account's password.");
  }
}

/**
 * The person proved the account with its password: the identity is linked
 * (single use: the pending link is gone) and the sign-in completes as any
 * later one does, membership following the groups asserted at the time.
 */
export async function completeSsoLink(
  settings: OidcSettings,
  token: string,
  password: string,
  client: Client,
): Promise<SsoOutcome | WrongPasswordError> {
  const pending = findPendingLink(token);
  if (!pending) return refused(410, "This link request has expired. Sign in through single sign-on again.");
  const account = getDb().select().from(users).where(eq(users.id, pending.userId)).get();
  const valid = await verifyPassword(password, account?.passwordHash ?? (await decoyPasswordHash()));
  if (!account || !valid) {
    writeTransaction("bookkeeping", (tx) => {
      recordLoginFailure(tx, pending.email, client.ip, client.userAgent);
      recordAuditEvent(tx, {
        orgId: null,
        actor: { type: "system", label: pending.email },
        action: "auth.login_failed",
        entityType: "user",
        entityId: pending.userId,
        details: { email: pending.email, ip: client.ip, userAgent: client.userAgent, reason: "wrong password linking single sign-on" },
      });
    });
    return new WrongPasswordError();
  }
  const org = findOrganizationBySlug(getDb(), settings.orgSlug);
  if (!org)
    return refused(503, `Single sign-on is set up for an organisation "${settings.orgSlug}" that does not exist. Ask your administrator.`);
  return writeTransaction({ orgId: org.id, site: true }, (tx): SsoOutcome => {
    const proof = tx.select().from(oidcLinkProofs).where(eq(oidcLinkProofs.id, pending.id)).get();
    if (!proof) return refused(410, "This link request was used already. Sign in through single sign-on again.");
    tx.delete(oidcLinkProofs).where(eq(oidcLinkProofs.id, proof.id)).run();
    const user = tx.select().from(users).where(eq(users.id, proof.userId)).get()!;
    const claims: OidcClaims = {
      issuer: proof.issuer,
      subject: proof.subject,
      email: proof.email,
      emailVerified: true,
      name: null,
      groups: JSON.parse(proof.groups) as string[],
    };
    const refuse = (status: number, message: string, reason: string) => {
      recordRefusal(tx, claims, client, reason, user.id);
      return refused(status, message);
    };
    if (user.isSiteAdmin) return refuse(403, SITE_ADMIN_REFUSED, "site administrator");
    if (!user.active) return refuse(403, "This account is deactivated. Ask your administrator.", "deactivated");
    const taken = tx
      .select({ userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.issuer, proof.issuer), eq(userIdentities.subject, proof.subject)))
      .get();
    if (taken) return refuse(409, "This identity is linked to an account already. Sign in through single sign-on again.", "linked already");
    const role = roleForGroups(claims.groups, settings.roleMap, settings.defaultRole);
    tx.insert(userIdentities)
      .values({ issuer: proof.issuer, subject: proof.subject, userId: user.id, email: proof.email, lastSignInAt: new Date() })
      .run();
    recordAuditEvent(tx, {
      orgId: null,
      actor: { type: "user", id: user.id, label: user.email },
      action: "user.identity_linked",
      entityType: "user",
      entityId: user.id,
      details: { issuer: proof.issuer, subject: proof.subject, ip: client.ip },
    });
    followGroups(tx, org.id, user, role, proof.issuer);
    if (!role) return refuse(403, noGroupMessage(settings), "no mapped group");
    recordSignIn(tx, claims, user, client);
    return { kind: "signed-in", user: sessionUserOf(user), issuer: proof.issuer, provider: settings.id };
  });
}
