/**
 * Every write path moves a change counter, so the data cache
 * (app/data-cache.server.ts) never serves data older than the last write.
 *
 * The database gets ordinary triggers that log every row written to a table a
 * cached reader may read (everything but the bookkeeping: login throttle,
 * sessions, session version, landing organisation, API token last use, idempotency records, scheduled job
 * leases, signed audit checkpoints, the site-wide chain of sign-ins), with
 * the counter scope the row belongs to: `org:<id>` by its `org_id` (or its
 * parent's), `site` for users, organisations and memberships. Then the real
 * server (another process: `total_changes()` cannot be read across
 * connections) takes the writes of the authorization matrix's actions, in
 * well-formed versions and on `demo`'s own rows (the matrix's own probes are
 * refused by design and write nothing), plus the API's writes; after each one,
 * every scope whose log grew must have seen its counter grow too.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fillPattern, loadManifest, prepareWorld, routePattern, type ManifestRoute, type World } from "./authorization-fixtures";
import { send, type Reply } from "../setup/api-client";
import { invitationLinkIn } from "../setup/invitations";
import { signIn } from "../setup/sign-in";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, tempDatabase, type PortalServer } from "../setup/portal-server";

/** Tables no cached reader reads, and columns that are bookkeeping in tables that are not. */
const BOOKKEEPING_TABLES = [
  "login_failures",
  "sessions",
  "change_counters",
  "write_log",
  "idempotency_records",
  "scheduled_jobs",
  "audit_checkpoints",
  // Notifications: the inbox, people's choices, the outbox and its delivery log; no cached reader reads them.
  "notifications",
  "outbox_messages",
  "notification_preferences",
  "known_devices",
  "password_resets",
  "delivery_attempts",
  // A pending single sign-on link, like a password reset: read only by the link page.
  "oidc_link_proofs",
];
const BOOKKEEPING_COLUMNS: Record<string, string[]> = {
  users: ["last_org_id"],
  api_tokens: ["last_used_at"],
  // Delivery bookkeeping: a webhook's failing streak.
  webhook_endpoints: ["failing_since"],
  // When an identity last signed in: like a session's last-seen time.
  user_identities: ["last_sign_in_at"],
};
const SHARED_TABLES = ["users", "user_identities", "organizations", "memberships", "framework_versions"];

/** The built-in T&O v2 renumbered: a valid framework version upload. */
const frameworkFile = (version: string) =>
  JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(__dirname, "../../content/technology-operations/v2.json"), "utf8")), version });

let releaseBuild = () => {};
let server: PortalServer;
let world: World;
let databaseFile: string;
let manifest: Record<string, ManifestRoute>;
let db: Database.Database;
const cookies: Record<string, string> = {};

/** Installs the write log; throws for a table whose rows cannot be tied to an organisation. */
function installWriteLog(file: string): void {
  const sqlite = new Database(file);
  try {
    sqlite.exec("CREATE TABLE write_log (id INTEGER PRIMARY KEY, scope TEXT, what TEXT NOT NULL)");
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'")
      .pluck()
      .all() as string[];
    for (const table of tables.filter((t) => !BOOKKEEPING_TABLES.includes(t))) {
      const columns = sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
      const scopeOf = (row: "NEW" | "OLD"): string => {
        if (SHARED_TABLES.includes(table)) return "'site'";
        if (columns.includes("org_id")) return `'org:' || ${row}.org_id`;
        // No org_id of its own: the organisation of the parent row it belongs to.
        const parents = sqlite.prepare(`SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)`).all(table) as Array<{
          table: string;
          from: string;
          to: string;
        }>;
        const parent = parents.find((p) =>
          (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(p.table) as string[]).includes("org_id"),
        );
        if (!parent) throw new Error(`${table}: no org_id and no parent with one; say which counter it belongs to`);
        return `(SELECT 'org:' || org_id FROM "${parent.table}" WHERE "${parent.to ?? "id"}" = ${row}."${parent.from}")`;
      };
      // The site-wide audit chain holds sign-ins and sign-outs only: bookkeeping.
      const when = (row: "NEW" | "OLD") => (table === "audit_events" ? ` WHEN ${row}.org_id IS NOT NULL` : "");
      const watched = columns.filter((c) => !(BOOKKEEPING_COLUMNS[table] ?? []).includes(c));
      const log = (row: "NEW" | "OLD", event: string) =>
        `INSERT INTO write_log (scope, what) VALUES (${scopeOf(row)}, '${event} ${table}');`;
      sqlite.exec(`
        CREATE TRIGGER write_log_${table}_insert AFTER INSERT ON "${table}"${when("NEW")} BEGIN ${log("NEW", "insert")} END;
        CREATE TRIGGER write_log_${table}_update AFTER UPDATE OF ${watched.map((c) => `"${c}"`).join(", ")} ON "${table}"${when("NEW")} BEGIN ${log("NEW", "update")} END;
        CREATE TRIGGER write_log_${table}_delete AFTER DELETE ON "${table}"${when("OLD")} BEGIN ${log("OLD", "delete")} END;
      `);
    }
  } finally {
    sqlite.close();
  }
}

