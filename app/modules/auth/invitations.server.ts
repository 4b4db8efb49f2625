import { randomBytes } from "node:crypto";
import { alias } from "drizzle-orm/sqlite-core";
import { and, desc, eq, gt, inArray } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { invitations, memberships, organizations, users } from "../../../db/schema";
import { conflict, DomainError } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { hashToken } from "./api-tokens.server";
import type { InvitationStatus } from "./auth-constants";
import type { OrganizationCreate, OrganizationCreateCommand } from "./auth-schemas";
import {
  activeAdminCount,
  defaultAdminName,
  findUserByEmail,
  insertAccountWithMembership,
  insertOrganization,
} from "./organizations.server";
import { organizationsOpenTo } from "./membership.server";
import { hashPassword } from "./password.server";
import { ROLE_LABELS, type Role } from "./roles";
import { notify } from "../notifications/notifications.server";
import { smtpConfigured } from "../notifications/smtp.server";

/**
 * Joining an organisation takes the person's consent: an admin invites an
 * email, and the person accepts or declines, after signing in (existing
 * accounts) or through the invitation link (which also lets a new person
 * choose a password). Nothing the admin does or is told depends on whether
 * an account exists for the email, and until the person accepts the
 * organisation sees only the email it typed.
 */

/** How long an invitation link stays valid. */
export const INVITATION_LIFETIME_DAYS = 14;
const DAY_MS = 86_400_000;

/** What a repeated invitation form says instead of the link, which only the first answer showed. */
export const INVITATION_SHOWN_ONCE =
  "Done already: this invitation was sent twice, and its link was shown to the first sending only. If you did not copy it, invite the same email again: that makes a new link, and the old one stops working.";

/**
 * What an administrator reads once an invitation is made (`invited` says for
 * what: "Invitation for a@b.c"), above the link. The link is emailed too when
 * the server sends email; otherwise the administrator passes it on.
 */
export function invitationCreatedNotice(invited: string): string {
  const passOn = smtpConfigured()
    ? `created and emailed to them. The link below is the same one, should the email not arrive`
    : `created. Copy this link and send it to them`;
  return `${invited} ${passOn}: it works once, for ${INVITATION_LIFETIME_DAYS} days. If they already have an account, they can also accept after signing in, under Invitations.`;
}

/** The path of an invitation link; the secret is 256 random bits, stored only as its SHA-256. */
export const invitationPath = (token: string) => `/invitations/${token}`;

const notOpen = () => new DomainError("not_found", "This invitation is no longer open", "invitationId");

function memberByEmail(tx: DbOrTx, orgId: number, email: string) {
  return tx
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(users.email, email)))
    .get();
}

/**
 * Invites `email` to join `orgId` with `role`; returns the link's secret (shown
 * once, to copy). Whether an account exists for the email is not looked at:
 * the answer is the same either way. A pending invitation of the same email
 * is replaced, so its old link stops working.
 */
export function createInvitation(orgId: number, input: { email: string; role: Role }, actor: Actor, now = new Date()) {
  return writeTransaction({ orgId }, (tx) => inviteNonMember(tx, orgId, input, actor, now));
}

function inviteNonMember(tx: DbOrTx, orgId: number, input: { email: string; role: Role }, actor: Actor, now: Date) {
  // The organisation already sees its members' emails: saying so tells it nothing new.
  if (memberByEmail(tx, orgId, input.email.trim().toLowerCase())) throw conflict("This person is already a member", "email");
  return insertInvitation(tx, orgId, input, actor, now);
}

/**
 * A site administrator invites an administrator into an organisation that has
 * no active one (its first administrator never accepted: the link was lost or
 * expired). As the member page's invitation: the same answer whether or not an
 * account exists, and the email's pending invitation is replaced. An
 * organisation with an administrator is refused: its administrators invite
 * people from its member page.
 */
export function inviteOrganizationAdministrator(orgId: number, email: string, actor: Actor, now = new Date()) {
  return writeTransaction({ orgId }, (tx) => {
    const org = tx.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get();
    if (!org) throw new DomainError("not_found", "No such organisation", "form");
    if (activeAdminCount(tx, orgId) > 0) {
      throw conflict(`"${org.name}" already has an administrator: they invite people from its member page.`, "form");
    }
    return { org, invitation: inviteNonMember(tx, orgId, { email, role: "admin" }, actor, now) };
  });
}

