/**
 * Hostile input against the real production server: property-based fuzzing
 * (fast-check) of every JSON API endpoint that takes a body or a query, of
 * every API path parameter, and of every form action with each of its
 * intents, posted by a member whose role is allowed (so the request reaches
 * validation). Bodies are malformed, wrongly typed, oversized, deeply nested,
 * unicode-heavy (lone surrogates, NUL, RTL marks) or carry prototype keys.
 *
 * For every request: never a 5xx; a refusal carries a clear error (the API's
 * JSON envelope, with field-level issues for 422; field errors or an error
 * response for forms); a refused request writes nothing (every table's
 * content and every audit-chain head are unchanged); an accepted one writes
 * nothing without its audit event. After each property the audit chain
 * verifies through the API, and at the end every chain verifies in process.
 *
 * Replay: HOSTILE_SEED=<seed>; more runs: HOSTILE_RUNS_FACTOR=4; shrink a
 * failure to a minimal input: HOSTILE_SHRINK=1.
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_ENDPOINTS } from "../../app/modules/http/openapi";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import {
  apiJson,
  brokenJsonBody,
  dataUrl,
  decodeSingleFetch,
  describeBody,
  expectErrorEnvelope,
  expectAudited,
  expectUnchanged,
  fingerprint,
  FUZZ_SEED,
  fuzzRuns,
  hostileKey,
  hostileString,
  jsonContentType,
  mutatedJsonBody,
  checkEachTestLeavesTheServerSound,
  startHostileEnv,
  type DemoRole,
  type Fingerprint,
  type HostileEnv,
  type RawBody,
} from "./hostile-fixtures";
import { send, type Reply } from "../setup/api-client";
import { joinByInvitation } from "../setup/invitations";
import { DEMO_LOGINS } from "../setup/test-orgs";

let env: HostileEnv;
let releaseBuild = () => {};
let baseline: Fingerprint;

const fuzzOptions = (runs: number) => ({ seed: FUZZ_SEED, numRuns: fuzzRuns(runs), endOnFailure: !process.env.HOSTILE_SHRINK });

/** Ids of the entities the requests aim at, created through the API and the forms. */
type Targets = {
  model: string;
  devVersion: string;
  stagingVersion: string;
  incidentId: number;
  biasAuditId: number;
  approvalRequestId: number;
  cardId: number;
  draftAssessmentId: number;
  finalizedAssessmentId: number;
  componentId: string;
  statementId: string;
  questionId: string;
  roadmapId: number;
  roadmapItemId: number;
  criterionId: number;
  victimUserId: number;
  victimTokenId: number;
  victimInvitationId: number;
  victimWebhookId: number;
  /** Users and tokens a fuzzed id must never hit (the suite signs in and calls the API with them). */
  protectedUserIds: number[];
  protectedTokenIds: number[];
};
let t: Targets;

const api = (method: string, path: string, body?: unknown) => apiJson(env, method, path, body);

async function postForm(role: DemoRole, pagePath: string, fields: Record<string, string>): Promise<Reply> {
  return send(env.server.baseUrl, pagePath, { method: "POST", headers: { cookie: env.cookies[role] }, body: new URLSearchParams(fields) });
}

const scalar = (sql: string, ...params: unknown[]) =>
  env.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;

