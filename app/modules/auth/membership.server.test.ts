import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { desc, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { withQueryCounter } from "../../../db/query-count";
import { memberships, oidcProviders, orgDomains, organizations, sessions, users } from "../../../db/schema";
import { listUserOrganizations, requireMember } from "./membership.server";
import { hashPassword } from "./password.server";
import { sessionStorage } from "./session.server";
import { insertTestOrg } from "../../../tests/setup/factories";
import { TEST_PASSWORD_COST } from "../../../tests/setup/test-orgs";

async function cookieFor(userId: number): Promise<string> {
  const session = await sessionStorage().getSession();
  session.set("userId", userId);
  const setCookie = await sessionStorage().commitSession(session);
  return setCookie.split(";")[0]!;
}

function request(path: string, cookie?: string): Request {
  return new Request(`http://localhost${path}`, { headers: cookie ? { Cookie: cookie } : {} });
}

async function thrown(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

describe("requireMember", () => {
  let alpha: { id: number; slug: string; name: string };
  let bravo: { id: number; slug: string; name: string };
  let ann: number; // team member of alpha
  let bea: number; // admin of bravo only
  let cy: number; // auditor of alpha
  let passwordHash: string;

  beforeAll(async () => {
    passwordHash = await hashPassword("Correct-Horse-42", { cost: TEST_PASSWORD_COST });
  });

  // Two organisations and three people of their own for every test.
  beforeEach(() => {
    const db = getDb();
    alpha = insertTestOrg("alpha");
    bravo = insertTestOrg("bravo");
    const mk = (email: string) => db.insert(users).values({ email, name: email, passwordHash }).returning().get().id;
    ann = mk(`ann@${alpha.slug}.io`);
    bea = mk(`bea@${bravo.slug}.io`);
    cy = mk(`cy@${alpha.slug}.io`);
    db.insert(memberships)
      .values([
        { orgId: alpha.id, userId: ann, role: "team" },
        { orgId: bravo.id, userId: bea, role: "admin" },
        { orgId: alpha.id, userId: cy, role: "auditor" },
      ])
      .run();
  });

  it("redirects an anonymous visitor to login with redirectTo", async () => {
    const res = await thrown(requireMember(request(`/orgs/${alpha.slug}/models?tab=all`), alpha.slug));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/login?redirectTo=%2Forgs%2F${alpha.slug}%2Fmodels%3Ftab%3Dall`);
  });

  it("treats a cookie with a swapped payload (bad signature) as anonymous", async () => {
    // Take ann's valid signature and graft it onto bea's payload.
    const split = (cookie: string) => {
      const value = decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));
      const dot = value.lastIndexOf(".");
      return { payload: value.slice(0, dot), signature: value.slice(dot + 1) };
    };
    const annCookie = split(await cookieFor(ann));
    const beaCookie = split(await cookieFor(bea));
    expect(beaCookie.payload).not.toBe(annCookie.payload);
    const forged = `__portal_session=${encodeURIComponent(`${beaCookie.payload}.${annCookie.signature}`)}`;
    const res = await thrown(requireMember(request(`/orgs/${alpha.slug}`, forged), alpha.slug));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/login?redirectTo=%2Forgs%2F${alpha.slug}`);
  });

  it("returns 404 to a member of another organisation", async () => {
    const res = await thrown(requireMember(request(`/orgs/${alpha.slug}`, await cookieFor(bea)), alpha.slug));
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("Organisation not found");
  });

  it("returns 404 for an organisation that does not exist, and for a missing slug", async () => {
    const cookie = await cookieFor(ann);
    expect((await thrown(requireMember(request("/orgs/nope", cookie), "nope"))).status).toBe(404);
    expect((await thrown(requireMember(request("/orgs/", cookie), undefined))).status).toBe(404);
  });

  it("returns 403 to a member lacking the required role", async () => {
    const res = await thrown(requireMember(request(`/orgs/${alpha.slug}`, await cookieFor(ann)), alpha.slug, ["admin", "leadership"]));
    expect(res.status).toBe(403);
  });

  it("returns the member with the right role", async () => {
    const member = await requireMember(request(`/orgs/${alpha.slug}`, await cookieFor(ann)), alpha.slug, ["team", "admin"]);
    expect(member).toEqual({
      org: { id: alpha.id, slug: alpha.slug, name: alpha.name },
      role: "team",
      user: { id: ann, email: `ann@${alpha.slug}.io`, name: `ann@${alpha.slug}.io`, isSiteAdmin: false },
      actor: { type: "user", id: ann, label: `ann@${alpha.slug}.io` },
    });
  });

  it("grants read access to any member when no roles are given", async () => {
    const member = await requireMember(request(`/orgs/${alpha.slug}`, await cookieFor(cy)), alpha.slug);
    expect(member.role).toBe("auditor");
    expect(member.org.id).toBe(alpha.id);
  });

  it("treats a deactivated user as anonymous", async () => {
    const cookie = await cookieFor(cy);
    getDb().update(users).set({ active: false }).where(eq(users.id, cy)).run();
    const res = await thrown(requireMember(request(`/orgs/${alpha.slug}`, cookie), alpha.slug));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/login?redirectTo=%2Forgs%2F${alpha.slug}`);
  });

  it("lists a user's organisations with roles", () => {
    getDb().insert(memberships).values({ orgId: bravo.id, userId: ann, role: "auditor" }).run();
    expect(listUserOrganizations(ann)).toEqual([
      { id: alpha.id, slug: alpha.slug, name: alpha.name, role: "team" },
      { id: bravo.id, slug: bravo.slug, name: bravo.name, role: "auditor" },
    ]);
  });
});

describe("requireMember in an organisation that requires single sign-on", () => {
  const ISSUER = "https://login.charlie.example";
  const SSO_ENV = {
    PUBLIC_URL: "https://portal.example.com",
    OIDC_ISSUER: ISSUER,
    OIDC_CLIENT_ID: "portal",
    OIDC_CLIENT_SECRET: "s3cret",
    OIDC_ORG: "charlie",
    OIDC_DOMAINS: "charlie.example",
    OIDC_REQUIRED: "true",
    OIDC_BREAK_GLASS: "glass@charlie.example",
  };
  let dora: number; // team member of charlie and of delta
  let glass: number; // admin of charlie: the break-glass account

  beforeAll(async () => {
    const db = getDb();
    const passwordHash = await hashPassword("Correct-Horse-42");
    const charlie = db.insert(organizations).values({ slug: "charlie", name: "Charlie" }).returning().get();
    const delta = db.insert(organizations).values({ slug: "delta", name: "Delta" }).returning().get();
    dora = db.insert(users).values({ email: "dora@charlie.example", name: "Dora", passwordHash }).returning().get().id;
    glass = db.insert(users).values({ email: "glass@charlie.example", name: "Glass", passwordHash }).returning().get().id;
    db.insert(memberships)
      .values([
        { orgId: charlie.id, userId: dora, role: "team" },
        { orgId: delta.id, userId: dora, role: "team" },
        { orgId: charlie.id, userId: glass, role: "admin" },
      ])
      .run();
    Object.assign(process.env, SSO_ENV);
  });

  afterAll(() => {
    for (const name of Object.keys(SSO_ENV)) delete process.env[name];
  });

  /** A session that came through `issuer`, as the callback starts one. */
  async function ssoCookieFor(userId: number, issuer: string): Promise<string> {
    const cookie = await cookieFor(userId);
    const newest = getDb().select({ id: sessions.id }).from(sessions).orderBy(desc(sessions.id)).limit(1).get()!;
    getDb().update(sessions).set({ ssoIssuer: issuer }).where(eq(sessions.id, newest.id)).run();
    return cookie;
  }

  it("refuses a password session with a 403 that offers the provider's sign-in and comes back to the page", async () => {
    const res = await thrown(requireMember(request("/orgs/charlie/models?tab=all", await cookieFor(dora)), "charlie"));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      kind: "sso-required",
      message: expect.stringContaining("This organisation requires signing in through login.charlie.example"),
      provider: "login.charlie.example",
      email: "dora@charlie.example",
      redirectTo: "/orgs/charlie/models?tab=all",
    });
  });

  it("lets the same password session into the person's other organisation", async () => {
    const member = await requireMember(request("/orgs/delta", await cookieFor(dora)), "delta");
    expect(member.org.slug).toBe("delta");
  });

  it("lets in a session that came through the provider, and refuses one from another issuer", async () => {
    expect((await requireMember(request("/orgs/charlie", await ssoCookieFor(dora, ISSUER)), "charlie")).role).toBe("team");
    const other = await thrown(requireMember(request("/orgs/charlie", await ssoCookieFor(dora, "https://evil.example")), "charlie"));
    expect(other.status).toBe(403);
  });

  it("lets the break-glass account in with its password session", async () => {
    expect((await requireMember(request("/orgs/charlie", await cookieFor(glass)), "charlie", ["admin"])).role).toBe("admin");
  });

  it("costs no query more than an organisation without the rule", async () => {
    const count = (cookie: string, slug: string) =>
      withQueryCounter(async (counter) => {
        await requireMember(request(`/orgs/${slug}`, cookie), slug);
        return counter.queries;
      });
    const cookie = await ssoCookieFor(dora, ISSUER);
    await count(cookie, "charlie"); // the first request reads OIDC_ORG's id, once per process
    const required = await count(cookie, "charlie");
    const notRequired = await count(cookie, "delta");
    delete process.env.OIDC_REQUIRED;
    const withoutRule = await count(cookie, "charlie");
    process.env.OIDC_REQUIRED = "true";
    expect(required).toBeGreaterThan(0);
    expect(required).toBe(notRequired);
    expect(required).toBe(withoutRule);
  });
});

describe("requireMember in an organisation whose own provider requires single sign-on", () => {
  const ISSUER = "https://idp.echo.example";
  let eve: number; // team member of echo and of foxtrot
  let keeper: number; // admin of echo: its break-glass account
  let providerId: number;

  beforeAll(async () => {
    const db = getDb();
    const passwordHash = await hashPassword("Correct-Horse-42");
    const echo = db.insert(organizations).values({ slug: "echo", name: "Echo" }).returning().get();
    const foxtrot = db.insert(organizations).values({ slug: "foxtrot", name: "Foxtrot" }).returning().get();
    eve = db.insert(users).values({ email: "eve@echo.example", name: "Eve", passwordHash }).returning().get().id;
    keeper = db.insert(users).values({ email: "keeper@echo.example", name: "Keeper", passwordHash }).returning().get().id;
    db.insert(memberships)
      .values([
        { orgId: echo.id, userId: eve, role: "team" },
        { orgId: foxtrot.id, userId: eve, role: "team" },
        { orgId: echo.id, userId: keeper, role: "admin" },
      ])
      .run();
    providerId = db
      .insert(oidcProviders)
      .values({
        orgId: echo.id,
        issuer: ISSUER,
        clientId: "portal",
        sealedClientSecret: "sealed",
        required: true,
        breakGlassUserId: keeper,
        updatedAt: new Date(),
        updatedByLabel: "keeper@echo.example",
      })
      .returning()
      .get().id;
    db.insert(orgDomains).values({ orgId: echo.id, domain: "echo.example", status: "approved", requestedById: keeper }).run();
  });

  async function sessionThrough(userId: number, issuer: string | null): Promise<string> {
    const cookie = await cookieFor(userId);
    const newest = getDb().select({ id: sessions.id }).from(sessions).orderBy(desc(sessions.id)).limit(1).get()!;
    getDb().update(sessions).set({ ssoIssuer: issuer }).where(eq(sessions.id, newest.id)).run();
    return cookie;
  }

  it("refuses a password session on its pages, offering its provider, and lets it into the person's other organisation", async () => {
    const res = await thrown(requireMember(request("/orgs/echo/models", await cookieFor(eve)), "echo"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ kind: "sso-required", provider: "idp.echo.example", redirectTo: "/orgs/echo/models" });
    expect((await requireMember(request("/orgs/foxtrot", await cookieFor(eve)), "foxtrot")).org.slug).toBe("foxtrot");
  });

  it("lets in a session through its provider and the break-glass admin's password session", async () => {
    expect((await requireMember(request("/orgs/echo", await sessionThrough(eve, ISSUER)), "echo")).role).toBe("team");
    expect((await requireMember(request("/orgs/echo", await cookieFor(keeper)), "echo", ["admin"])).role).toBe("admin");
    const other = await thrown(requireMember(request("/orgs/echo", await sessionThrough(eve, "https://evil.example")), "echo"));
    expect(other.status).toBe(403);
  });

  it("refuses nobody once the provider no longer requires it, at no query more", async () => {
    const count = (cookie: string) =>
      withQueryCounter(async (counter) => {
        await requireMember(request("/orgs/echo", cookie), "echo");
        return counter.queries;
      });
    const cookie = await sessionThrough(eve, ISSUER);
    const required = await count(cookie);
    getDb().update(oidcProviders).set({ required: false }).where(eq(oidcProviders.id, providerId)).run();
    try {
      expect((await requireMember(request("/orgs/echo", await cookieFor(eve)), "echo")).role).toBe("team");
      expect(await count(cookie)).toBe(required);
    } finally {
      getDb().update(oidcProviders).set({ required: true }).where(eq(oidcProviders.id, providerId)).run();
    }
  });
});
