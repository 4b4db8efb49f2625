/**
 * Single sign-on against a hostile issuer (tests/setup/hostile-oidc-issuer.ts): ID tokens a conforming provider
 * never sends, forged with `jose`, through the portal's real sign-in page and callback (issue #17). Each is
 * refused with a clear page and no session, and an email in a token never reaches another person's account.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { sessions, userIdentities, users } from "../../db/schema";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { startHostileIssuer, type Forgery, type HostileIssuer } from "../setup/hostile-oidc-issuer";
import { arriveAtCallback, finishAtProvider, SSO_PUBLIC_URL, startSsoPortal, submitEmail, type PortalAnswer } from "../setup/oidc-provider";
import { killAllPortals } from "../setup/portal-server";
import { SESSION_COOKIE } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const DOMAIN = "sso.test";

let issuer: HostileIssuer;
let org: TestOrg;
let portal!: Awaited<ReturnType<typeof startSsoPortal>>;

beforeAll(async () => {
  issuer = await startHostileIssuer();
  org = await createTestOrg("hostile");
  portal = await startSsoPortal(issuer, { OIDC_ORG: org.slug, OIDC_DOMAINS: DOMAIN, OIDC_DEFAULT_ROLE: "team" });
}, 240_000);

afterAll(async () => {
  await portal.stop();
  await issuer.close();
  killAllPortals();
});

/** A sign-in whose token endpoint answer carries `forgery` (the nonce the portal sent is the default). */
async function signInWith(forgery: (asked: { nonce: string }) => Forgery): Promise<PortalAnswer> {
  issuer.forge(forgery);
  const started = await submitEmail(portal, `someone@${DOMAIN}`);
  expect(started.status).toBe(302);
  const callback = await finishAtProvider(started.location!, "unused", `${SSO_PUBLIC_URL}/auth/oidc/callback`);
  return arriveAtCallback(portal, callback, started.cookies.__portal_oidc);
}

const person = (subject: string, email = `${subject}@${DOMAIN}`) => ({ sub: subject, email, email_verified: true });
const sessionOf = (answer: PortalAnswer) => answer.cookies[SESSION_COOKIE] || undefined;
const userByEmail = (email: string) => getDb().select().from(users).where(eq(users.email, email)).get();

function expectRefused(answer: PortalAnswer, words: RegExp) {
  expect(answer.status).toBe(400);
  expect(answer.text).toContain("Single sign-on did not sign you in");
  expect(answer.text).toMatch(words);
  expect(sessionOf(answer)).toBeUndefined();
}

test("a well-formed token of the issuer signs in (so the refusals below are the checks, not the issuer)", async () => {
  const answer = await signInWith(() => ({ claims: person("control") }));
  expect(answer.status).toBe(302);
  expect(sessionOf(answer)).toBeDefined();
  expect(userByEmail(`control@${DOMAIN}`)).toBeDefined();
});

test("a token for another client (wrong audience) is refused", async () => {
  expectRefused(await signInWith(() => ({ claims: { ...person("aud"), aud: "some-other-client" } })), /failed the portal's checks/);
  expect(userByEmail(`aud@${DOMAIN}`)).toBeUndefined();
});

test("an expired token is refused", async () => {
  const past = Math.floor(Date.now() / 1000) - 3600;
  expectRefused(await signInWith(() => ({ claims: { ...person("expired"), iat: past - 300, exp: past } })), /failed the portal's checks/);
  expect(userByEmail(`expired@${DOMAIN}`)).toBeUndefined();
});

test("a token with another sign-in's nonce is refused", async () => {
  expectRefused(await signInWith(() => ({ claims: { ...person("nonce"), nonce: "replayed-nonce" } })), /failed the portal's checks/);
  expect(userByEmail(`nonce@${DOMAIN}`)).toBeUndefined();
});

test("a token signed by a key the issuer's JWKS does not publish is refused", async () => {
  expectRefused(await signInWith(() => ({ claims: person("forged"), foreignKey: true })), /failed the portal's checks/);
  expect(userByEmail(`forged@${DOMAIN}`)).toBeUndefined();
});

test("a token asserting the email of another account never signs in as that account", async () => {
  const victim = await createUserInOrganization(
    org.id,
    { email: `victim@${DOMAIN}`, name: "Victim", password: TEST_PASSWORD, role: "admin" },
    SYSTEM_ACTOR,
  );
  // A new subject with the victim's email: a password proof is asked for, nothing is linked, nobody signed in.
  const claim = await signInWith(() => ({ claims: person("mallory-2", victim.email) }));
  expect(claim.status).toBe(302);
  expect(claim.location).toBe("/auth/oidc/link");
  expect(sessionOf(claim)).toBeUndefined();

  // A known subject that now asserts the victim's email signs in as itself, never as the victim.
  expect((await signInWith(() => ({ claims: person("mallory") }))).status).toBe(302);
  const mallory = userByEmail(`mallory@${DOMAIN}`)!;
  const answer = await signInWith(() => ({ claims: person("mallory", victim.email) }));
  expect(answer.status).toBe(302);
  expect(getDb().select({ userId: sessions.userId }).from(sessions).where(eq(sessions.userId, victim.id)).all()).toEqual([]);
  expect(getDb().select().from(userIdentities).where(eq(userIdentities.userId, victim.id)).all()).toEqual([]);
  expect(getDb().select({ n: sessions.id }).from(sessions).where(eq(sessions.userId, mallory.id)).all()).toHaveLength(2);
});

test("an email not verified as the boolean true is refused", async () => {
  const answer = await signInWith(() => ({ claims: { ...person("stringly"), email_verified: "true" } }));
  expect(answer.status).toBe(403);
  expect(answer.text).toContain("has not verified your email");
  expect(sessionOf(answer)).toBeUndefined();
  expect(userByEmail(`stringly@${DOMAIN}`)).toBeUndefined();
});