async function prepareTargets(): Promise<Targets> {
  const model = "hostile-target";
  await api("POST", "/models", { name: "Hostile target", slug: model, riskTier: "limited", ownerTeam: "Fuzzers" });
  const lineage = {
    codeRef: "git:abc123",
    trainingData: { ref: "s3://lake/x", version: "1" },
    hyperparameters: { lr: 0.1 },
    metrics: { auc: 0.8 },
  };
  await api("POST", `/models/${model}/versions`, { version: "1.0.0", ...lineage });
  await api("POST", `/models/${model}/versions`, { version: "1.1.0", stage: "staging", ...lineage });
  const incident = await api("POST", `/models/${model}/versions/1.0.0/incidents`, {
    title: "Drift",
    severity: "sev3",
    startedAt: "2026-01-05T10:00:00Z",
  });
  const audit = await api("POST", `/models/${model}/versions/1.0.0/bias-audits`, {
    config: {
      groupColumns: ["g"],
      labelColumn: "y",
      positiveLabels: ["1"],
      predictionColumn: "p",
      positivePredictions: ["1"],
      minGroupSize: 1,
    },
    rows: [
      { g: "a", y: "1", p: "1" },
      { g: "a", y: "0", p: "0" },
      { g: "b", y: "1", p: "0" },
      { g: "b", y: "0", p: "1" },
    ],
  });
  const approval = await api("POST", `/models/${model}/versions/1.1.0/approval-requests`, { reason: "ship it" });
  const card = await postForm("team", `/orgs/demo/models/${model}/versions/1.0.0/card/edit`, {
    modelDetails: "A model",
    intendedUse: "Testing",
  });
  expect(card.status, card.text.slice(0, 300)).toBeLessThan(400);
  const assessments = (await api("GET", "/assessments")).assessments as Array<{ id: number; status: string }>;
  const framework = await api("GET", "/framework");
  await joinByInvitation(env.server.baseUrl, env.cookies.admin, "demo", {
    email: "victim@demo.local",
    name: "Victim",
    password: "Victim-Passw0rd!",
    role: "team",
  });
  const pending = await postForm("admin", "/orgs/demo/admin?index", { intent: "invite", email: "pending@demo.local", role: "team" });
  expect(pending.status, pending.text.slice(0, 300)).toBeLessThan(400);
  const token = await postForm("admin", "/orgs/demo/admin/tokens", { intent: "create", name: "victim token", scopes: "registry:read" });
  expect(token.status, token.text.slice(0, 300)).toBeLessThan(400);
  // A receiver whose name never resolves (.invalid): a fuzzed test event goes nowhere.
  const webhook = await postForm("admin", "/orgs/demo/admin/webhooks?index", {
    intent: "create",
    url: "https://victim.hostile.invalid/hooks",
    events: "incident.opened",
  });
  expect(webhook.status, webhook.text.slice(0, 300)).toBeLessThan(400);
  const roadmapId = scalar("select id from roadmaps where org_id = ? and status = 'active' order by id desc", env.orgId);
  return {
    model,
    devVersion: "1.0.0",
    stagingVersion: "1.1.0",
    incidentId: incident.id,
    biasAuditId: audit.id,
    approvalRequestId: approval.id,
    cardId: scalar(
      "select c.id from model_cards c join models m on m.id = c.model_id join model_versions v on v.id = c.version_id where m.slug = ? and v.version = '1.0.0'",
      model,
    ),
    draftAssessmentId: assessments.find((a) => a.status === "draft")!.id,
    finalizedAssessmentId: assessments.filter((a) => a.status === "finalized").at(-1)!.id,
    componentId: framework.components[0].id,
    statementId: framework.components[0].capabilities[0].id,
    questionId: framework.questions[0].id,
    roadmapId,
    roadmapItemId: scalar("select id from roadmap_items where roadmap_id = ? and status <> 'closed' order by id", roadmapId),
    criterionId: scalar('select id from roadmap_criteria where roadmap_id = ? and "check" is null order by id', roadmapId),
    victimUserId: scalar("select id from users where email = 'victim@demo.local'"),
    victimTokenId: scalar("select id from api_tokens where name = 'victim token'"),
    victimInvitationId: scalar("select id from invitations where email = 'pending@demo.local' and status = 'pending'"),
    victimWebhookId: scalar("select id from webhook_endpoints where url = 'https://victim.hostile.invalid/hooks'"),
    protectedUserIds: Object.values(DEMO_LOGINS).map((email) => scalar("select id from users where email = ?", email)),
    protectedTokenIds: [scalar("select id from api_tokens where name = 'hostile-input'")],
  };
}

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  env = await startHostileEnv(build.buildDir, "portal-hostile-input-");
  t = await prepareTargets();
  baseline = fingerprint(env.db);
}, 240_000);

// A fresh baseline per test, so one failure does not make the next tests fail too.
beforeEach(() => {
  if (env) baseline = fingerprint(env.db);
});
checkEachTestLeavesTheServerSound(() => env);

afterAll(async () => {
  await env?.stop();
  killAllPortals();
  releaseBuild();
});

/**
 * The write checks around one request: nothing written when it was refused
 * (status >= 400), nothing written without an audit event when accepted.
 */
function checkWrites(reply: Reply, context: string, allow?: Parameters<typeof expectUnchanged>[3], autosaveBy?: string): void {
  const after = fingerprint(env.db);
  if (reply.status >= 400) expectUnchanged(baseline, after, context, allow);
  else expectAudited(baseline, after, context, env.db, autosaveBy);
  baseline = after;
}

async function expectChainVerifies(): Promise<void> {
  const reply = await send(env.server.baseUrl, "/api/v1/audit/verify", { headers: { authorization: `Bearer ${env.token}` } });
  expect(reply.status, reply.text).toBe(200);
  expect(JSON.parse(reply.text)).toMatchObject({ ok: true });
}

/* ------------------------------------------------------------------ */
/* JSON API                                                            */
/* ------------------------------------------------------------------ */

type ApiCase = { path: () => string; example?: () => Record<string, unknown>; queryKeys?: string[] };

