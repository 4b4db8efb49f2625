/**
 * Shared setup for the hostile-input suites: a temp database seeded with the
 * demo organisation, the real production server on it, demo users signed in
 * through `POST /login`, an API token with every scope, and a fingerprint of
 * the database to prove that a rejected request wrote nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { decode } from "turbo-stream";
import fc from "fast-check";
import { afterEach, beforeEach, expect } from "vitest";
import { seedDemoOrganization, DEMO_ORG } from "../../db/seed";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { AUTOSAVE_RUN_MS, SYSTEM_ACTOR, verifyAuditChain } from "../../app/modules/audit/audit.server";
import { send, type Reply } from "../setup/api-client";
import { startPortal, stopPortal, tempDatabase, withDatabase, type PortalServer } from "../setup/portal-server";
import { signIn } from "../setup/sign-in";
import { DEMO_LOGINS, DEMO_PASSWORD } from "../setup/test-orgs";

export type DemoRole = keyof typeof DEMO_LOGINS;

export type HostileEnv = {
  server: PortalServer;
  file: string;
  orgId: number;
  orgSlug: string;
  /** Bearer token of the demo organisation with every API scope. */
  token: string;
  /** Session cookies of the demo users, signed in through POST /login. */
  cookies: Record<DemoRole, string>;
  db: Database.Database;
  stop: () => Promise<void>;
};

/**
 * A migrated temp database with the demo organisation (registry, assessments,
 * roadmap), an all-scopes API token, the production server on it and every
 * demo user signed in.
 */
