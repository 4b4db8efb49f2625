/**
 * An organisation that requires single sign-on (OIDC_REQUIRED for OIDC_ORG), against a real OpenID Provider
 * (tests/setup/oidc-provider.ts) and the real portal over HTTP (issue #17): its pages refuse a password session, which
 * still opens the person's other organisations; a session through the provider opens them; the break-glass account
 * (OIDC_BREAK_GLASS) signs in with its password and opens them; the members page shows each member's last SSO sign-in;
 * admins end the sessions of, and deactivate, accounts the provider created. API tokens are not sessions: unaffected.
 *
 * The password session of a person of the provider's domain is one started before the organisation required single
 * sign-on: a second portal on the same database, without OIDC_REQUIRED, signs them in.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { memberships, users } from "../../db/schema";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { API, send } from "../setup/api-client";
import type { PortalAnswer, TestProvider } from "../setup/oidc-provider";
import { arriveAtCallback, finishAtProvider, SSO_PUBLIC_URL, startOidcProvider, startSsoPortal, submitEmail } from "../setup/oidc-provider";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import { SESSION_COOKIE, signIn } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const DOMAIN = "sso.test";
const BREAK_GLASS = `glass@${DOMAIN}`;
const PAT = `pat@${DOMAIN}`;
/** Of the provider's domain and in the required organisation only: a password would open nothing. */
const ROBIN = `robin@${DOMAIN}`;

let provider: TestProvider;
let required: TestOrg;
let other: TestOrg;
let build: ReturnType<typeof acquirePortalBuild>;
let portal!: Awaited<ReturnType<typeof startSsoPortal>>;
/** The same database and provider before the organisation required single sign-on. */
let before!: Awaited<ReturnType<typeof startSsoPortal>>;