/** One valid request per endpoint that takes input; hostile bodies start from it. Keyed "METHOD /template". */
const API_CASES: Record<string, ApiCase> = {
  "GET /models": { path: () => "/models", queryKeys: ["q", "stage", "riskTier", "team", "tag", "sort", "page", "pageSize"] },
  "POST /models": {
    path: () => "/models",
    example: () => ({
      name: "Fuzzed model",
      slug: "fuzzed-model",
      riskTier: "minimal",
      ownerTeam: "Team",
      ownerEmail: "team@demo.local",
      useCase: "Use",
      description: "Desc",
      tags: ["a", "b"],
    }),
  },
  "POST /models/{slug}/versions": {
    path: () => `/models/${t.model}/versions`,
    example: () => ({
      version: "3.0.0",
      stage: "development",
      algorithm: "xgboost",
      framework: "sklearn",
      hyperparameters: { lr: 0.1, layers: [64, 32], nested: { a: { b: 1 } } },
      trainingData: { ref: "s3://lake/train", version: "2026-01" },
      codeRef: "git:abc",
      artifactUri: "s3://models/m",
      metrics: { auc: 0.81, "f1.macro": 0.7 },
      parentVersion: "1.0.0",
    }),
  },
  "POST /models/{slug}/versions/{version}/transitions": {
    path: () => `/models/${t.model}/versions/${t.devVersion}/transitions`,
    example: () => ({ to: "validation", reason: "checked" }),
  },
  "POST /models/{slug}/versions/{version}/incidents": {
    path: () => `/models/${t.model}/versions/${t.devVersion}/incidents`,
    example: () => ({
      title: "Latency spike",
      severity: "sev2",
      status: "open",
      startedAt: "2026-02-01T10:00:00Z",
      detectedAt: "2026-02-01T10:05:00Z",
      description: "Slow",
      reviewUrl: "https://example.com/review",
    }),
  },
  "PATCH /incidents/{id}": {
    path: () => `/incidents/${t.incidentId}`,
    example: () => ({
      title: "Drift again",
      severity: "sev1",
      status: "mitigated",
      detectedAt: "2026-01-05T11:00:00Z",
      description: "d",
      reviewUrl: "https://example.com/r",
    }),
  },
  "POST /models/{slug}/versions/{version}/monitoring": {
    path: () => `/models/${t.model}/versions/${t.devVersion}/monitoring`,
    example: () => ({ observedAt: "2026-02-01T00:00:00Z", metrics: { accuracy: 0.9, "latency.p95": 120 } }),
  },
  "GET /metrics": { path: () => "/metrics", queryKeys: ["from", "to"] },
  "GET /framework": { path: () => "/framework", queryKeys: ["version"] },
  "GET /audit/verify": { path: () => "/audit/verify", queryKeys: ["seq", "headHash"] },
  "GET /audit/public-key": { path: () => "/audit/public-key", queryKeys: ["keyId"] },
  "GET /audit/events": { path: () => "/audit/events", queryKeys: ["afterSeq", "limit"] },
  "POST /models/{slug}/versions/{version}/bias-audits": {
    path: () => `/models/${t.model}/versions/${t.devVersion}/bias-audits`,
    example: () => ({
      config: {
        groupColumns: ["g"],
        labelColumn: "y",
        positiveLabels: ["1"],
        predictionColumn: "p",
        positivePredictions: ["1"],
        minGroupSize: 1,
        preset: "org-default",
      },
      rows: [
        { g: "a", y: "1", p: "1" },
        { g: "b", y: 1, p: 0 },
        { g: "a", y: "0", p: true },
        { g: "b", y: null, p: "1" },
      ],
    }),
  },
  "POST /models/{slug}/versions/{version}/approval-requests": {
    path: () => `/models/${t.model}/versions/${t.stagingVersion}/approval-requests`,
    example: () => ({ reason: "Ready for production" }),
  },
  // A past quarter: a future one is always refused.
  "POST /assessments": { path: () => "/assessments", example: () => ({ period: "2019-Q1", frameworkVersion: "1" }) },
  "PUT /assessments/{id}/responses": {
    path: () => `/assessments/${t.draftAssessmentId}/responses`,
    example: () => ({
      capabilities: [
        { id: t.statementId, status: "in_place", reason: "r", evidence: { note: "n", url: "https://example.com/e", date: "2026-01-01" } },
      ],
      questions: [{ id: t.questionId, level: 3, note: "n" }],
    }),
  },
  "POST /assessments/{id}/finalize": {
    path: () => `/assessments/${t.draftAssessmentId}/finalize`,
    example: () => ({ justifications: { [t.componentId]: "We have the evidence" } }),
  },
  // The draft cannot be withdrawn (409): the body still reaches validation.
  "POST /assessments/{id}/withdraw": {
    path: () => `/assessments/${t.draftAssessmentId}/withdraw`,
    example: () => ({ reason: "Scored against the wrong unit" }),
  },
  "POST /assessments/{id}/roadmap": {
    path: () => `/assessments/${t.finalizedAssessmentId}/roadmap`,
    example: () => ({ startDate: "2027-01-01" }),
  },
  "PATCH /roadmap-items/{id}": {
    path: () => `/roadmap-items/${t.roadmapItemId}`,
    example: () => ({ status: "in_progress", ownerEmail: "team@demo.local", evidence: "Evidence", team: "Platform" }),
  },
  "POST /webhooks": {
    path: () => "/webhooks",
    example: () => ({
      url: "https://fuzzed.hostile.invalid/hooks",
      events: ["approval.requested", "incident.opened", "assessment.submitted"],
      description: "Fuzzed",
    }),
  },
};

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as a browser sends them). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}

async function sendApi(method: string, path: string, body: RawBody | undefined, contentType: string | undefined): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${env.token}` };
  if (contentType !== undefined) headers["content-type"] = contentType;
  return send(env.server.baseUrl, `/api/v1${path}`, { method: method.toUpperCase(), headers, body });
}

function checkApiReply(reply: Reply, context: string): void {
  expect(reply.status, `${context} → ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  if (reply.status >= 400) expectErrorEnvelope(reply, context);
  checkWrites(reply, context);
}

