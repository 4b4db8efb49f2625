/**
 * Joining an organisation takes the person's consent (issue #14, §3), against
 * the real server: an admin invites an email; the person accepts or declines
 * after signing in, or sets a password through the invitation link; the
 * admin's answers are the same whether or not an account exists, and until
 * the person accepts the organisation sees only the email it typed.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents, invitations, memberships, organizations, users } from "../../db/schema";
import { describe } from "vitest";
import { findUserByEmail } from "../../app/modules/auth/organizations.server";
import { send, type Reply } from "../setup/api-client";
import { expect, mailbox, portal, test, TEST_PUBLIC_URL } from "../setup/api-test";
import { SESSION_COOKIE, signIn } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD } from "../setup/test-orgs";
import { INVITATION_LINK, invitationLinkIn, visibleStatus } from "../setup/invitations";

const base = () => portal().baseUrl;

function post(cookie: string | undefined, urlPath: string, fields: Record<string, string>): Promise<Reply> {
  return send(base(), urlPath, { method: "POST", cookie, body: new URLSearchParams(fields) });
}

function membershipOf(orgId: number, email: string) {
  const user = findUserByEmail(getDb(), email);
  if (!user) return undefined;
  return getDb()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)))
    .get();
}

/** The `name=value` of the session cookie an answer sets, or undefined. */
const sessionCookieOf = (reply: Reply) =>
  reply.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))
    ?.split(";")[0];

