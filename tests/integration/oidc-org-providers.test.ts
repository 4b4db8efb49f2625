/**
 * Organisations' own OpenID Connect providers (issue #17) against a real provider (node-oidc-provider,
 * tests/setup/oidc-provider.ts), through the portal's real pages over HTTP: an organisation's admin configures the
 * provider and claims a domain, a site administrator approves the claim, and only then do that domain's people sign
 * in through it, landing with the mapped role in that organisation only. No OIDC_* provider here: the portal
 * has only the organisations' own. A second portal on the same database runs without OIDC_ALLOW_PRIVATE: it
 * refuses to reach the provider, which listens on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, memberships, oidcProviders, orgDomains, sessions, users } from "../../db/schema";
import { sealSecret } from "../../app/utils/keys.server";
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
  type TestProvider,
} from "../setup/oidc-provider";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import { SESSION_COOKIE, signIn } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

let provider: TestProvider;
/** The organisation whose admin is the site administrator. */
let site: TestOrg;
let portal!: Awaited<ReturnType<typeof startSsoPortal>>;
/** The same portal refusing addresses that are not public, as in production. */
let guarded!: Awaited<ReturnType<typeof startSsoPortal>>;
let releaseBuild = () => {};
let siteAdmin: string;

beforeAll(async () => {
  provider = await startOidcProvider([SSO_PUBLIC_URL]);
  site = await createTestOrg("site");
  // No site-wide provider: only OIDC_ALLOW_HTTP and OIDC_ALLOW_PRIVATE, for the local provider.
  const noSiteProvider = { OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined };
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  [portal, guarded] = await Promise.all([
    startSsoPortal(provider, noSiteProvider, { buildDir: build.buildDir }),
    startSsoPortal(provider, { ...noSiteProvider, OIDC_ALLOW_PRIVATE: undefined }, { buildDir: build.buildDir }),
  ]);
  getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.email, site.emails.admin)).run();
  siteAdmin = (await signIn(portal.baseUrl, site.emails.admin, TEST_PASSWORD)).cookie;
}, 240_000);

afterAll(async () => {
  await Promise.all([portal?.stop(), guarded?.stop()]);
  releaseBuild();
  await provider?.close();
  killAllPortals();
});

function post(path: string, cookie: string, fields: Array<[string, string]>, to: { baseUrl: string } = portal) {
  return send(to.baseUrl, path, {
    method: "POST",
    cookie,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: to.baseUrl },
    body: new URLSearchParams(fields).toString(),
  });
}

const ssoPage = (slug: string) => `/orgs/${slug}/admin/sso`;

function providerForm(overrides: Record<string, string> = {}): Array<[string, string]> {
  const fields: Record<string, string> = {
    intent: "save",
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    groupsClaim: "groups",
    defaultRole: "",
    createUsers: "on",
    enabled: "on",
    breakGlassUserId: "",
    ...overrides,
  };
  return [...Object.entries(fields), ["mapGroup", "ml-leads"], ["mapRole", "leadership"], ["mapGroup", "ml-eng"], ["mapRole", "team"]];
}

const claimsOf = (orgId: number) => getDb().select().from(orgDomains).where(eq(orgDomains.orgId, orgId)).all();

let domains = 0;
/** An organisation of each test's own, its admin signed in, and an email domain no other test claims. */
async function newOrganization(label = "orgsso") {
  const org = await createTestOrg(label);
  const admin = (await signIn(portal.baseUrl, org.emails.admin, TEST_PASSWORD)).cookie;
  return { org, admin, domain: `d${++domains}.acme-sso.test` };
}