describe("JSON API: hostile bodies and queries", () => {
  it("has a hostile-input case for every endpoint that takes a body or a query", () => {
    const missing = API_ENDPOINTS.filter((e) => e.body || e.query)
      .map((e) => `${e.method.toUpperCase()} ${e.path}`)
      .filter((key) => !API_CASES[key]);
    expect(missing).toEqual([]);
  });

  for (const endpoint of API_ENDPOINTS.filter((e) => e.body)) {
    const key = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
    it(`${key}: never 5xx, a clear error and no write for every hostile body`, async () => {
      const c = API_CASES[key]!;
      const body = fc.oneof(
        { weight: 6, arbitrary: mutatedJsonBody(c.example!()) as fc.Arbitrary<RawBody> },
        { weight: 2, arbitrary: brokenJsonBody },
      );
      await fc.assert(
        fc.asyncProperty(body, jsonContentType, async (raw, contentType) => {
          const reply = await sendApi(endpoint.method, c.path(), raw, contentType);
          checkApiReply(reply, `${key} [${contentType}] ${describeBody(raw)}`);
        }),
        fuzzOptions(30),
      );
      await expectChainVerifies();
    }, 180_000);
  }

  const rawQueries = [
    "q=%",
    "q=%zz",
    "page=%FF%FE",
    "from=%E0%A4%A",
    "q=%00",
    "page=1e999",
    "pageSize=-1",
    "page=9007199254740993",
    "from=2026-02-30",
    "from=2026-01-01&to=2025-01-01",
    "to=0000-00-00T25:61",
    "&&&==",
    "q[]=1&q[]=2",
    "__proto__[x]=1&constructor=1",
  ];
  for (const endpoint of API_ENDPOINTS.filter((e) => e.query)) {
    const key = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
    it(`${key}: never 5xx and a clear error for every hostile query`, async () => {
      const c = API_CASES[key]!;
      const query = fc.oneof(
        fc
          .array(
            fc.tuple(
              fc.oneof(fc.constantFrom(...c.queryKeys!), hostileKey),
              hostileString.filter((s) => s.length < 5000),
            ),
            { maxLength: 6 },
          )
          .map((pairs) => new URLSearchParams(pairs).toString()),
        fc.constantFrom(...rawQueries),
      );
      await fc.assert(
        fc.asyncProperty(query, async (qs) => {
          const reply = await sendApi("GET", `${c.path()}?${qs}`, undefined, undefined);
          checkApiReply(reply, `${key}?${qs.slice(0, 300)}`);
        }),
        fuzzOptions(30),
      );
    }, 120_000);
  }

  // A request refused before its body is read (here a 401 for a bad token) must not leave the
  // unread rest on the keep-alive connection: the server drains it (scripts/server/index.ts).
  it("a refusal before the body is read leaves the keep-alive connection usable", async () => {
    const refused = await send(env.server.baseUrl, "/api/v1/models", {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(300_000), riskTier: "minimal" }),
    });
    expect(refused.status).toBe(401);
    const next = await send(env.server.baseUrl, "/healthz", { signal: AbortSignal.timeout(2_500) });
    expect(next.status).toBe(200);
  }, 20_000);

  it("every endpoint: never 5xx for hostile path parameters (ids, slugs, versions)", async () => {
    const segment = fc.oneof(
      hostileString.filter((s) => s.length < 300).map(percentEncode),
      fc.constantFrom(
        "%",
        "%zz",
        "%00",
        "%2e%2e",
        "%2F",
        "9".repeat(30),
        "-1",
        "0",
        "1.5",
        "1e3",
        "%20",
        "%F0%9F",
        "__proto__",
        "constructor",
        ".",
        "%FF",
      ),
    );
    const withParams = API_ENDPOINTS.filter((e) => e.path.includes("{"));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: withParams.length - 1 }), fc.array(segment, { minLength: 3, maxLength: 3 }), async (n, segments) => {
        const e = withParams[n]!;
        let i = 0;
        const path = e.path.replace(/\{\w+\}/g, () => segments[i++]!);
        const c = API_CASES[`${e.method.toUpperCase()} ${e.path}`];
        const body = c?.example ? JSON.stringify(c.example()) : undefined;
        const reply = await sendApi(e.method, path, body, body ? "application/json" : undefined);
        const context = `${e.method.toUpperCase()} ${path}`;
        checkApiReply(reply, context);
      }),
      fuzzOptions(120),
    );
    await expectChainVerifies();
  }, 180_000);
});

/* ------------------------------------------------------------------ */
/* Form actions                                                        */
/* ------------------------------------------------------------------ */

type FormFields = Record<string, string | string[]>;
/** `autosaves`: the action saves as you go, so a repeat save may ride on the run's first audit entry. */
type FormIntent = { role: DemoRole; fields: () => FormFields; autosaves?: true };
type FormTarget = {
  name: string;
  path: () => string;
  index?: boolean;
  /** "" = the action has no `intent` field. */
  intents: Record<string, FormIntent>;
};