/**
 * The latest end of each organisation's pending administrator invitations
 * (past `now` when they all expired); organisations without one are absent.
 */
export function pendingAdministratorInvitations(orgIds: number[]): Map<number, Date> {
  const latest = new Map<number, Date>();
  if (orgIds.length === 0) return latest;
  const rows = getDb()
    .select({ orgId: invitations.orgId, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(and(inArray(invitations.orgId, orgIds), eq(invitations.role, "admin"), eq(invitations.status, "pending")))
    .all();
  for (const row of rows) {
    const seen = latest.get(row.orgId);
    if (!seen || row.expiresAt > seen) latest.set(row.orgId, row.expiresAt);
  }
  return latest;
}

/** Records a pending invitation (replacing the email's pending one) and its audit event; returns it with its secret. */
function insertInvitation(tx: DbOrTx, orgId: number, input: { email: string; role: Role }, actor: Actor, now: Date) {
  const email = input.email.trim().toLowerCase();
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_DAYS * DAY_MS);
  const replaced = tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.email, email), eq(invitations.status, "pending")))
    .all();
  for (const old of replaced) closeInvitation(tx, old, "revoked", actor, now, { reason: "invited again" });
  const row = tx
    .insert(invitations)
    .values({
      orgId,
      email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedByUserId: actor.type === "user" ? actor.id : null,
      createdAt: now,
      expiresAt,
    })
    .returning()
    .get();
  recordAuditEvent(tx, {
    orgId,
    actor,
    action: "invitation.created",
    entityType: "invitation",
    entityId: row.id,
    after: { email, role: input.role, expiresAt: expiresAt.toISOString() },
  });
  const org = tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get();
  // The link is a credential: it goes to the mailbox only (the invitations page lists it for a signed-in person).
  notify(
    tx,
    {
      orgId,
      type: "invitation.created",
      recipients: [],
      emailAddresses: [email],
      inbox: false,
      title: `You are invited to join ${org?.name ?? "an organisation"}`,
      body:
        `${actor.type === "user" ? actor.label : "An administrator"} invites you to join ${org?.name ?? "an organisation"} ` +
        `on the AI maturity and governance portal as ${ROLE_LABELS[input.role]}. The link works for ` +
        `${INVITATION_LIFETIME_DAYS} days; there you accept or decline, and choose a password if you are new.`,
      path: invitationPath(token),
      data: { role: input.role },
    },
    now,
  );
  return { id: row.id, email, role: row.role, expiresAt, token };
}

/**
 * A site administrator creates an organisation: its first administrator is
 * invited, and joins by accepting (after signing in, or through the link,
 * where a new person chooses a password). The same whether or not an account
 * exists for the email; returns the organisation and the invitation's secret.
 */
export function createOrganizationWithInvitation(input: OrganizationCreate, actor: Actor, now = new Date()) {
  return writeTransaction("site", (tx) => organizationWithInvitation(tx, input, actor, now));
}

function organizationWithInvitation(tx: DbOrTx, input: OrganizationCreate, actor: Actor, now: Date) {
  const org = insertOrganization(tx, input, actor);
  return { org, invitation: insertInvitation(tx, org.id, { email: input.adminEmail, role: "admin" }, actor, now) };
}

/**
 * `npm run org:create`: as the page (an invitation), except that with a
 * password, an email without an account gets a new account with it as the
 * administrator: how an operator starts an empty installation. An existing
 * account is never made a member here; it is invited.
 */
export async function createOrganizationForCommand(input: OrganizationCreateCommand, actor: Actor, now = new Date()) {
  const passwordHash = input.adminPassword === undefined ? undefined : await hashPassword(input.adminPassword);
  return writeTransaction("site", (tx) => {
    if (passwordHash === undefined || findUserByEmail(tx, input.adminEmail)) return organizationWithInvitation(tx, input, actor, now);
    const org = insertOrganization(tx, input, actor, input.adminEmail);
    const name = input.adminName ?? defaultAdminName(input.adminEmail);
    return { org, admin: insertAccountWithMembership(tx, org.id, { email: input.adminEmail, name, passwordHash, role: "admin" }) };
  });
}

