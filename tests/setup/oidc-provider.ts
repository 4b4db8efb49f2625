/**
 * A real OpenID Provider for the single sign-on tests: node-oidc-provider on
 * a free local port, one confidential test client (PKCE required), test
 * accounts with verified or unverified emails and a `groups` claim, and its
 * development login and consent pages (any password is accepted: the login
 * names the account). `finishAtProvider` goes through those pages over HTTP as
 * a browser would; Playwright goes through them in Chromium.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { acquirePortalBuild, startPortal, stopPortal, type PortalServer } from "./portal-server";
import Provider, { type Configuration } from "oidc-provider";
import { claimDomain, decideDomainClaim, saveOrgProvider } from "../../app/modules/auth/org-sso.server";

export type TestAccount = {
  /** What is typed into the provider's login page; also the subject (`sub`). */
  login: string;
  email: string;
  emailVerified?: boolean;
  name?: string;
  groups?: string[];
};

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces an account (its groups can change between sign-ins). */
  account: (account: TestAccount) => void;
  /** Every request the provider received, as "METHOD /path", oldest first (from browsers and portals alike). */
  requests: string[];
  close: () => Promise<void>;
};

/** The provider as the portal is configured with it. */
export type ProviderClient = Pick<TestProvider, "issuer" | "clientId" | "clientSecret">;

/** The portal's OIDC_* variables for this provider. */
export function oidcEnv(provider: ProviderClient, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_ALLOW_HTTP: "true",
    // The test provider listens on 127.0.0.1: organisations' own providers may be there too.
    OIDC_ALLOW_PRIVATE: "true",
    ...overrides,
  };
}

/** Starts the provider; `publicUrls` are the portals it redirects back to (`<url>/auth/oidc/callback`). */
export async function startOidcProvider(publicUrls: string[]): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const requests: string[] = [];
  const server = http.createServer((request) => requests.push(`${request.method} ${request.url?.split("?")[0]}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "portal-test";
  const clientSecret = "portal-test-secret-0123456789abcdef";
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: publicUrls.map((url) => `${url}/auth/oidc/callback`),
        post_logout_redirect_uris: publicUrls.map((url) => `${url}/login`),
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" }] },
    cookies: { keys: ["oidc-test-cookie-key"] },
    pkce: { required: () => true },
    ttl: { Session: 3600, Grant: 3600, Interaction: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    // The claims the scopes grant go into the ID token (as Entra ID and Okta can be set up to do).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name ?? account.login,
          groups: account.groups ?? [],
        }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  // The development pages warn once per process on stderr; the tests know.
  provider.on("server_error", (_ctx, error) => console.error("[oidc-provider]", error));
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    account: (account) => accounts.set(account.login, account),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A cookie jar for one origin's Set-Cookie headers. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    take(response: Response) {
      for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(";");
        const at = pair!.indexOf("=");
        cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
  };
}

/**
 * Goes from the portal's redirect to the provider (`authorizeUrl`) through
 * the provider's login page (as `login`) and consent page, as a browser
 * without JavaScript would, and returns the URL the provider sends the
 * browser back to (the portal's callback with `code` and `state`).
 */
export async function finishAtProvider(authorizeUrl: string, login: string, callbackPrefix: string): Promise<URL> {
  const jar = cookieJar();
  let url = authorizeUrl;
  let method = "GET";
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, {
      method,
      redirect: "manual",
      headers: { cookie: jar.header(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: body?.toString(),
    });
    jar.take(response);
    const text = await response.text();
    const location = response.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(callbackPrefix)) return next;
      [url, method, body] = [next.href, "GET", undefined];
      continue;
    }
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${url}: ${text.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(text)?.[1];
    if (!action) throw new Error(`no form on the provider's page ${url}: ${text.slice(0, 300)}`);
    const prompt = text.includes('name="login"') ? "login" : "consent";
    [url, method] = [new URL(action.replaceAll("&amp;", "&"), url).href, "POST"];
    body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any-password" } : { prompt });
  }
  throw new Error(`the provider did not send the browser back to ${callbackPrefix}`);
}

/** The single sign-on test client's view of a portal: its base URL and the PUBLIC_URL the provider redirects to. */
export type SsoPortal = { baseUrl: string; publicUrl: string };

