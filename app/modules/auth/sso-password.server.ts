import { and, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { oidcProviders, orgDomains, organizations } from "../../../db/schema";
import { env } from "../../utils/env.server";
import { organizationsOpenTo, requiringProviderOf } from "./membership.server";
import { emailDomain, isSsoEmail } from "./single-sign-on";
import { isBreakGlass } from "./sso-policy";

/**
 * Whether single sign-on refuses a password sign-in whose password was right (docs/decisions/0009), with words for
 * the sign-in form's email field; null lets it through. Site administrators always keep their password (a provider
 * never signs them in).
 *
 * - The site-wide provider with OIDC_REQUIRED, for people of OIDC_DOMAINS except the OIDC_BREAK_GLASS account; and
 * - an organisation whose own provider requires single sign-on, for people of a domain it holds the approved claim
 *   to, except its break-glass administrator:
 * refused when a password session would open none of the person's organisations (each one's rule refuses it, or they
 * belong to none), so the password would lead nowhere. Someone who also belongs to an organisation a password opens
 * keeps it ("the person keeps password access to their other organisations", issue #17): they sign in, land there,
 * and the SSO organisation's pages still refuse the session with the way to sign in through its provider.
 *
 * Costs one query for a password sign-in outside every such domain, and two inside one.
 */
export function passwordSignInRefusal(user: { id: number; email: string; isSiteAdmin: boolean }): string | null {
  if (user.isSiteAdmin) return null;
  const site = env().OIDC;
  if (
    site?.required &&
    isSsoEmail(user.email, site.domains) &&
    !isBreakGlass(user.email, site.breakGlassEmail) &&
    organizationsOpenTo(user, null).length === 0
  ) {
    return `People at ${emailDomain(user.email)} sign in through single sign-on here, not with a password. Continue with your email alone.`;
  }
  const requiring = getDb()
    .select({ orgName: organizations.name, breakGlassUserId: oidcProviders.breakGlassUserId })
    .from(orgDomains)
    .innerJoin(oidcProviders, requiringProviderOf(orgDomains.orgId))
    .innerJoin(organizations, eq(organizations.id, orgDomains.orgId))
    .where(and(eq(orgDomains.domain, emailDomain(user.email)), eq(orgDomains.status, "approved")))
    .get();
  if (!requiring || requiring.breakGlassUserId === user.id) return null;
  if (organizationsOpenTo(user, null).length > 0) return null;
  return `${requiring.orgName} signs in through its identity provider: continue with single sign-on.`;
}
