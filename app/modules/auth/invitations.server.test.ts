import { describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { auditEvents, invitations, memberships, oidcProviders, users } from "../../../db/schema";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { hashToken } from "./api-tokens.server";
import {
  acceptInvitation,
  createAccountFromInvitation,
  createInvitation,
  declineInvitation,
  declineInvitationByToken,
  findInvitationByToken,
  invitationCreatedNotice,
  INVITATION_LIFETIME_DAYS,
  listInvitations,
  listPendingInvitationsForUser,
  revokeInvitation,
} from "./invitations.server";
import { createOrganization, findUserByEmail } from "./organizations.server";
import { catchDomainError as catchSync, catchDomainErrorAsync as catchAsync } from "../../../tests/setup/domain-errors";

const PASSWORD = "Invited-Passw0rd!";
const DAY = 86_400_000;
let counter = 0;

async function newOrg() {
  counter++;
  const { org, admin } = await createOrganization(
    {
      slug: `inv-${counter}`,
      name: `Inviting ${counter}`,
      adminEmail: `boss${counter}@inv.test`,
      adminName: `Boss ${counter}`,
      adminPassword: PASSWORD,
    },
    { type: "system", label: "test" },
  );
  const actor: Actor = { type: "user", id: admin.id, label: admin.email };
  return { org, admin, actor };
}

function rowsOf(orgId: number) {
  const db = getDb();
  return {
    invitations: db.select().from(invitations).where(eq(invitations.orgId, orgId)).orderBy(invitations.id).all(),
    memberships: db.select().from(memberships).where(eq(memberships.orgId, orgId)).orderBy(memberships.id).all(),
    events: db.select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(auditEvents.id).all(),
    users: db.select({ n: count() }).from(users).get()!.n,
  };
}

const lastEvent = (orgId: number) => {
  const event = rowsOf(orgId).events.at(-1)!;
  return { ...event, payload: JSON.parse(event.payload) as Record<string, unknown> };
};

const isMember = (orgId: number, userId: number) =>
  Boolean(
    getDb()
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .get(),
  );

describe("createInvitation", () => {
  it("stores only the link's hash, records only the typed email, and looks at no account", async () => {
    const { org, actor } = await newOrg();
    const elsewhere = await newOrg(); // boss<n>@inv.test has an account
    const now = new Date("2026-03-01T10:00:00Z");
    const forAccount = createInvitation(org.id, { email: elsewhere.admin.email.toUpperCase(), role: "team" }, actor, now);
    const forNobody = createInvitation(org.id, { email: "nobody@inv.test", role: "team" }, actor, now);
    expect(forAccount.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [a, b] = rowsOf(org.id).invitations;
    expect(a).toMatchObject({
      email: elsewhere.admin.email,
      status: "pending",
      acceptedUserId: null,
      tokenHash: hashToken(forAccount.token),
    });
    expect(a!.expiresAt.getTime()).toBe(now.getTime() + INVITATION_LIFETIME_DAYS * DAY);
    expect(Object.values(a!).some((v) => typeof v === "string" && v.includes(forAccount.token))).toBe(false);
    // The two rows, and their events, have the same shape: nothing says which email has an account.
    const shape = (row: typeof a) => ({ ...row!, id: 0, email: "", tokenHash: "" });
    expect(shape(a)).toEqual(shape(b));
    const events = rowsOf(org.id).events.filter((e) => e.action === "invitation.created");
    expect(events.map((e) => JSON.parse(e.payload))).toEqual([
      { after: { email: elsewhere.admin.email, role: "team", expiresAt: a!.expiresAt.toISOString() } },
      { after: { email: "nobody@inv.test", role: "team", expiresAt: b!.expiresAt.toISOString() } },
    ]);
    expect(isMember(org.id, elsewhere.admin.id)).toBe(false);
    expect(forNobody.email).toBe("nobody@inv.test");
  });

  it("refuses someone already a member, writing nothing", async () => {
    const { org, admin, actor } = await newOrg();
    const before = rowsOf(org.id);
    expect(catchSync(() => createInvitation(org.id, { email: admin.email, role: "team" }, actor))).toMatchObject({
      code: "conflict",
      field: "email",
    });
    expect(rowsOf(org.id)).toEqual(before);
  });

  it("inviting the same email again replaces the pending invitation: the old link stops working", async () => {
    const { org, actor } = await newOrg();
    const first = createInvitation(org.id, { email: "again@inv.test", role: "team" }, actor);
    const second = createInvitation(org.id, { email: "again@inv.test", role: "ethics" }, actor);
    expect(findInvitationByToken(first.token)).toBeUndefined();
    expect(findInvitationByToken(second.token)).toMatchObject({ email: "again@inv.test", role: "ethics" });
    expect(rowsOf(org.id).invitations.map((i) => i.status)).toEqual(["revoked", "pending"]);
    expect(listPendingInvitationsForUser({ email: "again@inv.test" }).map((i) => i.role)).toEqual(["ethics"]);
  });
});

describe("answering an invitation", () => {
  it("only the person the email names can accept or decline; for anyone else it does not exist", async () => {
    const { org, admin, actor } = await newOrg();
    const person = await newOrg();
    const stranger = await newOrg();
    const invitation = createInvitation(org.id, { email: person.admin.email, role: "auditor" }, actor);
    const before = rowsOf(org.id);
    expect(catchSync(() => acceptInvitation(stranger.admin, invitation.id))).toMatchObject({ code: "not_found" });
    expect(catchSync(() => declineInvitation(stranger.admin, invitation.id))).toMatchObject({ code: "not_found" });
    expect(catchSync(() => acceptInvitation(stranger.admin, 999_999))).toMatchObject({ code: "not_found" });
    expect(rowsOf(org.id)).toEqual(before);
    expect(listPendingInvitationsForUser(stranger.admin)).toEqual([]);

    expect(listPendingInvitationsForUser({ email: person.admin.email.toUpperCase() })).toEqual([
      expect.objectContaining({ id: invitation.id, orgSlug: org.slug, orgName: org.name, role: "auditor", invitedBy: admin.name }),
    ]);
    expect(acceptInvitation(person.admin, invitation.id)).toEqual({ orgSlug: org.slug });
    expect(isMember(org.id, person.admin.id)).toBe(true);
    expect(rowsOf(org.id).invitations[0]).toMatchObject({ status: "accepted", acceptedUserId: person.admin.id });
    expect(lastEvent(org.id)).toMatchObject({ action: "invitation.accepted", actorId: person.admin.id, entityId: String(person.admin.id) });
    // Answered once: a second answer finds nothing open.
    expect(catchSync(() => declineInvitation(person.admin, invitation.id))).toMatchObject({ code: "not_found" });
    expect(verifyAuditChain(org.id).ok).toBe(true);
  });

  it("an expired invitation can no longer be answered and reads as expired", async () => {
    const { org, actor } = await newOrg();
    const person = await newOrg();
    const sent = new Date("2026-01-01T00:00:00Z");
    const invitation = createInvitation(org.id, { email: person.admin.email, role: "team" }, actor, sent);
    const later = new Date(sent.getTime() + (INVITATION_LIFETIME_DAYS + 1) * DAY);
    expect(findInvitationByToken(invitation.token, later)).toBeUndefined();
    expect(listPendingInvitationsForUser(person.admin, later)).toEqual([]);
    expect(catchSync(() => acceptInvitation(person.admin, invitation.id, later))).toMatchObject({ code: "not_found" });
    await expect(createAccountFromInvitation(invitation.token, { name: "Late", password: PASSWORD }, later)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(listInvitations(org.id, later).map((i) => i.status)).toEqual(["expired"]);
    expect(isMember(org.id, person.admin.id)).toBe(false);
  });

  it("declining through the link is recorded as the link's doing, not an account's", async () => {
    const { org, actor } = await newOrg();
    const invitation = createInvitation(org.id, { email: "declines@inv.test", role: "team" }, actor);
    declineInvitationByToken(invitation.token);
    expect(rowsOf(org.id).invitations[0]!.status).toBe("declined");
    expect(lastEvent(org.id)).toMatchObject({ action: "invitation.declined", actorType: "system", actorLabel: "invitation link" });
    expect(listInvitations(org.id).map((i) => i.status)).toEqual(["declined"]);
  });
});

describe("createAccountFromInvitation", () => {
  it("creates the account with the chosen password and joins it to the organisation", async () => {
    const { org, actor } = await newOrg();
    const invitation = createInvitation(org.id, { email: "new@inv.test", role: "leadership" }, actor);
    const joined = await createAccountFromInvitation(invitation.token, { name: "New Person", password: PASSWORD });
    const user = findUserByEmail(getDb(), "new@inv.test")!;
    // A password session opens the organisation: the route signs the person in at once.
    expect(joined).toEqual({ orgSlug: org.slug, email: "new@inv.test", userId: user.id, passwordOpens: true });
    expect(user).toMatchObject({ name: "New Person", active: true, isSiteAdmin: false });
    expect(isMember(org.id, user.id)).toBe(true);
    expect(lastEvent(org.id)).toMatchObject({ action: "invitation.accepted", actorId: user.id });
    expect(lastEvent(org.id).payload).toMatchObject({ details: { newAccount: true } });
  });

  it("says a password session does not open an organisation that requires single sign-on", async () => {
    const { org, admin, actor } = await newOrg();
    getDb()
      .insert(oidcProviders)
      .values({
        orgId: org.id,
        issuer: "https://idp.inv.example",
        clientId: "portal",
        sealedClientSecret: "sealed",
        required: true,
        breakGlassUserId: admin.id,
        updatedAt: new Date(),
        updatedByLabel: admin.email,
      })
      .run();
    const invitation = createInvitation(org.id, { email: "sso-only@inv.test", role: "team" }, actor);
    const joined = await createAccountFromInvitation(invitation.token, { name: "SSO Person", password: PASSWORD });
    // Still a member with the chosen password; only the sign-in goes through the provider.
    expect(joined).toMatchObject({ orgSlug: org.slug, passwordOpens: false });
    expect(isMember(org.id, joined.userId)).toBe(true);
  });

  it("never touches an existing account: conflict, nothing written", async () => {
    const { org, actor } = await newOrg();
    const owner = await newOrg();
    const invitation = createInvitation(org.id, { email: owner.admin.email, role: "admin" }, actor);
    const before = { rows: rowsOf(org.id), hash: findUserByEmail(getDb(), owner.admin.email)!.passwordHash };
    const error = await catchAsync(() => createAccountFromInvitation(invitation.token, { name: "Mallory", password: PASSWORD }));
    expect(error).toMatchObject({ code: "conflict" });
    expect({ rows: rowsOf(org.id), hash: findUserByEmail(getDb(), owner.admin.email)!.passwordHash }).toEqual(before);
    expect(findInvitationByToken(invitation.token)).toBeDefined();
  });
});

describe("revokeInvitation", () => {
  it("ends a pending invitation of its own organisation only", async () => {
    const { org, actor } = await newOrg();
    const other = await newOrg();
    const invitation = createInvitation(org.id, { email: "revoke-me@inv.test", role: "team" }, actor);
    expect(catchSync(() => revokeInvitation(other.org.id, invitation.id, other.actor))).toMatchObject({ code: "not_found" });
    expect(findInvitationByToken(invitation.token)).toBeDefined();
    revokeInvitation(org.id, invitation.id, actor);
    expect(findInvitationByToken(invitation.token)).toBeUndefined();
    expect(lastEvent(org.id)).toMatchObject({ action: "invitation.revoked", actorId: actor.type === "user" ? actor.id : null });
    expect(catchSync(() => revokeInvitation(org.id, invitation.id, actor))).toMatchObject({ code: "conflict" });
  });
});

describe("the notice an administrator reads once an invitation is made", () => {
  it("says to pass the link on when the server sends no email, and that it was emailed when it does", () => {
    const before = process.env.SMTP_URL;
    try {
      delete process.env.SMTP_URL;
      const withoutEmail = invitationCreatedNotice("Invitation for new@example.com");
      expect(withoutEmail).toMatch(/^Invitation for new@example\.com created\. Copy this link and send it to them: /);
      expect(withoutEmail).not.toContain("emailed");
      process.env.SMTP_URL = "smtp://127.0.0.1:2525";
      const withEmail = invitationCreatedNotice("Invitation for new@example.com");
      expect(withEmail).toMatch(/^Invitation for new@example\.com created and emailed to them\. /);
      expect(withEmail).toContain(`it works once, for ${INVITATION_LIFETIME_DAYS} days`);
    } finally {
      if (before === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = before;
    }
  });
});
