import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { and, eq } from "drizzle-orm";
import { auditEvents, users } from "../../../db/schema";
import { createUserSession, destroyUserSession, getSessionUser } from "./session.server";

/**
 * Sessions live in signed cookies; the user row is read on every request, and
 * its session version ends every session of the account on sign-out.
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

async function signIn(userId: number) {
  return cookieOf(await createUserSession(requestWith(), userId, "/orgs"));
}

describe("sessions", () => {
  it("a signed-in cookie gives the user; no cookie gives null", async () => {
    const id = newUser();
    expect((await getSessionUser(requestWith(await signIn(id))))?.id).toBe(id);
    expect(await getSessionUser(requestWith())).toBeNull();
  });

  it("signing out ends every session of the account, copies of the cookie included", async () => {
    const id = newUser();
    const laptop = await signIn(id);
    const phone = await signIn(id);
    const copied = laptop;
    const signOut = await destroyUserSession(requestWith(laptop));
    expect(signOut.status).toBe(302);
    expect(signOut.headers.get("Location")).toBe("/login");
    for (const cookie of [laptop, phone, copied]) expect(await getSessionUser(requestWith(cookie))).toBeNull();
    const logged = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.logout"), eq(auditEvents.entityId, String(id))))
      .all();
    expect(logged).toHaveLength(1);
    // Signing in again works, with a fresh session.
    expect((await getSessionUser(requestWith(await signIn(id))))?.id).toBe(id);
  });

  it("signing out another account's copy is impossible: an anonymous sign-out changes nothing", async () => {
    const id = newUser();
    const cookie = await signIn(id);
    await destroyUserSession(requestWith());
    expect((await getSessionUser(requestWith(cookie)))?.id).toBe(id);
  });
});
