/**
 * Single sign-on against a real OpenID Provider (node-oidc-provider, tests/setup/oidc-provider.ts), through the
 * portal's real sign-in page and callback over HTTP (issue #17): the mapped role and its changes, linking an
 * existing account only after its password, never a site administrator, and each refusal with a clear page and
 * no session. Forged ID tokens are in oidc-hostile-issuer.test.ts.
 */
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, changeCounters, memberships, sessions, userIdentities, users } from "../../db/schema";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { send } from "../setup/api-client";
import {
  arriveAtCallback,
  finishAtProvider,
  providerLogoutHref,
  signedOutCookie,
  SSO_PUBLIC_URL,
  startOidcProvider,
  startSsoPortal,
  submitEmail,
  type PortalAnswer,
  type TestProvider,
} from "../setup/oidc-provider";
import { killAllPortals } from "../setup/portal-server";
import { SESSION_COOKIE } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const PUBLIC_URL = SSO_PUBLIC_URL;
const DOMAIN = "sso.test";

let provider: TestProvider;
let org: TestOrg;
let portal!: Awaited<ReturnType<typeof startSsoPortal>>;

beforeAll(async () => {
  provider = await startOidcProvider([PUBLIC_URL]);
  org = await createTestOrg("sso");
  portal = await startSsoPortal(provider, {
    OIDC_ORG: org.slug,
    OIDC_DOMAINS: DOMAIN,
    OIDC_ROLE_MAP: "ml-ethics=ethics,ml-leads=leadership,ml-eng=team",
    OIDC_REQUIRED: "true",
  });
}, 240_000);

afterAll(async () => {
  await portal?.stop();
  await provider?.close();
  killAllPortals();
});

/** The whole sign-in: the email step, the provider's login and consent pages as `login`, the callback. */
async function signInThroughProvider(email: string, login: string): Promise<PortalAnswer> {
  const started = await submitEmail(portal, email);
  expect(started.status, started.text.slice(0, 300)).toBe(302);
  expect(started.location!.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  const callback = await finishAtProvider(started.location!, login, `${PUBLIC_URL}/auth/oidc/callback`);
  return arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
}

const sessionOf = (answer: PortalAnswer) => answer.cookies[SESSION_COOKIE] || undefined;
const userByEmail = (email: string) => getDb().select().from(users).where(eq(users.email, email)).get();
const roleOf = (userId: number) =>
  getDb()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, userId)))
    .get()?.role ?? null;
const actionsFor = (userId: number) =>
  getDb()
    .select({ action: auditEvents.action })
    .from(auditEvents)
    .where(eq(auditEvents.entityId, String(userId)))
    .all()
    .map((e) => e.action);
const identitiesOf = (userId: number) => getDb().select().from(userIdentities).where(eq(userIdentities.userId, userId)).all();

/** A refusal: the page says why, with no session and the pending sign-in ended. */
function expectRefused(answer: PortalAnswer, status: number, words: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.text).toContain("Single sign-on did not sign you in");
  expect(answer.text).toMatch(words);
  expect(sessionOf(answer)).toBeUndefined();
  expect(answer.cookies.__portal_oidc).toBe("");
}

async function passwordAccount(email: string, role: "team" | "admin" = "team") {
  return createUserInOrganization(org.id, { email, name: email.split("@")[0]!, password: TEST_PASSWORD, role }, SYSTEM_ACTOR);
}

test("the sign-in page asks for the email first: the provider's domain continues to it, others to the password", async () => {
  const page = await send(portal.baseUrl, "/login");
  expect(page.text).toContain('name="email"');
  expect(page.text).not.toContain('name="password"');
  // The sign-in form may end at the provider: the CSP's form-action names it (Chromium checks redirects).
  expect(page.headers.get("content-security-policy")).toContain(`form-action 'self' ${provider.issuer};`);
  const other = await submitEmail(portal, org.emails.team);
  expect(other.status).toBe(200);
  expect(other.text).toContain('name="password"');
  const sso = await submitEmail(portal, `someone@${DOMAIN.toUpperCase()}`);
  expect(sso.status).toBe(302);
  const authorize = new URL(sso.location!);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    client_id: provider.clientId,
    redirect_uri: `${PUBLIC_URL}/auth/oidc/callback`,
    response_type: "code",
    code_challenge_method: "S256",
    login_hint: `someone@${DOMAIN}`,
  });
  expect(authorize.searchParams.get("state")).toBeTruthy();
  expect(authorize.searchParams.get("nonce")).toBeTruthy();
});

