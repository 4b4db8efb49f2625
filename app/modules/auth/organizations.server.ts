import { and, count, eq, sql } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { memberships, organizations, userIdentities, users } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { hashPassword } from "./password.server";
import { endSessionsOfUser } from "./session.server";
import type { Role } from "./roles";

export function findOrganizationBySlug(db: DbOrTx, slug: string) {
  return db.select().from(organizations).where(eq(organizations.slug, slug)).get();
}

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.select().from(users).where(eq(users.email, email.toLowerCase())).get();
}

/** Every organisation, with its member count and how many active administrators it has (for the site admin page). */
export function listAllOrganizations() {
  return getDb()
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      createdAt: organizations.createdAt,
      members: count(memberships.id),
      admins: sql<number>`coalesce(sum(${memberships.role} = 'admin' and ${users.active} = 1), 0)`.mapWith(Number),
    })
    .from(organizations)
    .leftJoin(memberships, eq(memberships.orgId, organizations.id))
    .leftJoin(users, eq(users.id, memberships.userId))
    .groupBy(organizations.id)
    .orderBy(organizations.name)
    .all();
}

/**
 * Inserts an organisation and records "organization.created" as the first
 * event of its own chain; a taken slug is a conflict. Inside the caller's
 * "site" write transaction (the new organisation has nothing cached yet, so
 * its own counter need not move).
 */
export function insertOrganization(tx: DbOrTx, input: { slug: string; name: string }, actor: Actor, admin?: string) {
  if (findOrganizationBySlug(tx, input.slug)) {
    throw conflict(`An organisation with slug "${input.slug}" already exists`, "slug");
  }
  const org = tx.insert(organizations).values({ slug: input.slug, name: input.name }).returning().get();
  recordAuditEvent(tx, {
    orgId: org.id,
    actor,
    action: "organization.created",
    entityType: "organization",
    entityId: org.id,
    after: admin === undefined ? { slug: org.slug, name: org.name } : { slug: org.slug, name: org.name, admin },
  });
  return org;
}

/** A new account and its membership (the email must have none: a conflict otherwise). */
export function insertAccountWithMembership(
  tx: DbOrTx,
  orgId: number,
  input: { email: string; name: string; passwordHash: string; role: Role },
) {
  if (findUserByEmail(tx, input.email)) throw conflict("An account with this email already exists", "email");
  const user = tx.insert(users).values({ email: input.email, name: input.name, passwordHash: input.passwordHash }).returning().get();
  tx.insert(memberships).values({ orgId, userId: user.id, role: input.role }).run();
  return user;
}

/** A new administrator's name when none is given: the email's local part. */
export const defaultAdminName = (email: string) => email.split("@")[0]!;

/**
 * Creates an organisation with a NEW account as its first admin, without an
 * invitation: for test fixtures, and (through `createOrganizationForCommand`)
 * the operator starting an empty installation. An existing account is
 * refused: it joins only by accepting an invitation.
 */
/**
 * A new account's password, or its hash made earlier by `hashPassword` (one hash for many accounts that share a
 * password, as test organisations do: scrypt is slow on purpose).
 */
export type NewPassword = { password: string } | { passwordHash: string };

function passwordHashOf(input: NewPassword): Promise<string> {
  return "passwordHash" in input ? Promise.resolve(input.passwordHash) : hashPassword(input.password);
}

export async function createOrganization(
  input: { slug: string; name: string; adminEmail: string; adminName?: string } & (
    { adminPassword: string } | { adminPasswordHash: string }
  ),
  actor: Actor,
) {
  const passwordHash = await passwordHashOf(
    "adminPasswordHash" in input ? { passwordHash: input.adminPasswordHash } : { password: input.adminPassword },
  );
  return writeTransaction("site", (tx) => {
    const org = insertOrganization(tx, input, actor, input.adminEmail);
    const name = input.adminName ?? defaultAdminName(input.adminEmail);
    const admin = insertAccountWithMembership(tx, org.id, { email: input.adminEmail, name, passwordHash, role: "admin" });
    return { org, admin };
  });
}

export function listMembers(orgId: number) {
  return getDb()
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      active: users.active,
      role: memberships.role,
      since: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(users.name)
    .all();
}

/** The single sign-on identities of an organisation's members, with each one's last sign-in (one query, for the members page). */
export function listMemberIdentities(orgId: number) {
  return getDb()
    .select({ userId: userIdentities.userId, issuer: userIdentities.issuer, lastSignInAt: userIdentities.lastSignInAt })
    .from(userIdentities)
    .innerJoin(memberships, and(eq(memberships.userId, userIdentities.userId), eq(memberships.orgId, orgId)))
    .orderBy(sql`${userIdentities.lastSignInAt} DESC`)
    .all();
}