/** A new organisation whose admin saved the provider and claimed its domain: pending, or approved by the site administrator. */
async function configuredProvider({ approved }: { approved: boolean }) {
  const own = await newOrganization();
  expect((await post(ssoPage(own.org.slug), own.admin, providerForm())).status).toBe(200);
  const claimed = await post(ssoPage(own.org.slug), own.admin, [
    ["intent", "claim"],
    ["domain", own.domain],
  ]);
  expect(claimed.status).toBe(200);
  const claim = claimsOf(own.org.id)[0]!;
  if (approved) {
    const answer = await post("/admin/domains", siteAdmin, [
      ["intent", "approve"],
      ["claimId", String(claim.id)],
      ["confirm", "on"],
    ]);
    expect(answer.status).toBe(200);
  }
  return { ...own, claim };
}

test("only the organisation's admins reach the single sign-on page", async () => {
  const { org, admin } = await newOrganization();
  expect((await send(portal.baseUrl, ssoPage(org.slug), { cookie: admin })).status).toBe(200);
  const team = (await signIn(portal.baseUrl, org.emails.team, TEST_PASSWORD)).cookie;
  expect((await send(portal.baseUrl, ssoPage(org.slug), { cookie: team })).status).toBe(403);
  expect((await post(ssoPage(org.slug), team, providerForm())).status).toBe(403);
  expect(getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()).toBeUndefined();
});

test("a bad provider form keeps what was typed, names the field, and saves nothing", async () => {
  const { org, admin } = await newOrganization();
  const answer = await post(ssoPage(org.slug), admin, providerForm({ issuer: "ftp://login.example.com", clientId: "kept-client-id" }));
  expect(answer.status).toBe(400);
  expect(answer.text).toContain("The issuer URL must start with https://");
  expect(answer.text).toContain('value="kept-client-id"');
  // The secret is never sent back, not even what was just typed.
  expect(answer.text).not.toContain(provider.clientSecret);
  expect(getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()).toBeUndefined();
});

test("the admin checks discovery, configures the provider and claims a domain; the secret is stored sealed", async () => {
  const { org, admin, domain } = await newOrganization();
  const discovery = await post(ssoPage(org.slug), admin, providerForm({ intent: "check-discovery" }));
  expect(discovery.status).toBe(200);
  expect(discovery.text).toContain("discovery document is in order");
  expect(discovery.text).toContain(`${provider.issuer}/auth`);

  const saved = await post(ssoPage(org.slug), admin, providerForm());
  expect(saved.status).toBe(200);
  expect(saved.text).toContain("Single sign-on settings saved.");
  expect(saved.text).not.toContain(provider.clientSecret);
  const row = getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()!;
  expect(row.sealedClientSecret).toMatch(/^v1\./);
  expect(JSON.parse(row.roleMap)).toEqual({ "ml-leads": "leadership", "ml-eng": "team" });
  const file = process.env.DATABASE_URL!;
  for (const part of [file, `${file}-wal`].filter((f) => fs.existsSync(f))) {
    expect(fs.readFileSync(part).includes(provider.clientSecret)).toBe(false);
  }
  // A blank secret keeps the stored one.
  await post(ssoPage(org.slug), admin, providerForm({ clientSecret: "" }));
  expect(getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()!.sealedClientSecret).toBe(
    row.sealedClientSecret,
  );

  const claimed = await post(ssoPage(org.slug), admin, [
    ["intent", "claim"],
    ["domain", domain.toUpperCase()],
  ]);
  expect(claimed.status).toBe(200);
  expect(claimsOf(org.id)).toMatchObject([{ domain, status: "pending" }]);
  const actions = getDb().select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.orgId, org.id)).all();
  expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(["sso.provider_updated", "sso.domain_claimed"]));
});

test("without OIDC_ALLOW_PRIVATE, checking discovery at a private address names the issuer field and sends nothing", async () => {
  const { org, admin } = await newOrganization();
  const port = new URL(provider.issuer).port;
  const seen = provider.requests.length;
  for (const [issuer, address] of [
    [provider.issuer, "127.0.0.1 is a loopback address"],
    // A name that resolves to loopback is refused at the lookup.
    [`http://localhost:${port}`, "localhost resolves to an address that is not public"],
  ] as const) {
    const answer = await post(ssoPage(org.slug), admin, providerForm({ intent: "check-discovery", issuer }), guarded);
    expect(answer.status).toBe(422);
    expect(answer.text).toContain("The issuer&#x27;s address is not public");
    expect(answer.text).toContain(address);
    expect(answer.text).toContain("aria-invalid");
    expect(answer.text).not.toContain("discovery document is in order");
  }
  expect(provider.requests.slice(seen)).toEqual([]);
});

