/**
 * Setup for the authorization matrix: a database with the demo organisation,
 * a second organisation `other` with data of its own, API tokens and extra
 * accounts, all created through the app's own modules; and the URL of every
 * manifest route.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { closeSharedDb } from "../../db/client";
import { demoPassword, seedDemoHistory, seedDemoOrganization } from "../../db/seed";
import { SYSTEM_ACTOR, type Actor } from "../../app/modules/audit/audit.server";
import { API_SCOPES, type ApiScope } from "../../app/modules/auth/api-scopes";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { createOrganization, createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { ModelCardSectionsSchema, type CardSections } from "../../app/modules/governance/model-card";
import { saveModelCard } from "../../app/modules/governance/model-cards.server";
import { WebhookCreateSchema } from "../../app/modules/notifications/notification-schemas";
import { createWebhookEndpoint } from "../../app/modules/notifications/webhooks.server";
import { ModelCreateSchema, ModelVersionCreateSchema } from "../../app/modules/registry/registry-schemas";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import type { Role } from "../../app/modules/auth/roles";
import { ROOT } from "../setup/portal-server";
import { demoRouteParams } from "../setup/page-urls";

/** Password of every account this file creates (the demo accounts keep the demo password). */
export const PASSWORD = "Matrix-Passw0rd!";

export type World = {
  demoOrgId: number;
  otherOrgId: number;
  /** Values for the route params of `demo`'s pages, from real rows. */
  params: Record<string, string>;
  /** `demo` ids for the API's `{id}`, by the collection before it. */
  apiIds: Record<string, string>;
  /** `demo` ids a DELETE's `full` cell removes, by collection (apart from `apiIds`, which the other cells need). */
  apiDeletableIds: Record<string, string>;
  /**
   * A `demo` model (with a version and a draft card) whose slug `other` does not have: `other`
   * has the demo registry too, so the seeded slugs name its own models there.
   */
  apiModel: { slug: string; version: string };
  /** Rows of organisation `other`, for requests that name them from inside `demo`. */
  foreign: {
    assessmentId: number;
    openRequestId: number;
    pendingAuditId: number;
    roadmapId: number;
    itemId: number;
    criterionId: number;
    incidentId: number;
    inReviewCardId: number;
    tokenId: number;
    userId: number;
    webhookId: number;
  };
  tokens: {
    /** `demo`, every scope. */
    full: string;
    /** `other`, every scope. */
    other: string;
    /** `demo`, every scope but the key. */
    lacking: Record<ApiScope, string>;
    /** `demo`, registry:read, to be revoked by the test. */
    revocable: { id: number; token: string };
  };
  accounts: {
    demo: Record<Role, { email: string; password: string }>;
    outsider: { email: string; password: string };
    /** A `demo` team member the test deactivates. */
    leaver: { id: number; email: string; password: string };
    /** A `demo` auditor whose sign-ins the test throttles. */
    throttled: { email: string; password: string };
  };
};

function actorOf(user: { id: number; email: string }): Actor {
  return { type: "user", id: user.id, label: user.email };
}