const FORM_TARGETS: FormTarget[] = [
  {
    name: "admin members",
    path: () => "/orgs/demo/admin",
    index: true,
    intents: {
      invite: { role: "admin", fields: () => ({ email: "fuzz-user@demo.local", role: "team" }) },
      "revoke-invitation": { role: "admin", fields: () => ({ invitationId: String(t.victimInvitationId), confirm: "on" }) },
      "change-role": { role: "admin", fields: () => ({ userId: String(t.victimUserId), role: "auditor" }) },
      "remove-member": { role: "admin", fields: () => ({ userId: String(t.victimUserId), confirm: "on" }) },
      "deactivate-user": { role: "admin", fields: () => ({ userId: String(t.victimUserId), confirm: "on" }) },
      "end-sessions": { role: "admin", fields: () => ({ userId: String(t.victimUserId), confirm: "on" }) },
    },
  },
  {
    name: "admin settings",
    path: () => "/orgs/demo/admin/settings",
    intents: {
      "": { role: "admin", fields: () => ({ fairnessRatioMin: "0.8", fairnessDifferenceMax: "0.1", fairnessPreset: "org-default" }) },
      fairness: { role: "admin", fields: () => ({ fairnessRatioMin: "0.8", fairnessDifferenceMax: "0.1", fairnessPreset: "org-default" }) },
      framework: { role: "admin", fields: () => ({ frameworkVersion: "2" }) },
      "time-zone": { role: "admin", fields: () => ({ timeZone: "Europe/Berlin" }) },
    },
  },
  {
    name: "admin tokens",
    path: () => "/orgs/demo/admin/tokens",
    intents: {
      create: { role: "admin", fields: () => ({ name: "fuzz token", scopes: ["registry:read", "audit:read"] }) },
      revoke: { role: "admin", fields: () => ({ tokenId: String(t.victimTokenId), confirm: "on" }) },
    },
  },
  // Before the list page, whose `delete` removes the victim webhook.
  {
    name: "webhook delivery log",
    path: () => `/orgs/demo/admin/webhooks/${t.victimWebhookId}`,
    intents: {
      "send-test": { role: "admin", fields: () => ({ webhookId: String(t.victimWebhookId) }) },
      enable: { role: "admin", fields: () => ({ webhookId: String(t.victimWebhookId) }) },
    },
  },
  {
    name: "admin webhooks",
    path: () => "/orgs/demo/admin/webhooks",
    index: true,
    intents: {
      create: {
        role: "admin",
        fields: () => ({
          url: "https://fuzz.hostile.invalid/hooks",
          events: ["incident.opened", "approval.requested"],
          description: "Fuzzed",
        }),
      },
      "send-test": { role: "admin", fields: () => ({ webhookId: String(t.victimWebhookId) }) },
      enable: { role: "admin", fields: () => ({ webhookId: String(t.victimWebhookId) }) },
      delete: { role: "admin", fields: () => ({ webhookId: String(t.victimWebhookId), confirm: "on" }) },
    },
  },
  {
    // The discovery check refuses a private address (OIDC_ALLOW_PRIVATE is off) before any request.
    name: "admin single sign-on",
    path: () => "/orgs/demo/admin/sso",
    intents: {
      save: {
        role: "admin",
        fields: () => ({
          issuer: "https://login.fuzz.example",
          clientId: "fuzz-client",
          clientSecret: "fuzz-secret",
          groupsClaim: "groups",
          mapGroup: ["ml-eng", "ml-leads"],
          mapRole: ["team", "leadership"],
          defaultRole: "",
          createUsers: "on",
          breakGlassUserId: "",
          enabled: "on",
        }),
      },
      "check-discovery": { role: "admin", fields: () => ({ issuer: "https://127.0.0.1:9/fuzz" }) },
      claim: { role: "admin", fields: () => ({ domain: "fuzz.example" }) },
      withdraw: { role: "admin", fields: () => ({ claimId: "999999" }) },
    },
  },
  {
    // Unknown claims write nothing; no hostile text names one.
    name: "single sign-on domains",
    path: () => "/admin/domains",
    intents: {
      approve: { role: "admin", fields: () => ({ claimId: "999999", confirm: "on" }) },
      reject: { role: "admin", fields: () => ({ claimId: "999999", confirm: "on" }) },
      revoke: { role: "admin", fields: () => ({ claimId: "999999", confirm: "on" }) },
    },
  },
  {
    name: "approval request",
    path: () => `/orgs/demo/approvals/${t.approvalRequestId}`,
    intents: {
      decide: { role: "ethics", fields: () => ({ decision: "reject", comment: "Not yet" }) },
      cancel: { role: "admin", fields: () => ({}) },
    },
  },
  {
    name: "assessment",
    path: () => `/orgs/demo/assessments/${t.draftAssessmentId}`,
    index: true,
    intents: {
      submit: { role: "leadership", fields: () => ({}) },
      // The draft cannot be withdrawn (409): the form still reaches validation.
      withdraw: { role: "leadership", fields: () => ({ reason: "Scored against the wrong unit" }) },
    },
  },
  {
    name: "assessment finalisation",
    path: () => `/orgs/demo/assessments/${t.draftAssessmentId}/finalize`,
    intents: { "": { role: "leadership", fields: () => ({ [`justification.${t.componentId}`]: "We have evidence" }) } },
  },
  {
    name: "assessment capture",
    path: () => `/orgs/demo/assessments/${t.draftAssessmentId}/components/${t.componentId}`,
    intents: {
      "": {
        role: "leadership",
        fields: () => ({
          [`s.${t.statementId}.status`]: "partial",
          [`s.${t.statementId}.reason`]: "",
          [`s.${t.statementId}.note`]: "A note",
          [`s.${t.statementId}.url`]: "https://example.com/evidence",
          [`s.${t.statementId}.date`]: "2026-01-31",
          [`q.${t.questionId}.level`]: "3",
          [`q.${t.questionId}.note`]: "Answer",
          autosave: "1",
        }),
        autosaves: true,
      },
      "add-note": { role: "team", fields: () => ({ statementId: t.statementId, body: "Evidence note", url: "https://example.com/n" }) },
    },
  },
  {
    name: "new assessment",
    path: () => "/orgs/demo/assessments",
    index: true,
    intents: { "": { role: "leadership", fields: () => ({ period: "2018-Q2", frameworkVersion: "1" }) } },
  },
  { name: "audit verify", path: () => "/orgs/demo/audit", intents: { "": { role: "auditor", fields: () => ({}) } } },
  {
    name: "inbox",
    path: () => "/orgs/demo/inbox",
    intents: {
      open: { role: "ethics", fields: () => ({ id: "1" }) },
      "mark-all-read": { role: "ethics", fields: () => ({ upTo: "1" }) },
    },
  },
  {
    name: "bias audit sign-off",
    path: () => `/orgs/demo/bias-audits/${t.biasAuditId}`,
    intents: { "": { role: "ethics", fields: () => ({ decision: "reject", comment: "Groups too small" }) } },
  },
  {
    name: "model objectives",
    path: () => `/orgs/demo/models/${t.model}`,
    index: true,
    intents: {
      follow: { role: "auditor", fields: () => ({ following: "yes" }) },
      "set-objective": { role: "team", fields: () => ({ metric: "accuracy", comparison: ">=", threshold: "0.8" }) },
      "remove-objective": { role: "team", fields: () => ({ metric: "accuracy" }) },
    },
  },
  {
    name: "model edit",
    path: () => `/orgs/demo/models/${t.model}/edit`,
    intents: {
      "": {
        role: "team",
        fields: () => ({
          name: "Hostile target",
          riskTier: "limited",
          ownerTeam: "Fuzzers",
          ownerEmail: "team@demo.local",
          businessOwner: "Owner",
          businessDomain: "Domain",
          useCase: "Use",
          description: "Desc",
          tags: "a,b",
        }),
      },
    },
  },
  {
    name: "model version",
    path: () => `/orgs/demo/models/${t.model}/versions/${t.devVersion}`,
    intents: {
      transition: { role: "team", fields: () => ({ to: "validation", reason: "ok" }) },
      "report-incident": {
        role: "team",
        fields: () => ({
          title: "Outage",
          severity: "sev2",
          status: "open",
          startedAt: "2026-03-01T10:00",
          detectedAt: "2026-03-01T10:30",
          description: "d",
          reviewUrl: "",
        }),
      },
      "request-promotion": { role: "team", fields: () => ({ reason: "Please" }) },
      "update-incident": {
        role: "team",
        fields: () => ({ incidentId: String(t.incidentId), status: "resolved", resolvedAt: "2026-03-02T10:00" }),
      },
    },
  },
  {
    name: "model card",
    path: () => `/orgs/demo/models/${t.model}/versions/${t.devVersion}/card`,
    intents: {
      submit: { role: "team", fields: () => ({ cardId: String(t.cardId) }) },
      review: { role: "ethics", fields: () => ({ cardId: String(t.cardId), decision: "request_changes", comment: "More detail" }) },
      comment: { role: "ethics", fields: () => ({ cardId: String(t.cardId), section: "general", body: "Looks fine" }) },
    },
  },
  {
    name: "model card edit",
    path: () => `/orgs/demo/models/${t.model}/versions/${t.devVersion}/card/edit`,
    intents: {
      "": {
        role: "team",
        fields: () => ({
          modelDetails: "# Details\n\n[link](https://example.com)",
          intendedUse: "Use",
          outOfScopeUses: "None",
          factors: "F",
          metrics: "| a | b |\n|---|---|\n| 1 | 2 |",
          evaluationData: "E",
          trainingData: "T",
          quantitativeAnalyses: "Q",
          ethicalConsiderations: "E",
          caveatsAndRecommendations: "C",
        }),
      },
    },
  },
  {
    name: "new version",
    path: () => `/orgs/demo/models/${t.model}/versions/new`,
    intents: {
      "": {
        role: "team",
        fields: () => ({
          version: "4.0.0",
          stage: "development",
          algorithm: "gbm",
          framework: "lightgbm",
          hyperparameters: '{"lr":0.1}',
          trainingDataRef: "s3://lake/t",
          trainingDataVersion: "1",
          codeRef: "git:1",
          artifactUri: "s3://a",
          metrics: "auc=0.8\nf1=0.7",
          parentVersion: "1.0.0",
        }),
      },
    },
  },
  {
    name: "new model",
    path: () => "/orgs/demo/models/new",
    intents: {
      "": {
        role: "team",
        fields: () => ({
          name: "Form model",
          slug: "form-model",
          riskTier: "high",
          ownerTeam: "T",
          useCase: "U",
          description: "D",
          tags: "x, y",
        }),
      },
    },
  },
  {
    name: "roadmap",
    path: () => `/orgs/demo/roadmaps/${t.roadmapId}`,
    index: true,
    intents: {
      update: { role: "team", fields: () => ({ itemId: String(t.roadmapItemId), status: "blocked", team: "Platform" }) },
      assign: { role: "team", fields: () => ({ itemIds: [String(t.roadmapItemId)], ownerEmail: "team@demo.local" }) },
      tick: { role: "leadership", fields: () => ({ criterionId: String(t.criterionId), met: "yes", evidence: "Done and dusted" }) },
    },
  },
  {
    name: "roadmap item",
    path: () => `/orgs/demo/roadmaps/${t.roadmapId}/items/${t.roadmapItemId}`,
    intents: {
      update: { role: "team", fields: () => ({ status: "in_progress", ownerEmail: "none", evidence: "E" }) },
      comment: { role: "team", fields: () => ({ body: "On it" }) },
    },
  },
  {
    name: "generate roadmap",
    path: () => "/orgs/demo/roadmaps/new",
    intents: {
      "": {
        role: "leadership",
        fields: () => ({ assessmentId: String(t.finalizedAssessmentId), startDate: "2027-04-01", replacesRoadmapId: "none" }),
      },
    },
  },
  {
    // Refused uploads and unknown versions write nothing; no hostile text is a valid framework version.
    name: "framework versions",
    path: () => "/admin/frameworks",
    intents: {
      upload: { role: "admin", fields: () => ({ content: '{"id":"technology-operations","version":"77"}' }) },
      publish: { role: "admin", fields: () => ({ versionId: "999999", confirm: "on" }) },
      delete: { role: "admin", fields: () => ({ versionId: "999999" }) },
    },
  },
  {
    name: "create organisation",
    path: () => "/admin/organizations",
    intents: {
      "": {
        role: "admin",
        fields: () => ({
          slug: "fuzz-org",
          name: "Fuzz Org",
          adminEmail: "boss@fuzz.example",
          adminName: "Boss",
          adminPassword: "Fuzz-Passw0rd!",
        }),
      },
    },
  },
];

