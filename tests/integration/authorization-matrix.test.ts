/**
 * The authorization matrix: every route of the built route manifest and every
 * JSON API endpoint, for every principal, against the real production server,
 * checked against the one expected table in `authorization-matrix.expected.ts`.
 * Then the HTTP hardening around it: other organisations' ids, cross-origin
 * form posts, the session cookie, security headers, revoked tokens,
 * deactivated users and sign-in throttling.
 */
import fs from "node:fs";
import http from "node:http";
import Database from "better-sqlite3";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_ENDPOINTS } from "../../app/modules/http/openapi";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_IP } from "../../app/modules/auth/throttle.server";
import {
  API,
  API_DEFAULTS,
  HTML_PRINCIPALS,
  NO_ACTION,
  ROUTES,
  type ApiPrincipal,
  type HtmlPrincipal,
  type Outcome,
  type RouteEntry,
} from "./authorization-matrix.expected";
import {
  fillPattern,
  loadManifest,
  prepareWorld,
  routePattern,
  snapshotDatabase,
  sourceIntents,
  type ManifestRoute,
  type World,
} from "./authorization-fixtures";
import { runBounded, send, type Reply } from "../setup/api-client";
import { signIn } from "../setup/sign-in";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, tempDatabase, type PortalServer } from "../setup/portal-server";

const CONCURRENCY = 6;
const API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

let releaseBuild = () => {};
let server: PortalServer;
let world: World;
let databaseFile: string;
let manifest: Record<string, ManifestRoute>;
/** Session cookie per signed-in principal. */
const cookies = {} as Record<Exclude<HtmlPrincipal, "anon">, string>;

beforeAll(async () => {
  const { buildDir, release } = acquirePortalBuild();
  releaseBuild = release;
  manifest = await loadManifest(buildDir);
  databaseFile = tempDatabase("portal-authz-");
  world = await prepareWorld(databaseFile);
  server = await startPortal({ databaseFile, buildDir });
  await signInEveryone();
}, 240_000);

/** A snapshot at the start of each matrix test, and the rows its requests write on purpose (sign-outs, sign-ins). */
let snapshotAtStart: Record<string, number> = {};
let knownWrites: Record<string, number> = {};

/** Every test of the describe this is called in writes nothing beyond its `knownWrites`: whatever ran before it. */
function expectEachTestWritesNothing() {
  beforeEach(() => {
    snapshotAtStart = snapshotDatabase(databaseFile);
    knownWrites = {};
  });
  afterEach(() => {
    const expected = { ...snapshotAtStart };
    for (const [key, rows] of Object.entries(knownWrites)) expected[key] = expected[key]! + rows;
    expect(snapshotDatabase(databaseFile), "a request of the matrix wrote to the database").toEqual(expected);
  });
}

