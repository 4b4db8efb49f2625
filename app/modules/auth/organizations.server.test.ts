import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { auditEvents, memberships, organizations, users } from "../../../db/schema";
import { SYSTEM_ACTOR, verifyAuditChain, type Actor } from "../audit/audit.server";
import { GENESIS_HASH } from "../audit/hash";
import { acceptInvitation, createInvitation, createOrganizationWithInvitation } from "./invitations.server";
import {
  changeRole,
  createOrganization,
  createUserInOrganization,
  deactivateUser,
  findOrganizationBySlug,
  findUserByEmail,
  listAllOrganizations,
  listMembers,
  removeMember,
} from "./organizations.server";
import { hashPassword, verifyPassword } from "./password.server";
import type { Role } from "./roles";
import { catchDomainErrorAsync as catchAsync, catchDomainError as catchSync } from "../../../tests/setup/domain-errors";
import { TEST_PASSWORD_COST } from "../../../tests/setup/test-orgs";

const PASSWORD = "Correct-Horse-42";

function snapshot() {
  const db = getDb();
  return {
    orgs: db.select({ n: count() }).from(organizations).get()!.n,
    users: db.select({ n: count() }).from(users).get()!.n,
    memberships: db.select().from(memberships).orderBy(memberships.id).all(),
    activeUsers: db.select({ id: users.id, active: users.active }).from(users).orderBy(users.id).all(),
    events: db.select({ n: count() }).from(auditEvents).get()!.n,
  };
}

function eventsOf(orgId: number) {
  return getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(auditEvents.id).all();
}

function roleOf(orgId: number, userId: number) {
  return getDb()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get()?.role;
}

/** Runs `fn` and returns the single audit event it must have written in `orgId`'s chain. */
async function expectOneEvent(orgId: number, fn: () => unknown) {
  const before = snapshot().events;
  const orgBefore = eventsOf(orgId).length;
  await fn();
  expect(snapshot().events).toBe(before + 1);
  const after = eventsOf(orgId);
  expect(after).toHaveLength(orgBefore + 1);
  const event = after.at(-1)!;
  return { ...event, payload: JSON.parse(event.payload) as Record<string, unknown> };
}

const TEST_ACTOR: Actor = { ...SYSTEM_ACTOR, label: "test" };

/** PASSWORD hashed once at the test cost: every test makes accounts, and the portal's cost is slow on purpose. */
let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD, { cost: TEST_PASSWORD_COST });
});

let counter = 0;
/** A slug no other test in this file uses. */
const uniqueSlug = (label: string) => `${label}-${++counter}`;

/** A brand-new organisation and its only member, its administrator. */
async function newOrganization(label: string, name: string) {
  const slug = uniqueSlug(label);
  const { org, admin } = await createOrganization(
    { slug, name: `${name} ${slug}`, adminEmail: `boss@${slug}.io`, adminName: "Bo Boss", adminPasswordHash: passwordHash },
    TEST_ACTOR,
  );
  return { org, admin, actor: { type: "user", id: admin.id, label: admin.email } satisfies Actor };
}

