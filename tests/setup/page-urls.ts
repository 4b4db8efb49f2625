/**
 * Every page of the built route manifest as a URL on the demo data, and who may
 * look at it. Shared by the authorization matrix (its fixtures), the 390 px
 * layout and accessibility spec (tests/e2e/layout.spec.ts) and `npm run screens`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { ROUTES, type Role } from "../integration/authorization-matrix.expected";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type ManifestRoute = {
  id: string;
  path?: string;
  parentId?: string;
  index?: boolean;
  module: { loader?: unknown; action?: unknown; default?: unknown };
};

export async function loadManifest(buildDir: string): Promise<Record<string, ManifestRoute>> {
  const build = (await import(/* @vite-ignore */ path.resolve(REPO_ROOT, buildDir, "server/index.js"))) as {
    routes: Record<string, ManifestRoute>;
  };
  return build.routes;
}

/** The route's URL pattern (`/orgs/:orgSlug/audit`), its ancestors' paths joined. */
export function routePattern(routes: Record<string, ManifestRoute>, id: string): string {
  const parts: string[] = [];
  for (let route: ManifestRoute | undefined = routes[id]; route; route = route.parentId ? routes[route.parentId] : undefined) {
    if (route.path) parts.unshift(route.path);
  }
  return `/${parts.join("/")}`;
}

/** Fills `:name` and `*` from `params`; throws on a param with no value, so a new one needs a fixture. */
export function fillPattern(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/:(\w+)|\*/g, (match, name: string | undefined) => {
    const value = params[name ?? "*"];
    if (value === undefined) throw new Error(`no fixture value for the route param ${match} in ${pattern}`);
    return name ? encodeURIComponent(value) : value;
  });
}

/**
 * The document routes: those that render a page of their own (a component), not a layout
 * that only wraps other routes (root, the organisation shell).
 */
export function documentRouteIds(routes: Record<string, ManifestRoute>): string[] {
  const parents = new Set(Object.values(routes).map((r) => r.parentId));
  return Object.keys(routes)
    .filter((id) => routes[id]!.module.default && !parents.has(id))
    .sort();
}

/** A signed-in demo role, or nobody. */
export type Viewer = Role | "anon";

export const DEMO_EMAILS: Record<Role, string> = {
  admin: "admin@demo.local",
  leadership: "leader@demo.local",
  ethics: "ethics@demo.local",
  team: "team@demo.local",
  auditor: "auditor@demo.local",
};

/** Who gets the page itself (200) according to the authorization matrix's expected table. */
export function viewersOf(routeId: string): Viewer[] {
  const entry = ROUTES[routeId];
  if (!entry || !("get" in entry)) return [];
  return (["anon", "admin", "leadership", "ethics", "team", "auditor"] as const).filter((viewer) => entry.get[viewer] === "ok");
}

/**
 * Values for the route params of the demo organisation's pages, from real rows of `databaseFile`:
 * a production version with an approved model card, the latest finalised assessment, the active
 * roadmap and an open item of it, a pending bias audit, an approved request team@demo.local opened,
 * and the oldest webhook endpoint (0, which names none, when there is none).
 */
export function demoRouteParams(databaseFile: string, orgSlug = "demo") {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const one = <T>(sql: string, ...args: unknown[]): T => {
      const row = db.prepare(sql).get(...args) as T | undefined;
      if (row === undefined) throw new Error(`page URLs: no demo row for ${sql} ${JSON.stringify(args)}`);
      return row;
    };
    const id = (sql: string, ...args: unknown[]) => String(one<{ id: number }>(sql, ...args).id);
    const orgId = one<{ id: number }>("select id from organizations where slug = ?", orgSlug).id;
    const version = one<{ slug: string; version: string }>(
      `select m.slug, v.version from model_versions v join models m on m.id = v.model_id
         join model_cards c on c.version_id = v.id
        where m.org_id = ? and v.stage = 'production' and c.status = 'approved' order by v.id limit 1`,
      orgId,
    );
    const roadmapId = id("select id from roadmaps where org_id = ? and status = 'active' order by id limit 1", orgId);
    return {
      orgSlug,
      modelSlug: version.slug,
      version: version.version,
      requestId: id(
        "select id from approval_requests where org_id = ? and status = 'approved' and requester_label = 'team@demo.local' order by id limit 1",
        orgId,
      ),
      assessmentId: id("select id from assessments where org_id = ? and status = 'finalized' order by id desc limit 1", orgId),
      componentId: "technical-capability",
      biasAuditId: id("select id from bias_audits where org_id = ? and status = 'pending' order by id limit 1", orgId),
      roadmapId,
      itemId: id(
        "select id from roadmap_items where org_id = ? and roadmap_id = ? and status != 'closed' order by id limit 1",
        orgId,
        roadmapId,
      ),
      // The oldest webhook endpoint: the demo has none of its own (the matrix fixtures and `npm run screens` register one).
      webhookId: String(
        (
          db.prepare("select id from webhook_endpoints where org_id = ? and deleted_at is null order by id limit 1").get(orgId) as
            { id: number } | undefined
        )?.id ?? 0,
      ),
      format: "csv",
      // An invitation link's secret that names no invitation.
      token: "no-such-invitation-token",
      "*": "v1/no-such-endpoint",
    };
  } finally {
    db.close();
  }
}

/** The URL of a manifest route on the demo data. */
export function pageUrl(routes: Record<string, ManifestRoute>, routeId: string, params: Record<string, string>): string {
  return fillPattern(routePattern(routes, routeId), params);
}