test("before the claim is approved, the domain's people get the password form", async () => {
  const { domain } = await configuredProvider({ approved: false });
  const answer = await submitEmail(portal, `grace@${domain}`);
  expect(answer.status).not.toBe(302);
  expect(answer.text).toContain('name="password"');
});

test("a site administrator approves the claim; then the domain's people sign in with the mapped role in that organisation", async () => {
  const { org, admin, domain, claim } = await configuredProvider({ approved: false });
  const unconfirmed = await post("/admin/domains", siteAdmin, [
    ["intent", "approve"],
    ["claimId", String(claim!.id)],
  ]);
  expect(unconfirmed.status).toBe(400);
  expect(claimsOf(org.id)[0]!.status).toBe("pending");
  // An organisation's admin is not a site administrator.
  expect((await send(portal.baseUrl, "/admin/domains", { cookie: admin })).status).toBe(403);
  const approved = await post("/admin/domains", siteAdmin, [
    ["intent", "approve"],
    ["claimId", String(claim!.id)],
    ["confirm", "on"],
  ]);
  expect(approved.status).toBe(200);
  expect(claimsOf(org.id)[0]!.status).toBe("approved");
  const siteEvents = getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "sso.domain_approved"), eq(auditEvents.entityId, String(claim.id))))
    .all();
  expect(siteEvents.map((e) => e.orgId)).toEqual([null]);

  const email = `grace@${domain}`;
  provider.account({ login: "grace", email, name: "Grace Hopper", groups: ["ml-leads", "ml-eng"] });
  const started = await submitEmail(portal, email);
  expect(started.status, started.text.slice(0, 300)).toBe(302);
  expect(started.location!.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  // The sign-in form may end at the organisation's provider: the sign-in page's CSP names it.
  expect((await send(portal.baseUrl, "/login")).headers.get("content-security-policy")).toContain(`form-action 'self' ${provider.issuer};`);
  const callback = await finishAtProvider(started.location!, "grace", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
  const landed = await arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
  expect(landed.status, landed.text.slice(0, 300)).toBe(302);
  expect(landed.cookies[SESSION_COOKIE]).toBeTruthy();
  const user = getDb().select().from(users).where(eq(users.email, email)).get()!;
  const roles = getDb()
    .select({ orgId: memberships.orgId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, user.id))
    .all();
  // The organisation whose provider it was, and no other.
  expect(roles).toEqual([{ orgId: org.id, role: "leadership" }]);
});

