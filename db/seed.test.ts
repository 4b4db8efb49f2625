import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { verifyAuditChain } from "../app/modules/audit/audit.server";
import { hashPassword, verifyPassword } from "../app/modules/auth/password.server";
import { closeSharedDb, getDb, migrateDatabase, type Db } from "./client";
import { prepareDatabase } from "./prepare";
import { quarterOf, quarterRange, shiftQuarter } from "../app/utils/quarters";
import { apiTokens, assessments, auditEvents, memberships, models, organizations, roadmaps, users } from "./schema";
import { DEFAULT_DEMO_PASSWORD, DEMO_ORG, DEMO_USERS, demoUsersWithDefaultPassword, seedDemoOrganization } from "./seed";

const savedEnv = { DEMO_PASSWORD: process.env.DEMO_PASSWORD, PORTAL_SEED: process.env.PORTAL_SEED };
function restoreEnv() {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

const tempDirs: string[] = [];
const openDbs: Db[] = [];
function freshDb(migrate = false): Db {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-seed-test-"));
  tempDirs.push(dir);
  // The seed writes through the shared connection, so point it at the fresh file.
  process.env.DATABASE_URL = path.join(dir, "portal.db");
  closeSharedDb();
  const db = getDb();
  openDbs.push(db);
  if (migrate) migrateDatabase(db);
  return db;
}

function counts(db: Db) {
  return {
    orgs: db.select({ n: count() }).from(organizations).get()!.n,
    users: db.select({ n: count() }).from(users).get()!.n,
    memberships: db.select({ n: count() }).from(memberships).get()!.n,
    events: db.select({ n: count() }).from(auditEvents).get()!.n,
  };
}

function demoRoles(db: Db) {
  return db
    .select({ email: users.email, role: memberships.role, siteAdmin: users.isSiteAdmin })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(organizations.slug, "demo"))
    .orderBy(memberships.id)
    .all();
}

const EXPECTED_ROLES = [
  { email: "admin@demo.local", role: "admin", siteAdmin: true },
  { email: "leader@demo.local", role: "leadership", siteAdmin: false },
  { email: "ethics@demo.local", role: "ethics", siteAdmin: false },
  { email: "team@demo.local", role: "team", siteAdmin: false },
  { email: "auditor@demo.local", role: "auditor", siteAdmin: false },
];