beforeAll(async () => {
  const { buildDir, release } = acquirePortalBuild();
  releaseBuild = release;
  manifest = await loadManifest(buildDir);
  databaseFile = tempDatabase("portal-counters-");
  world = await prepareWorld(databaseFile);
  installWriteLog(databaseFile);
  server = await startPortal({ databaseFile, buildDir });
  for (const [role, account] of Object.entries(world.accounts.demo))
    cookies[role] = (await signIn(server.baseUrl, account.email, account.password)).cookie;
  db = new Database(databaseFile, { readonly: true });
}, 240_000);

afterAll(async () => {
  db?.close();
  await stopPortal(server);
  killAllPortals();
  if (databaseFile) fs.rmSync(path.dirname(databaseFile), { recursive: true, force: true });
  releaseBuild();
});

type Tally = { logged: Map<string, number>; counters: Map<string, number>; logSize: number; orgs: Set<string> };

function tally(): Tally {
  const logged = new Map(
    (
      db.prepare("SELECT coalesce(scope, 'unknown') AS scope, count(*) AS n FROM write_log GROUP BY scope").all() as Array<{
        scope: string;
        n: number;
      }>
    ).map((r) => [r.scope, r.n]),
  );
  const counters = new Map(
    (db.prepare("SELECT scope, version FROM change_counters").all() as Array<{ scope: string; version: number }>).map((r) => [
      r.scope,
      r.version,
    ]),
  );
  const orgs = new Set((db.prepare("SELECT id FROM organizations").pluck().all() as number[]).map((id) => `org:${id}`));
  return { logged, counters, logSize: db.prepare("SELECT count(*) FROM write_log").pluck().get() as number, orgs };
}

const one = (sql: string, ...args: unknown[]) => {
  const value = db
    .prepare(sql)
    .pluck()
    .get(...args);
  if (value === undefined) throw new Error(`no row for ${sql}`);
  return String(value);
};

/** A page action's URL on `demo` (index routes take `?index`, as Remix's <Form> adds it). */
function formUrl(routeId: string, params: Record<string, string> = {}): string {
  return fillPattern(routePattern(manifest, routeId), { ...world.params, ...params }) + (manifest[routeId]?.index ? "?index" : "");
}

type Action = { label: string; send: () => Promise<Reply> };

const form =
  (as: string, routeId: string, fields: Record<string, string>, params?: Record<string, string>): Action["send"] =>
  () =>
    send(server.baseUrl, formUrl(routeId, params), { method: "POST", cookie: cookies[as], body: new URLSearchParams(fields) });

const api =
  (method: string, urlPath: string, body: unknown): Action["send"] =>
  () =>
    send(server.baseUrl, `/api/v1${urlPath}`, {
      method,
      bearer: world.tokens.full,
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });

/** Sends the action; returns what went wrong, if anything, and whether it wrote. */
async function check(action: Action): Promise<{ problems: string[]; wrote: boolean }> {
  const before = tally();
  const res = await action.send();
  const after = tally();
  const problems: string[] = [];
  if (res.status >= 400) problems.push(`${action.label}: ${res.status} ${res.text.slice(0, 200)}`);
  for (const [scope, n] of after.logged) {
    if (n === (before.logged.get(scope) ?? 0)) continue;
    // A new organisation's first rows come with it: no reader can have cached anything of an organisation
    // that did not exist, and creating one moves the site counter.
    const counter = before.orgs.has(scope) || !after.orgs.has(scope) ? scope : "site";
    if (scope === "unknown") problems.push(`${action.label}: wrote a row whose organisation the log could not tell`);
    else if ((after.counters.get(counter) ?? 0) <= (before.counters.get(counter) ?? 0)) {
      const what = db.prepare("SELECT DISTINCT what FROM write_log WHERE id > ? AND scope = ?").pluck().all(before.logSize, scope);
      problems.push(`${action.label}: wrote ${what.join(", ")} (${scope}) but counter ${counter} did not move`);
    }
  }
  return { problems, wrote: after.logSize > before.logSize };
}