export type PortalAnswer = {
  status: number;
  location: string | null;
  text: string;
  /** Cookies the answer set, by name (value only); an empty value is a cleared cookie. */
  cookies: Record<string, string>;
};

async function answer(response: Response): Promise<PortalAnswer> {
  const cookies: Record<string, string> = {};
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair!.indexOf("=");
    cookies[pair!.slice(0, at)] = pair!.slice(at + 1);
  }
  return { status: response.status, location: response.headers.get("location"), text: await response.text(), cookies };
}

/** The sign-in page's email step (no password), as a form post without JavaScript. */
export async function submitEmail(portal: SsoPortal, email: string): Promise<PortalAnswer> {
  return answer(
    await fetch(`${portal.baseUrl}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: portal.baseUrl },
      body: new URLSearchParams({ email, redirectTo: "" }).toString(),
    }),
  );
}

/** The browser arriving at the portal's callback with what the provider sent back, and the pending sign-in's cookie. */
export async function arriveAtCallback(portal: SsoPortal, callback: URL, flowCookie: string | undefined): Promise<PortalAnswer> {
  return answer(
    await fetch(`${portal.baseUrl}${callback.pathname}${callback.search}`, {
      redirect: "manual",
      headers: flowCookie ? { cookie: `__portal_oidc=${flowCookie}` } : {},
    }),
  );
}

/** What the provider redirects back to in the integration tests (PUBLIC_URL); the tests carry it to the real server. */
export const SSO_PUBLIC_URL = "https://portal.test";

/**
 * The real portal server (production build) with single sign-on through `provider` for organisation `orgSlug`,
 * on this test file's database. `stop` ends it and releases the build, unless `build` (shared by several portals
 * of one file) was given: its owner releases it.
 */
export async function startSsoPortal(
  provider: ProviderClient,
  env: Record<string, string | undefined>,
  build: { buildDir: string; release?: () => void } = acquirePortalBuild(),
): Promise<SsoPortal & { server: PortalServer; stop: () => Promise<void> }> {
  const server = await startPortal({
    databaseFile: process.env.DATABASE_URL!,
    buildDir: build.buildDir,
    env: { PUBLIC_URL: SSO_PUBLIC_URL, ...oidcEnv(provider, env) },
  });
  return {
    baseUrl: server.baseUrl,
    publicUrl: SSO_PUBLIC_URL,
    server,
    stop: async () => {
      await stopPortal(server);
      build.release?.();
    },
  };
}

/**
 * An organisation's own provider for `provider` (groups `ml-leads` and `ml-eng` give leadership and team) with an
 * approved claim to `domain`, written through the domain functions as its admin (`admin`: `member(org, "admin")`)
 * and a site administrator would; the pages that do it are tested in tests/integration/oidc-org-providers.test.ts.
 */
export function seedOrgProvider(
  orgId: number,
  provider: ProviderClient,
  options: { domain: string; admin: { userId: number; label: string }; required?: boolean; breakGlassUserId?: number },
): void {
  const actor = { type: "user" as const, id: options.admin.userId, label: options.admin.label };
  saveOrgProvider(
    orgId,
    {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      groupsClaim: "groups",
      roleMap: { "ml-leads": "leadership", "ml-eng": "team" },
      defaultRole: null,
      createUsers: true,
      required: options.required ?? false,
      breakGlassUserId: options.breakGlassUserId ?? null,
      enabled: true,
    },
    actor,
  );
  const claim = claimDomain(orgId, options.domain, actor);
  decideDomainClaim(claim.id, "approved", actor);
}

/** The cookie by which sign-out (`POST /logout`) tells the sign-in page which provider to offer signing out at, for a Cookie header. */
export function signedOutCookie(signOut: { headers: Headers }): string {
  const header = signOut.headers.getSetCookie().find((cookie) => cookie.startsWith("__portal_signed_out="));
  if (!header) throw new Error("sign-out set no __portal_signed_out cookie");
  return header.split(";")[0]!;
}

/** The "Sign out there too" link of the sign-in page (the provider's end-session URL); throws when there is none. */
export function providerLogoutHref(loginPage: string): URL {
  const href = /href="([^"]*session\/end[^"]*)"/.exec(loginPage)?.[1];
  if (!href) throw new Error("the sign-in page offers no sign-out at the provider");
  return new URL(href.replaceAll("&amp;", "&"));
}