export async function startHostileEnv(buildDir: string, prefix: string, serverEnv: Record<string, string> = {}): Promise<HostileEnv> {
  const file = tempDatabase(prefix);
  const { orgId, token } = await withDatabase(file, async () => {
    const { orgId } = await seedDemoOrganization();
    const token = createApiToken(orgId, { name: "hostile-input", scopes: [...API_SCOPES] }, SYSTEM_ACTOR);
    return { orgId, token: token.token };
  });
  // startPortal passes this process's environment on: set the extras just around it.
  const previous = Object.fromEntries(Object.keys(serverEnv).map((key) => [key, process.env[key]]));
  Object.assign(process.env, serverEnv);
  let server: PortalServer;
  try {
    server = await startPortal({ databaseFile: file, buildDir });
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const cookies = {} as Record<DemoRole, string>;
  for (const [role, email] of Object.entries(DEMO_LOGINS))
    cookies[role as DemoRole] = (await signIn(server.baseUrl, email, DEMO_PASSWORD)).cookie;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  return {
    server,
    file,
    orgId,
    orgSlug: DEMO_ORG.slug,
    token,
    cookies,
    db,
    stop: async () => {
      db.close();
      await stopPortal(server);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

/**
 * After every test of the file: every audit chain verifies, the server logged
 * no error while the test ran and still answers. Each test is checked for
 * what it left behind, whatever ran before it.
 */
export function checkEachTestLeavesTheServerSound(env: () => HostileEnv | undefined): void {
  let loggedBefore = 0;
  beforeEach(() => {
    loggedBefore = env()?.server.output().length ?? 0;
  });
  afterEach(async () => {
    const current = env();
    if (!current) return;
    await verifyAllChains(current.file);
    // Errors the server logs: 500s ("Unexpected Server Error") and their causes.
    const errors = current.server
      .output()
      .slice(loggedBefore)
      .split("\n")
      .filter((line) => /^(\w*Error\b|\[Error)/.test(line));
    expect(errors, "errors the server logged during the test").toEqual([]);
    expect((await send(current.server.baseUrl, "/healthz")).status).toBe(200);
  });
}

/* ------------------------------------------------------------------ */
/* Database fingerprint: what a rejected request must leave unchanged */
/* ------------------------------------------------------------------ */

export type Fingerprint = { counts: Record<string, number>; digests: Record<string, string>; auditHeads: Record<string, number> };

/**
 * Every table but the bookkeeping ones a read may write: failed sign-ins, and
 * the signed checkpoint an audit export or board report writes when the
 * chain's head has moved (issue #14); and what runs beside every request: the
 * scheduler's job leases, outbox deliveries and their log, a sign-in's
 * browser record (issue #16). A refused request's notifications would show in
 * `notifications`, which stays counted.
 */
const UNCOUNTED_TABLES = ["login_failures", "audit_checkpoints", "scheduled_jobs", "outbox_messages", "delivery_attempts", "known_devices"];
function tableNames(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name",
      )
      .pluck()
      .all() as string[]
  ).filter((name) => !UNCOUNTED_TABLES.includes(name));
}

// `failing_since`: a webhook's failing streak, kept by the outbox's deliveries, which run beside every request.
// `read_at`: when a person read a notification is theirs alone, like when they were last seen (not audited: inbox.server.ts).
const BOOKKEEPING_COLUMNS = ["last_used_at", "last_seen_at", "last_org_id", "failing_since", "read_at"];

/** The last fingerprint taken on each connection, with SQLite's data_version just before it was read. */
const lastFingerprint = new WeakMap<Database.Database, { version: number; fingerprint: Fingerprint }>();

/**
 * Row counts and a content digest of every table (but the login throttle's),
 * plus the head of each organisation's audit chain: any committed write changes it.
 *
 * Hashing every row costs tens of milliseconds and the hostile suites take one
 * after each of their ~1,700 requests, most of which write nothing. SQLite's
 * `data_version` changes whenever another connection (the server, or this
 * process's own writes) commits, so while it stands still the last fingerprint
 * is the answer. It is read before the snapshot: a commit in between only
 * makes the next call hash again, never miss a write.
 */
export function fingerprint(db: Database.Database): Fingerprint {
  const version = db.pragma("data_version", { simple: true }) as number;
  const last = lastFingerprint.get(db);
  if (last?.version === version) return last.fingerprint;
  const taken = hashTables(db);
  lastFingerprint.set(db, { version, fingerprint: taken });
  return taken;
}

function hashTables(db: Database.Database): Fingerprint {
  const read = db.transaction(() => {
    const counts: Record<string, number> = {};
    const digests: Record<string, string> = {};
    for (const table of tableNames(db)) {
      const hash = createHash("sha256");
      let n = 0;
      // When a token or a session was last used, the organisation a person opened last and when they read a
      // notification are bookkeeping, recorded (once a minute; on a change; on opening) whatever the request's fate.
      const columns = (db.prepare(`select name from pragma_table_info(?)`).pluck().all(table) as string[]).filter(
        (c) => !BOOKKEEPING_COLUMNS.includes(c),
      );
      for (const row of db
        .prepare(`select ${columns.map((c) => `"${c}"`).join(", ")} from "${table}" order by rowid`)
        .raw()
        .iterate()) {
        hash.update(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : Buffer.isBuffer(v) ? v.toString("hex") : v)));
        n++;
      }
      counts[table] = n;
      digests[table] = hash.digest("hex").slice(0, 16);
    }
    const heads = db.prepare("select org_id as org, max(id) as id from audit_events group by org_id").all() as Array<{
      org: number | null;
      id: number;
    }>;
    return { counts, digests, auditHeads: Object.fromEntries(heads.map((h) => [String(h.org), h.id])) };
  });
  return read();
}

const changedTables = (before: Fingerprint, after: Fingerprint) =>
  Object.keys({ ...before.digests, ...after.digests }).filter((t) => before.digests[t] !== after.digests[t]);

/**
 * Fails, naming the tables that changed, when a refused request wrote
 * anything. `allow` lists tables and audit chains ("null": sign-in events)
 * the request may legitimately touch (failed sign-ins are recorded).
 */
export function expectUnchanged(
  before: Fingerprint,
  after: Fingerprint,
  context: string,
  allow: { tables?: string[]; chains?: string[] } = {},
): void {
  const changed = changedTables(before, after).filter((t) => !allow.tables?.includes(t));
  const heads = (f: Fingerprint) => Object.fromEntries(Object.entries(f.auditHeads).filter(([org]) => !allow.chains?.includes(org)));
  expect(
    { changed, counts: Object.fromEntries(changed.map((t) => [t, `${before.counts[t]} -> ${after.counts[t]}`])), auditHeads: heads(after) },
    `a refused request wrote to the database: ${context}`,
  ).toEqual({ changed: [], counts: {}, auditHeads: heads(before) });
}

/** Autosaves by one person within this window ride on the run's first audit entry (see capture.server.ts). */

/**
 * An accepted change is never silent: whatever it wrote comes with a new audit
 * event, or, for an autosave (`autosaveBy`: the saver's email), with the audit
 * entry that person's run of saves opened less than 15 minutes ago.
 */
export function expectAudited(before: Fingerprint, after: Fingerprint, context: string, db?: Database.Database, autosaveBy?: string): void {
  const changed = changedTables(before, after);
  if (changed.length === 0 || changed.includes("audit_events")) return;
  if (db && autosaveBy) {
    const since = Date.now() - AUTOSAVE_RUN_MS;
    const runOpened = db
      .prepare("select count(*) from audit_events where actor_label = ? and created_at >= ?")
      .pluck()
      .get(autosaveBy, since) as number;
    expect(runOpened, `an autosave without an audit entry opening its run: ${context}`).toBeGreaterThan(0);
    return;
  }
  expect(changed, `a change without an audit event: ${context}`).toContain("audit_events");
}

/** Every organisation's chain verifies (the API checks the token's organisation; this checks them all). */
export async function verifyAllChains(file: string): Promise<void> {
  return withDatabase(file, () => {
    const db = new Database(file, { readonly: true });
    try {
      const orgs = db.prepare("select distinct org_id from audit_events").pluck().all() as Array<number | null>;
      for (const orgId of orgs) {
        const result = verifyAuditChain(orgId);
        expect(result.ok, `audit chain of org ${orgId}: ${JSON.stringify(result)}`).toBe(true);
      }
    } finally {
      db.close();
    }
  });
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/** A JSON API call with the environment's token that must succeed (2xx); its parsed body. */
export async function apiJson(env: HostileEnv, method: string, path: string, body?: unknown): Promise<any> {
  const reply = await send(env.server.baseUrl, `/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 500)}`).toBeLessThan(300);
  return JSON.parse(reply.text);
}

/** The API's documented error envelope, whatever the status. */
export type ApiErrorBody = { error: { code: string; message: string; issues: Array<{ path: string; message: string }> } };

export function expectErrorEnvelope(reply: Reply, context: string): ApiErrorBody {
  expect(reply.contentType, `${context}: error content type`).toMatch(/application\/json/);
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    throw new Error(`${context}: error body is not JSON: ${reply.text.slice(0, 300)}`);
  }
  const envelope = body as ApiErrorBody;
  expect(typeof envelope?.error?.code, `${context}: ${reply.text.slice(0, 300)}`).toBe("string");
  expect(envelope.error.message.length, `${context}: empty error message`).toBeGreaterThan(0);
  expect(Array.isArray(envelope.error.issues), `${context}: issues`).toBe(true);
  for (const issue of envelope.error.issues) {
    expect(typeof issue.path).toBe("string");
    expect(typeof issue.message).toBe("string");
    expect(issue.message.length).toBeGreaterThan(0);
  }
  if (reply.status === 422)
    expect(envelope.error.issues.length, `${context}: 422 without issues: ${reply.text.slice(0, 300)}`).toBeGreaterThan(0);
  return envelope;
}

/** What a Remix single-fetch action response decodes to. */
export type SingleFetchResult = {
  data?: unknown;
  error?: { kind: "ErrorResponse"; status: number; statusText: string; data: unknown } | { kind: "Error"; name: string; message: string };
  redirect?: unknown;
};

/**
 * Decodes a Remix single-fetch (`.data`) action response (turbo-stream, with
 * the same plugins as Remix's client): `{ data }`, `{ error }` or a redirect.
 */
export async function decodeSingleFetch(text: string): Promise<SingleFetchResult> {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  const decoded = await decode(stream, {
    plugins: [
      (type: string, ...rest: unknown[]) => {
        if (type === "ErrorResponse") {
          const [data, status, statusText] = rest as [unknown, number, string];
          return { value: { kind: "ErrorResponse", status, statusText, data } };
        }
        if (type === "SanitizedError") {
          const [name, message] = rest as [string, string];
          return { value: { kind: "Error", name, message } };
        }
        if (type === "SingleFetchRedirect") return { value: { redirect: rest[0] } };
        return undefined;
      },
    ],
  });
  await decoded.done;
  const value = decoded.value as Record<string, unknown> & { redirect?: unknown };
  return value.redirect !== undefined ? { redirect: value.redirect } : (value as SingleFetchResult);
}

/** The `.data` URL Remix's client posts a form to (index routes need `?index`). */
export function dataUrl(pagePath: string, index = false): string {
  const [pathname, query] = pagePath.split("?");
  const params = new URLSearchParams(query);
  if (index) params.set("index", "");
  const qs = params.toString().replace(/index=(&|$)/, "index$1");
  return `${pathname}.data${qs ? `?${qs}` : ""}`;
}

/* ------------------------------------------------------------------ */
/* Hostile values (fast-check)                                         */
/* ------------------------------------------------------------------ */

/** Fixed seed so failures replay; override with HOSTILE_SEED, scale runs with HOSTILE_RUNS. */
export const FUZZ_SEED = Number(process.env.HOSTILE_SEED ?? 20_260_611);
export const fuzzRuns = (runs: number) => Math.max(1, Math.round(runs * Number(process.env.HOSTILE_RUNS_FACTOR ?? 1)));

/** Strings known to break parsers, renderers, spreadsheets and prototype lookups. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\u202e\u2066evil\u2069",
  "\u200f\u200e",
  "\ufeff",
  "\u200b",
  "Z\u0335\u0321\u0322\u0356\u0317\u0331\u0325\u0359\u0316\u0348\u0323\u0355\u0354\u0326",
  "🏳️‍🌈👩‍👩‍👧‍👦",
  "𝕏𝔶𝔷",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "=1+1",
  '=HYPERLINK("http://evil.example","x")',
  "+cmd|' /C calc'!A0",
  "-2+3",
  "@SUM(A1:A2)",
  "\t=1",
  "\r=1",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "[x](javascript:alert(1))",
  "'; DROP TABLE models; --",
  '" OR 1=1 --',
  "%s%s%n",
  "${7*7}",
  "{{7*7}}",
  "../../../../etc/passwd",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  " 1 ",
  "9".repeat(400),
  "\n\r\n",
  "a,b,c",
  "%",
  "%zz",
  "&=&=",
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.constantFrom(
        "\u0000",
        "\ud800",
        "\udc00",
        "\u202e",
        "\u200f",
        "=",
        '"',
        ",",
        "\n",
        "\r",
        "%",
        "&",
        "<",
        ">",
        "'",
        "\\",
        "`",
        "é",
        "字",
      ),
      maxLength: 25,
    }),
  },
  // Large: well over every field limit, under (300 KB) and over (1.1 MB) the JSON body limit.
  { weight: 1, arbitrary: fc.constantFrom(70_000, 300_000, 1_100_000).map((n) => "a".repeat(n)) },
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "__defineGetter__",
    "",
    " ",
    "\u0000",
    "a.b",
    "0",
    "-1",
  ),
  hostileString.filter((s) => s.length < 1000),
);

/** Nested arrays or objects, `depth` deep, as JSON text (built without recursion). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(40, 5_000, 200_000), fc.boolean())
  .map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));

const scalarJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "0",
      "-1",
      "1e308",
      "-1e308",
      "1e999",
      "-0",
      "4.9e-324",
      "9007199254740993",
      "0.5",
      "true",
      "false",
      "null",
      "123456789012345678901234567890",
    ),
  },
);

/** Any JSON value as text: wrong types, hostile strings and keys, deep nesting. */
export const hostileJsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: scalarJsonText },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(hostileKey, tie("value")), { maxLength: 4 })
        .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
    },
    { weight: 1, arbitrary: deepJsonText },
  ),
})).value;