/** What the admin page shows: a pending invitation past its end reads as expired. */
export type InvitationView = InvitationStatus | "expired";

const inviter = alias(users, "inviter");

/** An organisation's invitations, newest first: only what the admin typed, never the account behind the email. */
export function listInvitations(orgId: number, now = new Date(), limit = 50) {
  return getDb()
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      status: invitations.status,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      respondedAt: invitations.respondedAt,
      invitedBy: inviter.email,
    })
    .from(invitations)
    .leftJoin(inviter, eq(inviter.id, invitations.invitedByUserId))
    .where(eq(invitations.orgId, orgId))
    .orderBy(desc(invitations.id))
    .limit(limit)
    .all()
    .map((row) => ({
      ...row,
      status: (row.status === "pending" && row.expiresAt <= now ? "expired" : row.status) as InvitationView,
    }));
}

/** An admin withdraws a pending invitation: its link stops working and the person no longer sees it. */
export function revokeInvitation(orgId: number, invitationId: number, actor: Actor, now = new Date()) {
  return writeTransaction({ orgId }, (tx) => {
    const row = tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.orgId, orgId)))
      .get();
    if (!row) throw new DomainError("not_found", "No such invitation", "invitationId");
    if (row.status !== "pending") throw conflict(`This invitation was already ${row.status}`, "invitationId");
    closeInvitation(tx, row, "revoked", actor, now);
  });
}

/** Ends a pending invitation without a member: revoked by the organisation or declined by the person. */
function closeInvitation(
  tx: DbOrTx,
  invitation: { id: number; orgId: number; email: string },
  status: "revoked" | "declined",
  actor: Actor,
  now: Date,
  details?: Record<string, string>,
) {
  tx.update(invitations).set({ status, respondedAt: now }).where(eq(invitations.id, invitation.id)).run();
  recordAuditEvent(tx, {
    orgId: invitation.orgId,
    actor,
    action: status === "revoked" ? "invitation.revoked" : "invitation.declined",
    entityType: "invitation",
    entityId: invitation.id,
    before: { email: invitation.email, status: "pending" },
    after: { email: invitation.email, status },
    details,
  });
}

const openInvitationColumns = {
  id: invitations.id,
  orgId: invitations.orgId,
  orgSlug: organizations.slug,
  orgName: organizations.name,
  email: invitations.email,
  role: invitations.role,
  expiresAt: invitations.expiresAt,
  invitedBy: inviter.name,
};

/** The open invitations addressed to a signed-in person's email, for /invitations and the account page. */
export function listPendingInvitationsForUser(user: { email: string }, now = new Date()) {
  return getDb()
    .select(openInvitationColumns)
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedByUserId))
    .where(and(eq(invitations.email, user.email.toLowerCase()), eq(invitations.status, "pending"), gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.id))
    .all();
}

export type PendingInvitation = ReturnType<typeof listPendingInvitationsForUser>[number];

/** The open invitation a link names, or undefined (used, revoked, expired or never issued: all alike). */
export function findInvitationByToken(token: string, now = new Date()): PendingInvitation | undefined {
  return getDb()
    .select(openInvitationColumns)
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedByUserId))
    .where(and(eq(invitations.tokenHash, hashToken(token)), eq(invitations.status, "pending"), gt(invitations.expiresAt, now)))
    .get();
}

/** The open invitation `id` addressed to `email`, read inside the write transaction; else not found. */
function openInvitationFor(tx: DbOrTx, where: { id: number } | { tokenHash: string }, now: Date) {
  const row = tx
    .select()
    .from(invitations)
    .where(
      and(
        "id" in where ? eq(invitations.id, where.id) : eq(invitations.tokenHash, where.tokenHash),
        eq(invitations.status, "pending"),
        gt(invitations.expiresAt, now),
      ),
    )
    .get();
  if (!row) throw notOpen();
  return row;
}