beforeAll(async () => {
  provider = await startOidcProvider([SSO_PUBLIC_URL]);
  [required, other] = await Promise.all([createTestOrg("sso-required"), createTestOrg("sso-other")]);
  // Pat works in both organisations, with a password; the break-glass account administers the required one.
  const pat = await createUserInOrganization(required.id, { email: PAT, name: "Pat", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  getDb().insert(memberships).values({ orgId: other.id, userId: pat.id, role: "team" }).run();
  await createUserInOrganization(required.id, { email: ROBIN, name: "Robin", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  await createUserInOrganization(
    required.id,
    { email: BREAK_GLASS, name: "Break glass", password: TEST_PASSWORD, role: "admin" },
    SYSTEM_ACTOR,
  );
  provider.account({ login: "pat", email: PAT, groups: ["ml-eng"] });
  build = acquirePortalBuild();
  const env = { OIDC_ORG: required.slug, OIDC_DOMAINS: DOMAIN, OIDC_ROLE_MAP: "ml-eng=team", OIDC_BREAK_GLASS: BREAK_GLASS };
  [portal, before] = await Promise.all([
    startSsoPortal(provider, { ...env, OIDC_REQUIRED: "true" }, { buildDir: build.buildDir }),
    startSsoPortal(provider, env, { buildDir: build.buildDir }),
  ]);
}, 240_000);

afterAll(async () => {
  await Promise.all([portal?.stop(), before?.stop()]);
  build?.release();
  await provider?.close();
  killAllPortals();
});

const page = (path: string, cookie: string) => send(portal.baseUrl, path, { cookie });
const sessionOf = (answer: PortalAnswer) => `${SESSION_COOKIE}=${answer.cookies[SESSION_COOKIE]}`;

/** Through the provider's login and consent pages as `login`, from the sign-in form's answer that sends the browser there. */
async function throughProvider(started: PortalAnswer, login: string): Promise<PortalAnswer> {
  expect(started.status, started.text.slice(0, 300)).toBe(302);
  expect(started.location!.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  const callback = await finishAtProvider(started.location!, login, `${SSO_PUBLIC_URL}/auth/oidc/callback`);
  return arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
}

/** The refusal page's sign-in form, posted as a browser without JavaScript would. */
async function postRefusalForm(refusal: string, cookie: string): Promise<PortalAnswer> {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(refusal)?.[1]?.replaceAll("&amp;", "&");
  expect(refusal).toContain('action="/login"');
  const response = await fetch(`${portal.baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: portal.baseUrl, cookie },
    body: new URLSearchParams({ email: field("email")!, redirectTo: field("redirectTo")! }).toString(),
  });
  const cookies: Record<string, string> = {};
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    cookies[pair!.slice(0, pair!.indexOf("="))] = pair!.slice(pair!.indexOf("=") + 1);
  }
  return { status: response.status, location: response.headers.get("location"), text: await response.text(), cookies };
}

describe("a member of an organisation that requires single sign-on", () => {
  test("with a password session is refused its pages, keeps the other organisation's, and signs in through the provider", async () => {
    const { cookie } = await signIn(before.baseUrl, PAT, TEST_PASSWORD);
    const models = `/orgs/${required.slug}/models`;

    const refused = await page(models, cookie);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Single sign-on required");
    expect(refused.text).toContain(`This organisation requires signing in through ${new URL(provider.issuer).host}`);
    expect(refused.text).toContain(`Sign in through ${new URL(provider.issuer).host}`);
    // Every page and action of the organisation, not only one.
    expect((await page(`/orgs/${required.slug}`, cookie)).status).toBe(403);
    const action = await send(portal.baseUrl, `/orgs/${required.slug}/inbox`, { method: "POST", cookie, body: new URLSearchParams({}) });
    expect(action.status).toBe(403);

    expect((await page(`/orgs/${other.slug}`, cookie)).status).toBe(200);
    expect((await page(`/orgs/${other.slug}/models`, cookie)).status).toBe(200);
    // The start page lands the password session in the organisation it may open, not the one used last.
    getDb().update(users).set({ lastOrgId: required.id }).where(eq(users.email, PAT)).run();
    expect((await page("/", cookie)).location).toBe(`/orgs/${other.slug}`);

    // The refusal page's button: through the provider (a first sign-in links the account after its password) and back.
    const linking = await throughProvider(await postRefusalForm(refused.text, cookie), "pat");
    expect(linking.location).toBe(`/auth/oidc/link?${new URLSearchParams({ redirectTo: models })}`);
    const linked = await fetch(`${portal.baseUrl}${linking.location}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: portal.baseUrl,
        cookie: `__portal_oidc_link=${linking.cookies.__portal_oidc_link}`,
      },
      body: new URLSearchParams({ password: TEST_PASSWORD }).toString(),
    });
    expect(linked.status).toBe(302);
    expect(linked.headers.get("location")).toBe(models);

    // Later sign-ins go through the provider alone, back to the page asked for.
    const again = await throughProvider(await postRefusalForm(refused.text, cookie), "pat");
    expect(again.status).toBe(302);
    expect(again.location).toBe(models);
    expect((await page(models, sessionOf(again))).status).toBe(200);
    expect((await page(`/orgs/${other.slug}`, sessionOf(again))).status).toBe(200);
  });

  test("outside the provider's domains is told to ask the organisation's administrators, with no sign-in to try", async () => {
    const { cookie } = await signIn(portal.baseUrl, required.emails.team, TEST_PASSWORD);
    const refused = await page(`/orgs/${required.slug}`, cookie);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/which cannot sign in team\.[^ ]+@e2e\.test\. Ask this organisation(&#x27;|')s administrators/);
    expect(refused.text).not.toContain('action="/login"');
  });

  test("keeps API tokens working: they are not sessions", async () => {
    const { token } = createApiToken(required.id, { name: "sso-required", scopes: ["registry:read"] }, SYSTEM_ACTOR);
    expect((await send(portal.baseUrl, `${API}/models`, { bearer: token })).status).toBe(200);
  });
});

test("the break-glass account signs in with its password and opens the organisation's pages; others of its domain may not", async () => {
  const glass = await signIn(portal.baseUrl, BREAK_GLASS, TEST_PASSWORD);
  expect((await page(`/orgs/${required.slug}`, glass.cookie)).status).toBe(200);
  expect((await page(`/orgs/${required.slug}/admin`, glass.cookie)).status).toBe(200);
  // A password that would open none of Robin's organisations is refused at the form, and no session starts.
  const refused = await send(portal.baseUrl, "/login", {
    method: "POST",
    body: new URLSearchParams({ email: ROBIN, password: TEST_PASSWORD, redirectTo: "" }),
  });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain("sign in through single sign-on");
  expect(refused.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
  // Pat keeps the password for the other organisation, lands there, and the required one still refuses the session.
  const pat = await signIn(portal.baseUrl, PAT, TEST_PASSWORD);
  expect(pat.location).toBe(`/orgs/${other.slug}`);
  expect((await page(`/orgs/${other.slug}`, pat.cookie)).status).toBe(200);
  expect((await page(`/orgs/${required.slug}`, pat.cookie)).status).toBe(403);
  // Its way to the password form, since its email would continue to the provider.
  const form = await send(portal.baseUrl, "/login?with=password");
  expect(form.text).toContain('name="password"');
  expect((await send(portal.baseUrl, "/login")).text).toContain('href="/login?with=password"');
});

test("the members page shows each member's last SSO sign-in or password only, and the rule; admins end SSO accounts' sessions and deactivate them", async () => {
  // Sam's account is created by the provider on the first sign-in: it has no usable password.
  const sam = `sam@${DOMAIN}`;
  provider.account({ login: "sam", email: sam, name: "Sam", groups: ["ml-eng"] });
  const samSession = sessionOf(await throughProvider(await submitEmail(portal, sam), "sam"));
  expect((await page(`/orgs/${required.slug}`, samSession)).status).toBe(200);
  // Kim has a password, and links the provider's account to it at the first sign-in through it.
  const kim = `kim@${DOMAIN}`;
  await createUserInOrganization(required.id, { email: kim, name: "Kim", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  provider.account({ login: "kim", email: kim, groups: ["ml-eng"] });
  const linking = await throughProvider(await submitEmail(portal, kim), "kim");
  expect(linking.location).toMatch(/^\/auth\/oidc\/link/);
  const linked = await send(portal.baseUrl, linking.location!, {
    method: "POST",
    cookie: `__portal_oidc_link=${linking.cookies.__portal_oidc_link}`,
    body: new URLSearchParams({ password: TEST_PASSWORD }),
  });
  expect(linked.status).toBe(302);

  const { cookie } = await signIn(portal.baseUrl, BREAK_GLASS, TEST_PASSWORD);
  const members = await page(`/orgs/${required.slug}/admin`, cookie);
  expect(members.status).toBe(200);
  expect(members.text).toContain("This organisation requires single sign-on through");
  const row = (email: string) =>
    new RegExp(`<tr>(?:(?!</tr>).)*${email.replaceAll(".", "\\.")}(?:(?!</tr>).)*</tr>`, "s").exec(members.text)?.[0] ?? "";
  const host = new URL(provider.issuer).host;
  expect(row(sam)).toContain(`Single sign-on (${host}), last`);
  expect(row(sam)).toContain("SSO required");
  expect(row(kim)).toContain(`Single sign-on (${host}), last`);
  expect(row(required.emails.auditor)).toContain("Password only");
  expect(row(BREAK_GLASS)).toContain("Break-glass: password allowed");

  const samId = getDb().select({ id: users.id }).from(users).where(eq(users.email, sam)).get()!.id;
  const ended = await send(portal.baseUrl, `/orgs/${required.slug}/admin?index`, {
    method: "POST",
    cookie,
    body: new URLSearchParams({ intent: "end-sessions", userId: String(samId), confirm: "on" }),
  });
  expect(ended.status).toBe(200);
  expect(ended.text).toContain("is signed out everywhere: 1 session ended.");
  expect((await page(`/orgs/${required.slug}`, samSession)).status).toBe(302);

  const deactivated = await send(portal.baseUrl, `/orgs/${required.slug}/admin`, {
    method: "POST",
    cookie,
    body: new URLSearchParams({ intent: "deactivate-user", userId: String(samId), confirm: "on" }),
  });
  expect(deactivated.status).toBe(200);
  expect(deactivated.text).toContain("User deactivated");
  const afterwards = await throughProvider(await submitEmail(portal, sam), "sam");
  expect(afterwards.status).toBe(403);
  expect(afterwards.text).toContain("This account is deactivated");
});