function findMembership(tx: DbOrTx, orgId: number, userId: number) {
  const row = tx
    .select({ role: memberships.role, email: users.email, active: users.active })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get();
  if (!row) throw new DomainError("not_found", "That person is not a member of this organisation", "userId");
  return row;
}

/** How many active administrators an organisation has. */
export function activeAdminCount(tx: DbOrTx, orgId: number): number {
  return (
    tx
      .select({ n: count() })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin"), eq(users.active, true)))
      .get()?.n ?? 0
  );
}

function assertNotLastAdmin(tx: DbOrTx, orgId: number, current: { role: Role; active: boolean }) {
  if (current.role === "admin" && current.active && activeAdminCount(tx, orgId) <= 1) {
    throw conflict("The last administrator of an organisation cannot be removed or demoted", "userId");
  }
}

/**
 * Creates an account and its membership directly, without the person's
 * consent: for operators' scripts and test fixtures only. People join
 * through the member page's invitations (invitations.server.ts).
 */
export async function createUserInOrganization(
  orgId: number,
  input: { email: string; name: string; role: Role } & NewPassword,
  actor: Actor,
) {
  const passwordHash = await passwordHashOf(input);
  return writeTransaction({ orgId, site: true }, (tx) => {
    const user = insertAccountWithMembership(tx, orgId, { email: input.email, name: input.name, passwordHash, role: input.role });
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "member.created",
      entityType: "user",
      entityId: user.id,
      after: { email: user.email, name: user.name, role: input.role },
    });
    return user;
  });
}

export function changeRole(orgId: number, userId: number, role: Role, actor: Actor) {
  return writeTransaction({ orgId, site: true }, (tx) => {
    const current = findMembership(tx, orgId, userId);
    if (current.role === role) return;
    if (role !== "admin") assertNotLastAdmin(tx, orgId, current);
    updateMemberRole(tx, orgId, { id: userId, email: current.email }, current.role, role, actor);
  });
}

/** Sets a member's role and records the change, in the caller's transaction (the caller has checked it may). */
export function updateMemberRole(
  tx: DbOrTx,
  orgId: number,
  user: { id: number; email: string },
  before: Role,
  role: Role,
  actor: Actor,
  details?: unknown,
) {
  tx.update(memberships)
    .set({ role })
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)))
    .run();
  recordAuditEvent(tx, {
    orgId,
    actor,
    action: "member.role_changed",
    entityType: "user",
    entityId: user.id,
    before: { email: user.email, role: before },
    after: { email: user.email, role },
    details,
  });
}

/** Ends a membership and records it, in the caller's transaction (the caller has checked it may). */
export function deleteMembership(
  tx: DbOrTx,
  orgId: number,
  user: { id: number; email: string },
  before: Role,
  actor: Actor,
  details?: unknown,
) {
  tx.delete(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)))
    .run();
  // Whatever other organisations the person belongs to; they no longer land here after signing in.
  tx.update(users)
    .set({ lastOrgId: null })
    .where(and(eq(users.id, user.id), eq(users.lastOrgId, orgId)))
    .run();
  recordAuditEvent(tx, {
    orgId,
    actor,
    action: "member.removed",
    entityType: "user",
    entityId: user.id,
    before: { email: user.email, role: before },
    details,
  });
}

export function removeMember(orgId: number, userId: number, actor: Actor) {
  return writeTransaction({ orgId, site: true }, (tx) => {
    const current = findMembership(tx, orgId, userId);
    assertNotLastAdmin(tx, orgId, current);
    deleteMembership(tx, orgId, { id: userId, email: current.email }, current.role, actor);
  });
}

/**
 * Deactivation is account-wide, so an organisation's admin may only
 * deactivate people who belong to no other organisation.
 */
export function deactivateUser(orgId: number, userId: number, actor: Actor) {
  return writeTransaction({ orgId, site: true }, (tx) => {
    const current = findMembership(tx, orgId, userId);
    if (!current.active) return;
    if (actor.type === "user" && actor.id === userId) throw invalid("You cannot deactivate yourself", "userId");
    assertNotLastAdmin(tx, orgId, current);
    const orgCount = tx.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId)).get()?.n ?? 0;
    if (orgCount > 1) {
      throw conflict("This person belongs to other organisations too; remove them from this one instead", "userId");
    }
    tx.update(users).set({ active: false }).where(eq(users.id, userId)).run();
    endSessionsOfUser(tx, userId);
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "user.deactivated",
      entityType: "user",
      entityId: userId,
      before: { email: current.email, active: true },
      after: { email: current.email, active: false },
    });
  });
}