/** Seeds `file` (migrated, empty) through the app's modules. DATABASE_URL points at it meanwhile. */
export async function prepareWorld(file: string): Promise<World> {
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = file;
  closeSharedDb();
  try {
    const { orgId: demoOrgId } = await seedDemoOrganization();

    // Organisation `other`: its admin belongs to nothing else; it gets a registry, assessments and a roadmap
    // of its own, so requests can name its rows from inside `demo`.
    const { org: other, admin: outsider } = await createOrganization(
      { slug: "other", name: "Other Org", adminEmail: "outsider@other.test", adminPassword: PASSWORD } as never,
      SYSTEM_ACTOR,
    );
    const otherUser = (role: Role) =>
      createUserInOrganization(other.id, { email: `${role}@other.test`, name: `Other ${role}`, password: PASSWORD, role }, SYSTEM_ACTOR);
    const [oTeam, oEthics, oLeader] = [await otherUser("team"), await otherUser("ethics"), await otherUser("leadership")];
    await seedDemoHistory(other.id, {
      team: actorOf(oTeam),
      admin: actorOf(outsider),
      leaderActor: actorOf(oLeader),
      ethics: { userId: oEthics.id, label: oEthics.email, role: "ethics" },
      leader: { userId: oLeader.id, label: oLeader.email, role: "leadership" },
      ownerUserId: oTeam.id,
      teamEmail: oTeam.email,
      leaderEmail: oLeader.email,
    });

    const leaver = await createUserInOrganization(
      demoOrgId,
      { email: "leaver@demo.local", name: "Lee Leaver", password: PASSWORD, role: "team" },
      SYSTEM_ACTOR,
    );
    await createUserInOrganization(
      demoOrgId,
      { email: "throttled@demo.local", name: "Theo Throttled", password: PASSWORD, role: "auditor" },
      SYSTEM_ACTOR,
    );

    const teamActor: Actor = { type: "user", id: await userId(file, "team@demo.local"), label: "team@demo.local" };
    const apiModel = { slug: "matrix-only-model", version: "1.0.0" };
    createModel(
      demoOrgId,
      ModelCreateSchema.parse({ name: "Matrix only model", slug: apiModel.slug, riskTier: "minimal" }),
      teamActor,
      "ui",
    );
    createVersion(demoOrgId, apiModel.slug, ModelVersionCreateSchema.parse({ version: apiModel.version }), teamActor, "ui");
    saveModelCard(
      demoOrgId,
      apiModel.slug,
      apiModel.version,
      ModelCardSectionsSchema.parse({ modelDetails: "Probed by the authorization matrix." }) as CardSections,
      teamActor,
    );

    const token = (orgId: number, name: string, scopes: ApiScope[]) => createApiToken(orgId, { name, scopes }, SYSTEM_ACTOR);
    const lacking = Object.fromEntries(
      API_SCOPES.map((scope) => [
        scope,
        token(
          demoOrgId,
          `matrix-without-${scope}`,
          API_SCOPES.filter((s) => s !== scope),
        ).token,
      ]),
    ) as Record<ApiScope, string>;
    const revocable = token(demoOrgId, "matrix-revocable", ["registry:read"]);
    // Receivers under .invalid: nothing the matrix does is an event, and a delivery could never connect anyway.
    const webhook = (orgId: number, name: string) =>
      createWebhookEndpoint(
        orgId,
        WebhookCreateSchema.parse({ url: `https://${name}.matrix.invalid/hooks`, events: ["approval.decided"] }),
        SYSTEM_ACTOR,
      ).id;
    const [demoWebhookId, deletableWebhookId, otherWebhookId] = [
      webhook(demoOrgId, "demo"),
      webhook(demoOrgId, "deletable"),
      webhook(other.id, "other"),
    ];
    const otherToken = token(other.id, "matrix-other", [...API_SCOPES]);
    const tokens = {
      full: token(demoOrgId, "matrix-full", [...API_SCOPES]).token,
      other: otherToken.token,
      lacking,
      revocable: { id: revocable.id, token: revocable.token },
    };

    const db = new Database(file, { readonly: true });
    try {
      const one = <T>(sql: string, ...args: unknown[]): T => {
        const row = db.prepare(sql).get(...args) as T | undefined;
        if (row === undefined) throw new Error(`authorization fixtures: no row for ${sql} ${JSON.stringify(args)}`);
        return row;
      };
      const id = (sql: string, ...args: unknown[]) => one<{ id: number }>(sql, ...args).id;

      const params = demoRouteParams(file);
      const apiIds = {
        incidents: String(id("select id from incidents where org_id = ? order by id limit 1", demoOrgId)),
        "bias-audits": params.biasAuditId,
        "approval-requests": params.requestId,
        assessments: params.assessmentId,
        roadmaps: params.roadmapId,
        "roadmap-items": params.itemId,
        webhooks: String(demoWebhookId),
      };
      const foreignRoadmapId = id("select id from roadmaps where org_id = ? and status = 'active' order by id limit 1", other.id);
      const foreign = {
        assessmentId: id("select id from assessments where org_id = ? and status = 'draft' order by id limit 1", other.id),
        openRequestId: id("select id from approval_requests where org_id = ? and status = 'open' order by id limit 1", other.id),
        pendingAuditId: id("select id from bias_audits where org_id = ? and status = 'pending' order by id limit 1", other.id),
        roadmapId: foreignRoadmapId,
        itemId: id(
          "select id from roadmap_items where org_id = ? and roadmap_id = ? and status in ('todo', 'in_progress') order by id limit 1",
          other.id,
          foreignRoadmapId,
        ),
        criterionId: id(
          'select id from roadmap_criteria where org_id = ? and roadmap_id = ? and "check" is null order by id limit 1',
          other.id,
          foreignRoadmapId,
        ),
        incidentId: id("select id from incidents where org_id = ? and status = 'open' order by id limit 1", other.id),
        inReviewCardId: id("select id from model_cards where org_id = ? and status = 'in_review' order by id limit 1", other.id),
        tokenId: otherToken.id,
        userId: outsider.id,
        webhookId: otherWebhookId,
      };
      const demoPw = demoPassword();
      return {
        demoOrgId,
        otherOrgId: other.id,
        params,
        apiIds,
        apiDeletableIds: { webhooks: String(deletableWebhookId) },
        apiModel,
        foreign,
        tokens,
        accounts: {
          demo: {
            admin: { email: "admin@demo.local", password: demoPw },
            leadership: { email: "leader@demo.local", password: demoPw },
            ethics: { email: "ethics@demo.local", password: demoPw },
            team: { email: "team@demo.local", password: demoPw },
            auditor: { email: "auditor@demo.local", password: demoPw },
          },
          outsider: { email: outsider.email, password: PASSWORD },
          leaver: { id: leaver.id, email: leaver.email, password: PASSWORD },
          throttled: { email: "throttled@demo.local", password: PASSWORD },
        },
      };
    } finally {
      db.close();
    }
  } finally {
    closeSharedDb();
    process.env.DATABASE_URL = previous;
  }
}