describe("change counters", () => {
  it("move with every write the matrix's actions and the API make, in the scope they wrote", async () => {
    const orgId = world.demoOrgId;
    const p = world.params;
    const model = { slug: "counter-model", version: "1.0.0" };
    const versionPath = `/models/${model.slug}/versions/${model.version}`;
    const itemRoute = "routes/orgs.$orgSlug.roadmaps.$roadmapId.items.$itemId";
    const cardRoute = "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card";
    const cardParams = { modelSlug: world.apiModel.slug, version: world.apiModel.version };
    const cardId = () =>
      one(
        "SELECT c.id FROM model_cards c JOIN model_versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id WHERE m.slug = ? AND m.org_id = ? ORDER BY c.id DESC",
        cardParams.modelSlug,
        orgId,
      );
    const openRequest = () => one("SELECT max(id) FROM approval_requests WHERE org_id = ? AND status = 'open'", orgId);
    const draft = () => one("SELECT id FROM assessments WHERE org_id = ? AND period = '2024-Q1'", orgId);
    const policyRoute = "routes/orgs.$orgSlug.admin.approval-policies";
    const pendingPolicy = () => one("SELECT max(id) FROM approval_policies WHERE org_id = ? AND status = 'proposed'", orgId);
    const webhooksRoute = "routes/orgs.$orgSlug.admin.webhooks._index";
    const ssoRoute = "routes/orgs.$orgSlug.admin.sso";
    const newestClaim = () => String(one("SELECT max(id) FROM org_domains WHERE domain = 'counted.example'"));
    const newestWebhook = () => one("SELECT max(id) FROM webhook_endpoints WHERE org_id = ? AND deleted_at IS NULL", orgId);
    let countedLink: string | undefined;
    const actions: Action[] = [
      // The API's writes.
      { label: "POST /models", send: api("POST", "/models", { name: "Counter model", slug: model.slug, riskTier: "minimal" }) },
      { label: "POST versions", send: api("POST", `/models/${model.slug}/versions`, { version: model.version }) },
      { label: "POST transitions (validation)", send: api("POST", `${versionPath}/transitions`, { to: "validation" }) },
      { label: "POST transitions (staging)", send: api("POST", `${versionPath}/transitions`, { to: "staging" }) },
      {
        label: "POST incidents",
        send: api("POST", `${versionPath}/incidents`, { title: "Drift seen", severity: "sev3", startedAt: "2026-01-01T00:00:00Z" }),
      },
      {
        label: "PATCH incidents/{id}",
        send: () =>
          api("PATCH", `/incidents/${one("SELECT max(id) FROM incidents WHERE org_id = ?", orgId)}`, { title: "Drift seen twice" })(),
      },
      { label: "POST monitoring", send: api("POST", `${versionPath}/monitoring`, { metrics: { accuracy: 0.91 } }) },
      { label: "POST approval-requests", send: api("POST", `${versionPath}/approval-requests`, { reason: "Counter test" }) },
      {
        label: "decide approval request",
        send: () =>
          form(
            "ethics",
            "routes/orgs.$orgSlug.approvals.$requestId",
            { intent: "decide", decision: "reject", comment: "Not yet" },
            { requestId: openRequest() },
          )(),
      },
      { label: "POST approval-requests again", send: api("POST", `${versionPath}/approval-requests`, { reason: "Counter test, again" }) },
      { label: "PATCH roadmap-items/{id}", send: api("PATCH", `/roadmap-items/${p.itemId}`, { evidence: "Counter test evidence" }) },
      { label: "POST assessments", send: api("POST", "/assessments", { period: "2024-Q1" }) },
      {
        label: "POST webhooks",
        send: api("POST", "/webhooks", { url: "https://counted.matrix.invalid/hooks", events: ["assessment.submitted"] }),
      },
      {
        label: "PUT responses",
        send: () => api("PUT", `/assessments/${draft()}/responses`, { capabilities: [{ id: "mlops.l2.1", status: "in_place" }] })(),
      },
      {
        label: "submit assessment",
        send: () =>
          form("leadership", "routes/orgs.$orgSlug.assessments.$assessmentId._index", { intent: "submit" }, { assessmentId: draft() })(),
      },
      {
        label: "POST finalize",
        send: () => api("POST", `/assessments/${draft()}/finalize`, { acceptUnanswered: true, justifications: {} })(),
      },
      {
        label: "DELETE webhooks/{id}",
        send: () =>
          api(
            "DELETE",
            `/webhooks/${one("SELECT max(id) FROM webhook_endpoints WHERE org_id = ? AND deleted_at IS NULL", orgId)}`,
            undefined,
          )(),
      },
      // The pages' actions, as the authorization matrix lists them, on demo's own rows.
      {
        label: "set-objective",
        send: form(
          "team",
          "routes/orgs.$orgSlug.models.$modelSlug._index",
          { intent: "set-objective", metric: "accuracy", comparison: ">=", threshold: "0.8" },
          { modelSlug: model.slug },
        ),
      },
      ...(["yes", "no"] as const).map((following) => ({
        label: `follow a model: ${following}`,
        send: form("auditor", "routes/orgs.$orgSlug.models.$modelSlug._index", { intent: "follow", following }, { modelSlug: model.slug }),
      })),
      {
        label: "remove-objective",
        send: form(
          "team",
          "routes/orgs.$orgSlug.models.$modelSlug._index",
          { intent: "remove-objective", metric: "accuracy" },
          { modelSlug: model.slug },
        ),
      },
      {
        label: "report-incident",
        send: form(
          "team",
          "routes/orgs.$orgSlug.models.$modelSlug.versions.$version",
          { intent: "report-incident", title: "Latency", severity: "sev4", startedAt: "2026-01-02T00:00" },
          { modelSlug: model.slug, version: model.version },
        ),
      },
      {
        label: "update-incident",
        send: () =>
          form(
            "team",
            "routes/orgs.$orgSlug.models.$modelSlug.versions.$version",
            { intent: "update-incident", incidentId: one("SELECT max(id) FROM incidents WHERE org_id = ?", orgId), status: "mitigated" },
            { modelSlug: model.slug, version: model.version },
          )(),
      },
      {
        label: "cancel approval request",
        send: () =>
          form("admin", "routes/orgs.$orgSlug.approvals.$requestId", { intent: "cancel", confirm: "on" }, { requestId: openRequest() })(),
      },
      {
        label: "card edit",
        send: form(
          "team",
          "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card_.edit",
          { modelDetails: "Written by the counter test." },
          { modelSlug: model.slug, version: model.version },
        ),
      },
      {
        label: "model edit",
        send: form(
          "team",
          "routes/orgs.$orgSlug.models.$modelSlug.edit",
          { name: "Counter model renamed", riskTier: "minimal", ownerEmail: "ethics@demo.local" },
          { modelSlug: model.slug },
        ),
      },
      {
        label: "fairness settings",
        send: form("admin", "routes/orgs.$orgSlug.admin.settings", {
          fairnessRatioMin: "0.85",
          fairnessDifferenceMax: "0.1",
          fairnessPreset: "org-default",
        }),
      },
      {
        label: "time zone",
        send: form("admin", "routes/orgs.$orgSlug.admin.settings", { intent: "time-zone", timeZone: "Europe/Berlin" }),
      },
      { label: "propose approval policy", send: form("admin", policyRoute, { intent: "propose", riskTier: "minimal", mode: "automatic" }) },
      {
        label: "confirm approval policy",
        send: () => form("ethics", policyRoute, { intent: "confirm", policyId: pendingPolicy(), understood: "yes" })(),
      },
      {
        label: "propose approval policy again",
        send: form("admin", policyRoute, { intent: "propose", riskTier: "limited", mode: "automatic" }),
      },
      { label: "withdraw approval policy", send: () => form("admin", policyRoute, { intent: "withdraw", policyId: pendingPolicy() })() },
      {
        label: "card comment",
        send: () => form("ethics", cardRoute, { intent: "comment", cardId: cardId(), section: "general", body: "A comment" }, cardParams)(),
      },
      { label: "card submit", send: () => form("team", cardRoute, { intent: "submit", cardId: cardId() }, cardParams)() },
      {
        label: "card review",
        send: () =>
          form(
            "ethics",
            cardRoute,
            { intent: "review", cardId: cardId(), decision: "request_changes", comment: "Say more about the data" },
            cardParams,
          )(),
      },
      {
        label: "bias audit sign-off",
        send: form("ethics", "routes/orgs.$orgSlug.bias-audits.$biasAuditId", { decision: "accept", comment: "Fine", confirm: "on" }),
      },
      { label: "roadmap item comment", send: form("team", itemRoute, { intent: "comment", body: "On it" }) },
      { label: "roadmap item update", send: form("team", itemRoute, { intent: "update", status: "blocked" }) },
      {
        label: "roadmap assign",
        send: form("team", "routes/orgs.$orgSlug.roadmaps.$roadmapId._index", { intent: "assign", itemIds: p.itemId!, team: "Counters" }),
      },
      {
        label: "roadmap tick",
        send: () =>
          form("leadership", "routes/orgs.$orgSlug.roadmaps.$roadmapId._index", {
            intent: "tick",
            criterionId: one('SELECT id FROM roadmap_criteria WHERE roadmap_id = ? AND "check" IS NULL ORDER BY id', p.roadmapId!),
            met: "yes",
            evidence: "Seen",
          })(),
      },
      {
        label: "assessment withdraw",
        send: form("leadership", "routes/orgs.$orgSlug.assessments.$assessmentId._index", { intent: "withdraw", reason: "Counter test" }),
      },
      {
        label: "token create",
        send: form("admin", "routes/orgs.$orgSlug.admin.tokens", { intent: "create", name: "counter token", scopes: "registry:read" }),
      },
      {
        label: "token revoke",
        send: form("admin", "routes/orgs.$orgSlug.admin.tokens", {
          intent: "revoke",
          tokenId: String(world.tokens.revocable.id),
          confirm: "on",
        }),
      },
      {
        label: "webhook register",
        send: form("admin", webhooksRoute, {
          intent: "create",
          url: "https://hooks.example.com/counted",
          events: "audit.verification_failed",
        }),
      },
      { label: "webhook test event", send: () => form("admin", webhooksRoute, { intent: "send-test", webhookId: newestWebhook() })() },
      {
        label: "webhook delete",
        send: () => form("admin", webhooksRoute, { intent: "delete", webhookId: newestWebhook(), confirm: "on" })(),
      },
      {
        label: "single sign-on provider save",
        send: form("admin", ssoRoute, {
          intent: "save",
          issuer: "https://login.example.com",
          clientId: "counted",
          clientSecret: "counted-secret",
          groupsClaim: "groups",
          mapGroup: "ml-eng",
          mapRole: "team",
          defaultRole: "",
          breakGlassUserId: "",
          enabled: "on",
        }),
      },
      { label: "single sign-on domain claim", send: form("admin", ssoRoute, { intent: "claim", domain: "counted.example" }) },
      {
        label: "single sign-on domain approve",
        send: () => form("admin", "routes/admin.domains", { intent: "approve", claimId: newestClaim(), confirm: "on" })(),
      },
      {
        label: "single sign-on domain revoke",
        send: () => form("admin", "routes/admin.domains", { intent: "revoke", claimId: newestClaim(), confirm: "on" })(),
      },
      { label: "single sign-on domain withdraw", send: () => form("admin", ssoRoute, { intent: "withdraw", claimId: newestClaim() })() },
      {
        label: "invite",
        send: async () => {
          const reply = await form("admin", "routes/orgs.$orgSlug.admin._index", {
            intent: "invite",
            email: "counted@demo.local",
            role: "team",
          })();
          countedLink = invitationLinkIn(reply.text);
          return reply;
        },
      },
      {
        label: "join through the invitation link",
        send: () =>
          send(server.baseUrl, countedLink!, {
            method: "POST",
            body: new URLSearchParams({
              intent: "create-account",
              name: "Counted",
              password: "Counter-Passw0rd!",
              confirmPassword: "Counter-Passw0rd!",
            }),
          }),
      },
      {
        label: "invite an existing account",
        send: form("admin", "routes/orgs.$orgSlug.admin._index", { intent: "invite", email: "outsider@other.test", role: "auditor" }),
      },
      {
        label: "accept an invitation",
        send: async () => {
          const { cookie } = await signIn(server.baseUrl, world.accounts.outsider.email, world.accounts.outsider.password);
          const invitationId = one("SELECT id FROM invitations WHERE email = 'outsider@other.test' AND status = 'pending'");
          return send(server.baseUrl, "/invitations?index", {
            method: "POST",
            cookie,
            body: new URLSearchParams({ intent: "accept", invitationId: String(invitationId) }),
          });
        },
      },
      {
        label: "revoke-invitation",
        send: async () => {
          await form("admin", "routes/orgs.$orgSlug.admin._index", { intent: "invite", email: "revoked@demo.local", role: "team" })();
          const invitationId = one("SELECT id FROM invitations WHERE email = 'revoked@demo.local' AND status = 'pending'");
          return form("admin", "routes/orgs.$orgSlug.admin._index", {
            intent: "revoke-invitation",
            invitationId: String(invitationId),
            confirm: "on",
          })();
        },
      },
      // Uploaded framework versions (shared data: the site counter).
      {
        label: "upload a framework version",
        send: form("admin", "routes/admin.frameworks", { intent: "upload", content: frameworkFile("40") }),
      },
      {
        label: "replace a framework version draft",
        send: () =>
          form("admin", "routes/admin.frameworks", {
            intent: "upload",
            content: frameworkFile("41"),
            replaceId: String(one("SELECT id FROM framework_versions WHERE version = '40'")),
          })(),
      },
      {
        label: "publish a framework version",
        send: () =>
          form("admin", "routes/admin.frameworks", {
            intent: "publish",
            confirm: "on",
            versionId: String(one("SELECT id FROM framework_versions WHERE version = '41'")),
          })(),
      },
      {
        label: "delete a framework version draft",
        send: async () => {
          await form("admin", "routes/admin.frameworks", { intent: "upload", content: frameworkFile("42") })();
          const versionId = String(one("SELECT id FROM framework_versions WHERE version = '42'"));
          return form("admin", "routes/admin.frameworks", { intent: "delete", versionId })();
        },
      },
      {
        label: "create organisation",
        send: form("admin", "routes/admin.organizations", {
          slug: "counted",
          name: "Counted Org",
          adminEmail: "boss@counted.test",
          adminPassword: "Counter-Passw0rd!",
        }),
      },
      {
        label: "change-role",
        send: form("admin", "routes/orgs.$orgSlug.admin._index", {
          intent: "change-role",
          userId: String(world.accounts.leaver.id),
          role: "auditor",
        }),
      },
      {
        label: "deactivate-user",
        send: form("admin", "routes/orgs.$orgSlug.admin._index", {
          intent: "deactivate-user",
          userId: String(world.accounts.leaver.id),
          confirm: "on",
        }),
      },
      // Last: the new roadmap supersedes the active one the actions above work on.
      { label: "POST roadmap", send: () => api("POST", `/assessments/${draft()}/roadmap`, {})() },
      {
        label: "remove-member",
        send: () =>
          form("admin", "routes/orgs.$orgSlug.admin._index", {
            intent: "remove-member",
            userId: one("SELECT id FROM users WHERE email = 'counted@demo.local'"),
            confirm: "on",
          })(),
      },
    ];
    const problems: string[] = [];
    const silent: string[] = [];
    for (const action of actions) {
      const result = await check(action);
      problems.push(...result.problems);
      if (!result.wrote) silent.push(action.label);
    }
    expect(problems).toEqual([]);
    // Each action above is meant to write: one that wrote nothing proves nothing.
    expect(silent, "actions that wrote nothing").toEqual([]);
  });

  it("do not move for bookkeeping: reading one's notifications (the demo seed leaves the ethics member some)", async () => {
    const ethics = world.accounts.demo.ethics;
    const unread = () =>
      one("SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = ? AND n.read_at IS NULL", ethics.email);
    const newest = one(
      "SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = ? AND (n.org_id = ? OR n.org_id IS NULL) ORDER BY n.id DESC LIMIT 1",
      ethics.email,
      world.demoOrgId,
    );
    const before = tally();
    const opened = await form("ethics", "routes/orgs.$orgSlug.inbox", { intent: "open", id: newest })();
    expect(opened.status).toBe(302);
    const rest = await form("ethics", "routes/orgs.$orgSlug.inbox", { intent: "mark-all-read", upTo: newest })();
    expect(rest.status).toBe(200);
    expect(unread(), "it wrote: every notification is read").toBe("0");
    const after = tally();
    expect(after.logSize).toBe(before.logSize);
    expect(after.counters).toEqual(before.counters);
  });

  it("do not move for bookkeeping: signing in and out", async () => {
    const account = world.accounts.demo.auditor;
    const before = tally();
    const { cookie } = await signIn(server.baseUrl, account.email, account.password);
    await send(server.baseUrl, "/logout", { method: "POST", cookie, body: new URLSearchParams() });
    const after = tally();
    expect(after.logSize).toBe(before.logSize);
    expect(after.counters).toEqual(before.counters);
  });
});
