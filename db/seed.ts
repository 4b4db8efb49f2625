import { and, eq } from "drizzle-orm";
import { recordAuditEvent, recordingAt, SYSTEM_ACTOR, type Actor } from "../app/modules/audit/audit.server";
import { hashPassword, verifyPassword } from "../app/modules/auth/password.server";
import { env } from "../app/utils/env.server";
import type { Role } from "../app/modules/auth/roles";
import { getDb, writeTransaction } from "./client";
import { seedDemoAssessments, seedSisterOrgAssessment } from "./seed-assessments";
import { demoDayZero, seedDemoRegistry, type DemoActors } from "./seed-registry";
import { seedDemoRoadmap } from "./seed-roadmap";
import { SeedTimeline } from "./seed-timeline";
import { apiTokens, memberships, organizations, users } from "./schema";

export const DEMO_ORG = { slug: "demo", name: "Demo Analytics Ltd" } as const;
export const DEFAULT_DEMO_PASSWORD = "demo-password";
/** A second organisation for the admin and leader demo users, to show the organisation switcher and comparison. */
export const SISTER_ORG = { slug: "demo-research", name: "Demo Research Lab" } as const;

export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: Role; siteAdmin?: boolean }> = [
  { email: "admin@demo.local", name: "Ada Admin", role: "admin", siteAdmin: true },
  { email: "leader@demo.local", name: "Lena Leader", role: "leadership" },
  { email: "ethics@demo.local", name: "Emil Ethics", role: "ethics" },
  { email: "team@demo.local", name: "Tariq Team", role: "team" },
  { email: "auditor@demo.local", name: "Aude Auditor", role: "auditor" },
];

export function demoPassword(): string {
  return env().DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD;
}

/**
 * Creates whatever of the demo organisation is missing; running it twice
 * changes nothing. Existing demo users keep their passwords. A newly created
 * demo organisation also gets its demo registry.
 */
/** When the demo organisation's history begins: before its first model (registered 30 days before the registry's day zero). */
export function demoHistoryStart(now = new Date()): Date {
  return new Date(demoDayZero(now) - 45 * 86_400_000);
}

/**
 * Replays an organisation's demo history (registry, assessments, roadmap) in
 * the order it happened, every audit event at its date. Returns the timeline
 * so a caller can add steps of its own before it plays.
 */
export async function seedDemoHistory(
  orgId: number,
  actors: DemoActors & { teamEmail: string; leaderEmail: string },
  options: { now?: Date; schedule?: (timeline: SeedTimeline) => void } = {},
) {
  const now = options.now ?? new Date();
  const timeline = new SeedTimeline();
  const registry = seedDemoRegistry(timeline, orgId, actors, now);
  seedDemoAssessments(timeline, orgId, actors.leaderActor, now);
  seedDemoRoadmap(
    timeline,
    orgId,
    { leader: actors.leaderActor, team: actors.team, teamEmail: actors.teamEmail, leaderEmail: actors.leaderEmail },
    now,
  );
  options.schedule?.(timeline);
  await timeline.play();
  // The pipeline token was made before its first use and last used at its last.
  const token = registry.pipelineToken();
  if (token.id !== null) {
    const { id, createdAt, lastUsedAt } = token;
    writeTransaction({ orgId }, (tx) => tx.update(apiTokens).set({ createdAt, lastUsedAt }).where(eq(apiTokens.id, id)).run());
  }
}

/**
 * Creates whatever of the demo organisation is missing; running it twice
 * changes nothing. Existing demo users keep their passwords. A newly created
 * demo organisation also gets its demo history, dated as it happened.
 */
