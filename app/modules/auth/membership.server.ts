import { and, eq, sql } from "drizzle-orm";
import { reusableQuery } from "../../../db/client";
import { memberships, organizations } from "../../../db/schema";
import { forbidden, notFound } from "../../utils/http";
import type { Actor } from "../audit/audit.server";
import type { Role } from "./roles";
import { requireUser, type SessionUser } from "./session.server";

export type OrgRef = { id: number; slug: string; name: string };
export type Member = { user: SessionUser; org: OrgRef; role: Role; actor: Actor };

/**
 * The guard every org loader and action calls. Anonymous: redirect to login.
 * Not a member (or no such org): 404, so other organisations' existence never
 * leaks. Member without one of `roles`: 403. Omit `roles` for read access.
 */
const membershipBySlug = reusableQuery((db) =>
  db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, sql.placeholder("userId")), eq(organizations.slug, sql.placeholder("slug")))),
);

export async function requireMember(request: Request, orgSlug: string | undefined, roles?: readonly Role[]): Promise<Member> {
  const user = await requireUser(request);
  const row = membershipBySlug().get({ userId: user.id, slug: orgSlug ?? "" });
  if (!row) throw notFound("Organisation not found");
  if (roles && !roles.includes(row.role)) throw forbidden();
  const { role, ...org } = row;
  return { user, org, role, actor: { type: "user", id: user.id, label: user.email } };
}

export function listUserOrganizations(userId: number) {
  return userOrganizationsQuery().all({ userId });
}

const userOrganizationsQuery = reusableQuery((db) =>
  db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, sql.placeholder("userId")))
    .orderBy(organizations.name),
);