async function userId(file: string, email: string): Promise<number> {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select id from users where email = ?").get(email) as { id: number }).id;
  } finally {
    db.close();
  }
}

/** Row counts of every table and the audit events per organisation: any write shows up here. */
/**
 * Bookkeeping a request may write whatever its outcome: the checkpoint an audit export or board report signs when the
 * head has moved (issue #14); the scheduler's job leases and outbox deliveries, which run beside every request; and a
 * sign-in's browser record with its "new sign-in" notification (issue #16).
 */
const UNCOUNTED_TABLES = ["audit_checkpoints", "scheduled_jobs", "outbox_messages", "delivery_attempts", "known_devices", "notifications"];

export function snapshotDatabase(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
        .pluck()
        .all() as string[]
    ).filter((table) => !UNCOUNTED_TABLES.includes(table));
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = db.prepare(`select count(*) from "${table}"`).pluck().get() as number;
    for (const row of db.prepare("select coalesce(org_id, 0) as org, count(*) as n from audit_events group by org_id").all() as {
      org: number;
      n: number;
    }[]) {
      counts[`audit_events[org ${row.org}]`] = row.n;
    }
    return counts;
  } finally {
    db.close();
  }
}

// ── The route manifest ───────────────────────────────────────────────────────

export { fillPattern, loadManifest, routePattern, type ManifestRoute } from "../setup/page-urls";

/**
 * The intents a route's source handles: the keys of its `intent(...)` handlers and the
 * `name="intent"` values of its forms; "" when it has an action but no intents.
 */
export function sourceIntents(routeId: string, hasAction: boolean): string[] {
  const base = path.join(ROOT, "app", routeId);
  const file = [".tsx", ".ts"].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no source file for route ${routeId}`);
  const source = fs.readFileSync(file, "utf8");
  const found = new Set<string>();
  for (const m of source.matchAll(/^\s*(?:"([\w-]+)"|([A-Za-z_]\w*)):\s*intent\(/gm)) found.add((m[1] ?? m[2])!);
  for (const m of source.matchAll(/name="intent"\s+value="([\w-]+)"/g)) found.add(m[1]!);
  if (found.size === 0 && hasAction) found.add("");
  return [...found].sort();
}