export async function seedDemoOrganization(options: { registry?: boolean } = {}): Promise<{ created: boolean; orgId: number }> {
  const passwordHash = await hashPassword(demoPassword());
  const now = new Date();
  const withHistory = options.registry !== false;
  const isNew = !getDb().select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, DEMO_ORG.slug)).get();
  // A new demo organisation with history was founded when its history begins.
  const stamp = <T>(fn: () => T): T => (isNew && withHistory ? recordingAt(demoHistoryStart(now), fn) : fn());
  // Shared data (the organisation, its people and their memberships): the site counter.
  const result = stamp(() =>
    writeTransaction("site", (tx) => {
      let org = tx.select().from(organizations).where(eq(organizations.slug, DEMO_ORG.slug)).get();
      const created = !org;
      if (!org) {
        org = tx.insert(organizations).values(DEMO_ORG).returning().get();
        recordAuditEvent(tx, {
          orgId: org.id,
          actor: SYSTEM_ACTOR,
          action: "organization.created",
          entityType: "organization",
          entityId: org.id,
          after: { ...DEMO_ORG, seeded: true },
        });
      }
      for (const demo of DEMO_USERS) {
        let user = tx.select().from(users).where(eq(users.email, demo.email)).get();
        if (!user) {
          user = tx
            .insert(users)
            .values({ email: demo.email, name: demo.name, passwordHash, isSiteAdmin: demo.siteAdmin ?? false })
            .returning()
            .get();
        }
        const member = tx
          .select({ id: memberships.id })
          .from(memberships)
          .where(and(eq(memberships.userId, user.id), eq(memberships.orgId, org.id)))
          .all();
        if (member.length === 0) {
          tx.insert(memberships).values({ orgId: org.id, userId: user.id, role: demo.role }).run();
          recordAuditEvent(tx, {
            orgId: org.id,
            actor: SYSTEM_ACTOR,
            action: "member.created",
            entityType: "user",
            entityId: user.id,
            after: { email: user.email, name: user.name, role: demo.role, seeded: true },
          });
        }
      }
      const userIds = Object.fromEntries(
        DEMO_USERS.map((demo) => [demo.role, tx.select({ id: users.id }).from(users).where(eq(users.email, demo.email)).get()!.id]),
      );
      return { created, orgId: org.id, userIds };
    }),
  );
  if (result.created && withHistory) {
    const actor = (role: Role): Actor => ({
      type: "user",
      id: result.userIds[role]!,
      label: DEMO_USERS.find((u) => u.role === role)!.email,
    });
    const approver = (role: "ethics" | "leadership") => ({ userId: result.userIds[role]!, label: actor(role).label, role });
    await seedDemoHistory(
      result.orgId,
      {
        team: actor("team"),
        admin: actor("admin"),
        leaderActor: actor("leadership"),
        ethics: approver("ethics"),
        leader: approver("leadership"),
        ownerUserId: result.userIds.team!,
        teamEmail: actor("team").label,
        leaderEmail: actor("leadership").label,
      },
      {
        now,
        // The sister lab: founded with the demo organisation, assessed last quarter.
        schedule: (timeline) =>
          timeline.at(demoHistoryStart(now), () => {
            const sister = writeTransaction("site", (tx) => {
              const existing = tx.select().from(organizations).where(eq(organizations.slug, SISTER_ORG.slug)).get();
              if (existing) return null;
              const sisterOrg = tx.insert(organizations).values(SISTER_ORG).returning().get();
              for (const role of ["admin", "leadership"] as const) {
                tx.insert(memberships).values({ orgId: sisterOrg.id, userId: result.userIds[role]!, role }).run();
              }
              recordAuditEvent(tx, {
                orgId: sisterOrg.id,
                actor: SYSTEM_ACTOR,
                action: "organization.created",
                entityType: "organization",
                entityId: sisterOrg.id,
                after: { ...SISTER_ORG, seeded: true },
              });
              return sisterOrg;
            });
            if (sister) seedSisterOrgAssessment(timeline, sister.id, actor("leadership"), now);
          }),
      },
    );
  }
  return { created: result.created, orgId: result.orgId };
}

/** Demo accounts that still sign in with the published default password. */
export async function demoUsersWithDefaultPassword(): Promise<string[]> {
  const db = getDb();
  const rows = DEMO_USERS.map((demo) => db.select().from(users).where(eq(users.email, demo.email)).get()).filter(
    (row): row is NonNullable<typeof row> => Boolean(row?.active),
  );
  const checks = await Promise.all(
    rows.map(async (row) => ((await verifyPassword(DEFAULT_DEMO_PASSWORD, row.passwordHash)) ? row.email : null)),
  );
  return checks.filter((email): email is string => email !== null);
}
