import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { users } from "../../../db/schema";
import { listUserOrganizations } from "./membership.server";

/**
 * Where a person lands after signing in (and on `/`): the organisation they
 * used last (`users.last_org_id`, set when they open an organisation's pages)
 * if they still belong to it, else their first by name, else the list.
 */
export function landingPath(userId: number): string {
  const organizations = listUserOrganizations(userId);
  const lastOrgId = getDb().select({ lastOrgId: users.lastOrgId }).from(users).where(eq(users.id, userId)).get()?.lastOrgId;
  const landing = organizations.find((org) => org.id === lastOrgId) ?? organizations[0];
  return landing ? `/orgs/${landing.slug}` : "/orgs";
}
