import { and, eq, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { reusableQuery, type DbOrTx } from "../../../db/client";
import { memberships, oidcProviders, organizations } from "../../../db/schema";
import { forbidden, forbiddenWith, notFound } from "../../utils/http";
import type { Actor } from "../audit/audit.server";
import type { Role } from "./roles";
import { currentSession, requireUser, type SessionUser } from "./session.server";
import { sessionMeetsSsoPolicy, ssoRequiredRefusal } from "./sso-policy";
import { orgSsoPolicy } from "./org-sso.server";
import { ssoPolicyOf, type SsoPolicy } from "./sso-policy.server";

export type OrgRef = { id: number; slug: string; name: string };
export type Member = { user: SessionUser; org: OrgRef; role: Role; actor: Actor };

/** The organisation's own provider, joined only when it is enabled and requires single sign-on. */
export const requiringProviderOf = (orgId: AnySQLiteColumn) =>
  and(eq(oidcProviders.orgId, orgId), eq(oidcProviders.enabled, true), eq(oidcProviders.required, true));

/**
 * The single sign-on policy a membership's organisation holds `user` to: the site-wide provider's (OIDC_ORG), else
 * its own provider's when that requires single sign-on (`requiredIssuer`, read with the membership), else none.
 * The break-glass account is known by id here; a refusal reads the rest of the policy (`orgSsoPolicy`).
 */
function policyOfMembership(
  row: { id: number; requiredIssuer: string | null; breakGlassUserId: number | null },
  user: { id: number; email: string },
): SsoPolicy | null {
  return (
    ssoPolicyOf(row.id) ??
    (row.requiredIssuer === null
      ? null
      : {
          required: true,
          issuers: [row.requiredIssuer],
          breakGlassEmail: row.breakGlassUserId === user.id ? user.email : null,
          domains: [],
        })
  );
}

/** The person's memberships with their organisation and its own provider when that requires single sign-on. */
const membershipsWithRule = (db: DbOrTx) =>
  db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      role: memberships.role,
      // The organisation's own provider when it requires single sign-on: read with the membership, no query more.
      requiredIssuer: oidcProviders.issuer,
      breakGlassUserId: oidcProviders.breakGlassUserId,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .leftJoin(oidcProviders, requiringProviderOf(organizations.id));

const membershipBySlug = reusableQuery((db) =>
  membershipsWithRule(db).where(and(eq(memberships.userId, sql.placeholder("userId")), eq(organizations.slug, sql.placeholder("slug")))),
);

/**
 * The guard every org loader and action calls. Anonymous: redirect to login.
 * Not a member (or no such org): 404, so other organisations' existence never
 * leaks. An organisation that requires single sign-on and a session that did
 * not come through its provider (and is not the break-glass account's): 403
 * saying so, with the way to sign in through it; not audited (nothing changed).
 * Member without one of `roles`: 403. Omit `roles` for read access.
 */
export async function requireMember(request: Request, orgSlug: string | undefined, roles?: readonly Role[]): Promise<Member> {
  const user = await requireUser(request);
  const row = membershipBySlug().get({ userId: user.id, slug: orgSlug ?? "" });
  if (!row) throw notFound("Organisation not found");
  const policy = policyOfMembership(row, user);
  // The session row was read with the user: no query more.
  if (
    policy?.required &&
    !sessionMeetsSsoPolicy(policy, { email: user.email, ssoIssuer: (await currentSession(request))?.ssoIssuer ?? null })
  ) {
    const url = new URL(request.url);
    throw forbiddenWith(
      ssoRequiredRefusal(
        ssoPolicyOf(row.id) ?? orgSsoPolicy(row.id) ?? policy,
        user,
        request.method === "GET" ? `${url.pathname}${url.search}` : url.pathname,
      ),
    );
  }
  if (roles && !roles.includes(row.role)) throw forbidden();
  const { role, requiredIssuer: _issuer, breakGlassUserId: _breakGlass, ...org } = row;
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

const userOrganizationsWithRuleQuery = reusableQuery((db) =>
  membershipsWithRule(db)
    .where(eq(memberships.userId, sql.placeholder("userId")))
    .orderBy(organizations.name),
);

/**
 * The person's organisations (by name) whose pages a session of theirs may open under each one's single sign-on rule
 * (`ssoIssuer`: the issuer it came through, null for a password session), as `requireMember` decides. One query.
 */
export function organizationsOpenTo(user: { id: number; email: string }, ssoIssuer: string | null): OrgRef[] {
  return userOrganizationsWithRuleQuery()
    .all({ userId: user.id })
    .filter((row) => sessionMeetsSsoPolicy(policyOfMembership(row, user), { email: user.email, ssoIssuer }))
    .map(({ id, slug, name }) => ({ id, slug, name }));
}
