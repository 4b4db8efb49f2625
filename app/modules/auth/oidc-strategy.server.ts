import { createHash } from "node:crypto";
import { redirect } from "@remix-run/node";
import * as client from "openid-client";
import { Strategy } from "remix-auth/strategy";
import { env, type OidcSettings } from "../../utils/env.server";
import { publicOnlyFetch, refusedAddressIn } from "../../utils/public-address.server";
import { shortLivedCookie } from "./session.server";
import { groupsOf } from "./single-sign-on";

/**
 * A remix-auth strategy for OpenID Connect on openid-client: authorization
 * code flow with PKCE, `state` and `nonce` (kept in a short-lived signed
 * cookie), and the ID token validated in full: issuer, audience, expiry,
 * nonce, and its signature through the provider's JWKS, which openid-client
 * checks only when told (`enableNonRepudiationChecks`).
 *
 * `authenticate` on a POST (the sign-in form: `email`, `redirectTo`) sends the
 * browser to the provider; on the callback URL it returns what `verify` makes
 * of the validated claims. Anything the provider's answer fails is an
 * `OidcSignInError` with words for people; nothing is signed in.
 */

/** What the provider asserted, once validated. */
export type OidcClaims = {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
};

export class OidcSignInError extends Error {
  override name = "OidcSignInError";
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The pending sign-in: its secrets, where to go after, and which provider it went to ("env" or an organisation's). */
type Flow = { state: string; nonce: string; verifier: string; redirectTo: string; provider: string };

/** Finds a provider: the one serving an email (the sign-in form), or by id (the callback, from the flow cookie). */
export type ProviderLookup = {
  forEmail: (email: string) => OidcSettings | null;
  byId: (id: string) => OidcSettings | null;
};

const FLOW_COOKIE = "__portal_oidc";
const FLOW_SECONDS = 10 * 60;

/** The pending sign-in's secrets: signed, sent only to the callback, gone after ten minutes. */
// Lax (shortLivedCookie): the provider's redirect back is a top-level GET from another site, and Lax cookies go with it.
const oidcFlowCookie = shortLivedCookie(FLOW_COOKIE, "/auth/oidc", FLOW_SECONDS);

/** The Set-Cookie header that ends a pending sign-in (sent with every answer of the callback). */
export const clearedOidcFlowCookie = () => oidcFlowCookie().serialize("", { maxAge: 0 });

/** The secret of a pending link (sso.server.ts) while the person proves the account: for the link page only. */
// Not "/auth/oidc/link": the page's form posts to /auth/oidc/link.data when JavaScript runs.
export const oidcLinkCookie = shortLivedCookie("__portal_oidc_link", "/auth/oidc", 15 * 60);

/**
 * How the portal reaches an organisation's own provider (discovery, token, JWKS): public addresses only, no
 * redirects, so an organisation's admin cannot point the portal at its own network (OIDC_ALLOW_PRIVATE lifts
 * it). The site-wide provider, which the operator sets (OIDC_ISSUER), is reached with plain fetch.
 */
export const organisationProviderFetch = publicOnlyFetch(() => env().OIDC_ALLOW_PRIVATE);

const configurations = new Map<string, Promise<client.Configuration>>();

/** Why an organisation's provider signs no one in while its stored client secret cannot be unsealed. */
export const SECRET_UNREADABLE =
  "Single sign-on for this organisation needs its administrator to enter the provider's client secret again: the portal can no longer read the one it stored. Ask your administrator; until then you cannot sign in through it.";

/** The provider's configuration from its discovery document, fetched once per process and client (again after a failure). */
export function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const secret = settings.clientSecret;
  if (secret === null) return Promise.reject(new OidcSignInError(SECRET_UNREADABLE, 503));
  // The secret is part of the key: an organisation's admins may replace it while the process runs. So is the
  // provider's id: an organisation's provider is reached through another fetch than the site-wide one.
  const key = [settings.id, settings.issuer, settings.clientId, createHash("sha256").update(secret).digest("hex")].join("\u0000");
  let found = configurations.get(key);
  if (!found) {
    const execute = [client.enableNonRepudiationChecks, ...(settings.allowHttp ? [client.allowInsecureRequests] : [])];
    // The Configuration keeps the fetch for every later request (token, JWKS).
    const guarded = settings.id === "env" ? {} : { [client.customFetch]: organisationProviderFetch };
    found = client.discovery(new URL(settings.issuer), settings.clientId, undefined, client.ClientSecretBasic(secret), {
      execute,
      timeout: 10,
      ...guarded,
    });
    found.catch(() => configurations.delete(key));
    configurations.set(key, found);
  }
  return found;
}

/** The provider's RP-initiated logout URL, when it has one: the person's choice to sign out there too. */
export async function providerLogoutUrl(settings: OidcSettings, postLogoutRedirectUri: string): Promise<string | null> {
  try {
    const config = await providerConfiguration(settings);
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { client_id: settings.clientId, post_logout_redirect_uri: postLogoutRedirectUri }).toString();
  } catch {
    return null;
  }
}

