import { describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { and, eq } from "drizzle-orm";
import { auditEvents, loginFailures, organizations, sessions, users } from "../../../db/schema";
import {
  createUserSession,
  currentSession,
  destroyAllUserSessions,
  destroyUserSession,
  endSessionsOfUser,
  expireSessions,
  getSessionUser,
  rememberOrganization,
} from "./session.server";

/**
 * Server-side sessions: the cookie carries a random id, the table its
 * SHA-256; the server enforces the idle and absolute ends.
 */
let counter = 0;
function newUser() {
  counter++;
  return getDb()
    .insert(users)
    .values({ email: `s${counter}@session.test`, name: `S ${counter}`, passwordHash: "x" })
    .returning()
    .get().id;
}

const cookieOf = (response: Response) => response.headers.get("Set-Cookie")!.split(";")[0]!;
const requestWith = (cookie?: string) => new Request("http://portal.test/orgs", { headers: cookie ? { Cookie: cookie } : {} });
const sessionRows = (userId: number) => getDb().select().from(sessions).where(eq(sessions.userId, userId)).all();

async function signIn(userId: number) {
  return cookieOf(await createUserSession(requestWith(), userId, "/orgs"));
}

describe("sessions", () => {
  it("a signed-in cookie gives the user; no cookie gives null", async () => {
    const id = newUser();
    expect((await getSessionUser(requestWith(await signIn(id))))?.id).toBe(id);
    expect(await getSessionUser(requestWith())).toBeNull();
  });

  it("stores only the SHA-256 of the id the cookie carries", async () => {
    const id = newUser();
    const cookie = await signIn(id);
    const [row] = sessionRows(id);
    expect(row!.idHash).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeURIComponent(cookie)).not.toContain(row!.idHash);
  });

  it("signing out ends this session only", async () => {
    const id = newUser();
    const laptop = await signIn(id);
    const phone = await signIn(id);
    const signOut = await destroyUserSession(requestWith(laptop));
    expect(signOut.status).toBe(302);
    expect(signOut.headers.get("Location")).toBe("/login");
    expect(await getSessionUser(requestWith(laptop))).toBeNull();
    expect((await getSessionUser(requestWith(phone)))?.id).toBe(id);
    const logged = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.logout"), eq(auditEvents.entityId, String(id))))
      .all();
    expect(logged).toHaveLength(1);
  });

  it("signing out everywhere ends every session of the account, copies of the cookie included", async () => {
    const id = newUser();
    const laptop = await signIn(id);
    const phone = await signIn(id);
    await destroyAllUserSessions(requestWith(laptop));
    for (const cookie of [laptop, phone]) expect(await getSessionUser(requestWith(cookie))).toBeNull();
    expect(sessionRows(id)).toEqual([]);
    expect((await getSessionUser(requestWith(await signIn(id))))?.id).toBe(id);
  });

  it("an anonymous sign-out changes nothing", async () => {
    const id = newUser();
    const cookie = await signIn(id);
    await destroyUserSession(requestWith());
    expect((await getSessionUser(requestWith(cookie)))?.id).toBe(id);
  });

  it("a new sign-in from a browser with a session ends that session", async () => {
    const id = newUser();
    const before = await signIn(id);
    const after = cookieOf(await createUserSession(requestWith(before), id, "/orgs"));
    expect(after).not.toBe(before);
    expect(await getSessionUser(requestWith(before))).toBeNull();
    expect(sessionRows(id)).toHaveLength(1);
  });

  it("records a sign-in that checked no password here with its session, saying how it came", async () => {
    const id = newUser();
    const email = `s${counter}@session.test`;
    const signInsOf = () =>
      getDb()
        .select({ payload: auditEvents.payload, actorLabel: auditEvents.actorLabel })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "auth.login_succeeded"), eq(auditEvents.entityId, String(id))))
        .all();
    await signIn(id);
    expect(signInsOf(), "the sign-in form records its own").toEqual([]);
    const request = new Request("http://portal.test/invitations/x", { headers: { "x-portal-client-ip": "198.51.100.7" } });
    const response = await createUserSession(request, id, "/orgs/joined", {
      signedInBy: { email, via: "invitation" },
    });
    expect(response.headers.get("Location")).toBe("/orgs/joined");
    expect((await getSessionUser(requestWith(cookieOf(response))))?.id).toBe(id);
    const [event] = signInsOf();
    expect(event!.actorLabel).toBe(email);
    expect(JSON.parse(event!.payload)).toMatchObject({ details: { ip: "198.51.100.7", via: "invitation" } });
  });

  it("endSessionsOfUser ends all of them, counting those still live", async () => {
    const id = newUser();
    const cookie = await signIn(id);
    await signIn(id);
    const stale = await signIn(id);
    // Past its end, not yet deleted by the scheduler: it goes too, but it had ended already.
    const newest = Math.max(...sessionRows(id).map((row) => row.id));
    getDb()
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, newest))
      .run();
    expect(await getSessionUser(requestWith(stale))).toBeNull();
    expect(writeTransaction("bookkeeping", (tx) => endSessionsOfUser(tx, id))).toBe(2);
    expect(await getSessionUser(requestWith(cookie))).toBeNull();
    expect(sessionRows(id)).toEqual([]);
  });

  it("writes the last-seen time at most once a minute", async () => {
    const id = newUser();
    const cookie = await signIn(id);
    const [signedIn] = sessionRows(id);
    await getSessionUser(requestWith(cookie));
    expect(sessionRows(id)[0]!.lastSeenAt).toEqual(signedIn!.lastSeenAt);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    getDb().update(sessions).set({ lastSeenAt: twoMinutesAgo }).where(eq(sessions.userId, id)).run();
    await getSessionUser(requestWith(cookie));
    expect(sessionRows(id)[0]!.lastSeenAt.getTime()).toBeGreaterThan(twoMinutesAgo.getTime());
  });

  it("expireSessions deletes idle and expired sessions and old failed sign-ins", async () => {
    const id = newUser();
    const live = await signIn(id);
    await signIn(id);
    await signIn(id);
    const [, idle, old] = sessionRows(id).sort((a, b) => a.id - b.id);
    getDb()
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 13 * 3_600_000) })
      .where(eq(sessions.id, idle!.id))
      .run();
    getDb()
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(sessions.id, old!.id))
      .run();
    getDb()
      .insert(loginFailures)
      .values({ email: "gone@session.test", ip: "10.9.9.9", createdAt: new Date(Date.now() - 2 * 86_400_000) })
      .run();
    expect(expireSessions(new Date())).toBeGreaterThanOrEqual(2);
    expect(sessionRows(id).map((r) => r.id)).toEqual([sessionRows(id)[0]!.id]);
    expect((await getSessionUser(requestWith(live)))?.id).toBe(id);
    expect(getDb().select().from(loginFailures).where(eq(loginFailures.email, "gone@session.test")).all()).toEqual([]);
  });

  it("remembers the organisation opened last, writing only when it changes", async () => {
    const id = newUser();
    const request = requestWith(await signIn(id));
    expect((await currentSession(request))?.lastOrgId).toBeNull();
    const org = getDb()
      .insert(organizations)
      .values({ slug: `s-org-${id}`, name: "S org" })
      .returning()
      .get();
    await rememberOrganization(request, org.id);
    expect(getDb().select({ lastOrgId: users.lastOrgId }).from(users).where(eq(users.id, id)).get()!.lastOrgId).toBe(org.id);
  });
});
