/**
 * The API answers what its OpenAPI document says: every operation is called
 * on the real production server with real data, on its success path and on
 * each error status it declares (400, 401, 403, 404, 409, 422), and every
 * answer is validated against the schema the document declares for it.
 */
import path from "node:path";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { API_SCOPES, type ApiScope } from "../../app/modules/auth/api-scopes";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { createOrganization } from "../../app/modules/auth/organizations.server";
import { emptySections } from "../../app/modules/governance/model-card";
import { saveModelCard } from "../../app/modules/governance/model-cards.server";
import { API_ENDPOINTS, buildOpenApiDocument } from "../../app/modules/http/openapi";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { parseJsonLines } from "../setup/api-client";
import { expectMatchesDocument } from "../setup/openapi-check";
import {
  acquirePortalBuild,
  killAllPortals,
  startPortal,
  stopPortal,
  tempDatabase,
  withDatabase,
  type PortalServer,
} from "../setup/portal-server";

let server: PortalServer | undefined;
let releaseBuild = () => {};
let databaseFile = "";
let orgId = 0;
const tokens = new Map<string, string>();

/** A token of the test organisation with these scopes (one per scope set). */
function tokenWith(scopes: readonly ApiScope[]): string {
  const key = [...scopes].sort().join(",");
  let token = tokens.get(key);
  if (!token) {
    token = withDatabase(
      databaseFile,
      () => createApiToken(orgId, { name: `contract-${tokens.size}`, scopes: [...scopes] }, SYSTEM_ACTOR).token,
    );
    tokens.set(key, token);
  }
  return token;
}
const ALL = () => tokenWith(API_SCOPES);
const allBut = (scope: ApiScope) => tokenWith(API_SCOPES.filter((s) => s !== scope));

type Call = { token?: string | null; body?: unknown; raw?: string; form?: FormData; contentType?: string };