/** A form post as sent: the entries, and how they are encoded. */
type FormRequest = {
  encoding: "urlencoded" | "multipart" | "raw";
  entries: Array<[string, string]>;
  files: string[];
  raw?: { body: RawBody; contentType?: string };
};

/** Form entries from a valid example with values replaced, dropped, repeated, or hostile fields added. */
function mutatedForm(example: FormFields, intentName: string): fc.Arbitrary<Array<[string, string]>> {
  const entries: Array<[string, string]> = Object.entries(example).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]],
  );
  const withIntent: Array<[string, string]> = intentName ? [["intent", intentName], ...entries] : entries;
  const edit = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constant("replace" as const), fc.nat(), hostileString) },
    { weight: 2, arbitrary: fc.tuple(fc.constant("delete" as const), fc.nat(), fc.constant("")) },
    { weight: 1, arbitrary: fc.tuple(fc.constant("repeat" as const), fc.nat(), hostileString) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.constant("add" as const),
        fc.nat(),
        fc.tuple(hostileKey, hostileString).map(([k, v]) => `${k}\u0001${v}`),
      ),
    },
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    // The intent is only replaced now and then, so most requests reach their intent's validation.
    const out = withIntent.map((e) => [...e] as [string, string]);
    for (const [op, n, value] of edits) {
      const i = out.length ? n % out.length : 0;
      if (op === "replace" && out[i] && !(out[i]![0] === "intent" && n % 4 !== 0)) out[i]![1] = value;
      else if (op === "delete" && out[i] && out[i]![0] !== "intent") out.splice(i, 1);
      else if (op === "repeat" && out[i]) out.push([out[i]![0], value]);
      else if (op === "add") {
        const [k, v] = value.split("\u0001") as [string, string];
        out.push([k, v ?? ""]);
      }
    }
    return out;
  });
}

