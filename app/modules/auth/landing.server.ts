import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { users } from "../../../db/schema";
import { listUserOrganizations } from "./membership.server";
import { sessionMeetsSsoPolicy } from "./sso-policy";
import { ssoPolicyOf } from "./sso-policy.server";

/**
 * Where a person lands after signing in (and on `/`): the organisation they
 * used last (`users.last_org_id`, set when they open an organisation's pages)
 * if they still belong to it, else their first by name, else the list.
 * Given the session (its email and the issuer it came through), organisations
 * whose single sign-on rule refuses it come last: a password session lands in
 * one only when it belongs to no other (its page says why it is refused).
 */
export function landingPath(userId: number, session?: { email: string; ssoIssuer: string | null }): string {
  const all = listUserOrganizations(userId);
  const open = session ? all.filter((org) => sessionMeetsSsoPolicy(ssoPolicyOf(org.id), session)) : all;
  const organizations = open.length ? open : all;
  const lastOrgId = getDb().select({ lastOrgId: users.lastOrgId }).from(users).where(eq(users.id, userId)).get()?.lastOrgId;
  const landing = organizations.find((org) => org.id === lastOrgId) ?? organizations[0];
  return landing ? `/orgs/${landing.slug}` : "/orgs";
}
