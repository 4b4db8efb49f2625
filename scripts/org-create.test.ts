import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { verifyAuditChain } from "../app/modules/audit/audit.server";
import { verifyPassword } from "../app/modules/auth/password.server";
import { migrateDatabase, openDatabase } from "../db/client";
import { auditEvents, invitations, memberships, organizations, users } from "../db/schema";

const root = path.resolve(__dirname, "..");
let dir: string;
let dbFile: string;

function run(args: string[]) {
  const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/org-create.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbFile },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withDb<T>(fn: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(dbFile);
  try {
    return fn(db);
  } finally {
    db.$client.close();
  }
}

const orgCount = () => withDb((db) => db.select({ n: count() }).from(organizations).get()!.n);

/** An organisation and its administrator's account that the CLI made before the tests, which only collide with them. */
const existing = { slug: "existing-co", email: "boss@existing-co.io" };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-cli-test-"));
  dbFile = path.join(dir, "portal.db");
  const db = openDatabase(dbFile);
  migrateDatabase(db);
  db.$client.close();
  const made = run([
    "--slug",
    existing.slug,
    "--name",
    "Existing Co",
    "--admin-email",
    existing.email,
    "--admin-password",
    "Correct-Horse-42",
  ]);
  expect(made.status, made.stderr).toBe(0);
}, 30_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("org:create CLI", () => {
  it("creates the organisation and its administrator", async () => {
    const { status, stdout, stderr } = run([
      "--slug",
      "Acme-CLI",
      "--name",
      "Acme CLI Ltd",
      "--admin-email",
      "Boss@Acme-CLI.io",
      "--admin-name",
      "Bo Boss",
      "--admin-password",
      "Correct-Horse-42",
    ]);
    expect(stderr).not.toMatch(/error/i);
    expect(status).toBe(0);
    expect(stdout).toContain("acme-cli");
    expect(stdout).toContain('Created organisation "Acme CLI Ltd" (/orgs/acme-cli) with administrator boss@acme-cli.io');

    const { org, admin, role, events } = withDb((db) => {
      const org = db.select().from(organizations).where(eq(organizations.slug, "acme-cli")).get()!;
      const admin = db.select().from(users).where(eq(users.email, "boss@acme-cli.io")).get()!;
      const role = db.select().from(memberships).where(eq(memberships.userId, admin.id)).get()?.role;
      const events = db.select().from(auditEvents).where(eq(auditEvents.orgId, org.id)).all();
      expect(verifyAuditChain(org.id, db)).toEqual({ ok: true, events: 1 });
      return { org, admin, role, events };
    });
    expect(org.name).toBe("Acme CLI Ltd");
    expect(admin.name).toBe("Bo Boss");
    expect(role).toBe("admin");
    expect(await verifyPassword("Correct-Horse-42", admin.passwordHash)).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "organization.created", actorType: "system", actorLabel: "cli:org:create" });
  }, 30_000);

  it("fails with 'already exists' for a slug that is taken, and writes nothing", () => {
    const { slug } = existing;
    const before = orgCount();
    const { status, stdout, stderr } = run([
      "--slug",
      slug,
      "--name",
      "Acme Again",
      "--admin-email",
      "someone@else.io",
      "--admin-password",
      "Correct-Horse-42",
    ]);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/already exists/);
    expect(stdout).not.toMatch(/Created organisation/);
    expect(orgCount()).toBe(before);
    expect(withDb((db) => db.select().from(users).where(eq(users.email, "someone@else.io")).get())).toBeUndefined();
  }, 30_000);

  it("refuses a weak password naming the --admin-password flag", () => {
    const before = orgCount();
    const { status, stderr } = run([
      "--slug",
      "weak-co",
      "--name",
      "Weak Co",
      "--admin-email",
      "boss@weak.io",
      "--admin-password",
      "password",
    ]);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/^error: /);
    expect(stderr).toContain("--admin-password");
    expect(orgCount()).toBe(before);
  }, 30_000);

  it("fails when a required flag is missing, naming it", () => {
    const before = orgCount();
    const { status, stderr } = run(["--name", "No Slug Co", "--admin-email", "boss@noslug.io", "--admin-password", "Correct-Horse-42"]);
    expect(status).not.toBe(0);
    expect(stderr).toContain("--slug");
    expect(orgCount()).toBe(before);
  }, 30_000);

  const LINK = /\/invitations\/[A-Za-z0-9_-]{40,}/;
  const stateOf = (slug: string, email: string) =>
    withDb((db) => {
      const org = db.select().from(organizations).where(eq(organizations.slug, slug)).get()!;
      const user = db.select().from(users).where(eq(users.email, email)).get();
      const member =
        user &&
        db
          .select()
          .from(memberships)
          .where(eq(memberships.userId, user.id))
          .all()
          .find((m) => m.orgId === org.id);
      const invited = db.select().from(invitations).where(eq(invitations.orgId, org.id)).all();
      return { user, member, invited: invited.map((i) => ({ email: i.email, role: i.role, status: i.status })) };
    });

  it("invites an existing account to be the administrator instead of making it one without its consent", async () => {
    const { email } = existing;
    const before = withDb((db) => db.select().from(users).where(eq(users.email, email)).get()!);
    const { status, stdout, stderr } = run([
      "--slug",
      "taken-over",
      "--name",
      "Taken Over",
      "--admin-email",
      email,
      "--admin-password",
      "Other-Horse-42",
    ]);
    expect(status, stderr).toBe(0);
    const after = stateOf("taken-over", email);
    expect(after.member, "made an administrator without accepting").toBeUndefined();
    expect(after.invited).toEqual([{ email, role: "admin", status: "pending" }]);
    expect(after.user!.passwordHash).toBe(before.passwordHash);
    expect(stdout).toMatch(LINK);
  }, 30_000);

  it("without --admin-password prints an invitation link, the same answer whether or not an account exists", () => {
    const answers = [
      ["known-co", existing.email],
      ["unknown-co", "nobody@unknown-co.io"],
    ].map(([slug, email]) => {
      const { status, stdout, stderr } = run(["--slug", slug!, "--name", "Some Co", "--admin-email", email!]);
      expect(status, stderr).toBe(0);
      expect(stdout).toMatch(LINK);
      expect(stateOf(slug!, email!).invited).toEqual([{ email, role: "admin", status: "pending" }]);
      return stdout.replaceAll(email!, "<email>").replaceAll(slug!, "<slug>").replace(LINK, "<link>");
    });
    expect(answers[0]).toBe(answers[1]);
    expect(stateOf("unknown-co", "nobody@unknown-co.io").user).toBeUndefined();
  }, 30_000);
});