function countRows(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

async function signInEveryone() {
  const accounts = { ...world.accounts.demo, outsider: world.accounts.outsider };
  for (const [principal, account] of Object.entries(accounts)) {
    cookies[principal as keyof typeof cookies] = (await signIn(server.baseUrl, account.email, account.password)).cookie;
  }
}

afterAll(async () => {
  console.log(`[authorization matrix] ${htmlCellCount} page cells and ${apiCellCount} API cells asserted`);
  await stopPortal(server);
  killAllPortals();
  if (databaseFile) fs.rmSync(path.dirname(databaseFile), { recursive: true, force: true });
  releaseBuild();
});

// ── Reading the table ───────────────────────────────────────────────────────

const isLayout = (entry: RouteEntry): entry is { layout: true } => "layout" in entry;
const isApi = (entry: RouteEntry): entry is { api: string[] } => "api" in entry;

function urlOf(routeId: string, params: Record<string, string> = world.params): string {
  return fillPattern(routePattern(manifest, routeId), params);
}

/** Where a form posts: index routes need `?index`, as Remix's <Form> adds it. */
function actionUrlOf(routeId: string, params?: Record<string, string>): string {
  return urlOf(routeId, params) + (manifest[routeId]?.index ? "?index" : "");
}

/**
 * The deliberately invalid form for an intent: only `intent=<name>`, required fields missing.
 * Where the empty form would be valid or cannot be parsed, a probe that fails validation instead.
 */
function probeBody(routeId: string, intent: string): BodyInit {
  if (routeId.endsWith(".bias-audits.new") || routeId.endsWith(".bias-audits.upload")) {
    const form = new FormData(); // multipart, as the upload form sends it, but without a file
    form.set("note", "authorization probe");
    return form;
  }
  if (routeId.endsWith(".card_.edit")) return new URLSearchParams({ modelDetails: "x".repeat(20_001) });
  return new URLSearchParams(intent ? { intent } : {});
}

function describeOutcome(outcome: Outcome): string {
  if (outcome === "ok") return "200";
  if (outcome === "invalid") return "400/422 (validation)";
  if (outcome === "login") return "redirect to /login";
  if (outcome.startsWith("→")) return `redirect to ${outcome.slice(1)}`;
  return outcome;
}

/**
 * null when `res` is `outcome`, else what went wrong. `pagePath` is the page the request was for:
 * where a login redirect must send people back to (Remix hides a form post's `?index` and the
 * `.data` suffix from loaders and actions).
 */
function mismatch(outcome: Outcome, res: Reply, pagePath: string): string | null {
  const got = `${res.status}${res.location ? ` → ${res.location}` : ""}`;
  const fail = () => `expected ${describeOutcome(outcome)}, got ${got}`;
  if (res.status >= 500) return fail();
  // A document request gets a 302; a single-fetch (.data) request a 202 with the same Location.
  const redirected = [301, 302, 303, 202].includes(res.status) && res.location !== null;
  switch (outcome) {
    case "ok":
      return res.status === 200 ? null : fail();
    case "invalid":
    case "409":
      if (outcome === "invalid" ? ![400, 422].includes(res.status) : res.status !== 409) return fail();
      // A renamed intent would be refused as unknown: still a 400, so look for it.
      return res.text.includes("Unknown action") ? `${fail()} (the intent is unknown to the route)` : null;
    case "login": {
      if (!redirected) return fail();
      const page = new URL(pagePath, "http://x");
      page.searchParams.delete("index");
      const target = new URL(res.location!, "http://x");
      return target.pathname === "/login" && target.searchParams.get("redirectTo") === page.pathname + page.search ? null : fail();
    }
    default:
      if (outcome.startsWith("→")) return redirected && res.location === outcome.slice(1) ? null : fail();
      return String(res.status) === outcome ? null : fail();
  }
}

type Cell = {
  label: string;
  expected: Outcome;
  /** What is requested: the page's URL, or its single-fetch twin. */
  path: string;
  pagePath: string;
  method: string;
  principal: HtmlPrincipal | "bearer";
  body?: () => BodyInit;
};

/** The single-fetch URL the browser uses for a page's data after hydration: `/x.data?…`, `/_root.data` for `/`. */
function dataPathOf(pagePath: string): string {
  const url = new URL(pagePath, "http://x");
  return `${url.pathname === "/" ? "/_root" : url.pathname}.data${url.search}`;
}

/**
 * The cells of one route: GET and each intent, for every principal and for a bearer token without
 * a session; for pages (routes with a component) once more through single fetch (`.data`), which
 * runs the same loaders and actions. Single fetch does not run loaders after an action, so the
 * login page's "signed in: sent home" redirect (its loader's) is left out there.
 */
function htmlCells(routeId: string, entry: Exclude<RouteEntry, { layout: true } | { api: string[] }>): Cell[] {
  const cells: Cell[] = [];
  const isPage = Boolean(manifest[routeId]!.module.default);
  const add = (method: string, pagePath: string, row: Record<HtmlPrincipal, Outcome>, what: string, body?: () => BodyInit) => {
    const transports = isPage && !(routeId === "routes/login" && method === "POST") ? [pagePath, dataPathOf(pagePath)] : [pagePath];
    for (const path of transports) {
      for (const principal of [...HTML_PRINCIPALS, "bearer"] as const) {
        const expected = row[principal === "bearer" ? "anon" : principal];
        cells.push({ label: `${method} ${path}${what} as ${principal}`, expected, path, pagePath, method, principal, body });
      }
    }
  };
  add("GET", urlOf(routeId), entry.get, "");
  const postPath = actionUrlOf(routeId);
  if (entry.post === NO_ACTION) {
    add(
      "POST",
      postPath,
      Object.fromEntries(HTML_PRINCIPALS.map((p) => [p, "405"])) as Record<HtmlPrincipal, Outcome>,
      "",
      () => new URLSearchParams(),
    );
  } else {
    for (const [intent, row] of Object.entries(entry.post)) {
      add("POST", postPath, row, intent ? ` intent=${intent}` : " (form)", () => probeBody(routeId, intent));
    }
  }
  return cells;
}

let htmlCellCount = 0;
let apiCellCount = 0;

async function runCells(cells: Cell[]): Promise<string[]> {
  htmlCellCount += cells.length;
  const failures = await runBounded(cells.length, CONCURRENCY, async (i) => {
    const cell = cells[i]!;
    const res = await send(server.baseUrl, cell.path, {
      method: cell.method,
      cookie: cell.principal === "anon" || cell.principal === "bearer" ? undefined : cookies[cell.principal],
      bearer: cell.principal === "bearer" ? world.tokens.full : undefined,
      body: cell.body?.(),
    });
    const problem = mismatch(cell.expected, res, cell.pagePath);
    return problem ? `${cell.label}: ${problem}` : null;
  });
  return failures.filter((f): f is string => f !== null);
}

// ── The API ─────────────────────────────────────────────────────────────────

/** `/models/{slug}/versions/{version}` → `/api/v1/models/<slug>/versions/<version>` with `demo`'s rows (or `ids`). */
function apiPath(endpointPath: string, ids: Record<string, string> = world.apiIds): string {
  return (
    "/api/v1" +
    endpointPath.replace(/\/([\w-]+)\/\{(\w+)\}/g, (_m, collection: string, name: string) => {
      const value = name === "slug" ? world.apiModel.slug : name === "version" ? world.apiModel.version : ids[collection];
      if (value === undefined) throw new Error(`no fixture value for {${name}} after /${collection}`);
      return `/${collection}/${encodeURIComponent(value!)}`;
    })
  );
}

const MALFORMED_JSON = '{"authorization probe": ';

function apiCredentials(principal: ApiPrincipal, scope: string): { bearer?: string; cookie?: string } {
  switch (principal) {
    case "none":
      return {};
    case "invalid":
      return { bearer: "amp_not-a-real-token" };
    case "cookie":
      return { cookie: cookies.admin };
    case "lacking":
      return { bearer: world.tokens.lacking[(scope === "public" ? "assessment:read" : scope) as ApiScope] };
    case "full":
      return { bearer: world.tokens.full };
    case "other":
      return { bearer: world.tokens.other };
  }
}

// ════════════════════════════════════════════════════════════════════════════

describe("the expected table", () => {
  it("has an entry for every route of the manifest, and none for a route that no longer exists", () => {
    const inManifest = Object.keys(manifest).sort();
    const inTable = Object.keys(ROUTES).sort();
    expect(
      inManifest.filter((id) => !inTable.includes(id)),
      "routes without an entry in authorization-matrix.expected.ts",
    ).toEqual([]);
    expect(
      inTable.filter((id) => !inManifest.includes(id)),
      "entries for routes that are not in the manifest",
    ).toEqual([]);
  });

  it("lists exactly the intents each route handles, and no action where there is none", () => {
    const problems: string[] = [];
    for (const [id, entry] of Object.entries(ROUTES)) {
      const route = manifest[id];
      if (!route) continue;
      const hasAction = Boolean(route.module.action);
      if (isLayout(entry)) {
        if (hasAction) problems.push(`${id}: a layout with an action`);
        if (!Object.values(manifest).some((r) => r.parentId === id)) problems.push(`${id}: marked as a layout but has no child routes`);
      } else if (isApi(entry)) {
        if (!id.startsWith("routes/api.v1.")) problems.push(`${id}: API entries belong to routes/api.v1.*`);
      } else if (entry.post === NO_ACTION) {
        if (hasAction) problems.push(`${id}: has an action, the table says none`);
      } else {
        if (!hasAction) problems.push(`${id}: the table lists intents but the route has no action`);
        const inSource = sourceIntents(id, hasAction);
        const inTable = Object.keys(entry.post).sort();
        if (JSON.stringify(inSource) !== JSON.stringify(inTable)) {
          problems.push(`${id}: the route handles intents ${JSON.stringify(inSource)}, the table lists ${JSON.stringify(inTable)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("has an entry, with the documented scope, for every API endpoint, each on the route that serves it", () => {
    const documented = API_ENDPOINTS.map((e) => `${e.method.toUpperCase()} ${e.path}`).sort();
    const undocumented = Object.keys(API)
      .filter((key) => API[key]!.undocumented)
      .sort();
    expect(
      documented.filter((key) => !API[key]),
      "API_ENDPOINTS entries without an entry in the table",
    ).toEqual([]);
    expect(
      Object.keys(API)
        .filter((key) => !documented.includes(key))
        .sort(),
      "table entries missing from API_ENDPOINTS need `undocumented: true`",
    ).toEqual(undocumented);
    for (const endpoint of API_ENDPOINTS) {
      const entry = API[`${endpoint.method.toUpperCase()} ${endpoint.path}`]!;
      if (entry.scope === "public") expect(endpoint.errors, `${endpoint.path} is public: no 401`).not.toContain(401);
      else expect(entry.scope, `${endpoint.method} ${endpoint.path}`).toBe(endpoint.scope);
    }
    const claimed = Object.entries(ROUTES).flatMap(([id, entry]) => (isApi(entry) ? entry.api.map((key) => ({ id, key })) : []));
    expect(claimed.map((c) => c.key).sort()).toEqual(Object.keys(API).sort());
    for (const { id, key } of claimed) {
      const pattern = "/api/v1" + key.split(" ")[1]!.replace(/\{(\w+)\}/g, ":$1");
      const served = routePattern(manifest, id);
      // A splat route serves every path under its prefix.
      if (served.endsWith("/*")) expect(pattern.startsWith(served.slice(0, -1)), `${key} is served by ${id} (${served})`).toBe(true);
      else expect(served, `${key} is served by ${id}`).toBe(pattern);
    }
  });
});

describe("authorization matrix: pages and their actions", () => {
  const htmlRoutes = Object.entries(ROUTES).filter(([, e]) => !isLayout(e) && !isApi(e)) as [
    string,
    Exclude<RouteEntry, { layout: true } | { api: string[] }>,
  ][];

  expectEachTestWritesNothing();

  it.each(htmlRoutes)("%s", async (routeId, entry) => {
    expect(manifest[routeId], `${routeId} is not in the manifest`).toBeDefined();
    const countSignOuts = () => countRows(databaseFile, "select count(*) from audit_events where action = 'auth.logout'");
    const signOutsBefore = countSignOuts();
    const failures = await runCells(htmlCells(routeId, entry));
    // Signing out ends every session of the account: sign everyone in again for the tests after this
    // one. Those sign-ins and the sign-outs are the only writes the matrix makes: count them as known.
    if (routeId === "routes/logout") {
      const signOuts = countSignOuts() - signOutsBefore;
      expect(signOuts, "each signed-in principal's sign-out is audited").toBeGreaterThanOrEqual(HTML_PRINCIPALS.length - 1);
      const beforeSignIn = snapshotDatabase(databaseFile);
      await signInEveryone();
      const after = snapshotDatabase(databaseFile);
      for (const key of ["audit_events", "audit_events[org 0]"]) knownWrites[key] = signOuts + (after[key]! - beforeSignIn[key]!);
    }
    expect(failures).toEqual([]);
  });

  it.each(
    Object.entries(ROUTES)
      .filter(([, e]) => isLayout(e))
      .map(([id]) => id),
  )("%s (layout): POST to its own URL is 405", async (routeId) => {
    const res = await send(server.baseUrl, urlOf(routeId), { method: "POST", cookie: cookies.admin, body: new URLSearchParams() });
    expect(res.status).toBe(405);
  });
});

describe("authorization matrix: JSON API", () => {
  const principals: ApiPrincipal[] = ["none", "invalid", "cookie", "lacking", "full", "other"];
  expectEachTestWritesNothing();

  it.each(Object.keys(API))("%s", async (key) => {
    const entry = API[key]!;
    const [method, endpointPath] = key.split(" ") as [string, string];
    // A DELETE reads no body: its `full` cell really deletes, a row kept for it, audited (the cell's one write).
    const deletes = method === "DELETE";
    const urlPath = apiPath(endpointPath, deletes ? { ...world.apiIds, ...world.apiDeletableIds } : world.apiIds);
    if (deletes && entry.full === 204) {
      knownWrites.audit_events = 1;
      knownWrites[`audit_events[org ${world.demoOrgId}]`] = 1;
    }
    apiCellCount += principals.length;
    const failures = await runBounded(principals.length, CONCURRENCY, async (i) => {
      const principal = principals[i]!;
      const expected =
        entry.scope === "public"
          ? entry.full
          : principal === "full"
            ? entry.full
            : principal === "other"
              ? entry.other
              : API_DEFAULTS[principal];
      const res = await send(server.baseUrl, urlPath, {
        method,
        ...apiCredentials(principal, entry.scope),
        ...(method === "GET" ? {} : { body: MALFORMED_JSON, headers: { "content-type": "application/json" } }),
      });
      const problems: string[] = [];
      if (res.status !== expected) problems.push(`expected ${expected}, got ${res.status} ${res.text.slice(0, 160)}`);
      const type = res.headers.get("content-type") ?? "";
      // GET /audit/events answers JSON lines; a DELETE answers 204 with no body; every refusal is the JSON error envelope.
      if (res.status === 204) {
        if (res.text !== "") problems.push(`204 with a body: ${res.text.slice(0, 160)}`);
      } else if (!type.includes("application/json") && !(res.status === 200 && type.includes("application/x-ndjson")))
        problems.push(`not JSON: ${res.headers.get("content-type")}`);
      return problems.length ? `${method} ${urlPath} as ${principal}: ${problems.join("; ")}` : null;
    });
    expect(failures.filter(Boolean)).toEqual([]);
  });

  it("answers every other method on an API route with 405", async () => {
    const cells = Object.entries(ROUTES)
      .filter((e): e is [string, { api: string[] }] => isApi(e[1]))
      .flatMap(([id, entry]) => {
        const methodsByPath = new Map<string, string[]>();
        for (const [method, endpointPath] of entry.api.map((key) => key.split(" ") as [string, string]))
          methodsByPath.set(endpointPath, [...(methodsByPath.get(endpointPath) ?? []), method]);
        return [...methodsByPath].flatMap(([endpointPath, served]) =>
          API_METHODS.filter((m) => !served.includes(m)).map((method) => ({ id, method, urlPath: apiPath(endpointPath) })),
        );
      });
    apiCellCount += cells.length;
    const failures = await runBounded(cells.length, CONCURRENCY, async (i) => {
      const { method, urlPath } = cells[i]!;
      const res = await send(server.baseUrl, urlPath, {
        method,
        bearer: world.tokens.full,
        ...(method === "GET" ? {} : { body: MALFORMED_JSON, headers: { "content-type": "application/json" } }),
      });
      return res.status === 405 ? null : `${method} ${urlPath}: expected 405, got ${res.status}`;
    });
    expect(failures.filter(Boolean)).toEqual([]);
    expect(cells.length).toBeGreaterThan(50);
  });
});

describe("another organisation's rows, named from inside `demo`", () => {
  const ID_PARAMS = ["assessmentId", "requestId", "biasAuditId", "roadmapId", "itemId", "webhookId"] as const;

  it("are 404 in page URLs (GET as demo's admin)", async () => {
    const f = world.foreign;
    const foreignParams = {
      ...world.params,
      assessmentId: String(f.assessmentId),
      requestId: String(f.openRequestId),
      biasAuditId: String(f.pendingAuditId),
      roadmapId: String(f.roadmapId),
      itemId: String(f.itemId),
      webhookId: String(f.webhookId),
    };
    const routeIds = Object.entries(ROUTES)
      .filter(
        ([id, entry]) =>
          !isLayout(entry) &&
          !isApi(entry) &&
          entry.get.admin === "ok" &&
          ID_PARAMS.some((p) => routePattern(manifest, id).includes(`:${p}`)),
      )
      .map(([id]) => id);
    expect(routeIds.length).toBeGreaterThanOrEqual(10);
    const failures = await runBounded(routeIds.length, CONCURRENCY, async (i) => {
      const urlPath = urlOf(routeIds[i]!, foreignParams);
      const res = await send(server.baseUrl, urlPath, { cookie: cookies.admin });
      return res.status === 404 ? null : `GET ${urlPath} as admin: expected 404, got ${res.status}`;
    });
    expect(failures.filter(Boolean)).toEqual([]);
  });

  it("are 404 in API URLs (GET with demo's token)", async () => {
    const f = world.foreign;
    const foreignIds = {
      incidents: String(f.incidentId),
      "bias-audits": String(f.pendingAuditId),
      "approval-requests": String(f.openRequestId),
      assessments: String(f.assessmentId),
      roadmaps: String(f.roadmapId),
      "roadmap-items": String(f.itemId),
      webhooks: String(f.webhookId),
    };
    const keys = Object.keys(API).filter((k) => k.startsWith("GET ") && k.includes("{id}"));
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const key of keys) {
      const urlPath = apiPath(key.split(" ")[1]!, foreignIds);
      const res = await send(server.baseUrl, urlPath, { bearer: world.tokens.full });
      expect(res.status, `${key} → ${urlPath}`).toBe(404);
    }
  });

  it("are 404 in well-formed form posts, and nothing is written", async () => {
    const start = snapshotDatabase(databaseFile);
    const f = world.foreign;
    const [approval, assessment, finalize, audit, roadmap, item, version, card, tokens, members] = [
      "routes/orgs.$orgSlug.approvals.$requestId",
      "routes/orgs.$orgSlug.assessments.$assessmentId._index",
      "routes/orgs.$orgSlug.assessments.$assessmentId.finalize",
      "routes/orgs.$orgSlug.bias-audits.$biasAuditId",
      "routes/orgs.$orgSlug.roadmaps.$roadmapId._index",
      "routes/orgs.$orgSlug.roadmaps.$roadmapId.items.$itemId",
      "routes/orgs.$orgSlug.models.$modelSlug.versions.$version",
      "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card",
      "routes/orgs.$orgSlug.admin.tokens",
      "routes/orgs.$orgSlug.admin._index",
    ];
    // `in`: other's ids in the URL; `form`: other's ids in the form. Each `as` passes the route's guard for the intent.
    const posts: { as: keyof typeof cookies; route: string; in?: Record<string, number>; form: Record<string, string> }[] = [
      {
        as: "ethics",
        route: approval,
        in: { requestId: f.openRequestId },
        form: { intent: "decide", decision: "approve", comment: "", confirm: "on" },
      },
      { as: "admin", route: approval, in: { requestId: f.openRequestId }, form: { intent: "cancel", confirm: "on" } },
      { as: "leadership", route: assessment, in: { assessmentId: f.assessmentId }, form: { intent: "submit" } },
      { as: "leadership", route: assessment, in: { assessmentId: f.assessmentId }, form: { intent: "withdraw", reason: "Not yours" } },
      { as: "leadership", route: finalize, in: { assessmentId: f.assessmentId }, form: { acceptUnanswered: "on" } },
      { as: "ethics", route: audit, in: { biasAuditId: f.pendingAuditId }, form: { decision: "accept", comment: "fine", confirm: "on" } },
      { as: "team", route: item, in: { itemId: f.itemId }, form: { intent: "update", status: "in_progress" } },
      { as: "team", route: item, in: { itemId: f.itemId }, form: { intent: "comment", body: "mine now" } },
      { as: "team", route: roadmap, form: { intent: "update", itemId: String(f.itemId), status: "in_progress" } },
      { as: "team", route: roadmap, form: { intent: "assign", itemIds: String(f.itemId), team: "Intruders" } },
      { as: "leadership", route: roadmap, form: { intent: "tick", criterionId: String(f.criterionId), met: "yes", evidence: "trust me" } },
      { as: "team", route: version, form: { intent: "update-incident", incidentId: String(f.incidentId), status: "resolved" } },
      { as: "team", route: card, form: { intent: "submit", cardId: String(f.inReviewCardId) } },
      { as: "ethics", route: card, form: { intent: "review", cardId: String(f.inReviewCardId), decision: "approve", comment: "" } },
      { as: "ethics", route: card, form: { intent: "comment", cardId: String(f.inReviewCardId), section: "general", body: "hello" } },
      { as: "admin", route: tokens, form: { intent: "revoke", tokenId: String(f.tokenId), confirm: "on" } },
      { as: "admin", route: members, form: { intent: "change-role", userId: String(f.userId), role: "auditor" } },
      { as: "admin", route: members, form: { intent: "remove-member", userId: String(f.userId), confirm: "on" } },
      { as: "admin", route: members, form: { intent: "deactivate-user", userId: String(f.userId), confirm: "on" } },
      { as: "admin", route: members, form: { intent: "end-sessions", userId: String(f.userId), confirm: "on" } },
    ];
    const failures: string[] = [];
    for (const post of posts) {
      const entry = ROUTES[post.route]!;
      const allowed =
        !isLayout(entry) && !isApi(entry) && entry.post !== NO_ACTION ? entry.post[post.form.intent ?? ""]?.[post.as] : undefined;
      expect(["invalid", "409", "ok"], `${post.route} ${post.form.intent} lets ${post.as} through`).toContain(allowed);
      const params = { ...world.params, ...Object.fromEntries(Object.entries(post.in ?? {}).map(([k, v]) => [k, String(v)])) };
      const urlPath = actionUrlOf(post.route, params);
      const res = await send(server.baseUrl, urlPath, { method: "POST", cookie: cookies[post.as], body: new URLSearchParams(post.form) });
      if (res.status !== 404) failures.push(`POST ${urlPath} ${JSON.stringify(post.form)} as ${post.as}: expected 404, got ${res.status}`);
    }
    expect(failures).toEqual([]);
    expect(snapshotDatabase(databaseFile)).toEqual(start);
  });

  it("are out of reach of another organisation's token: well-formed API writes are 404, nothing written", async () => {
    const start = snapshotDatabase(databaseFile);
    const writes: { method: string; path: string; body?: unknown }[] = [
      { method: "POST", path: "/models/{slug}/versions", body: { version: "9.9.9" } },
      { method: "POST", path: "/models/{slug}/versions/{version}/transitions", body: { to: "retired" } },
      {
        method: "POST",
        path: "/models/{slug}/versions/{version}/incidents",
        body: { title: "Not yours", severity: "sev4", startedAt: "2026-01-01T00:00:00Z" },
      },
      { method: "PATCH", path: "/incidents/{id}", body: { description: "Not yours" } },
      { method: "POST", path: "/models/{slug}/versions/{version}/monitoring", body: { metrics: { accuracy: 0.5 } } },
      {
        method: "POST",
        path: "/models/{slug}/versions/{version}/bias-audits",
        body: {
          config: { groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], predictionColumn: "p", positivePredictions: ["1"] },
          rows: [{ g: "a", y: 1, p: 1 }],
        },
      },
      { method: "POST", path: "/models/{slug}/versions/{version}/approval-requests" },
      { method: "PUT", path: "/assessments/{id}/responses", body: { capabilities: [], questions: [] } },
      { method: "POST", path: "/assessments/{id}/finalize" },
      { method: "POST", path: "/assessments/{id}/withdraw", body: { reason: "Not yours" } },
      { method: "POST", path: "/assessments/{id}/roadmap" },
      { method: "PATCH", path: "/roadmap-items/{id}", body: { evidence: "Not yours" } },
      { method: "DELETE", path: "/webhooks/{id}" },
    ];
    // Every org-scoped write of the API is here: the rest create in the token's own organisation.
    const scoped = Object.keys(API).filter((k) => !k.startsWith("GET ") && k.includes("{"));
    expect(writes.map((w) => `${w.method} ${w.path}`).sort()).toEqual(scoped.sort());
    const failures: string[] = [];
    for (const write of writes) {
      const urlPath = apiPath(write.path);
      const res = await send(server.baseUrl, urlPath, {
        method: write.method,
        bearer: world.tokens.other,
        ...(write.body === undefined ? {} : { body: JSON.stringify(write.body), headers: { "content-type": "application/json" } }),
      });
      if (res.status !== 404)
        failures.push(`${write.method} ${urlPath} with other's token: expected 404, got ${res.status} ${res.text.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
    expect(snapshotDatabase(databaseFile)).toEqual(start);
  });
});

describe("uploads that are not multipart", () => {
  it("are refused as a client error (400 or 415), not a server error", async () => {
    const base = `/orgs/demo/models/${world.params.modelSlug}/versions/${world.params.version}/bias-audits`;
    for (const urlPath of [`${base}/new`, `${base}/upload`]) {
      const res = await send(server.baseUrl, urlPath, { method: "POST", cookie: cookies.team, body: new URLSearchParams({ note: "x" }) });
      expect([400, 415], `POST ${urlPath} as a urlencoded form: ${res.status}`).toContain(res.status);
    }
  });
});

describe("cross-origin form posts", () => {
  const newUser = (email: string) => ({ intent: "invite", email, role: "admin" });

  it("are refused with 403 and write nothing, even with a valid session and form", async () => {
    const snapshot = snapshotDatabase(databaseFile);
    const attempts: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const [i, headers] of attempts.entries()) {
      const res = await send(server.baseUrl, "/orgs/demo/admin?index", {
        method: "POST",
        cookie: cookies.admin,
        body: new URLSearchParams(newUser(`evil-${i}@demo.local`)),
        headers,
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    // Not even the sign-in form, and not an API path authenticated by a cookie.
    expect(
      (
        await send(server.baseUrl, "/login", {
          method: "POST",
          headers: { origin: "https://evil.example" },
          body: new URLSearchParams({ email: "x@y.z", password: "p" }),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await send(server.baseUrl, "/api/v1/models", {
          method: "POST",
          cookie: cookies.admin,
          headers: { origin: "https://evil.example" },
          body: "{}",
        })
      ).status,
    ).toBe(403);
    // A bearer token on a page is no ambient credential: still refused there.
    expect(
      (
        await send(server.baseUrl, "/orgs/demo/admin?index", {
          method: "POST",
          bearer: world.tokens.full,
          cookie: cookies.admin,
          headers: { origin: "https://evil.example" },
          body: new URLSearchParams(newUser("evil-bearer@demo.local")),
        })
      ).status,
    ).toBe(403);
    expect(snapshotDatabase(databaseFile)).toEqual(snapshot);
  });

  it("same-origin posts and token-authenticated API calls from anywhere pass", async () => {
    const sameOrigin = await send(server.baseUrl, "/orgs/demo/admin?index", {
      method: "POST",
      cookie: cookies.admin,
      headers: { origin: server.baseUrl, "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ intent: "invite" }),
    });
    expect(sameOrigin.status).toBe(400); // through the origin check, refused by validation
    const api = await send(server.baseUrl, "/api/v1/models", { bearer: world.tokens.full, headers: { origin: "https://ci.example" } });
    expect(api.status).toBe(200);
    const apiWrite = await send(server.baseUrl, "/api/v1/models", {
      method: "POST",
      bearer: world.tokens.full,
      headers: { origin: "https://ci.example", "content-type": "application/json" },
      body: MALFORMED_JSON,
    });
    expect(apiWrite.status).toBe(400);
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, expires, and not Secure when COOKIE_SECURE=false", async () => {
    const { setCookie } = await signIn(server.baseUrl, world.accounts.demo.auditor.email, world.accounts.demo.auditor.password);
    const attributes = setCookie
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("samesite=lax");
    expect(attributes).toContain("path=/");
    // The browser may keep it up to the absolute lifetime (SESSION_MAX_DAYS, 7 days); the server ends idle sessions sooner.
    expect(attributes.some((a) => a.startsWith("max-age=") && Number(a.slice(8)) > 0 && Number(a.slice(8)) <= 7 * 86_400)).toBe(true);
    expect(attributes).not.toContain("secure"); // the test server runs with COOKIE_SECURE=false
    expect(attributes.some((a) => a.startsWith("domain="))).toBe(false);
  });

  it("is Secure when COOKIE_SECURE is on (the same cookie, in this process)", async () => {
    const previous = process.env.COOKIE_SECURE;
    process.env.COOKIE_SECURE = "true";
    try {
      const { sessionCookie } = await import("../../app/modules/auth/session.server");
      const header = await sessionCookie().serialize("a-session-id");
      expect(header.split(";").map((a) => a.trim().toLowerCase())).toEqual(
        expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]),
      );
    } finally {
      if (previous === undefined) delete process.env.COOKIE_SECURE;
      else process.env.COOKIE_SECURE = previous;
    }
  });

  it("is not accepted when tampered with", async () => {
    const [name, value] = cookies.auditor.split("=") as [string, string];
    const forged = `${name}=${Buffer.from('{"userId":1}').toString("base64")}.${value.split(".")[1]}`;
    const res = await send(server.baseUrl, "/orgs/demo/admin", { cookie: forged });
    expect(res.status).toBe(302);
    expect(res.location).toMatch(/^\/login\?/);
  });
});

describe("security headers", () => {
  function expectHardened(res: Reply, what: string) {
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp, what).toContain("frame-ancestors 'none'");
    expect(csp, what).toContain("object-src 'none'");
    expect(csp, what).not.toContain("unsafe-eval");
    expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(res.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-frame-options"), what).toBe("DENY");
    expect(res.headers.get("x-powered-by"), what).toBeNull();
  }

  it("are on pages, with a fresh nonce that the page's scripts carry", async () => {
    const [first, second] = [
      await send(server.baseUrl, "/login"),
      await send(server.baseUrl, "/orgs/demo/audit", { cookie: cookies.auditor }),
    ];
    for (const [res, what] of [
      [first, "/login"],
      [second, "/orgs/demo/audit"],
    ] as const) {
      expect(res.status).toBe(200);
      expectHardened(res, what);
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")![1]!;
      const scripts = [...res.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, what).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, what).toContain(`nonce="${nonce}"`);
    }
    const nonces = [first, second].map((r) => /'nonce-([^']+)'/.exec(r.headers.get("content-security-policy") ?? "")![1]);
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("are on API answers, errors and refusals too", async () => {
    expectHardened(await send(server.baseUrl, "/api/v1/models", { bearer: world.tokens.full }), "API 200");
    expectHardened(await send(server.baseUrl, "/api/v1/models"), "API 401");
    expectHardened(await send(server.baseUrl, "/orgs/demo/admin", { cookie: cookies.team }), "page 403");
    expectHardened(
      await send(server.baseUrl, "/orgs/demo/admin?index", { method: "POST", headers: { origin: "https://evil.example" }, body: "" }),
      "cross-origin refusal",
    );
  });
});

describe("revoked API tokens", () => {
  it("are refused with 401 as soon as an admin revokes them in the portal", async () => {
    const { id, token } = world.tokens.revocable;
    expect((await send(server.baseUrl, "/api/v1/models", { bearer: token })).status).toBe(200);
    const revoke = await send(server.baseUrl, "/orgs/demo/admin/tokens", {
      method: "POST",
      cookie: cookies.admin,
      body: new URLSearchParams({ intent: "revoke", tokenId: String(id), confirm: "on" }),
    });
    expect(revoke.status).toBe(200);
    const after = await send(server.baseUrl, "/api/v1/models", { bearer: token });
    expect(after.status).toBe(401);
    expect(JSON.parse(after.text).error.code).toBe("unauthorized");
    expect((await send(server.baseUrl, `/api/v1/models/${world.params.modelSlug}`, { bearer: token })).status).toBe(401);
  });
});

describe("deactivated users", () => {
  it("lose their existing session at once, and cannot sign in again", async () => {
    const { id, email, password } = world.accounts.leaver;
    const { cookie } = await signIn(server.baseUrl, email, password);
    expect((await send(server.baseUrl, "/orgs/demo/models", { cookie })).status).toBe(200);
    const deactivate = await send(server.baseUrl, "/orgs/demo/admin?index", {
      method: "POST",
      cookie: cookies.admin,
      body: new URLSearchParams({ intent: "deactivate-user", userId: String(id), confirm: "on" }),
    });
    expect(deactivate.status).toBe(200);
    const page = await send(server.baseUrl, "/orgs/demo/models", { cookie });
    expect(page.status).toBe(302);
    expect(page.location).toBe(`/login?${new URLSearchParams({ redirectTo: "/orgs/demo/models" })}`);
    const write = await send(server.baseUrl, "/orgs/demo/models/new", {
      method: "POST",
      cookie,
      body: new URLSearchParams({ name: "Ghost", riskTier: "minimal" }),
    });
    expect(write.status).toBe(302);
    expect(write.location).toMatch(/^\/login\?/);
    const home = await send(server.baseUrl, "/", { cookie });
    expect(home.status).toBe(200); // the landing page: no longer signed in
    const again = await send(server.baseUrl, "/login", { method: "POST", body: new URLSearchParams({ email, password, redirectTo: "" }) });
    expect(again.status).toBe(401);
  });
});

/** A sign-in form post from another loopback address (the per-IP limit then throttles that address only). */
function signInFrom(localAddress: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<number> {
  const body = new URLSearchParams({ ...fields, redirectTo: "" }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.baseUrl}/login`,
      {
        method: "POST",
        localAddress,
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("sign-in throttling", () => {
  it(`refuses a client for an account with 429 after ${MAX_FAILURES_PER_CLIENT} failures, even with the right password`, async () => {
    const { email, password } = world.accounts.throttled;
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) {
      const res = await send(server.baseUrl, "/login", {
        method: "POST",
        body: new URLSearchParams({ email, password: `wrong-${i}`, redirectTo: "" }),
      });
      expect(res.status, `failure ${i + 1}`).toBe(401);
    }
    const right = await send(server.baseUrl, "/login", { method: "POST", body: new URLSearchParams({ email, password, redirectTo: "" }) });
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    // Other accounts are not affected by one account's failures.
    await signIn(server.baseUrl, world.accounts.demo.ethics.email, world.accounts.demo.ethics.password);
  });

  // Each refused sign-in checks a password hash: give the failures time on a busy machine.
  it(
    `refuses every sign-in from an address with ${MAX_FAILURES_PER_IP} failures, whatever X-Forwarded-For says`,
    { timeout: 90_000 },
    async () => {
      // From an address of its own, so no other test's sign-ins are throttled: fail with fresh emails until it is.
      const address = "127.0.0.2";
      let attempts = 0;
      for (;;) {
        const status = await signInFrom(address, { email: `nobody-${attempts}@demo.local`, password: "wrong" });
        if (status === 429) break;
        expect(status, `failure ${attempts + 1}`).toBe(401);
        attempts++;
        expect(attempts, "never throttled").toBeLessThanOrEqual(MAX_FAILURES_PER_IP);
      }
      expect(attempts).toBeGreaterThan(0);
      const { email, password } = world.accounts.demo.leadership;
      const spoofs: Record<string, string>[] = [{}, { "x-forwarded-for": "203.0.113.7" }, { "x-portal-client-ip": "203.0.113.8" }];
      for (const headers of spoofs) {
        expect(await signInFrom(address, { email, password }, headers), JSON.stringify(headers)).toBe(429);
      }
      // This client's own address is not throttled by another address's failures.
      await signIn(server.baseUrl, email, password);
    },
  );
});
