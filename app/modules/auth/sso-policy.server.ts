import { eq } from "drizzle-orm";
import { databaseFile, getDb } from "../../../db/client";
import { organizations } from "../../../db/schema";
import { env } from "../../utils/env.server";
import type { SsoPolicy } from "./sso-policy";

export type { SsoPolicy } from "./sso-policy";

/**
 * The site-wide provider's single sign-on policy (OIDC_* variables), which applies to OIDC_ORG. An organisation's own
 * provider (org-sso.server.ts) is read with the membership in `requireMember`, at no query more. Called by `requireMember`
 * on every organisation page, so it must not cost a query per request.
 */
export function ssoPolicyOf(orgId: number): SsoPolicy | null {
  const sso = env().OIDC;
  if (!sso || organizationIdOfSlug(sso.orgSlug) !== orgId) return null;
  return { required: sso.required, issuers: [sso.issuer], breakGlassEmail: sso.breakGlassEmail, domains: sso.domains };
}

// Slugs never change and organisations are never deleted, so OIDC_ORG's id is read once per database.
const organizationIds = new Map<string, number>();

function organizationIdOfSlug(slug: string): number | null {
  const key = `${databaseFile()}\u0000${slug}`;
  let id = organizationIds.get(key);
  if (id === undefined) {
    id = getDb().select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).get()?.id;
    if (id !== undefined) organizationIds.set(key, id);
  }
  return id ?? null;
}