const PROVIDER_UNREACHABLE = "The identity provider cannot be reached right now. Try again in a minute, or ask your administrator.";

/** Why the provider could not be reached, in words: its secret unreadable, refused for its address, or not answering. */
function unreachable(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  return refusedAddressIn(error)
    ? new OidcSignInError(
        "Your organisation's identity provider is at an address that is not public, and the portal does not connect there. Ask your administrator to check its issuer URL.",
        502,
      )
    : new OidcSignInError(PROVIDER_UNREACHABLE, 502);
}

/** Words for people from what openid-client refused (its codes and messages name the check that failed). */
function refusal(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  if (refusedAddressIn(error)) return unreachable(error);
  if (error instanceof client.AuthorizationResponseError) {
    return new OidcSignInError(
      error.error === "access_denied"
        ? "The identity provider did not let you sign in here (access denied)."
        : `The identity provider refused the sign-in (${error.error}).`,
      403,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OidcSignInError(`The identity provider's answer failed the portal's checks (${message}). You are not signed in.`, 400);
}

export class OidcStrategy<User> extends Strategy<User, { claims: OidcClaims; request: Request; settings: OidcSettings }> {
  name = "oidc";

  constructor(
    private readonly providers: ProviderLookup,
    verify: Strategy.VerifyFunction<User, { claims: OidcClaims; request: Request; settings: OidcSettings }>,
  ) {
    super(verify);
  }

  async authenticate(request: Request): Promise<User> {
    if (request.method === "POST") return this.start(request);
    return this.callback(request);
  }

  /** Sends the browser to the provider, with the pending sign-in's secrets in the flow cookie. */
  private async start(request: Request): Promise<never> {
    const form = await request.formData();
    const email = String(form.get("email") ?? "")
      .trim()
      .toLowerCase();
    const settings = this.providers.forEmail(email);
    if (!settings) throw new OidcSignInError("Single sign-on is not set up for this email address here.", 404);
    const redirectTo = String(form.get("redirectTo") ?? "");
    const config = await providerConfiguration(settings).catch((error: unknown) => {
      throw unreachable(error);
    });
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      redirectTo,
      provider: settings.id,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUri,
      scope: "openid email profile",
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: "S256",
      state: flow.state,
      nonce: flow.nonce,
      ...(email ? { login_hint: email } : {}),
    });
    throw redirect(url.toString(), { headers: { "Set-Cookie": await oidcFlowCookie().serialize(flow) } });
  }

  /** Completes the sign-in: the code is exchanged (with the PKCE verifier) and the ID token checked. */
  private async callback(request: Request): Promise<User> {
    const flow = (await oidcFlowCookie().parse(request.headers.get("Cookie"))) as Flow | null;
    if (!flow?.state || !flow.nonce || !flow.verifier) {
      throw new OidcSignInError(
        "This sign-in was not started here, or took longer than ten minutes. Start again from the sign-in page.",
        400,
      );
    }
    // The provider the sign-in went to (the cookie is signed): its answer maps into its organisation only.
    const settings = this.providers.byId(flow.provider ?? "env");
    if (!settings) throw new OidcSignInError("The single sign-on this sign-in started with is no longer set up here.", 404);
    // The address the provider sent the browser to, as the provider knows it (the server may sit behind a proxy).
    const currentUrl = new URL(settings.redirectUri);
    currentUrl.search = new URL(request.url).search;
    let claims: OidcClaims;
    try {
      const config = await providerConfiguration(settings);
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new OidcSignInError("The identity provider sent no ID token.");
      claims = {
        issuer: idToken.iss,
        subject: idToken.sub,
        email: typeof idToken.email === "string" ? idToken.email.trim().toLowerCase() : null,
        emailVerified: idToken[settings.emailVerifiedClaim] === true,
        name: typeof idToken.name === "string" ? idToken.name : null,
        groups: groupsOf(idToken[settings.groupsClaim]),
      };
    } catch (error) {
      throw refusal(error);
    }
    return this.verify({ claims, request, settings });
  }
}

/** Where the person goes after signing in through the provider (what the sign-in form asked for). */
export async function oidcRedirectTo(request: Request): Promise<string> {
  const flow = (await oidcFlowCookie().parse(request.headers.get("Cookie"))) as Flow | null;
  return flow?.redirectTo ?? "";
}