type JsonPath = string[];

function collectPaths(value: unknown, path: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => collectPaths(v, [...path, String(i)], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) collectPaths(v, [...path, k], out);
  return out;
}

/** Serialises `value`, replacing (raw JSON text) or dropping (null) the values at the edited paths. */
function renderEdited(
  value: unknown,
  path: JsonPath,
  edits: Map<string, string | null>,
  extras: Array<[string, string]>,
): string | undefined {
  const key = path.join("\u0001");
  if (edits.has(key)) return edits.get(key) ?? undefined;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => renderEdited(v, [...path, String(i)], edits, [])).filter((v) => v !== undefined);
    return `[${items.join(",")}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, renderEdited(v, [...path, k], edits, [])] as const)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    for (const [k, v] of extras) entries.push(`${JSON.stringify(k)}:${v}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A request body as sent: text or raw bytes. */
export type RawBody = string | Uint8Array<ArrayBuffer>;

/**
 * JSON bodies that start from a valid example and break it: some values
 * replaced by hostile JSON (wrong types, huge or unicode-heavy strings, deep
 * nesting) or dropped, hostile keys added (`__proto__`, `constructor`).
 */
export function mutatedJsonBody(example: Record<string, unknown>): fc.Arbitrary<string> {
  const paths = collectPaths(example);
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(hostileJsonText, { freq: 4 })), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(hostileKey, hostileJsonText), { maxLength: 2 }),
    )
    .map(([edits, extras]) => {
      const map = new Map(edits.map(([path, text]) => [path.join("\u0001"), text]));
      return renderEdited(example, [], map, extras) ?? "";
    });
}

/** Bodies that are not a JSON object at all: broken syntax, other types, bad bytes, deep or huge documents. */
export const brokenJsonBody: fc.Arbitrary<RawBody> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "{",
    "}",
    "[]",
    "null",
    "0",
    '"x"',
    "{'a':1}",
    "{a:1}",
    '{"a":1,}',
    "\ufeff{}",
    "{}\u0000",
    "NaN",
    '{"a":NaN}',
    '{"a":undefined}',
    "\u0000",
    "{}{}",
    "[".repeat(100_000),
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}',
  ),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.constantFrom(
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
  ),
  deepJsonText,
  fc.constant(`{"name":"${"a".repeat(1_000_001)}"}`),
);

export const jsonContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=----hostile",
      "multipart/form-data",
      "application/json; charset=latin1",
      "application/xml",
      "*/*",
    ),
  },
);

/** Short description of a body for failure messages. */
export function describeBody(body: RawBody | undefined): string {
  if (body === undefined) return "(no body)";
  if (typeof body !== "string") return `bytes[${body.length}] ${Buffer.from(body.subarray(0, 40)).toString("hex")}`;
  return body.length > 300 ? `${JSON.stringify(body.slice(0, 300))}… (${body.length} chars)` : JSON.stringify(body);
}