describe("a person of the provider's domain", () => {
  test("is created on the first sign-in with the mapped role of most rights, and membership follows the groups", async () => {
    const email = `ada@${DOMAIN}`;
    provider.account({ login: "ada", email, name: "Ada Lovelace", groups: ["ml-eng", "ml-ethics", "sales"] });
    const counters = () =>
      getDb()
        .select()
        .from(changeCounters)
        .where(inArray(changeCounters.scope, [`org:${org.id}`, "site"]))
        .all();
    const before = counters();
    const first = await signInThroughProvider(email, "ada");
    // A new account and membership: cached readers of the organisation and of shared data see it.
    expect(counters()).toHaveLength(2);
    for (const { scope, version } of counters()) {
      expect(version, scope).toBeGreaterThan(before.find((c) => c.scope === scope)?.version ?? 0);
    }
    expect(first.status).toBe(302);
    expect(first.location).toBe(`/orgs/${org.slug}`);
    const cookie = `${SESSION_COOKIE}=${sessionOf(first)}`;
    expect((await send(portal.baseUrl, `/orgs/${org.slug}`, { cookie })).status).toBe(200);
    const ada = userByEmail(email)!;
    expect(ada.name).toBe("Ada Lovelace");
    expect(roleOf(ada.id)).toBe("ethics");
    expect(identitiesOf(ada.id)).toEqual([expect.objectContaining({ issuer: provider.issuer, subject: "ada", email })]);
    expect(getDb().select({ sso: sessions.ssoIssuer }).from(sessions).where(eq(sessions.userId, ada.id)).all()).toEqual([
      { sso: provider.issuer },
    ]);
    expect(actionsFor(ada.id)).toEqual(expect.arrayContaining(["user.created_by_sso", "member.added", "auth.sso_login_succeeded"]));

    // Moved to the leads' group: the role follows, audited.
    provider.account({ login: "ada", email, groups: ["ml-leads"] });
    expect((await signInThroughProvider(email, "ada")).status).toBe(302);
    expect(roleOf(ada.id)).toBe("leadership");
    expect(actionsFor(ada.id)).toContain("member.role_changed");

    // Out of every mapped group: the membership ends and the sign-in is refused.
    provider.account({ login: "ada", email, groups: ["sales"] });
    expectRefused(await signInThroughProvider(email, "ada"), 403, /in none of the groups/);
    expect(roleOf(ada.id)).toBeNull();
    expect(actionsFor(ada.id)).toContain("member.removed");
  });

  test("with no mapped group and no default role gets no account and a clear refusal", async () => {
    provider.account({ login: "nogroup", email: `nogroup@${DOMAIN}`, groups: ["sales"] });
    expectRefused(await signInThroughProvider(`nogroup@${DOMAIN}`, "nogroup"), 403, /in none of the groups/);
    expect(userByEmail(`nogroup@${DOMAIN}`)).toBeUndefined();
  });

  test("whose email the provider has not verified is refused", async () => {
    provider.account({ login: "unverified", email: `unverified@${DOMAIN}`, emailVerified: false, groups: ["ml-eng"] });
    expectRefused(await signInThroughProvider(`unverified@${DOMAIN}`, "unverified"), 403, /has not verified your email/);
    expect(userByEmail(`unverified@${DOMAIN}`)).toBeUndefined();
  });

  test("asserting an email outside the allowed domains is refused", async () => {
    provider.account({ login: "outsider", email: "outsider@elsewhere.test", groups: ["ml-eng"] });
    expectRefused(await signInThroughProvider(`outsider@${DOMAIN}`, "outsider"), 403, /for people at sso\.test/);
    expect(userByEmail("outsider@elsewhere.test")).toBeUndefined();
  });
});