test("signing out of a session through the organisation's provider offers signing out there, and only to that browser", async () => {
  const { org, domain } = await configuredProvider({ approved: true });
  const email = `ada@${domain}`;
  provider.account({ login: "ada", email, groups: ["ml-eng"] });
  const started = await submitEmail(portal, email);
  const callback = await finishAtProvider(started.location!, "ada", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
  const landed = await arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
  const providerId = getDb().select({ id: oidcProviders.id }).from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()!.id;
  const userId = getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
  // The session knows the provider it came through.
  expect(getDb().select({ provider: sessions.ssoProvider }).from(sessions).where(eq(sessions.userId, userId)).all()).toEqual([
    { provider: String(providerId) },
  ]);

  const out = await send(portal.baseUrl, "/logout", { method: "POST", cookie: `${SESSION_COOKIE}=${landed.cookies[SESSION_COOKIE]}` });
  expect(out.location).toBe("/login?signedOut=sso");
  expect((await send(portal.baseUrl, "/login?signedOut=sso")).text).not.toContain("Sign out there too");
  const href = providerLogoutHref((await send(portal.baseUrl, "/login?signedOut=sso", { cookie: signedOutCookie(out) })).text);
  expect(href.origin).toBe(provider.issuer);
  expect(href.searchParams.get("client_id")).toBe(provider.clientId);
  expect(href.searchParams.get("post_logout_redirect_uri")).toBe(`${SSO_PUBLIC_URL}/login`);
  // The provider's own sign-out page (a confirmation) accepts it.
  expect((await fetch(href)).status).toBe(200);
});

test("without OIDC_ALLOW_PRIVATE, the organisation's provider at a private address signs no one in and is never asked", async () => {
  const { domain } = await configuredProvider({ approved: true });
  const seen = provider.requests.length;
  const answer = await submitEmail(guarded, `grace@${domain}`);
  expect(answer.status).toBe(502);
  expect(answer.text).toContain("is at an address that is not public, and the portal does not connect there");
  expect(answer.location).toBeNull();
  expect(answer.cookies[SESSION_COOKIE]).toBeUndefined();
  expect(answer.cookies.__portal_oidc).toBeUndefined();
  expect(provider.requests.slice(seen)).toEqual([]);
});

test("a client secret the portal can no longer unseal stops sign-in with words, not a 500, until the admin enters it again", async () => {
  const { org, admin, domain } = await configuredProvider({ approved: true });
  const email = `grace@${domain}`;
  provider.account({ login: "grace", email, name: "Grace Hopper", groups: ["ml-leads", "ml-eng"] });
  // A sign-in under way while the secrets key changes: its callback is refused too.
  const started = await submitEmail(portal, email);
  expect(started.status).toBe(302);
  const callback = await finishAtProvider(started.location!, "grace", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
  // Sealed under another key, as after the portal's secrets key changed.
  const providerRow = () => getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, org.id)).get()!;
  getDb()
    .update(oidcProviders)
    .set({ sealedClientSecret: sealSecret(provider.clientSecret, randomBytes(32)) })
    .where(eq(oidcProviders.orgId, org.id))
    .run();

  const refused = await submitEmail(portal, email);
  expect(refused.status).toBe(503);
  expect(refused.text).toContain("needs its administrator to enter the provider&#x27;s client secret again");
  expect(refused.location).toBeNull();
  const finished = await arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
  expect(finished.status).toBe(503);
  expect(finished.text).toContain("needs its administrator to enter the provider&#x27;s client secret again");
  for (const answer of [refused, finished]) expect(answer.cookies[SESSION_COOKIE]).toBeUndefined();

  const page = await send(portal.baseUrl, ssoPage(org.slug), { cookie: admin });
  expect(page.text).toContain("The stored client secret cannot be read any more");
  // Saving without the secret keeps the provider broken: refused, on the secret's field.
  const blank = await post(ssoPage(org.slug), admin, providerForm({ clientSecret: "" }));
  expect(blank.status).toBe(422);
  expect(blank.text).toContain("The stored client secret cannot be read any more: enter the client secret");
  const unreadable = providerRow().sealedClientSecret;

  const saved = await post(ssoPage(org.slug), admin, providerForm());
  expect(saved.status).toBe(200);
  expect(saved.text).not.toContain("cannot be read");
  expect(providerRow().sealedClientSecret).not.toBe(unreadable);
  const again = await submitEmail(portal, email);
  expect(again.status, again.text.slice(0, 300)).toBe(302);
  expect(again.location!.startsWith(`${provider.issuer}/auth?`)).toBe(true);
});

