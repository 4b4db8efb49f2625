import { env } from "../../utils/env.server";
import { providerLogoutUrl } from "./oidc-strategy.server";
import { providerSettingsById } from "./org-sso.server";
import { shortLivedCookie, type CurrentSession } from "./session.server";

/**
 * RP-initiated logout (issue #17): signing out of a session that came through a provider, the site-wide one or an
 * organisation's, leaves that provider's id in a short-lived signed cookie for the sign-in page, which offers signing
 * out at the provider too when its discovery document names an `end_session_endpoint`. The cookie names the provider,
 * never an address: the page builds the provider's sign-out URL itself, so no one can make it link elsewhere.
 */

// Path "/", not "/login": with JavaScript the sign-in page's data comes from /login.data, which "/login" does not match.
const signedOutCookie = shortLivedCookie("__portal_signed_out", "/", 10 * 60);

/** The provider a session came through: sessions started before they kept it came through the site-wide one. */
function providerOf(session: CurrentSession | null): string | null {
  if (!session?.ssoIssuer) return null;
  return session.ssoProvider ?? (env().OIDC ? "env" : null);
}

/**
 * Where signing out of `session` goes, and the header that tells the sign-in page which provider to offer signing out
 * at (a password session clears it).
 */
export async function signOutOf(session: CurrentSession | null): Promise<{ redirectTo: string; headers: Headers }> {
  const provider = providerOf(session);
  const headers = new Headers({
    "Set-Cookie": provider ? await signedOutCookie().serialize(provider) : await signedOutCookie().serialize("", { maxAge: 0 }),
  });
  return { redirectTo: provider ? "/login?signedOut=sso" : "/login", headers };
}

/** The sign-out URL of the provider the browser just signed out of a session through (`signOutOf`), or null. */
export async function providerLogoutOffer(request: Request): Promise<string | null> {
  const provider: unknown = await signedOutCookie().parse(request.headers.get("Cookie"));
  const publicUrl = env().PUBLIC_URL;
  if (typeof provider !== "string" || !publicUrl) return null;
  let settings;
  try {
    settings = providerSettingsById(provider);
  } catch {
    // Its stored secret cannot be opened (another secrets key?): nothing to offer, the sign-in page still works.
    return null;
  }
  return settings ? providerLogoutUrl(settings, `${publicUrl}/login`) : null;
}
