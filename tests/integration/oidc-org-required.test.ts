/**
 * The password sign-in of people an organisation's own provider requires single sign-on of (issue #17), against a
 * real OpenID Provider (tests/setup/oidc-provider.ts) and the real portal over HTTP: refused on the sign-in form, with
 * the way to the provider, when a password would open none of the person's organisations; let through for the
 * organisation's break-glass administrator and for someone who also belongs to an organisation without the rule
 * (whose password session lands there, and whose SSO organisation's pages still refuse it). A session through the
 * provider lands likewise in an organisation it opens.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, memberships, users } from "../../db/schema";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createInvitation, invitationPath } from "../../app/modules/auth/invitations.server";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { send } from "../setup/api-client";
import {
  arriveAtCallback,
  finishAtProvider,
  SSO_PUBLIC_URL,
  seedOrgProvider,
  startOidcProvider,
  startSsoPortal,
  submitEmail,
  type TestProvider,
} from "../setup/oidc-provider";
import { killAllPortals } from "../setup/portal-server";
import { SESSION_COOKIE, signIn } from "../setup/sign-in";
import { createTestOrg, member, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const DOMAIN = "acme-required.test";
const SOLO = `solo@${DOMAIN}`;
const BOTH = `both@${DOMAIN}`;

let provider: TestProvider;
let acme: TestOrg;
let other: TestOrg;
let portal!: Awaited<ReturnType<typeof startSsoPortal>>;
let glass: string;

beforeAll(async () => {
  provider = await startOidcProvider([SSO_PUBLIC_URL]);
  [acme, other] = await Promise.all([createTestOrg("acme-req"), createTestOrg("acme-other")]);
  const admin = member(acme, "admin");
  // The break-glass administrator is of the provider's domain too.
  glass = `glass@${DOMAIN}`;
  const glassUser = await createUserInOrganization(
    acme.id,
    { email: glass, name: "Glass", password: TEST_PASSWORD, role: "admin" },
    SYSTEM_ACTOR,
  );
  await createUserInOrganization(acme.id, { email: SOLO, name: "Solo", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  const both = await createUserInOrganization(acme.id, { email: BOTH, name: "Both", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  getDb().insert(memberships).values({ orgId: other.id, userId: both.id, role: "team" }).run();
  seedOrgProvider(acme.id, provider, { domain: DOMAIN, admin, required: true, breakGlassUserId: glassUser.id });
  // No site-wide provider: only OIDC_ALLOW_HTTP, for the local provider.
  portal = await startSsoPortal(provider, { OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined });
}, 240_000);

afterAll(async () => {
  await portal?.stop();
  await provider?.close();
  killAllPortals();
});

const passwordSignIn = (email: string) =>
  send(portal.baseUrl, "/login", { method: "POST", body: new URLSearchParams({ email, password: TEST_PASSWORD, redirectTo: "" }) });

test("a member of that organisation alone is refused the password on the email field, with the way to the provider", async () => {
  const refused = await passwordSignIn(SOLO);
  expect(refused.status).toBe(403);
  expect(refused.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  expect(refused.text).toContain(`${acme.name} signs in through its identity provider: continue with single sign-on.`);
  // The email step: the field carries the message, and its button continues to the provider.
  expect(refused.text).toMatch(/<input[^>]*aria-invalid="true"[^>]*name="email"/);
  expect(refused.text).not.toContain('name="password"');
  expect(refused.text).toContain(">Continue</button>");
  const continued = await submitEmail(portal, SOLO);
  expect(continued.status).toBe(302);
  expect(continued.location!.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  const soloId = getDb().select({ id: users.id }).from(users).where(eq(users.email, SOLO)).get()!.id;
  const failures = getDb()
    .select({ payload: auditEvents.payload })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.login_failed"), eq(auditEvents.entityId, String(soloId))))
    .all();
  expect(failures.map((event) => event.payload)).toEqual([expect.stringContaining("single sign-on required")]);
});

test("the organisation's break-glass administrator signs in with the password and opens its pages", async () => {
  const { cookie, location } = await signIn(portal.baseUrl, glass, TEST_PASSWORD);
  expect(location).toBe(`/orgs/${acme.slug}`);
  expect((await send(portal.baseUrl, `/orgs/${acme.slug}/admin`, { cookie })).status).toBe(200);
});

test("a member of another organisation too keeps the password for it; the SSO organisation's pages still refuse it", async () => {
  // Used the SSO organisation last: the password session lands in the one it may open.
  getDb().update(users).set({ lastOrgId: acme.id }).where(eq(users.email, BOTH)).run();
  const { cookie, location } = await signIn(portal.baseUrl, BOTH, TEST_PASSWORD);
  expect(location).toBe(`/orgs/${other.slug}`);
  expect((await send(portal.baseUrl, `/orgs/${other.slug}/models`, { cookie })).status).toBe(200);
  const refused = await send(portal.baseUrl, `/orgs/${acme.slug}/models`, { cookie });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain("Single sign-on required");
});

test("a sign-in through the provider lands in an organisation it opens, not one requiring another provider", async () => {
  // Strict requires single sign-on through a provider of its own, which cannot sign in this domain.
  const strict = await createTestOrg("acme-strict");
  const other = { issuer: "https://idp.strict.example", clientId: "portal", clientSecret: "strict-secret" };
  seedOrgProvider(strict.id, other, {
    domain: "strict.test",
    admin: member(strict, "admin"),
    required: true,
    breakGlassUserId: member(strict, "admin").userId,
  });
  const email = `dual@${DOMAIN}`;
  provider.account({ login: "dual", email, groups: ["ml-eng"] });
  const signInThroughProvider = async () => {
    const started = await submitEmail(portal, email);
    const callback = await finishAtProvider(started.location!, "dual", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
    return arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
  };
  expect((await signInThroughProvider()).location).toBe(`/orgs/${acme.slug}`);
  const dual = getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
  getDb().insert(memberships).values({ orgId: strict.id, userId: dual, role: "team" }).run();
  getDb().update(users).set({ lastOrgId: strict.id }).where(eq(users.id, dual)).run();
  expect((await signInThroughProvider()).location).toBe(`/orgs/${acme.slug}`);
});

test("a new person joining through an invitation link is not signed in with the password: the sign-in says the account is ready", async () => {
  const email = `joiner@${DOMAIN}`;
  const { token } = createInvitation(acme.id, { email, role: "team" }, SYSTEM_ACTOR);
  const password = "Joiner-Passw0rd-1";
  const joined = await send(portal.baseUrl, invitationPath(token), {
    method: "POST",
    body: new URLSearchParams({ intent: "create-account", name: "Joiner", password, confirmPassword: password }),
  });
  // A password session would be refused by every page of the organisation: they sign in through its provider.
  expect(joined.status).toBe(302);
  expect(joined.location).toBe(`/login?${new URLSearchParams({ redirectTo: `/orgs/${acme.slug}`, joined: "1" })}`);
  expect(joined.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  const signInPage = await send(portal.baseUrl, joined.location!);
  expect(signInPage.text).toContain("Your account is ready and you have joined the organisation. Sign in to open it.");
  const user = getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!;
  expect(
    getDb()
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, acme.id), eq(memberships.userId, user.id)))
      .get(),
  ).toMatchObject({
    role: "team",
  });
});