/** Calls the API and validates the answer against the document; returns status and JSON body. */
async function api(method: string, urlPath: string, { token = ALL(), body, raw, form, contentType }: Call = {}) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) headers["content-type"] = contentType ?? "application/json";
  const res = await fetch(`${server!.baseUrl}/api/v1${urlPath}`, {
    method,
    headers,
    body: form ?? raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  // A 204 has no body: the document must declare none.
  const json = (
    text === ""
      ? undefined
      : (res.headers.get("content-type") ?? "").includes("application/x-ndjson")
        ? parseJsonLines(text)
        : JSON.parse(text)
  ) as any;
  expectMatchesDocument({ method, path: `/api/v1${urlPath}`, status: res.status, body: json });
  return { status: res.status, body: json };
}

/** Calls and expects `status`; returns the body. */
async function expectStatus(status: number, method: string, urlPath: string, call: Call = {}) {
  const answer = await api(method, urlPath, call);
  expect(answer.status, `${method} ${urlPath}: ${String(JSON.stringify(answer.body)).slice(0, 300)}`).toBe(status);
  return answer.body;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

const LINEAGE = {
  algorithm: "gradient boosting",
  framework: "xgboost 2.1",
  codeRef: "git:3f2a9c1",
  trainingData: { ref: "s3://lake/churn", version: "2026-11" },
  hyperparameters: { max_depth: 6 },
  artifactUri: "s3://models/churn/1.0.0",
  metrics: { auc: 0.81 },
};
const AUDIT_CONFIG = {
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
  minGroupSize: 5,
};
const AUDIT_ROWS = ["a", "b"].flatMap((group) =>
  Array.from({ length: 10 }, (_, i) => ({ group, label: i % 2, prediction: i % 3 === 0 ? 1 : 0 })),
);

/** A high-risk model with version 1.0.0 (full lineage) in staging, through the API. */
async function stagingModel() {
  const slug = unique("contract");
  await expectStatus(201, "POST", "/models", { body: { name: `Contract ${slug}`, slug, riskTier: "high", tags: ["contract"] } });
  await expectStatus(201, "POST", `/models/${slug}/versions`, { body: { version: "1.0.0", stage: "staging", ...LINEAGE } });
  return slug;
}

/** Past quarters, one per test that needs an assessment (one live assessment per quarter). */
let quartersBack = 0;
const pastQuarter = () => shiftQuarter(quarterOf(new Date()), -++quartersBack);

/** A finalised assessment of a past quarter with a roadmap, through the API. */
async function finalizedAssessmentWithRoadmap() {
  const assessment = await expectStatus(201, "POST", "/assessments", { body: { period: pastQuarter() } });
  await expectStatus(200, "POST", `/assessments/${assessment.id}/finalize`, { body: { acceptUnanswered: true } });
  const roadmap = await expectStatus(201, "POST", `/assessments/${assessment.id}/roadmap`, { body: {} });
  return { assessmentId: assessment.id as number, roadmap };
}

/** Concrete paths of an operation: placeholders filled with `values`. */
const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
const MISSING = { slug: "no-such-model", version: "9.9.9", id: 999_999 };

/** A body each operation accepts (so that a 404 comes from the lookup, not the validation). */
const VALID_BODY: Record<string, unknown> = {
  createModel: { name: "Valid model", riskTier: "minimal" },
  createModelVersion: { version: "1.0.0" },
  transitionModelVersion: { to: "validation" },
  reportIncident: { title: "Drift", severity: "sev3", startedAt: "2026-01-05T10:00:00Z" },
  updateIncident: { status: "mitigated" },
  recordMonitoringSnapshot: { metrics: { auc: 0.8 } },
  runBiasAudit: { config: AUDIT_CONFIG, rows: AUDIT_ROWS },
  openApprovalRequest: { reason: "Ready" },
  startAssessment: { period: "2020-Q1" },
  saveAssessmentResponses: { capabilities: [], questions: [] },
  finalizeAssessment: { acceptUnanswered: true },
  withdrawAssessment: { reason: "Entered by mistake" },
  generateRoadmap: {},
  updateRoadmapItem: { status: "in_progress" },
  createWebhook: { url: "https://hooks.example.com/contract", events: ["approval.requested"] },
};

/** A body (or query) each operation refuses with 422. */
const INVALID: Record<string, { body?: unknown; query?: string }> = {
  listModels: { query: "?stage=bogus" },
  getRegistryMetrics: { query: "?from=yesterday" },
  getFramework: { query: `?version=${"9".repeat(30)}` },
  createModel: { body: { name: "x" } },
  createModelVersion: { body: { version: "one" } },
  transitionModelVersion: { body: { to: "heaven" } },
  reportIncident: { body: { title: "Drift" } },
  updateIncident: { body: { severity: "sev9" } },
  recordMonitoringSnapshot: { body: { metrics: { auc: "high" } } },
  runBiasAudit: { body: { config: { groupColumns: [] }, rows: [] } },
  openApprovalRequest: { body: { reason: 5 } },
  startAssessment: { body: { period: "someday" } },
  saveAssessmentResponses: { body: { capabilities: "all" } },
  finalizeAssessment: { body: { acceptUnanswered: "yes" } },
  withdrawAssessment: { body: {} },
  generateRoadmap: { body: { startDate: "soon" } },
  updateRoadmapItem: { body: { status: "finished" } },
  verifyAuditChain: { query: "?seq=3" },
  getAuditPublicKey: { query: "?keyId=not-hex" },
  listAuditEvents: { query: "?limit=0" },
  createWebhook: { body: { url: "not a url", events: ["account.password_reset"] } },
};

const endpointsDeclaring = (status: number) => API_ENDPOINTS.filter((e) => e.errors.includes(status));

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  databaseFile = tempDatabase("portal-api-contract-");
  orgId = await withDatabase(databaseFile, async () => {
    const { org } = await createOrganization(
      { slug: "contract", name: "Contract Org", adminEmail: "admin@contract.test", adminPassword: "Contract-Passw0rd!" } as never,
      SYSTEM_ACTOR,
    );
    return org.id as number;
  });
  server = await startPortal({ databaseFile, buildDir: build.buildDir });
}, 240_000);