describe("organisations and members", () => {
  let acme: { id: number; slug: string; name: string };
  let boss: { id: number; email: string };
  let bossActor: Actor;

  // Every test starts from an organisation of its own with one administrator, and adds what it needs.
  beforeEach(async () => {
    const created = await newOrganization("acme", "Acme Ltd");
    acme = created.org;
    boss = created.admin;
    bossActor = created.actor;
  });

  /** A new member of acme, added by its administrator. */
  function newMember(role: Role) {
    const slug = uniqueSlug("tia");
    return createUserInOrganization(acme.id, { email: `${slug}@acme.io`, name: "Tia Team", passwordHash, role }, bossActor);
  }

  /** Another organisation, and a team member of it who is not (yet) in acme. */
  async function betaMember() {
    const beta = await newOrganization("beta", "Beta Inc");
    const other = await createUserInOrganization(
      beta.org.id,
      { email: `other@${beta.org.slug}.io`, name: "Otto Other", passwordHash, role: "team" },
      beta.actor,
    );
    return { betaId: beta.org.id, other };
  }

  /** A team member of another organisation who accepted an invitation to be an auditor in acme. */
  async function memberOfBoth() {
    const { betaId, other } = await betaMember();
    acceptInvitation(other, createInvitation(acme.id, { email: other.email, role: "auditor" }, bossActor).id);
    return { betaId, other };
  }

  describe("createOrganization", () => {
    it("creates the organisation, its admin with a hashed password, and an admin membership", async () => {
      const slug = uniqueSlug("acme");
      const { org, admin } = await createOrganization(
        { slug, name: "Acme Ltd", adminEmail: `boss@${slug}.io`, adminName: "Bo Boss", adminPassword: PASSWORD },
        TEST_ACTOR,
      );
      expect(findOrganizationBySlug(getDb(), slug)).toMatchObject({ id: org.id, slug, name: "Acme Ltd" });
      const user = findUserByEmail(getDb(), `BOSS@${slug}.io`)!;
      expect(user).toMatchObject({ id: admin.id, email: `boss@${slug}.io`, name: "Bo Boss", active: true, isSiteAdmin: false });
      expect(user.passwordHash).toMatch(/^scrypt\$/);
      expect(await verifyPassword(PASSWORD, user.passwordHash)).toBe(true);
      expect(roleOf(org.id, admin.id)).toBe("admin");
      expect(listMembers(org.id)).toEqual([
        expect.objectContaining({ userId: admin.id, email: `boss@${slug}.io`, role: "admin", active: true }),
      ]);
    });

    it("records 'organization.created' as the first event of the organisation's own chain", () => {
      const events = eventsOf(acme.id);
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({
        orgId: acme.id,
        action: "organization.created",
        entityType: "organization",
        entityId: String(acme.id),
        actorType: "system",
        actorLabel: "test",
        prevHash: GENESIS_HASH,
      });
      expect(JSON.parse(event!.payload)).toEqual({ after: { slug: acme.slug, name: acme.name, admin: boss.email } });
      expect(verifyAuditChain(acme.id)).toEqual({ ok: true, events: 1 });
    });

    it("refuses an existing slug with a conflict on 'slug' and writes nothing", async () => {
      const before = snapshot();
      const error = await catchAsync(() =>
        createOrganization(
          { slug: acme.slug, name: "Another Acme", adminEmail: "someone-new@acme.io", adminPassword: PASSWORD },
          SYSTEM_ACTOR,
        ),
      );
      expect(error.code).toBe("conflict");
      expect(error.field).toBe("slug");
      expect(error.message).toMatch(/already exists/);
      expect(snapshot()).toEqual(before);
      expect(findUserByEmail(getDb(), "someone-new@acme.io")).toBeUndefined();
      expect(findOrganizationBySlug(getDb(), acme.slug)!.name).toBe(acme.name);
    });

    it("never makes an existing account a member: refused without an invitation, invited with one", async () => {
      const userBefore = findUserByEmail(getDb(), boss.email)!;
      const before = snapshot();
      const slug = uniqueSlug("beta");
      const refused = await catchAsync(() =>
        createOrganization({ slug, name: "Beta Inc", adminEmail: boss.email, adminPassword: "Different-Pass-99" }, SYSTEM_ACTOR),
      );
      expect(refused.code).toBe("conflict");
      expect(snapshot()).toEqual(before);

      const { org, invitation } = createOrganizationWithInvitation(
        { slug, name: "Beta Inc", adminEmail: boss.email.toUpperCase() },
        SYSTEM_ACTOR,
      );
      expect(invitation).toMatchObject({ email: boss.email, role: "admin" });
      const after = snapshot();
      expect(after.users).toBe(before.users);
      expect(after.orgs).toBe(before.orgs + 1);
      expect(after.memberships).toEqual(before.memberships);
      expect(findUserByEmail(getDb(), boss.email)!.passwordHash).toBe(userBefore.passwordHash);
      expect(eventsOf(org.id).map((e) => e.action)).toEqual(["organization.created", "invitation.created"]);
      expect(verifyAuditChain(org.id)).toEqual({ ok: true, events: 2 });
      // They accept, as any invitation.
      acceptInvitation(boss, invitation.id);
      expect(roleOf(org.id, boss.id)).toBe("admin");
      const ours = listAllOrganizations().filter((o) => o.id === acme.id || o.id === org.id);
      expect(ours.map((o) => [o.slug, o.members])).toEqual([
        [acme.slug, 1],
        [slug, 1],
      ]);
    });

    it("names a new admin after the email's local part when no name is given", async () => {
      const slug = uniqueSlug("gamma");
      const { admin } = await createOrganization(
        { slug, name: "Gamma", adminEmail: `solo@${slug}.io`, adminPasswordHash: passwordHash },
        SYSTEM_ACTOR,
      );
      expect(admin.name).toBe("solo");
    });
  });

  describe("createUserInOrganization", () => {
    it("creates the account and membership and writes one 'member.created' event", async () => {
      let tia!: { id: number; email: string };
      const event = await expectOneEvent(acme.id, async () => {
        tia = await createUserInOrganization(
          acme.id,
          { email: `tia@${acme.slug}.io`, name: "Tia Team", password: PASSWORD, role: "team" },
          bossActor,
        );
      });
      expect(roleOf(acme.id, tia.id)).toBe("team");
      expect(event).toMatchObject({ action: "member.created", entityType: "user", entityId: String(tia.id) });
      expect(event.actorId).toBe(boss.id);
      expect(event.payload).toEqual({ after: { email: `tia@${acme.slug}.io`, name: "Tia Team", role: "team" } });
    });

    it("refuses a duplicate email with a conflict on 'email' and writes nothing", async () => {
      const tia = await newMember("team");
      const before = snapshot();
      const error = await catchAsync(() =>
        createUserInOrganization(acme.id, { email: tia.email, name: "Dup", password: PASSWORD, role: "auditor" }, bossActor),
      );
      expect(error).toMatchObject({ code: "conflict", field: "email" });
      expect(snapshot()).toEqual(before);
    });
  });

  describe("joining another organisation", () => {
    it("takes an invitation the person accepts: one 'invitation.accepted' event", async () => {
      const { betaId, other } = await betaMember();
      const invitation = createInvitation(acme.id, { email: other.email, role: "auditor" }, bossActor);
      expect(roleOf(acme.id, other.id)).toBeUndefined();
      const event = await expectOneEvent(acme.id, () => acceptInvitation(other, invitation.id));
      expect(roleOf(acme.id, other.id)).toBe("auditor");
      expect(roleOf(betaId, other.id)).toBe("team");
      expect(event).toMatchObject({ action: "invitation.accepted", entityId: String(other.id), actorId: other.id });
    });
  });

  describe("changeRole", () => {
    it("changes the role and writes one 'member.role_changed' event with before and after", async () => {
      const tia = await newMember("team");
      const event = await expectOneEvent(acme.id, () => changeRole(acme.id, tia.id, "ethics", bossActor));
      expect(roleOf(acme.id, tia.id)).toBe("ethics");
      expect(event).toMatchObject({ action: "member.role_changed", entityId: String(tia.id) });
      expect(event.payload).toEqual({
        before: { email: tia.email, role: "team" },
        after: { email: tia.email, role: "ethics" },
      });
    });

    it("does nothing (and records nothing) when the role is unchanged", async () => {
      const tia = await newMember("ethics");
      const before = snapshot();
      changeRole(acme.id, tia.id, "ethics", bossActor);
      expect(snapshot()).toEqual(before);
    });

    it("refuses someone who is not a member with not_found", async () => {
      const { other } = await betaMember();
      expect(catchSync(() => changeRole(acme.id, other.id, "team", bossActor))).toMatchObject({ code: "not_found" });
    });
  });

  describe("the last administrator", () => {
    it("cannot be demoted", () => {
      const before = snapshot();
      const error = catchSync(() => changeRole(acme.id, boss.id, "team", bossActor));
      expect(error).toMatchObject({ code: "conflict", field: "userId" });
      expect(error.message).toMatch(/last administrator/);
      expect(roleOf(acme.id, boss.id)).toBe("admin");
      expect(snapshot()).toEqual(before);
    });

    it("cannot be removed", () => {
      const before = snapshot();
      expect(catchSync(() => removeMember(acme.id, boss.id, SYSTEM_ACTOR))).toMatchObject({ code: "conflict" });
      expect(roleOf(acme.id, boss.id)).toBe("admin");
      expect(snapshot()).toEqual(before);
    });

    it("cannot be deactivated", () => {
      const before = snapshot();
      const error = catchSync(() => deactivateUser(acme.id, boss.id, SYSTEM_ACTOR));
      expect(error).toMatchObject({ code: "conflict" });
      expect(error.message).toMatch(/last administrator/);
      expect(findUserByEmail(getDb(), boss.email)!.active).toBe(true);
      expect(snapshot()).toEqual(before);
    });
  });

  describe("deactivateUser", () => {
    it("refuses someone who belongs to another organisation too", async () => {
      const { other } = await memberOfBoth();
      const before = snapshot();
      const error = catchSync(() => deactivateUser(acme.id, other.id, bossActor));
      expect(error).toMatchObject({ code: "conflict", field: "userId" });
      expect(error.message).toMatch(/other organisations/);
      expect(findUserByEmail(getDb(), other.email)!.active).toBe(true);
      expect(snapshot()).toEqual(before);
    });

    it("refuses a user deactivating themselves", async () => {
      const tia = await newMember("ethics");
      const before = snapshot();
      const tiaActor: Actor = { type: "user", id: tia.id, label: tia.email };
      const error = catchSync(() => deactivateUser(acme.id, tia.id, tiaActor));
      expect(error).toMatchObject({ code: "invalid", field: "userId" });
      expect(error.message).toMatch(/yourself/);
      expect(snapshot()).toEqual(before);
    });

    it("deactivates a single-organisation member and writes one 'user.deactivated' event", async () => {
      const tia = await newMember("ethics");
      const event = await expectOneEvent(acme.id, () => deactivateUser(acme.id, tia.id, bossActor));
      expect(findUserByEmail(getDb(), tia.email)!.active).toBe(false);
      expect(roleOf(acme.id, tia.id)).toBe("ethics");
      expect(event).toMatchObject({ action: "user.deactivated", entityId: String(tia.id) });
      expect(event.payload).toEqual({
        before: { email: tia.email, active: true },
        after: { email: tia.email, active: false },
      });
    });

    it("does nothing for someone already inactive", async () => {
      const tia = await newMember("ethics");
      deactivateUser(acme.id, tia.id, bossActor);
      const before = snapshot();
      deactivateUser(acme.id, tia.id, bossActor);
      expect(snapshot()).toEqual(before);
    });

    it("does not count a deactivated admin when protecting the last admin", async () => {
      const tia = await newMember("ethics");
      deactivateUser(acme.id, tia.id, bossActor);
      // tia (inactive) becomes an admin: boss is still the only *active* admin.
      await expectOneEvent(acme.id, () => changeRole(acme.id, tia.id, "admin", bossActor));
      expect(catchSync(() => changeRole(acme.id, boss.id, "team", bossActor))).toMatchObject({ code: "conflict" });
      expect(roleOf(acme.id, boss.id)).toBe("admin");
      // The inactive admin itself can be demoted freely.
      await expectOneEvent(acme.id, () => changeRole(acme.id, tia.id, "team", bossActor));
    });
  });

  describe("removeMember", () => {
    it("removes the membership only, whatever other memberships, and writes one 'member.removed' event", async () => {
      const { betaId, other } = await memberOfBoth();
      getDb().update(users).set({ lastOrgId: acme.id }).where(eq(users.id, other.id)).run();
      const event = await expectOneEvent(acme.id, () => removeMember(acme.id, other.id, bossActor));
      expect(roleOf(acme.id, other.id)).toBeUndefined();
      expect(roleOf(betaId, other.id)).toBe("team");
      expect(findUserByEmail(getDb(), other.email)!.active).toBe(true);
      // Signing in no longer lands in the organisation they left.
      expect(findUserByEmail(getDb(), other.email)!.lastOrgId).toBeNull();
      expect(event).toMatchObject({ action: "member.removed", entityId: String(other.id) });
      expect(event.payload).toEqual({ before: { email: other.email, role: "auditor" } });
    });

    it("refuses someone who is not a member with not_found and writes nothing", async () => {
      const { other } = await betaMember();
      const before = snapshot();
      expect(catchSync(() => removeMember(acme.id, other.id, bossActor))).toMatchObject({ code: "not_found" });
      expect(snapshot()).toEqual(before);
    });

    it("allows removing an admin while another active admin remains", async () => {
      const second = await createUserInOrganization(
        acme.id,
        { email: `second@${acme.slug}.io`, name: "Second Admin", passwordHash, role: "admin" },
        bossActor,
      );
      await expectOneEvent(acme.id, () => changeRole(acme.id, boss.id, "leadership", { type: "user", id: second.id, label: second.email }));
      expect(roleOf(acme.id, boss.id)).toBe("leadership");
      // second is now the last active admin again.
      expect(catchSync(() => removeMember(acme.id, second.id, SYSTEM_ACTOR))).toMatchObject({ code: "conflict" });
    });
  });

  it("leaves every organisation's chain intact", () => {
    for (const org of getDb().select().from(organizations).all()) {
      expect(verifyAuditChain(org.id).ok, org.slug).toBe(true);
    }
  });
});