beforeAll(() => {
  delete process.env.DEMO_PASSWORD;
  delete process.env.PORTAL_SEED;
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  restoreEnv();
  for (const db of openDbs) db.$client.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A migrated database of its own with the demo organisation seeded (DEMO_PASSWORD unset), and its counts. */
async function seededDb() {
  const db = freshDb(true);
  expect(await seedDemoOrganization({ registry: false })).toMatchObject({ created: true });
  return { db, seeded: counts(db) };
}

describe("seedDemoOrganization", () => {
  it("creates org 'demo' and the five demo users with their roles", async () => {
    const db = freshDb(true);
    expect(counts(db)).toEqual({ orgs: 0, users: 0, memberships: 0, events: 0 });
    expect(await seedDemoOrganization({ registry: false })).toMatchObject({ created: true });

    const org = db.select().from(organizations).where(eq(organizations.slug, "demo")).get();
    expect(org).toMatchObject({ slug: DEMO_ORG.slug, name: DEMO_ORG.name });
    expect(demoRoles(db)).toEqual(EXPECTED_ROLES);
    expect(DEMO_USERS.map((u) => u.role)).toEqual(["admin", "leadership", "ethics", "team", "auditor"]);
    expect(counts(db)).toEqual({ orgs: 1, users: 5, memberships: 5, events: 6 });
  });

  it("audits the seeding in the demo organisation's chain", async () => {
    const { db } = await seededDb();
    const org = db.select().from(organizations).where(eq(organizations.slug, "demo")).get()!;
    const events = db.select().from(auditEvents).where(eq(auditEvents.orgId, org.id)).orderBy(auditEvents.id).all();
    expect(events.map((e) => e.action)).toEqual(["organization.created", ...Array.from({ length: 5 }, () => "member.created")]);
    expect(events.every((e) => e.actorType === "system")).toBe(true);
    expect(verifyAuditChain(org.id, db)).toEqual({ ok: true, events: 6 });
  });

  it("changes nothing when run twice (and keeps existing passwords)", async () => {
    const { db, seeded } = await seededDb();
    const hashesBefore = db.select({ id: users.id, hash: users.passwordHash }).from(users).orderBy(users.id).all();
    expect(await seedDemoOrganization({ registry: false })).toMatchObject({ created: false });
    expect(counts(db)).toEqual(seeded);
    expect(db.select({ id: users.id, hash: users.passwordHash }).from(users).orderBy(users.id).all()).toEqual(hashesBefore);
    expect(demoRoles(db)).toEqual(EXPECTED_ROLES);
  });

  it("demoUsersWithDefaultPassword lists all five after seeding with DEMO_PASSWORD unset", async () => {
    await seededDb();
    expect(process.env.DEMO_PASSWORD).toBeUndefined();
    expect((await demoUsersWithDefaultPassword()).sort()).toEqual(DEMO_USERS.map((u) => u.email).sort());
  });

  it("demoUsersWithDefaultPassword drops a user whose password was changed", async () => {
    const { db } = await seededDb();
    db.update(users)
      .set({ passwordHash: await hashPassword("A-Brand-New-Secret-7") })
      .where(eq(users.email, "leader@demo.local"))
      .run();
    const weak = await demoUsersWithDefaultPassword();
    expect(weak).toHaveLength(4);
    expect(weak).not.toContain("leader@demo.local");
    expect(weak).toContain("admin@demo.local");
  });

  it("demoUsersWithDefaultPassword ignores deactivated accounts", async () => {
    const { db } = await seededDb();
    db.update(users).set({ active: false }).where(eq(users.email, "team@demo.local")).run();
    const weak = await demoUsersWithDefaultPassword();
    expect(weak.sort()).toEqual(
      DEMO_USERS.map((u) => u.email)
        .filter((email) => email !== "team@demo.local")
        .sort(),
    );
  });

  it("re-adds a demo user that was missing", async () => {
    const db = freshDb(true);
    await seedDemoOrganization({ registry: false });
    const auditor = db.select().from(users).where(eq(users.email, "auditor@demo.local")).get()!;
    db.delete(memberships).where(eq(memberships.userId, auditor.id)).run();
    expect(demoRoles(db)).toHaveLength(4);
    expect(await seedDemoOrganization({ registry: false })).toMatchObject({ created: false });
    expect(demoRoles(db)).toEqual(EXPECTED_ROLES.filter((r) => r.email !== "auditor@demo.local").concat(EXPECTED_ROLES[4]!));
    expect(counts(db).users).toBe(5);
  });

  it("uses DEMO_PASSWORD when set, so no account keeps the published password", async () => {
    const db = freshDb(true);
    process.env.DEMO_PASSWORD = "Seeded-Override-55";
    try {
      await seedDemoOrganization({ registry: false });
    } finally {
      delete process.env.DEMO_PASSWORD;
    }
    const admin = db.select().from(users).where(eq(users.email, "admin@demo.local")).get()!;
    expect(await verifyPassword("Seeded-Override-55", admin.passwordHash)).toBe(true);
    expect(await verifyPassword(DEFAULT_DEMO_PASSWORD, admin.passwordHash)).toBe(false);
    expect(await demoUsersWithDefaultPassword()).toEqual([]);
  });

  // Regression: the "already a member" check looks at memberships in ANY organisation,
  // so a demo account that belongs to another organisation is never added to 'demo'.
  it("adds an existing demo account to 'demo' even when it belongs to another organisation", async () => {
    const db = freshDb(true);
    const other = db.insert(organizations).values({ slug: "other", name: "Other" }).returning().get();
    const admin = db
      .insert(users)
      .values({ email: "admin@demo.local", name: "Ada", passwordHash: await hashPassword("Other-Secret-123") })
      .returning()
      .get();
    db.insert(memberships).values({ orgId: other.id, userId: admin.id, role: "team" }).run();
    await seedDemoOrganization({ registry: false });
    expect(demoRoles(db).map((r) => r.email)).toContain("admin@demo.local");
  });
});

describe("prepareDatabase", () => {
  it("migrates and seeds a brand-new database, and warns about the default password", async () => {
    const db = freshDb(false);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lines: string[] = [];
    await prepareDatabase((line) => lines.push(line));
    const seeded = counts(db);
    // The demo organisation and its sister lab (admin and leader belong to both).
    expect(seeded).toMatchObject({ orgs: 2, users: 5, memberships: 7 });
    expect(demoRoles(db)).toEqual(EXPECTED_ROLES);
    // The demo registry comes with it, and its whole history is in a verifying audit chain.
    expect(db.select({ n: count() }).from(models).get()!.n).toBe(12);
    expect(verifyAuditChain(1, db)).toMatchObject({ ok: true });
    expect(verifyAuditChain(2, db)).toMatchObject({ ok: true });

    // The history is recorded at the dates it happened: in time order, numbered 1, 2, 3… and spread over months.
    for (const orgId of [1, 2]) {
      const events = db
        .select({ seq: auditEvents.seq, at: auditEvents.createdAt })
        .from(auditEvents)
        .where(eq(auditEvents.orgId, orgId))
        .orderBy(auditEvents.id)
        .all();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.every((e, i) => i === 0 || e.at.getTime() >= events[i - 1]!.at.getTime())).toBe(true);
      expect(events.every((e) => e.at.getTime() <= Date.now())).toBe(true);
    }
    const demoEvents = db.select({ at: auditEvents.createdAt }).from(auditEvents).where(eq(auditEvents.orgId, 1)).all();
    expect(new Set(demoEvents.map((e) => e.at.toISOString().slice(0, 7))).size).toBeGreaterThanOrEqual(12);
    expect(demoEvents.filter((e) => Date.now() - e.at.getTime() < 3_600_000)).toHaveLength(0);

    // The pipeline token was created before the first version it registered and last used at its last use.
    const token = db.select().from(apiTokens).where(eq(apiTokens.name, "training-pipeline")).get()!;
    const byToken = db
      .select({ at: auditEvents.createdAt })
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, 1), eq(auditEvents.actorType, "token"), eq(auditEvents.actorId, token.id)))
      .orderBy(auditEvents.id)
      .all();
    expect(byToken.length).toBeGreaterThan(10);
    expect(token.createdAt.getTime()).toBeLessThan(byToken[0]!.at.getTime());
    expect(token.lastUsedAt?.getTime()).toBe(byToken.at(-1)!.at.getTime());
    const created = db
      .select({ at: auditEvents.createdAt })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "api_token.created"), eq(auditEvents.entityId, String(token.id))))
      .get()!;
    expect(created.at.getTime()).toBe(token.createdAt.getTime());

    // No evidence is dated in the future, nor after the finalisation of its assessment.
    const today = new Date().toISOString().slice(0, 10);
    const dated = db.$client
      .prepare(
        `select s.evidence_date as date, a.finalized_at as finalizedAt from assessment_statements s
         join assessments a on a.id = s.assessment_id where s.evidence_date is not null`,
      )
      .all() as Array<{ date: string; finalizedAt: number | null }>;
    expect(dated.length).toBeGreaterThan(0);
    expect(dated.filter((d) => d.date > today)).toEqual([]);
    expect(dated.filter((d) => d.finalizedAt !== null && d.date > new Date(d.finalizedAt).toISOString().slice(0, 10))).toEqual([]);

    // The roadmap starts on the first day of the quarter after its assessment's, and was generated after it was finalised.
    const roadmap = db.select().from(roadmaps).where(eq(roadmaps.orgId, 1)).get()!;
    const source = db.select().from(assessments).where(eq(assessments.id, roadmap.assessmentId)).get()!;
    // A roadmap starts on the first day of the quarter after its assessment was finalised.
    expect(roadmap.startDate).toBe(
      quarterRange(shiftQuarter(quarterOf(source.finalizedAt!), 1))
        .from.toISOString()
        .slice(0, 10),
    );
    expect(roadmap.createdAt.getTime()).toBeGreaterThan(source.finalizedAt!.getTime());
    expect(lines.join("\n")).toMatch(/seeded the demo organisation/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/default password.*admin@demo\.local/);

    // Preparing again neither re-seeds nor logs the seeding line.
    const again: string[] = [];
    await prepareDatabase((line) => again.push(line));
    expect(counts(db)).toEqual(seeded);
    expect(again).toEqual([]);
  });

  it("does not seed with PORTAL_SEED=none", async () => {
    const db = freshDb(false);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lines: string[] = [];
    process.env.PORTAL_SEED = "none";
    try {
      await prepareDatabase((line) => lines.push(line));
    } finally {
      delete process.env.PORTAL_SEED;
    }
    expect(process.env.PORTAL_SEED).toBeUndefined();
    // Migrated (tables exist) but empty.
    expect(counts(db)).toEqual({ orgs: 0, users: 0, memberships: 0, events: 0 });
    expect(lines).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("does not seed a database that already has an organisation", async () => {
    const db = freshDb(true);
    db.insert(organizations).values({ slug: "real", name: "Real Co" }).run();
    const lines: string[] = [];
    await prepareDatabase((line) => lines.push(line));
    expect(counts(db)).toEqual({ orgs: 1, users: 0, memberships: 0, events: 0 });
    expect(lines).toEqual([]);
  });
});
