import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { users } from "../../../db/schema";
import { listUserOrganizations, organizationsOpenTo } from "./membership.server";

/**
 * Where a person lands after signing in (and on `/`): the organisation they
 * used last (`users.last_org_id`, set when they open an organisation's pages)
 * if they still belong to it, else their first by name, else the list.
 * Given the session (its email and the issuer it came through), organisations
 * whose single sign-on rule refuses it (the site-wide provider's or their own
 * provider's) come last: a password session lands in one only when it belongs
 * to no other (its page says why it is refused).
 */
export function landingPath(userId: number, session?: { email: string; ssoIssuer: string | null }): string {
  const open = session ? organizationsOpenTo({ id: userId, email: session.email }, session.ssoIssuer) : [];
  const organizations = open.length ? open : listUserOrganizations(userId);
  const lastOrgId = getDb().select({ lastOrgId: users.lastOrgId }).from(users).where(eq(users.id, userId)).get()?.lastOrgId;
  const landing = organizations.find((org) => org.id === lastOrgId) ?? organizations[0];
  return landing ? `/orgs/${landing.slug}` : "/orgs";
}