/** The organisation an invitation belongs to, to scope its write transaction; not found when there is none. */
function orgOf(where: { id: number } | { tokenHash: string }): number {
  const row = getDb()
    .select({ orgId: invitations.orgId })
    .from(invitations)
    .where("id" in where ? eq(invitations.id, where.id) : eq(invitations.tokenHash, where.tokenHash))
    .get();
  if (!row) throw notOpen();
  return row.orgId;
}

function joinOrganization(
  tx: DbOrTx,
  invitation: typeof invitations.$inferSelect,
  user: { id: number; email: string },
  now: Date,
  newAccount: boolean,
) {
  const already = tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, invitation.orgId), eq(memberships.userId, user.id)))
    .get();
  if (!already) tx.insert(memberships).values({ orgId: invitation.orgId, userId: user.id, role: invitation.role }).run();
  tx.update(invitations)
    .set({ status: "accepted", respondedAt: now, acceptedUserId: user.id })
    .where(eq(invitations.id, invitation.id))
    .run();
  recordAuditEvent(tx, {
    orgId: invitation.orgId,
    actor: { type: "user", id: user.id, label: user.email },
    action: "invitation.accepted",
    entityType: "user",
    entityId: user.id,
    after: { email: user.email, role: already?.role ?? invitation.role },
    details: { invitationId: invitation.id, newAccount },
  });
  return tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, invitation.orgId)).get()!;
}

/** The signed-in person accepts an invitation addressed to their email: they become a member with its role. */
export function acceptInvitation(user: { id: number; email: string }, invitationId: number, now = new Date()) {
  const orgId = orgOf({ id: invitationId });
  return writeTransaction({ orgId, site: true }, (tx) => {
    const invitation = openInvitationFor(tx, { id: invitationId }, now);
    if (invitation.email !== user.email.toLowerCase()) throw notOpen();
    return { orgSlug: joinOrganization(tx, invitation, user, now, false).slug };
  });
}

/** The signed-in person declines an invitation addressed to their email. */
export function declineInvitation(user: { id: number; email: string }, invitationId: number, now = new Date()) {
  const orgId = orgOf({ id: invitationId });
  writeTransaction({ orgId }, (tx) => {
    const invitation = openInvitationFor(tx, { id: invitationId }, now);
    if (invitation.email !== user.email.toLowerCase()) throw notOpen();
    closeInvitation(tx, invitation, "declined", { type: "user", id: user.id, label: user.email }, now);
  });
}

/**
 * Whoever holds the link declines. Recorded as the link's doing, not an
 * account's, so a decline says nothing about whether an account exists.
 */
export function declineInvitationByToken(token: string, now = new Date()) {
  const tokenHash = hashToken(token);
  const orgId = orgOf({ tokenHash });
  writeTransaction({ orgId }, (tx) => {
    const invitation = openInvitationFor(tx, { tokenHash }, now);
    closeInvitation(tx, invitation, "declined", { type: "system", label: "invitation link" }, now);
  });
}

/**
 * A new person joins through the link: the account is created with the name
 * and password they chose, and joins the organisation with the invitation's
 * role. An existing account is never changed here (its owner signs in and
 * accepts), so the link cannot be used to take one over.
 *
 * `passwordOpens` says whether a password session may open the organisation's
 * pages (`requireMember`): false when it requires single sign-on through its
 * provider, so the person signs in there instead of being signed in now.
 */
export async function createAccountFromInvitation(token: string, input: { name: string; password: string }, now = new Date()) {
  const tokenHash = hashToken(token);
  const orgId = orgOf({ tokenHash });
  const passwordHash = await hashPassword(input.password);
  const joined = writeTransaction({ orgId, site: true }, (tx) => {
    const invitation = openInvitationFor(tx, { tokenHash }, now);
    if (findUserByEmail(tx, invitation.email)) {
      throw conflict("An account with this email already exists: sign in with it to accept the invitation", "form");
    }
    const user = tx.insert(users).values({ email: invitation.email, name: input.name, passwordHash }).returning().get();
    return { orgSlug: joinOrganization(tx, invitation, user, now, true).slug, email: user.email, userId: user.id };
  });
  const passwordOpens = organizationsOpenTo({ id: joined.userId, email: joined.email }, null).some((org) => org.id === orgId);
  return { ...joined, passwordOpens };
}