test("another organisation's claim to an approved domain cannot be approved", async () => {
  const { org, domain } = await configuredProvider({ approved: true });
  const { org: rival, admin: rivalAdmin } = await newOrganization("rival");
  const claimed = await post(ssoPage(rival.slug), rivalAdmin, [
    ["intent", "claim"],
    ["domain", domain],
  ]);
  expect(claimed.status).toBe(200);
  const [claim] = claimsOf(rival.id);
  const refused = await post("/admin/domains", siteAdmin, [
    ["intent", "approve"],
    ["claimId", String(claim!.id)],
    ["confirm", "on"],
  ]);
  expect(refused.status).toBe(409);
  expect(refused.text).toContain("one organisation per domain");
  expect(claimsOf(rival.id)[0]!.status).toBe("pending");
  const approved = getDb()
    .select({ orgId: orgDomains.orgId })
    .from(orgDomains)
    .where(and(eq(orgDomains.domain, domain), eq(orgDomains.status, "approved")))
    .all();
  expect(approved).toEqual([{ orgId: org.id }]);
});

test("the organisation's provider never signs in a site administrator", async () => {
  const { domain } = await configuredProvider({ approved: true });
  const root = `root@${domain}`;
  await signIn(portal.baseUrl, site.emails.admin, TEST_PASSWORD);
  getDb().update(users).set({ email: root }).where(eq(users.email, site.emails.admin)).run();
  try {
    provider.account({ login: "root", email: root, groups: ["ml-leads"] });
    const started = await submitEmail(portal, root);
    const callback = await finishAtProvider(started.location!, "root", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
    const answer = await arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("Site administrators sign in with their password");
    expect(answer.cookies[SESSION_COOKIE]).toBeUndefined();
  } finally {
    getDb().update(users).set({ email: site.emails.admin }).where(eq(users.email, root)).run();
  }
});

test("a site administrator revokes an approved domain: its people sign in with their password, and the organisation may claim it again", async () => {
  const { org, admin, domain } = await configuredProvider({ approved: true });
  const [claim] = claimsOf(org.id);
  expect(claim!.status).toBe("approved");
  const revoke = (fields: Array<[string, string]>, cookie = siteAdmin) =>
    post("/admin/domains", cookie, [["intent", "revoke"], ["claimId", String(claim!.id)], ...fields]);
  expect((await send(portal.baseUrl, "/admin/domains", { cookie: siteAdmin })).text).toContain(
    `Revoke the approval of ${domain} for ${org.name}`,
  );

  // An organisation's admin cannot; unconfirmed, nothing changes and the box says why.
  expect((await revoke([["confirm", "on"]], admin)).status).toBe(403);
  const unconfirmed = await revoke([]);
  expect(unconfirmed.status).toBe(400);
  expect(unconfirmed.text).toContain("Tick the box to confirm");
  expect(claimsOf(org.id)[0]!.status).toBe("approved");

  const revoked = await revoke([["confirm", "on"]]);
  expect(revoked.status).toBe(200);
  expect(revoked.text).toContain(`The approval of ${domain} was revoked: its people sign in with their password again.`);
  expect(claimsOf(org.id)[0]).toMatchObject({ status: "revoked", decidedAt: expect.any(Date) });
  const [event] = getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "sso.domain_revoked"), eq(auditEvents.entityId, String(claim!.id))))
    .all();
  expect(event).toMatchObject({ orgId: null, entityId: String(claim!.id) });
  expect(JSON.parse(event!.payload)).toMatchObject({ after: { status: "revoked" }, details: { domain, orgId: org.id } });
  expect((await revoke([["confirm", "on"]])).status).toBe(409);

  const answer = await submitEmail(portal, `grace@${domain}`);
  expect(answer.status).not.toBe(302);
  expect(answer.text).toContain('name="password"');
  expect((await send(portal.baseUrl, ssoPage(org.slug), { cookie: admin })).text).toContain("Approval revoked by a site administrator");

  const again = await post(ssoPage(org.slug), admin, [
    ["intent", "claim"],
    ["domain", domain],
  ]);
  expect(again.status).toBe(200);
  expect(claimsOf(org.id).map((c) => c.status)).toEqual(expect.arrayContaining(["revoked", "pending"]));
});
