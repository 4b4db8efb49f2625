/**
 * Signing in and sessions against the real server (issue #14 §4, §5 and the
 * /login redirect of §7): throttling per (account, client address) and per
 * address that never locks the right password out of a clean client,
 * server-side sessions with idle and absolute lifetimes, sign-out of one
 * session or all, the account page, and a redirect target the Location
 * header cannot carry.
 *
 * Client addresses are loopback addresses of their own (127.0.0.0/8), so
 * each test's failures throttle only that test's addresses.
 */
import http from "node:http";
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents, memberships, organizations, sessions, users } from "../../db/schema";
import { MAX_FAILURES_PER_CLIENT } from "../../app/modules/auth/throttle.server";
import { send } from "../setup/api-client";
import { expect, mailbox, portal, test, TEST_PUBLIC_URL } from "../setup/api-test";
import { visibleStatus } from "../setup/invitations";
import { SESSION_COOKIE } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

type Answer = { status: number; location: string | null; cookie: string | null; ms: number };

let nextAddress = 10;
/** A loopback address no other test of this file uses. */
const freshAddress = () => `127.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 2}`;

/** A sign-in form post from `localAddress`. */
function signInFrom(localAddress: string, fields: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams({ redirectTo: "", ...fields }).toString();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${portal().baseUrl}/login`,
      {
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "user-agent": "sign-in-test",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location ?? null,
            cookie: setCookie ? setCookie.split(";")[0]! : null,
            ms: Date.now() - started,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function signedIn(email: string, address = freshAddress()): Promise<string> {
  const answer = await signInFrom(address, { email, password: TEST_PASSWORD });
  expect(answer.status, `sign-in of ${email}`).toBe(302);
  return answer.cookie!;
}

const page = (path: string, cookie: string) => send(portal().baseUrl, path, { cookie });
const post = (path: string, cookie: string, fields: Record<string, string>) =>
  send(portal().baseUrl, path, { method: "POST", cookie, body: new URLSearchParams(fields) });
// Any page for signed-in people that exists before and after the change: 200 signed in, a redirect to /login if not.
const isSignedIn = async (cookie: string) => (await page("/orgs", cookie)).status === 200;

test("failures from one client do not lock the right password out of another client", async ({ testOrg }) => {
  const email = testOrg.emails.auditor;
  const attacker = freshAddress();
  for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) {
    // Variants of the address normalise to the same account.
    const variant = i % 2 ? email.toUpperCase() : ` ${email} `;
    expect((await signInFrom(attacker, { email: variant, password: `wrong-${i}` })).status).toBe(401);
  }
  // The attacking client is refused for this account, even with the right password…
  const refused = await signInFrom(attacker, { email, password: TEST_PASSWORD });
  expect(refused.status).toBe(429);
  expect(refused.cookie).toBeNull();
  // …while the owner, from a client that has not failed, signs in.
  const owner = await signInFrom(freshAddress(), { email, password: TEST_PASSWORD });
  expect(owner.status).toBe(302);
  expect(owner.cookie).not.toBeNull();
  // One client cannot lock out other people either: the attacker's address still reaches other accounts.
  expect((await signInFrom(attacker, { email: testOrg.emails.team, password: TEST_PASSWORD })).status).toBe(302);
});

test("an account under attack from many addresses is slowed, not locked", async ({ testOrg }) => {
  const email = testOrg.emails.ethics;
  for (let i = 0; i < 12; i++) expect((await signInFrom(freshAddress(), { email, password: `wrong-${i}` })).status).toBe(401);
  const owner = await signInFrom(freshAddress(), { email, password: TEST_PASSWORD });
  expect(owner.status).toBe(302);
  // The failures before it cost it a delay.
  expect(owner.ms).toBeGreaterThanOrEqual(200);
});

test("every sign-in is a new session, and the cookie carries only a random id", async ({ testOrg }) => {
  const first = await signedIn(testOrg.emails.team);
  const second = await signedIn(testOrg.emails.team);
  expect(first).not.toBe(second);
  const payload = decodeURIComponent(first.slice(SESSION_COOKIE.length + 1)).split(".")[0]!;
  const decoded = Buffer.from(payload, "base64").toString("utf8");
  expect(decoded).not.toMatch(/userId|sessionVersion/);
  const user = getDb().select({ id: users.id }).from(users).where(eq(users.email, testOrg.emails.team)).get()!;
  expect(getDb().select().from(sessions).where(eq(sessions.userId, user.id)).all().length).toBeGreaterThanOrEqual(2);
});

test("the server ends a session after its idle time and after its absolute lifetime", async ({ testOrg }) => {
  const idle = await signedIn(testOrg.emails.leadership);
  const old = await signedIn(testOrg.emails.leadership);
  expect(await isSignedIn(idle)).toBe(true);
  expect(await isSignedIn(old)).toBe(true);
  const user = getDb().select({ id: users.id }).from(users).where(eq(users.email, testOrg.emails.leadership)).get()!;
  const rows = getDb().select().from(sessions).where(eq(sessions.userId, user.id)).orderBy(sessions.id).all();
  expect(rows).toHaveLength(2);
  const hour = 3_600_000;
  getDb()
    .update(sessions)
    .set({ lastSeenAt: new Date(Date.now() - 13 * hour) })
    .where(eq(sessions.id, rows[0]!.id))
    .run();
  getDb()
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(sessions.id, rows[1]!.id))
    .run();
  expect(await isSignedIn(idle)).toBe(false);
  expect(await isSignedIn(old)).toBe(false);
});

test("POST /logout ends this session only; 'sign out everywhere' ends all", async ({ testOrg }) => {
  const laptop = await signedIn(testOrg.emails.admin);
  const phone = await signedIn(testOrg.emails.admin);
  const tablet = await signedIn(testOrg.emails.admin);
  const out = await post("/logout", laptop, {});
  expect(out.status).toBe(302);
  expect(await isSignedIn(laptop)).toBe(false);
  expect(await isSignedIn(phone)).toBe(true);
  expect(await isSignedIn(tablet)).toBe(true);
  const everywhere = await post("/account", phone, { intent: "sign-out-everywhere", sessions: "all" });
  expect(everywhere.status).toBe(302);
  expect(await isSignedIn(phone)).toBe(false);
  expect(await isSignedIn(tablet)).toBe(false);
});

test("the account page shows sessions (any can be ended), failed sign-ins and memberships", async ({ testOrg }) => {
  const email = testOrg.emails.auditor;
  const attacker = freshAddress();
  expect((await signInFrom(attacker, { email, password: "wrong-password" })).status).toBe(401);
  const here = await signedIn(email);
  const there = await signedIn(email);
  const account = await page("/account", here);
  expect(account.status).toBe(200);
  expect(account.text).toContain(attacker);
  expect(account.text).toContain(testOrg.name);
  expect(account.text).toContain("This session");
  const ids = [...account.text.matchAll(/name="sessionId" value="(\d+)"/g)].map((m) => m[1]!);
  expect(ids.length).toBeGreaterThanOrEqual(1);
  // End the other session from this one.
  for (const sessionId of ids) expect((await post("/account", here, { intent: "end-session", sessionId })).status).toBe(200);
  expect(await isSignedIn(there)).toBe(false);
  expect(await isSignedIn(here)).toBe(true);
  // Someone else's session cannot be ended from here.
  const other = await signedIn(testOrg.emails.team);
  const otherId = String(getDb().select({ id: sessions.id }).from(sessions).orderBy(sessions.id).all().at(-1)!.id);
  expect((await post("/account", here, { intent: "end-session", sessionId: otherId })).status).toBe(404);
  expect(await isSignedIn(other)).toBe(true);
});

test("the account page changes the name and the password", async ({ testOrg }) => {
  const email = testOrg.emails.leadership;
  const cookie = await signedIn(email);
  const elsewhere = await signedIn(email);
  expect((await post("/account", cookie, { intent: "rename", name: "Lee Renamed" })).status).toBe(200);
  expect((await page("/account", cookie)).text).toContain("Lee Renamed");
  const wrong = await post("/account", cookie, {
    intent: "change-password",
    currentPassword: "not-my-password",
    newPassword: "Another-pass-77",
    confirmPassword: "Another-pass-77",
  });
  expect(wrong.status).toBe(422);
  const changed = await post("/account", cookie, {
    intent: "change-password",
    currentPassword: TEST_PASSWORD,
    newPassword: "Another-pass-77",
    confirmPassword: "Another-pass-77",
  });
  expect(changed.status).toBe(200);
  // The other sessions end with the old password; this one stays.
  expect(await isSignedIn(cookie)).toBe(true);
  expect(await isSignedIn(elsewhere)).toBe(false);
  expect((await signInFrom(freshAddress(), { email, password: "Another-pass-77" })).status).toBe(302);
});

test("an admin ends a member's sessions; deactivation ends them all", async ({ testOrg }) => {
  const admin = await signedIn(testOrg.emails.admin);
  const member = await signedIn(testOrg.emails.team);
  await signedIn(testOrg.emails.team); // a second device
  const user = getDb().select({ id: users.id, name: users.name }).from(users).where(eq(users.email, testOrg.emails.team)).get()!;
  const members = `/orgs/${testOrg.slug}/admin?index`;
  const endSessions = (cookie: string, userId: string, confirm?: "on") =>
    post(members, cookie, { intent: "end-sessions", userId, ...(confirm ? { confirm } : {}) });
  // Not ticked: refused, saying why; nothing ends.
  const unconfirmed = await endSessions(admin, String(user.id));
  expect(unconfirmed.status).toBe(400);
  expect(visibleStatus(unconfirmed.text)).toContain("Tick the box to confirm: they are signed out on every device");
  expect(await isSignedIn(member)).toBe(true);

  const ended = await endSessions(admin, String(user.id), "on");
  expect(ended.status).toBe(200);
  expect(visibleStatus(ended.text)).toBe(`${user.name} (${testOrg.emails.team}) is signed out everywhere: 2 sessions ended.`);
  expect(await isSignedIn(member)).toBe(false);
  const event = getDb().select().from(auditEvents).where(eq(auditEvents.orgId, testOrg.id)).all().at(-1)!;
  expect(event).toMatchObject({ action: "user.sessions_ended", actorLabel: testOrg.emails.admin, entityId: String(user.id) });
  expect(JSON.parse(event.payload)).toMatchObject({ details: { sessions: 2 } });
  // Again: nothing left to end, and it says so.
  expect(visibleStatus((await endSessions(admin, String(user.id), "on")).text)).toBe(
    `${user.name} (${testOrg.emails.team}) was not signed in anywhere: no session to end.`,
  );
  // Not an admin: refused.
  const auditor = await signedIn(testOrg.emails.auditor);
  expect((await endSessions(auditor, String(user.id), "on")).status).toBe(403);

  // Not a member of this organisation: 404, nothing ended.
  expect((await endSessions(admin, "999999", "on")).status).toBe(404);

  const again = await signedIn(testOrg.emails.team);
  const deactivated = await post(`/orgs/${testOrg.slug}/admin?index`, admin, {
    intent: "deactivate-user",
    userId: String(user.id),
    confirm: "on",
  });
  expect(deactivated.status).toBe(200);
  expect(await isSignedIn(again)).toBe(false);
  expect(getDb().select().from(sessions).where(eq(sessions.userId, user.id)).all()).toEqual([]);
});

test("sign-in lands on the organisation last used, not the first by name", async ({ testOrg }) => {
  const email = testOrg.emails.admin;
  const user = getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!;
  const other = getDb()
    .insert(organizations)
    .values({ slug: `aa-${testOrg.slug}`.slice(0, 48), name: `AAA first by name ${testOrg.slug}` })
    .returning()
    .get();
  getDb().insert(memberships).values({ orgId: other.id, userId: user.id, role: "auditor" }).run();
  const cookie = await signedIn(email);
  expect((await page(`/orgs/${testOrg.slug}`, cookie)).status).toBe(200);
  const bookkept = getDb().select({ lastOrgId: users.lastOrgId }).from(users).where(eq(users.id, user.id)).get()!;
  expect(bookkept.lastOrgId).toBe(testOrg.id);
  const again = await signInFrom(freshAddress(), { email, password: TEST_PASSWORD });
  expect(again.location).toBe(`/orgs/${testOrg.slug}`);
  expect((await page("/", again.cookie!)).location).toBe(`/orgs/${testOrg.slug}`);
});

test("/login with a redirect target outside Latin-1 answers a redirect, not a 500", async ({ testOrg }) => {
  const email = testOrg.emails.team;
  const view = await send(portal().baseUrl, `/login?${new URLSearchParams({ redirectTo: "/\u2215\u2215evil.example" })}`);
  expect(view.status).toBe(200);
  for (const redirectTo of ["/\u2215\u2215evil.example", "/orgs/\u0100", "/\u{1F600}"]) {
    const answer = await signInFrom(freshAddress(), { email, password: TEST_PASSWORD, redirectTo });
    expect(answer.status, redirectTo).toBe(302);
    expect(answer.location, redirectTo).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    expect(new URL(answer.location!, "http://portal.invalid").host).toBe("portal.invalid");
  }
  const user = getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!;
  const succeeded = getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.login_succeeded"), eq(auditEvents.entityId, String(user.id))))
    .all();
  expect(succeeded).toHaveLength(3);
});

test("a sign-in from a browser the account has not used before emails the person; a known browser does not", async ({ testOrg }) => {
  const email = testOrg.emails.leadership;
  const signInWith = async (deviceCookie?: string) => {
    const response = await fetch(`${portal().baseUrl}/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ...(deviceCookie ? { cookie: deviceCookie } : {}),
      },
      body: new URLSearchParams({ email, password: TEST_PASSWORD, redirectTo: "" }).toString(),
    });
    expect(response.status).toBe(302);
    return response.headers
      .getSetCookie()
      .find((c) => c.startsWith("portal_device="))
      ?.split(";")[0];
  };
  const newSignInMails = () => mailbox().received.filter((r) => r.to.includes(email) && r.mail.subject === "New sign-in to your account");

  // The account's first browser: nothing to compare with, no email; the browser gets its id.
  const first = await signInWith();
  expect(first).toMatch(/^portal_device=/);
  // The same browser again: known, no new id, no email.
  expect(await signInWith(first)).toBeUndefined();
  // Another browser: an email saying from where, with the account page to act on.
  const second = await signInWith();
  expect(second).toMatch(/^portal_device=/);
  const { mail } = await mailbox().waitForMailTo(email, /^New sign-in to your account$/);
  expect(mail.text).toContain("Firefox");
  expect(mail.text).toContain(`${TEST_PUBLIC_URL}/account`);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(newSignInMails()).toHaveLength(1);
});