const MULTIPART_GARBAGE =
  '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--b\r\nContent-Disposition: form-data\r\n\r\nno name\r\n';

function formRequest(example: FormFields, intentName: string): fc.Arbitrary<FormRequest> {
  const entries = mutatedForm(example, intentName);
  const raw = fc.oneof(
    fc.tuple(entries, fc.constantFrom("application/json", "text/plain", undefined)).map(([e, contentType]) => ({
      body: JSON.stringify(Object.fromEntries(e)),
      contentType,
    })),
    fc.constantFrom<{ body: RawBody; contentType?: string }>(
      { body: MULTIPART_GARBAGE, contentType: "multipart/form-data; boundary=b" },
      { body: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated', contentType: "multipart/form-data; boundary=b" },
      { body: "garbage", contentType: "multipart/form-data" },
      { body: "a=1", contentType: "application/x-www-form-urlencoded; charset=utf-16" },
      { body: new Uint8Array([0xff, 0xfe, 0x00, 0x01]), contentType: undefined },
      { body: `intent=${intentName}&name=${"a".repeat(4_300_000)}`, contentType: "application/x-www-form-urlencoded" },
    ),
    // Invalid percent-encoding and raw bytes that are not UTF-8.
    entries.map((e) => ({
      body: `${e.map(([k, v], i) => `${encodeURIComponent(k)}=${i % 2 ? "%FF%FE%C0%AF" : encodeURIComponent(v)}%`).join("&")}&%E0%A4=%00`,
      contentType: "application/x-www-form-urlencoded",
    })),
  );
  return fc.oneof(
    { weight: 6, arbitrary: entries.map((e): FormRequest => ({ encoding: "urlencoded", entries: e, files: [] })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(entries, fc.subarray(Object.keys(example), { maxLength: Math.min(1, Object.keys(example).length) }))
        .map(([e, files]): FormRequest => ({ encoding: "multipart", entries: e, files })),
    },
    { weight: 2, arbitrary: raw.map((r): FormRequest => ({ encoding: "raw", entries: [], files: [], raw: r })) },
  );
}

function encodeForm(request: FormRequest): { body: RawBody | FormData | URLSearchParams; contentType?: string } {
  if (request.encoding === "raw") return { body: request.raw!.body, contentType: request.raw!.contentType };
  if (request.encoding === "urlencoded") return { body: new URLSearchParams(request.entries) };
  const form = new FormData();
  for (const [k, v] of request.entries) {
    if (request.files.includes(k))
      form.append(k, new Blob([v, "\u0000\uffff"], { type: "application/octet-stream" }), "../../evil\u0000.csv");
    else form.append(k, v);
  }
  return { body: form };
}

function describeForm(request: FormRequest): string {
  if (request.encoding === "raw") return `raw [${request.raw!.contentType}] ${describeBody(request.raw!.body)}`;
  return `${request.encoding}${request.files.length ? ` files=${request.files}` : ""} ${describeBody(JSON.stringify(request.entries))}`;
}

/** Numeric ids (as zod's coercion reads them) that would hit a protected user or token. */
function hitsProtected(entries: Array<[string, string]>): boolean {
  const ids = (key: string) => entries.filter(([k]) => k === key).map(([, v]) => Number(v));
  return ids("userId").some((id) => t.protectedUserIds.includes(id)) || ids("tokenId").some((id) => t.protectedTokenIds.includes(id));
}

async function checkFormReply(reply: Reply, transport: "data" | "document", context: string): Promise<void> {
  expect(reply.status, `${context} → ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  if (reply.status < 400) return;
  if (transport === "document") {
    expect(reply.contentType, context).toMatch(/text\/html/);
    return;
  }
  const result = await decodeSingleFetch(reply.text);
  if (result.error) {
    // A refusal thrown as a Response (404, 403, 413, 415, …): its status and message reach the client.
    expect(result.error, context).toMatchObject({ kind: "ErrorResponse", status: reply.status });
    const message = result.error.kind === "ErrorResponse" ? String(result.error.data ?? result.error.statusText) : "";
    expect(message.length, `${context}: empty error message`).toBeGreaterThan(0);
    return;
  }
  // A refusal returned by the action: field errors, each with a message.
  const data = result.data as { ok?: boolean; errors?: Record<string, unknown> } | undefined;
  expect(data?.ok, `${context}: ${JSON.stringify(data).slice(0, 300)}`).not.toBe(true);
  const errors = Object.values(data?.errors ?? {});
  expect(errors.length, `${context}: no field errors in ${JSON.stringify(data).slice(0, 300)}`).toBeGreaterThan(0);
  for (const message of errors) expect(typeof message === "string" && message.length > 0, `${context}: ${JSON.stringify(data)}`).toBe(true);
}

describe("form actions: hostile posts by an allowed member", () => {
  for (const target of FORM_TARGETS) {
    for (const [intentName, spec] of Object.entries(target.intents)) {
      it(`${target.name}${intentName ? ` (${intentName})` : ""}: never 5xx, field errors and no write`, async () => {
        const requests = formRequest(spec.fields(), intentName).filter((r) => !hitsProtected(r.entries));
        await fc.assert(
          fc.asyncProperty(requests, fc.constantFrom("data" as const, "document" as const), async (request, transport) => {
            const pagePath = target.path();
            const url = transport === "data" ? dataUrl(pagePath, target.index) : target.index ? `${pagePath}?index` : pagePath;
            const { body, contentType } = encodeForm(request);
            const headers: Record<string, string> = { cookie: env.cookies[spec.role] };
            if (contentType) headers["content-type"] = contentType;
            const reply = await send(env.server.baseUrl, url, { method: "POST", headers, body });
            const context = `POST ${url} as ${spec.role}: ${describeForm(request)}`;
            await checkFormReply(reply, transport, context);
            checkWrites(reply, context, undefined, spec.autosaves ? DEMO_LOGINS[spec.role] : undefined);
          }),
          fuzzOptions(20),
        );
        await expectChainVerifies();
      }, 180_000);
    }
  }

  it("roadmap page: a body that is not a form is refused with 415, not 500", async () => {
    const reply = await send(env.server.baseUrl, `/orgs/demo/roadmaps/${t.roadmapId}?index`, {
      method: "POST",
      headers: { cookie: env.cookies.team, "content-type": "application/json" },
      body: JSON.stringify({ intent: "update", itemId: t.roadmapItemId }),
    });
    checkWrites(reply, "roadmap page with a JSON body");
    expect(reply.status).toBe(415);
  });

  it("sign-in: never 5xx; a refused sign-in records only its failure", async () => {
    // Last on purpose: failed sign-ins are throttled per IP, and the suite signed in at the start.
    const requests = formRequest({ email: "nobody@demo.local", password: "wrong-password", redirectTo: "/orgs" }, "");
    await fc.assert(
      fc.asyncProperty(requests, fc.constantFrom("data" as const, "document" as const), async (request, transport) => {
        const url = transport === "data" ? "/login.data" : "/login";
        const { body, contentType } = encodeForm(request);
        const reply = await send(env.server.baseUrl, url, {
          method: "POST",
          body,
          headers: contentType ? { "content-type": contentType } : {},
        });
        const context = `POST ${url}: ${describeForm(request)}`;
        await checkFormReply(reply, transport, context);
        // A failed sign-in is recorded (the throttle and the sign-in audit chain): nothing else.
        checkWrites(reply, context, { tables: ["audit_events"], chains: ["null"] });
      }),
      fuzzOptions(30),
    );
  }, 180_000);
});