test("an existing account is linked only after its password, then signs in through the provider alone", async () => {
  const email = `linda@${DOMAIN}`;
  const linda = await passwordAccount(email);
  provider.account({ login: "linda", email, groups: ["ml-leads"] });
  const first = await signInThroughProvider(email, "linda");
  expect(first.status).toBe(302);
  expect(first.location).toBe("/auth/oidc/link");
  expect(sessionOf(first)).toBeUndefined();
  expect(identitiesOf(linda.id)).toEqual([]);
  const linkCookie = `__portal_oidc_link=${first.cookies.__portal_oidc_link}`;
  const page = await send(portal.baseUrl, "/auth/oidc/link", { cookie: linkCookie });
  expect(page.status).toBe(200);
  expect(page.text).toContain(email);
  const prove = (password: string) =>
    send(portal.baseUrl, "/auth/oidc/link", { method: "POST", cookie: linkCookie, body: new URLSearchParams({ password }) });

  const wrong = await prove("not-her-password");
  expect(wrong.status).toBe(401);
  expect(wrong.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  expect(identitiesOf(linda.id)).toEqual([]);

  const right = await prove(TEST_PASSWORD);
  expect(right.status).toBe(302);
  expect(right.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
  expect(identitiesOf(linda.id)).toEqual([expect.objectContaining({ subject: "linda" })]);
  expect(roleOf(linda.id)).toBe("leadership");
  expect(actionsFor(linda.id)).toContain("user.identity_linked");
  // Single use.
  expect((await prove(TEST_PASSWORD)).status).toBe(410);

  const again = await signInThroughProvider(email, "linda");
  expect(again.status).toBe(302);
  expect(sessionOf(again)).toBeDefined();

  // OIDC_REQUIRED: her password alone no longer signs her in.
  const password = await send(portal.baseUrl, "/login", {
    method: "POST",
    body: new URLSearchParams({ email, password: TEST_PASSWORD, redirectTo: "" }),
  });
  expect(password.status).toBe(403);
  expect(password.text).toContain("sign in through single sign-on");
  expect(password.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
});

test("a site administrator is never signed in or linked through the provider, and keeps the password (break-glass)", async () => {
  const email = `root@${DOMAIN}`;
  const root = await passwordAccount(email, "admin");
  getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.id, root.id)).run();
  provider.account({ login: "root", email, groups: ["ml-leads"] });
  expectRefused(await signInThroughProvider(email, "root"), 403, /Site administrators sign in with their password/);
  expect(identitiesOf(root.id)).toEqual([]);
  const password = await send(portal.baseUrl, "/login", {
    method: "POST",
    body: new URLSearchParams({ email, password: TEST_PASSWORD, redirectTo: "" }),
  });
  expect(password.status).toBe(302);
});

test("a callback whose state is not the pending sign-in's, or without one, signs nobody in", async () => {
  const email = `stan@${DOMAIN}`;
  provider.account({ login: "stan", email, groups: ["ml-eng"] });
  const started = await submitEmail(portal, email);
  const callback = await finishAtProvider(started.location!, "stan", `${PUBLIC_URL}/auth/oidc/callback`);
  const forged = new URL(callback);
  forged.searchParams.set("state", "forged-state");
  expectRefused(await arriveAtCallback(portal, forged, started.cookies.__portal_oidc), 400, /failed the portal's checks/);
  expectRefused(await arriveAtCallback(portal, callback, undefined), 400, /not started here/);
  expect(userByEmail(email)).toBeUndefined();
});

test("signing out of a session that came through the provider offers signing out there too", async () => {
  const email = `sam@${DOMAIN}`;
  provider.account({ login: "sam", email, groups: ["ml-eng"] });
  const signedIn = await signInThroughProvider(email, "sam");
  const out = await send(portal.baseUrl, "/logout", { method: "POST", cookie: `${SESSION_COOKIE}=${sessionOf(signedIn)}` });
  expect(out.status).toBe(302);
  expect(out.location).toBe("/login?signedOut=sso");
  const page = await send(portal.baseUrl, "/login?signedOut=sso", { cookie: signedOutCookie(out) });
  const logout = providerLogoutHref(page.text);
  expect(logout.origin).toBe(provider.issuer);
  expect(logout.searchParams.get("post_logout_redirect_uri")).toBe(`${PUBLIC_URL}/login`);
  expect((await fetch(logout)).status).toBe(200);
});