const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@e2e.test`;

/** The answer with what legitimately differs between two emails taken out: the email itself, the link, the CSP nonce. */
function normalised(reply: Reply, email: string): string {
  return visibleStatus(reply.text).replaceAll(email, "<email>").replace(INVITATION_LINK, "<link>");
}

test("an admin cannot add another organisation's account without the person's consent", async () => {
  const [attacker, victimOrg] = [await createTestOrg("attacker"), await createTestOrg("victim")];
  const { cookie } = await signIn(base(), attacker.emails.admin, TEST_PASSWORD);
  const victim = victimOrg.emails.team;
  // The form of today's page, and the one that replaces it.
  for (const intent of ["add-member", "invite"]) {
    const reply = await post(cookie, `/orgs/${attacker.slug}/admin?index`, { intent, email: victim, role: "admin" });
    expect(reply.status).toBeLessThan(500);
  }
  expect(membershipOf(attacker.id, victim), "the victim became a member without accepting").toBeUndefined();
  // Signing in, the victim lands in their own organisation, not the attacker's.
  const signedIn = await signIn(base(), victim, TEST_PASSWORD);
  expect(signedIn.location).not.toBe(`/orgs/${attacker.slug}`);
});

test("the admin's answers are the same whether or not an account exists", async () => {
  const [org, elsewhere] = [await createTestOrg("enum"), await createTestOrg("enum-other")];
  const { cookie } = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const existing = elsewhere.emails.ethics;
  const unknown = uniqueEmail("nobody");
  for (const intent of ["add-member", "invite"]) {
    const [a, b] = [
      await post(cookie, `/orgs/${org.slug}/admin?index`, { intent, email: existing, role: "team" }),
      await post(cookie, `/orgs/${org.slug}/admin?index`, { intent, email: unknown, role: "team" }),
    ];
    expect({ status: a.status, answer: normalised(a, existing) }, `intent ${intent}`).toEqual({
      status: b.status,
      answer: normalised(b, unknown),
    });
  }
  // The invitation itself is answered with the link to copy.
  const reply = await post(cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: uniqueEmail("linked"), role: "team" });
  expect(reply.status).toBe(200);
  expect(invitationLinkIn(reply.text)).toBeTruthy();
  // Until they accept, the organisation sees only the email it typed: not the person's name.
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie });
  expect(page.text).toContain(existing);
  const name = findUserByEmail(getDb(), existing)!.name;
  expect(page.text).not.toContain(name);
});

test("the member page asks for no one else's password", async () => {
  const org = await createTestOrg("nopw");
  const { cookie } = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie });
  expect(page.status).toBe(200);
  expect(page.text).not.toMatch(/type="password"/);
  const created = await post(cookie, `/orgs/${org.slug}/admin?index`, {
    intent: "create-user",
    email: uniqueEmail("typed"),
    name: "Typed Password",
    password: "Typed-Passw0rd!",
    role: "team",
  });
  expect(created.status, "an admin may no longer create an account with a password they chose").toBe(400);
});

test("an existing account accepts after signing in, and lands in the organisation", async () => {
  const [org, home] = [await createTestOrg("inviter"), await createTestOrg("home")];
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const person = home.emails.leadership;
  const invited = await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: person, role: "ethics" });
  expect(invited.status).toBe(200);

  const { cookie } = await signIn(base(), person, TEST_PASSWORD);
  const list = await send(base(), "/invitations", { cookie });
  expect(list.status).toBe(200);
  expect(list.text).toContain(org.name);
  const invitationId = /name="invitationId" value="(\d+)"/.exec(list.text)?.[1];
  expect(invitationId).toBeTruthy();
  const accepted = await post(cookie, "/invitations?index", { intent: "accept", invitationId: invitationId! });
  expect(accepted.status).toBe(302);
  expect(accepted.location).toBe(`/orgs/${org.slug}`);
  expect(membershipOf(org.id, person)).toEqual({ role: "ethics" });
  expect((await send(base(), `/orgs/${org.slug}`, { cookie })).status).toBe(200);
  // Accepting twice does nothing more.
  expect((await post(cookie, "/invitations?index", { intent: "accept", invitationId: invitationId! })).status).toBe(404);
  // Now the organisation sees who joined.
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie: admin.cookie });
  expect(page.text).toContain(findUserByEmail(getDb(), person)!.name);
  const joined = getDb().select().from(auditEvents).where(eq(auditEvents.orgId, org.id)).all().at(-1)!;
  expect(joined).toMatchObject({ action: "invitation.accepted", actorLabel: person });
});

test("a person declines; someone else's invitation is not found", async () => {
  const [org, home] = [await createTestOrg("declined"), await createTestOrg("decliner")];
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const person = home.emails.team;
  await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: person, role: "team" });

  const stranger = await signIn(base(), home.emails.auditor, TEST_PASSWORD);
  expect((await send(base(), "/invitations", { cookie: stranger.cookie })).text).not.toContain(org.name);
  const { cookie } = await signIn(base(), person, TEST_PASSWORD);
  const invitationId = /name="invitationId" value="(\d+)"/.exec((await send(base(), "/invitations", { cookie })).text)![1]!;
  // Not the stranger's to answer: the same 404 as an id that does not exist.
  expect((await post(stranger.cookie, "/invitations?index", { intent: "accept", invitationId })).status).toBe(404);
  expect(membershipOf(org.id, home.emails.auditor)).toBeUndefined();

  // Declining asks first: without the ticked box nothing happens, and the refusal says why.
  const unconfirmed = await post(cookie, "/invitations?index", { intent: "decline", invitationId });
  expect(unconfirmed.status).toBe(400);
  expect(visibleStatus(unconfirmed.text)).toContain("Tick the box to confirm: you do not join");
  expect((await send(base(), "/invitations", { cookie })).text).toContain(org.name);
  const declined = await post(cookie, "/invitations?index", { intent: "decline", invitationId, confirm: "on" });
  expect(declined.status).toBe(200);
  expect(visibleStatus(declined.text)).toContain("Invitation declined.");
  expect(membershipOf(org.id, person)).toBeUndefined();
  expect((await send(base(), "/invitations", { cookie })).text).not.toContain(org.name);
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie: admin.cookie });
  expect(page.text).toMatch(/Declined/);
});

test("the invited person gets the link by email, and it opens the invitation", async () => {
  const org = await createTestOrg("emailed");
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const email = uniqueEmail("emailed");
  const shown = invitationLinkIn(
    (await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email, role: "team" })).text,
  )!;
  const { mail } = await mailbox().waitForMailTo(email, new RegExp(`^You are invited to join ${org.name}$`));
  expect(mail.text).toContain(`${TEST_PUBLIC_URL}${shown}`);
  expect(mail.text).toContain("ML team");
  expect(mail.html).toContain(`href="${TEST_PUBLIC_URL}${shown}"`);
  expect((await send(base(), shown)).status).toBe(200);
});

test("the invitation link lets a new person choose their password, once", async () => {
  const org = await createTestOrg("newcomer");
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const email = uniqueEmail("newcomer");
  const link = invitationLinkIn(
    (await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email, role: "auditor" })).text,
  )!;
  const page = await send(base(), link);
  expect(page.status).toBe(200);
  expect(page.text).toContain(org.name);
  expect(page.text).toMatch(/type="password"/);
  // Signing in instead leads to the list of one's invitations: the secret never goes into a query string.
  expect(page.text).toContain('href="/login?redirectTo=%2Finvitations"');
  expect(page.text).not.toContain(encodeURIComponent(link));

  // Weak passwords are refused as everywhere.
  const weak = await post(undefined, link, { intent: "create-account", name: "New Person", password: "short", confirmPassword: "short" });
  expect(weak.status).toBe(400);
  expect(findUserByEmail(getDb(), email)).toBeUndefined();

  const password = "Newcomer-Passw0rd!";
  const created = await post(undefined, link, { intent: "create-account", name: "New Person", password, confirmPassword: password });
  // Signed in at once with the password just chosen, into the organisation: no second sign-in.
  expect(created.status).toBe(302);
  expect(created.location).toBe(`/orgs/${org.slug}`);
  expect(membershipOf(org.id, email)).toEqual({ role: "auditor" });
  const cookie = sessionCookieOf(created);
  expect(cookie, "no session cookie after joining").toBeTruthy();
  expect((await send(base(), `/orgs/${org.slug}`, { cookie })).status).toBe(200);
  const userId = findUserByEmail(getDb(), email)!.id;
  const signIns = getDb()
    .select({ actorLabel: auditEvents.actorLabel })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.login_succeeded"), eq(auditEvents.entityId, String(userId))))
    .all();
  expect(signIns).toEqual([{ actorLabel: email }]);
  // The password works on the sign-in form as well.
  const signedIn = await signIn(base(), email, password);
  expect((await send(base(), `/orgs/${org.slug}`, { cookie: signedIn.cookie })).status).toBe(200);

  // The link is spent.
  expect((await send(base(), link)).status).toBe(404);
  expect((await post(undefined, link, { intent: "create-account", name: "Again", password, confirmPassword: password })).status).toBe(404);
});

test("the link never changes an existing account's password", async () => {
  const [org, home] = [await createTestOrg("takeover"), await createTestOrg("owner")];
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const person = home.emails.team;
  const before = findUserByEmail(getDb(), person)!.passwordHash;
  const link = invitationLinkIn(
    (await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: person, role: "admin" })).text,
  )!;
  const password = "Takeover-Passw0rd!";
  const reply = await post(undefined, link, { intent: "create-account", name: "Mallory", password, confirmPassword: password });
  expect(reply.status).toBe(409);
  expect(findUserByEmail(getDb(), person)!.passwordHash).toBe(before);
  expect(membershipOf(org.id, person)).toBeUndefined();
});

test("an admin revokes a pending invitation: its link and its offer are gone", async () => {
  const [org, home] = [await createTestOrg("revoker"), await createTestOrg("revoked")];
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const person = home.emails.ethics;
  const link = invitationLinkIn(
    (await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: person, role: "team" })).text,
  )!;
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie: admin.cookie });
  const invitationId = /name="intent" value="revoke-invitation"\/><input type="hidden" name="invitationId" value="(\d+)"/.exec(
    page.text,
  )?.[1];
  expect(invitationId).toBeTruthy();
  // Revoking asks first: without the ticked box the link keeps working.
  const unconfirmed = await post(admin.cookie, `/orgs/${org.slug}/admin?index`, {
    intent: "revoke-invitation",
    invitationId: invitationId!,
  });
  expect(unconfirmed.status).toBe(400);
  expect(visibleStatus(unconfirmed.text)).toContain("Tick the box to confirm: the link stops working at once");
  expect((await send(base(), link)).status).toBe(200);
  const revoked = await post(admin.cookie, `/orgs/${org.slug}/admin?index`, {
    intent: "revoke-invitation",
    invitationId: invitationId!,
    confirm: "on",
  });
  expect(revoked.status).toBe(200);
  expect(visibleStatus(revoked.text)).toContain("Invitation revoked; its link no longer works.");
  expect((await send(base(), link)).status).toBe(404);
  const { cookie } = await signIn(base(), person, TEST_PASSWORD);
  expect((await send(base(), "/invitations", { cookie })).text).not.toContain(org.name);
  // Another organisation's admin cannot revoke it: 404.
  const other = await signIn(base(), home.emails.admin, TEST_PASSWORD);
  expect(
    (
      await post(other.cookie, `/orgs/${home.slug}/admin?index`, {
        intent: "revoke-invitation",
        invitationId: invitationId!,
        confirm: "on",
      })
    ).status,
  ).toBe(404);
});

test("an admin removes a person from their organisation whatever other memberships the person has", async () => {
  const [org, home] = [await createTestOrg("remover"), await createTestOrg("elsewhere")];
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const person = home.emails.team;
  await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email: person, role: "team" });
  const { cookie } = await signIn(base(), person, TEST_PASSWORD);
  const invitationId = /name="invitationId" value="(\d+)"/.exec((await send(base(), "/invitations", { cookie })).text)![1]!;
  await post(cookie, "/invitations?index", { intent: "accept", invitationId });
  const userId = findUserByEmail(getDb(), person)!.id;
  const removed = await post(admin.cookie, `/orgs/${org.slug}/admin?index`, {
    intent: "remove-member",
    userId: String(userId),
    confirm: "on",
  });
  expect(removed.status).toBe(200);
  expect(membershipOf(org.id, person)).toBeUndefined();
  expect(membershipOf(home.id, person)).toEqual({ role: "team" });
  expect(getDb().select({ active: users.active }).from(users).where(eq(users.id, userId)).get()).toEqual({ active: true });
});

test("whoever holds the link may decline it; then the link is closed", async () => {
  const org = await createTestOrg("link-decline");
  const admin = await signIn(base(), org.emails.admin, TEST_PASSWORD);
  const email = uniqueEmail("unwanted");
  const link = invitationLinkIn(
    (await post(admin.cookie, `/orgs/${org.slug}/admin?index`, { intent: "invite", email, role: "team" })).text,
  )!;
  // Declining asks first: without the ticked box the link stays open.
  const unconfirmed = await post(undefined, link, { intent: "decline" });
  expect(unconfirmed.status).toBe(400);
  expect(visibleStatus(unconfirmed.text)).toContain("Tick the box to confirm: you do not join");
  expect((await send(base(), link)).status).toBe(200);
  const declined = await post(undefined, link, { intent: "decline", confirm: "on" });
  expect(declined.status).toBe(302);
  expect(declined.location).toBe("/invitations/declined");
  expect(visibleStatus((await send(base(), "/invitations/declined")).text)).toContain("You declined the invitation");
  expect((await send(base(), link)).status).toBe(404);
  expect(findUserByEmail(getDb(), email)).toBeUndefined();
  const page = await send(base(), `/orgs/${org.slug}/admin`, { cookie: admin.cookie });
  expect(page.text).toMatch(/Declined/);
});

describe("a site administrator creating an organisation", () => {
  /** A site administrator's session (an account of a new test organisation, made site administrator). */
  async function siteAdmin() {
    const home = await createTestOrg("site");
    getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.email, home.emails.admin)).run();
    return (await signIn(base(), home.emails.admin, TEST_PASSWORD)).cookie;
  }
  const create = (cookie: string, slug: string, adminEmail: string) =>
    post(cookie, "/admin/organizations", { slug, name: `Org ${slug}`, adminEmail, adminName: "Chosen", adminPassword: "Typed-Passw0rd!" });
  const newSlug = (label: string) => `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  /** A new person opens the invitation link and chooses their name and password; they join. */
  async function joinThroughLink(link: string, name: string, password: string) {
    const joined = await post(undefined, link, { intent: "create-account", name, password, confirmPassword: password });
    expect(joined.status, visibleStatus(joined.text)).toBe(302);
  }
  const orgBySlug = (slug: string) => getDb().select().from(organizations).where(eq(organizations.slug, slug)).get()!;

  test("invites an existing account as administrator instead of making it one without its consent", async () => {
    const [cookie, elsewhere] = [await siteAdmin(), await createTestOrg("elsewhere")];
    const person = elsewhere.emails.team;
    const passwordBefore = findUserByEmail(getDb(), person)!.passwordHash;
    const slug = newSlug("consent");
    const created = await create(cookie, slug, person);
    expect(created.status, visibleStatus(created.text)).toBe(200);
    const org = orgBySlug(slug);
    expect(membershipOf(org.id, person), "the person became an administrator without accepting").toBeUndefined();
    expect(findUserByEmail(getDb(), person)!.passwordHash).toBe(passwordBefore);
    expect(invitationLinkIn(created.text)).toBeTruthy();

    // They accept after signing in, as any invitation.
    const signedIn = await signIn(base(), person, TEST_PASSWORD);
    const list = await send(base(), "/invitations", { cookie: signedIn.cookie });
    expect(list.text).toContain(org.name);
    const invitationId = /name="invitationId" value="(\d+)"/.exec(list.text)![1]!;
    const accepted = await post(signedIn.cookie, "/invitations?index", { intent: "accept", invitationId });
    expect(accepted.location).toBe(`/orgs/${slug}`);
    expect(membershipOf(org.id, person)).toEqual({ role: "admin" });
  });

  test("answers the same whether or not an account exists; a new person sets their own password through the link", async () => {
    const [cookie, elsewhere] = [await siteAdmin(), await createTestOrg("known")];
    const [existing, unknown] = [elsewhere.emails.auditor, uniqueEmail("new-admin")];
    const slugs = [newSlug("same"), newSlug("same")];
    const [a, b] = [await create(cookie, slugs[0]!, existing), await create(cookie, slugs[1]!, unknown)];
    const shown = (reply: Reply, email: string) => normalised(reply, email).replace(/Org same-[a-z0-9]+/g, "<org>");
    expect({ status: a.status, answer: shown(a, existing) }).toEqual({ status: b.status, answer: shown(b, unknown) });
    expect(findUserByEmail(getDb(), unknown), "an account made with a password the site administrator typed").toBeUndefined();

    await joinThroughLink(invitationLinkIn(b.text)!, "New Admin", "Own-Passw0rd-42");
    const org = orgBySlug(slugs[1]!);
    expect(membershipOf(org.id, unknown)).toEqual({ role: "admin" });
    await signIn(base(), unknown, "Own-Passw0rd-42");
  });

  test("invites an administrator again into an organisation whose first invitation was never accepted", async () => {
    const cookie = await siteAdmin();
    const slug = newSlug("orphan");
    const lost = uniqueEmail("lost-admin");
    expect((await create(cookie, slug, lost)).status).toBe(200);
    const org = orgBySlug(slug);
    const invitationsOf = () => getDb().select().from(invitations).where(eq(invitations.orgId, org.id)).all();
    // The first invitation's 14 days are over.
    getDb()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitations.orgId, org.id))
      .run();
    const page = await send(base(), "/admin/organizations", { cookie });
    expect(page.text).toMatch(/No administrator yet: invitation expired/);
    expect(page.text).toContain('value="invite-admin"');

    // Only site administrators: the organisation's would-be peers, an org admin elsewhere, get 403 and nothing changes.
    const outsider = await createTestOrg("not-site");
    const { cookie: orgAdmin } = await signIn(base(), outsider.emails.admin, TEST_PASSWORD);
    const before = invitationsOf();
    const refused = await post(orgAdmin, "/admin/organizations", {
      intent: "invite-admin",
      orgId: String(org.id),
      email: outsider.emails.admin,
    });
    expect(refused.status).toBe(403);
    expect(invitationsOf()).toEqual(before);

    // The same answer whether or not an account exists for the email.
    const elsewhere = await createTestOrg("reinvite-known");
    const [existing, fresh] = [elsewhere.emails.team, uniqueEmail("new-admin")];
    const a = await post(cookie, "/admin/organizations", { intent: "invite-admin", orgId: String(org.id), email: existing });
    const b = await post(cookie, "/admin/organizations", { intent: "invite-admin", orgId: String(org.id), email: fresh });
    expect(a.status, visibleStatus(a.text)).toBe(200);
    expect({ status: a.status, answer: normalised(a, existing) }).toEqual({ status: b.status, answer: normalised(b, fresh) });
    // Invited again, the same email's pending invitation is replaced: its first link stops working.
    const again = await post(cookie, "/admin/organizations", { intent: "invite-admin", orgId: String(org.id), email: fresh });
    expect(again.status).toBe(200);
    expect((await send(base(), invitationLinkIn(b.text)!)).status).toBe(404);
    expect(invitationsOf().filter((i) => i.email === fresh && i.status === "pending")).toHaveLength(1);
    const pending = await send(base(), "/admin/organizations", { cookie });
    expect(pending.text).toMatch(/No administrator yet: invitation pending until/);
    // Audited in the organisation's own trail.
    const events = getDb().select().from(auditEvents).where(eq(auditEvents.orgId, org.id)).all();
    expect(events.at(-1)).toMatchObject({ action: "invitation.created", entityType: "invitation" });
    expect(events.filter((e) => e.action === "invitation.revoked")).toHaveLength(1); // the second link of the same email

    await joinThroughLink(invitationLinkIn(again.text)!, "Second Try", "Second-Passw0rd-7");
    expect(membershipOf(org.id, fresh)).toEqual({ role: "admin" });

    // Now it has an administrator: the page no longer offers it, and the action refuses it plainly.
    const after = await send(base(), "/admin/organizations", { cookie });
    expect(after.text).not.toContain(`name="orgId" value="${org.id}"`);
    const count = invitationsOf().length;
    const withAdmin = await post(cookie, "/admin/organizations", {
      intent: "invite-admin",
      orgId: String(org.id),
      email: uniqueEmail("late"),
    });
    expect(withAdmin.status).toBe(409);
    expect(visibleStatus(withAdmin.text)).toMatch(/already has an administrator/);
    expect(invitationsOf()).toHaveLength(count);
  });

  test("the form asks for no one else's password", async () => {
    const page = await send(base(), "/admin/organizations", { cookie: await siteAdmin() });
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/type="password"/);
  });
});