afterAll(async () => {
  await stopPortal(server);
  killAllPortals();
  releaseBuild();
  fs.rmSync(path.dirname(databaseFile), { recursive: true, force: true });
});

describe("every operation answers as the OpenAPI document declares", () => {
  it("is the document the server serves at /api/v1/openapi.json", async () => {
    const res = await fetch(`${server!.baseUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it("on its success path, with real data", async () => {
    const called = new Set<string>();
    const ok = async (operationId: string, status: number, method: string, urlPath: string, call: Call = {}) => {
      called.add(operationId);
      return expectStatus(status, method, urlPath, call);
    };

    // Registry
    const slug = unique("churn");
    const model = await ok("createModel", 201, "POST", "/models", {
      body: { name: "Churn model", slug, riskTier: "limited", ownerTeam: "Retention", tags: ["retention"] },
    });
    expect(model).toMatchObject({ slug, riskTier: "limited", versions: [] });
    const list = await ok("listModels", 200, "GET", `/models?q=churn&tag=retention&sort=-updated&pageSize=5`);
    expect(list.models.map((m: { slug: string }) => m.slug)).toContain(slug);
    await ok("getModel", 200, "GET", `/models/${slug}`);
    const version = await ok("createModelVersion", 201, "POST", `/models/${slug}/versions`, { body: { version: "1.0.0", ...LINEAGE } });
    expect(version).toMatchObject({ model: slug, version: "1.0.0", stage: "development", lineageComplete: true });
    await ok("createModelVersion", 201, "POST", `/models/${slug}/versions`, {
      body: { version: "1.1.0", parentVersion: "1.0.0", metrics: { auc: 0.83 } },
    });
    const versions = await ok("listModelVersions", 200, "GET", `/models/${slug}/versions`);
    expect(versions.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    await ok("getModelVersion", 200, "GET", `/models/${slug}/versions/1.1.0`);
    await ok("transitionModelVersion", 201, "POST", `/models/${slug}/versions/1.0.0/transitions`, {
      body: { to: "validation", reason: "Offline metrics fine" },
    });
    const transition = await ok("transitionModelVersion", 201, "POST", `/models/${slug}/versions/1.0.0/transitions`, {
      body: { to: "staging" },
    });
    expect(transition).toMatchObject({ to: "staging", retiredVersion: null });
    const incident = await ok("reportIncident", 201, "POST", `/models/${slug}/versions/1.0.0/incidents`, {
      body: { title: "Latency spike", severity: "sev2", startedAt: "2026-01-05T10:00:00Z", reviewUrl: "https://wiki.example/pm/1" },
    });
    await ok("getIncident", 200, "GET", `/incidents/${incident.id}`);
    const resolved = await ok("updateIncident", 200, "PATCH", `/incidents/${incident.id}`, {
      body: { status: "resolved", resolvedAt: "2026-01-05T12:00:00Z" },
    });
    expect(resolved.timeToRecoverHours).toBeGreaterThan(0);
    await ok("recordMonitoringSnapshot", 201, "POST", `/models/${slug}/versions/1.0.0/monitoring`, {
      body: { metrics: { auc: 0.8, latency_ms: 120 } },
    });
    await ok("getRegistryMetrics", 200, "GET", "/metrics");
    await ok("getRegistryMetrics", 200, "GET", "/metrics?from=2026-01-01&to=2026-04-01");

    // Governance
    const audit = await ok("runBiasAudit", 201, "POST", `/models/${slug}/versions/1.0.0/bias-audits`, {
      body: { config: AUDIT_CONFIG, rows: AUDIT_ROWS },
    });
    expect(audit.overall).toBeDefined();
    await ok("getBiasAudit", 200, "GET", `/bias-audits/${audit.id}`);
    const upload = new FormData();
    upload.append("config", JSON.stringify(AUDIT_CONFIG));
    upload.append(
      "file",
      new Blob([["group,label,prediction", ...AUDIT_ROWS.map((r) => `${r.group},${r.label},${r.prediction}`)].join("\n")], {
        type: "text/csv",
      }),
      "predictions.csv",
    );
    const uploaded = await ok("runBiasAudit", 201, "POST", `/models/${slug}/versions/1.0.0/bias-audits`, { form: upload });
    expect(uploaded).toMatchObject({ source: "api-csv", fileName: "predictions.csv", rows: AUDIT_ROWS.length });
    withDatabase(databaseFile, () =>
      saveModelCard(
        orgId,
        slug,
        "1.0.0",
        { ...emptySections(), modelDetails: "Gradient boosting on churn signals.", intendedUse: "Retention offers" },
        SYSTEM_ACTOR,
      ),
    );
    const card = await ok("getModelCard", 200, "GET", `/models/${slug}/versions/1.0.0/model-card`);
    expect(card).toMatchObject({ model: slug, version: "1.0.0", revision: 1, status: "draft" });
    const approval = await ok("openApprovalRequest", 201, "POST", `/models/${slug}/versions/1.0.0/approval-requests`, {
      body: { reason: "Ready for production" },
    });
    expect(approval.checks.length).toBeGreaterThan(0);
    await ok("getApprovalRequest", 200, "GET", `/approval-requests/${approval.id}`);
    const policies = await ok("listApprovalPolicies", 200, "GET", "/approval-policies");
    expect(policies.tiers.map((t: { riskTier: string }) => t.riskTier)).toEqual(["minimal", "limited", "high", "unacceptable"]);

    // Framework, assessments and roadmaps
    const framework = await ok("getFramework", 200, "GET", "/framework", { token: null });
    await ok("getFramework", 200, "GET", `/framework?version=${framework.version}`, { token: null });
    const statement = framework.components[0].capabilities[0];
    const assessment = await ok("startAssessment", 201, "POST", "/assessments", { body: { period: pastQuarter() } });
    const saved = await ok("saveAssessmentResponses", 200, "PUT", `/assessments/${assessment.id}/responses`, {
      body: {
        capabilities: [{ id: statement.id, status: "in_place", evidence: { note: "Runbook" } }],
        questions: [{ id: framework.questions[0].id, level: 2 }],
      },
    });
    expect(Object.keys(saved.versions)).toContain(framework.components[0].id);
    await ok("listAssessments", 200, "GET", "/assessments");
    await ok("getAssessment", 200, "GET", `/assessments/${assessment.id}`);
    const finalized = await ok("finalizeAssessment", 200, "POST", `/assessments/${assessment.id}/finalize`, {
      body: { acceptUnanswered: true },
    });
    expect(finalized.status).toBe("finalized");
    const roadmap = await ok("generateRoadmap", 201, "POST", `/assessments/${assessment.id}/roadmap`, { body: {} });
    expect(roadmap.items.length).toBeGreaterThan(0);
    await ok("getRoadmap", 200, "GET", `/roadmaps/${roadmap.id}`);
    await ok("getRoadmapItem", 200, "GET", `/roadmap-items/${roadmap.items[0].id}`);
    const item = await ok("updateRoadmapItem", 200, "PATCH", `/roadmap-items/${roadmap.items[0].id}`, {
      body: { status: "in_progress", team: "Platform" },
    });
    expect(item).toMatchObject({ status: "in_progress", team: "Platform" });
    const withdrawn = await ok("withdrawAssessment", 200, "POST", `/assessments/${assessment.id}/withdraw`, {
      body: { reason: "Captured for the wrong quarter" },
    });
    expect(withdrawn.status).toBe("withdrawn");

    // Audit
    const verification = await ok("verifyAuditChain", 200, "GET", "/audit/verify");
    expect(verification).toMatchObject({ ok: true });
    const key = await ok("getAuditPublicKey", 200, "GET", "/audit/public-key");
    expect(key).toMatchObject({ algorithm: "Ed25519" });
    const events = await ok("listAuditEvents", 200, "GET", "/audit/events?limit=5");
    expect(events).toHaveLength(5);
    const anchored = await expectStatus(200, "GET", `/audit/verify?seq=${events[4].seq}&headHash=${events[4].hash}`);
    expect(anchored).toMatchObject({ ok: true, checkpoints: 1 });

    // Webhooks
    const webhook = await ok("createWebhook", 201, "POST", "/webhooks", {
      body: { url: "https://hooks.example.com/contract", events: ["approval.decided", "incident.opened"], description: "Contract" },
    });
    expect(webhook.secret).toMatch(/^whsec_/);
    const webhooks = await ok("listWebhooks", 200, "GET", "/webhooks");
    expect(webhooks.webhooks.map((w: { id: number }) => w.id)).toContain(webhook.id);
    await ok("listWebhookDeliveries", 200, "GET", `/webhooks/${webhook.id}/deliveries`);
    expect(await ok("deleteWebhook", 204, "DELETE", `/webhooks/${webhook.id}`)).toBeUndefined();

    expect([...called].sort()).toEqual(API_ENDPOINTS.map((e) => e.operationId).sort());
  }, 120_000);

  it("401 without a token, wherever a token is needed", async () => {
    const endpoints = endpointsDeclaring(401);
    expect(endpoints.length).toBe(API_ENDPOINTS.filter((e) => e.scope !== null).length);
    for (const e of endpoints)
      await expectStatus(401, e.method.toUpperCase(), fill(e.path, MISSING), { token: null, body: VALID_BODY[e.operationId] });
    await expectStatus(401, "GET", "/models", { token: "not-a-real-token" });
  }, 60_000);

  it("403 when the token lacks the operation's scope", async () => {
    for (const e of endpointsDeclaring(403)) {
      await expectStatus(403, e.method.toUpperCase(), fill(e.path, MISSING), { token: allBut(e.scope!), body: VALID_BODY[e.operationId] });
    }
    // Registering a webhook for an event also needs the read scope of the event's domain.
    const refused = await expectStatus(403, "POST", "/webhooks", { token: allBut("governance:read"), body: VALID_BODY.createWebhook });
    expect(refused.error.issues).toEqual([{ path: "events.0", message: expect.stringContaining("governance:read") }]);
  }, 60_000);

  it("404 for what does not exist (or belongs to another organisation)", async () => {
    for (const e of endpointsDeclaring(404)) {
      const urlPath =
        e.operationId === "getFramework"
          ? "/framework?version=999"
          : e.operationId === "getAuditPublicKey"
            ? `/audit/public-key?keyId=${"0".repeat(64)}`
            : fill(e.path, MISSING);
      await expectStatus(404, e.method.toUpperCase(), urlPath, { body: VALID_BODY[e.operationId] });
    }
  }, 60_000);

  it("400 for a body that is not a JSON object", async () => {
    const endpoints = endpointsDeclaring(400);
    expect(endpoints.map((e) => e.method)).not.toContain("get");
    for (const e of endpoints) {
      await expectStatus(400, e.method.toUpperCase(), fill(e.path, MISSING), { raw: "{not json" });
      await expectStatus(400, e.method.toUpperCase(), fill(e.path, MISSING), { raw: "[1, 2]" });
    }
  }, 60_000);

  it("422 for invalid values, naming the fields", async () => {
    for (const e of endpointsDeclaring(422)) {
      const invalid = INVALID[e.operationId];
      expect(invalid, `an invalid request for ${e.operationId}`).toBeDefined();
      const body = await expectStatus(422, e.method.toUpperCase(), `${fill(e.path, MISSING)}${invalid!.query ?? ""}`, {
        body: invalid!.body,
      });
      expect(body.error.issues.length, e.operationId).toBeGreaterThan(0);
    }
  }, 60_000);

  it("422 for a key the body does not take, naming it (the document's additionalProperties: false)", async () => {
    for (const e of API_ENDPOINTS.filter((endpoint) => endpoint.body)) {
      const body = await expectStatus(422, e.method.toUpperCase(), fill(e.path, MISSING), {
        body: { ...(VALID_BODY[e.operationId] as object), bogus: 1 },
      });
      expect(body.error.issues, e.operationId).toEqual([{ path: "bogus", message: expect.stringMatching(/^Unknown field/) }]);
    }
  }, 60_000);

  it("405 for a method a path does not take, with Allow naming those it takes, as every operation of the path declares", async () => {
    const document = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, unknown>> };
    for (const [template, operations] of Object.entries(document.paths)) {
      const taken = Object.keys(operations).map((m) => m.toUpperCase());
      const other = ["GET", "POST", "PUT", "PATCH", "DELETE"].find((m) => !taken.includes(m))!;
      const res = await fetch(`${server!.baseUrl}/api/v1${fill(template, MISSING)}`, {
        method: other,
        headers: { authorization: `Bearer ${ALL()}`, "content-type": "application/json" },
        body: other === "GET" ? undefined : "{}",
      });
      expect(res.status, `${other} ${template}`).toBe(405);
      expect(res.headers.get("allow")?.split(", ").sort(), template).toEqual([...taken].sort());
      const body = await res.json();
      expect(body.error.code).toBe("method_not_allowed");
      for (const method of taken) expectMatchesDocument({ method, path: `/api/v1${fill(template, MISSING)}`, status: 405, body });
    }
  }, 60_000);

  it("415 for a body of a media type the operation does not take, naming those it takes", async () => {
    // Every operation that takes a body: JSON, and for the bias audit multipart too (openapi.test.ts: each declares 415).
    for (const e of API_ENDPOINTS.filter((endpoint) => endpoint.body)) {
      // A large body too: refused for its type before it is read (it used to be 413 "JSON bodies are limited").
      for (const raw of ["g,y,p\na,1,1\n", "g,y,p\n".repeat(250_000)]) {
        const body = await expectStatus(415, e.method.toUpperCase(), fill(e.path, MISSING), { raw, contentType: "text/csv" });
        expect(body.error).toMatchObject({
          code: "unsupported_media_type",
          message: expect.stringMatching(
            e.operationId === "runBiasAudit" ? /application\/json.*multipart\/form-data/ : /application\/json/,
          ),
        });
      }
    }
  }, 60_000);

  it("409 when the request conflicts with the current state", async () => {
    const conflicts = new Set<string>();
    const conflict = async (operationId: string, method: string, urlPath: string, call: Call = {}) => {
      conflicts.add(operationId);
      const body = await expectStatus(409, method, urlPath, call);
      expect(body.error.code).toBe("conflict");
    };

    const slug = await stagingModel();
    await conflict("createModel", "POST", "/models", { body: { name: "Again", slug, riskTier: "minimal" } });
    await conflict("createModelVersion", "POST", `/models/${slug}/versions`, { body: { version: "1.0.0" } });
    await conflict("transitionModelVersion", "POST", `/models/${slug}/versions/1.0.0/transitions`, { body: { to: "staging" } });
    await conflict("transitionModelVersion", "POST", `/models/${slug}/versions/1.0.0/transitions`, { body: { to: "production" } });
    await expectStatus(201, "POST", `/models/${slug}/versions/1.0.0/approval-requests`);
    await conflict("openApprovalRequest", "POST", `/models/${slug}/versions/1.0.0/approval-requests`);

    const draft = await expectStatus(201, "POST", "/assessments", { body: { period: pastQuarter() } });
    await conflict("startAssessment", "POST", "/assessments", { body: { period: draft.period } });
    const framework = await expectStatus(200, "GET", "/framework", { token: null });
    const component = framework.components[0];
    await expectStatus(200, "PUT", `/assessments/${draft.id}/responses`, {
      body: { capabilities: [{ id: component.capabilities[0].id, status: "partial" }] },
    });
    await conflict("saveAssessmentResponses", "PUT", `/assessments/${draft.id}/responses`, {
      body: { capabilities: [{ id: component.capabilities[1].id, status: "in_place" }], versions: { [component.id]: 0 } },
    });
    await conflict("finalizeAssessment", "POST", `/assessments/${draft.id}/finalize`, { body: {} });
    await conflict("withdrawAssessment", "POST", `/assessments/${draft.id}/withdraw`, { body: { reason: "Not finalised yet" } });
    await conflict("generateRoadmap", "POST", `/assessments/${draft.id}/roadmap`, { body: {} });

    // A level-1 roadmap, then a later assessment at level 2 whose 2→3 roadmap replaces it: the 1→2 items it does not
    // need are closed, and an update of a closed item conflicts.
    const laterPeriod = pastQuarter();
    const { assessmentId, roadmap } = await finalizedAssessmentWithRoadmap();
    await conflict("generateRoadmap", "POST", `/assessments/${assessmentId}/roadmap`, { body: {} });
    await conflict("generateRoadmap", "POST", `/assessments/${assessmentId}/roadmap`, { body: { replacesRoadmapId: roadmap.id + 1000 } });
    const levelTwo = await expectStatus(201, "POST", "/assessments", { body: { period: laterPeriod } });
    const levelTwoStatements = framework.components.flatMap((c: { capabilities: Array<{ id: string; level: number }> }) =>
      c.capabilities.filter((s) => s.level === 2).map((s) => ({ id: s.id, status: "in_place", evidence: { note: "Runbook" } })),
    );
    await expectStatus(200, "PUT", `/assessments/${levelTwo.id}/responses`, { body: { capabilities: levelTwoStatements } });
    const justifications = Object.fromEntries(
      framework.components.map((c: { id: string }) => [c.id, "Evidence kept outside the registry"]),
    );
    const finalized = await expectStatus(200, "POST", `/assessments/${levelTwo.id}/finalize`, {
      body: { acceptUnanswered: true, justifications },
    });
    expect(finalized.level).toBe(2);
    const next = await expectStatus(201, "POST", `/assessments/${levelTwo.id}/roadmap`, { body: { replacesRoadmapId: roadmap.id } });
    expect(next.transition).toEqual({ from: 2, to: 3 });
    const closed = await expectStatus(200, "GET", `/roadmap-items/${roadmap.items[0].id}`);
    expect(closed.status).toBe("closed");
    await conflict("updateRoadmapItem", "PATCH", `/roadmap-items/${closed.id}`, { body: { status: "in_progress" } });

    expect([...conflicts].sort()).toEqual(
      endpointsDeclaring(409)
        .map((e) => e.operationId)
        .sort(),
    );
  }, 120_000);
});

describe("expectMatchesDocument", () => {
  const model = { total: 0, page: 1, pageSize: 25, models: [] };
  it("accepts an answer the document declares", () => {
    expect(() => expectMatchesDocument({ method: "GET", path: "/api/v1/models?page=1", status: 200, body: model })).not.toThrow();
    expect(() =>
      expectMatchesDocument({
        method: "get",
        path: "/incidents/7",
        status: 404,
        body: { error: { code: "not_found", message: "Incident not found", issues: [] } },
      }),
    ).not.toThrow();
  });

  it("refuses a missing field, a wrong type, an undocumented key, an undeclared status and an unknown path, saying where", () => {
    const check =
      (body: unknown, status = 200, path = "/api/v1/models") =>
      () =>
        expectMatchesDocument({ method: "GET", path, status, body });
    expect(check({ ...model, total: undefined })).toThrow(
      /listModels \(GET \/models\) answered 200 .*must have required property 'total'/s,
    );
    expect(check({ ...model, page: "1" })).toThrow(/\/page must be integer/);
    expect(check({ ...model, secret: 1 })).toThrow(/must NOT have additional properties: secret/);
    expect(check({ error: { code: "gone", message: "", issues: [] } }, 410)).toThrow(
      /answered 410, which the document does not declare \(it declares 200, 401, 403, 405, 422\)/,
    );
    expect(check(model, 200, "/api/v1/nowhere")).toThrow(/no operation GET \/nowhere/);
  });
});
