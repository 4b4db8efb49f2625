import { describe, expect, it } from "vitest";
import { API_SCOPES } from "../auth/api-scopes";
import { RISK_TIERS, SEVERITIES, STAGES } from "../registry/registry-constants";
import { lintOpenApiDocument } from "../../../scripts/lint-openapi";
import packageJson from "../../../package.json";
import { EVENT_TYPES, WEBHOOK_EVENT_TYPES } from "../notifications/notification-constants";
import { EVENT_DATA_SCHEMAS, type WebhookEventType } from "../notifications/notification-payloads";
import { API_ENDPOINTS, buildOpenApiDocument, documentedErrors, LICENSE_SPDX } from "./openapi";

type Json = Record<string, any>;
const doc = buildOpenApiDocument() as unknown as Json;
const operation = (method: string, path: string): Json => doc.paths[path]?.[method];
const bodySchema = (method: string, path: string): Json => operation(method, path).requestBody.content["application/json"].schema;

/** Resolves a local JSON pointer ("#/a/b") against the whole document. */
function resolvePointer(root: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Json)[key] : undefined), root);
}

function allRefs(value: unknown): string[] {
  const refs: string[] = [];
  JSON.stringify(value, (key, v) => {
    if (key === "$ref" && typeof v === "string") refs.push(v);
    return v;
  });
  return refs;
}

describe("buildOpenApiDocument", () => {
  it("is an OpenAPI 3.x document with info and the given server URL", () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toMatch(/\S/);
    expect(doc.info.version).toBe("1");
    expect(doc.servers).toEqual([{ url: "/api/v1" }]);
    expect((buildOpenApiDocument("https://portal.example.com/api/v1") as Json).servers[0].url).toBe("https://portal.example.com/api/v1");
  });

  it("states the project's licence, the one package.json declares", () => {
    expect(packageJson.license).toBe(LICENSE_SPDX);
    expect(buildOpenApiDocument().info.license).toEqual({ name: "MIT", identifier: "MIT" });
  });

  it("has exactly one operation per API_ENDPOINTS entry", () => {
    expect(API_ENDPOINTS.length).toBe(36);
    for (const endpoint of API_ENDPOINTS) {
      expect(operation(endpoint.method, endpoint.path), `${endpoint.method} ${endpoint.path}`).toBeDefined();
    }
    const operations = Object.entries(doc.paths as Json).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(operations.sort()).toEqual(API_ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
    // Spot-check the two paths that carry two methods.
    expect(Object.keys(doc.paths["/models"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/incidents/{id}"]).sort()).toEqual(["get", "patch"]);
    expect(Object.keys(doc.paths["/webhooks"]).sort()).toEqual(["get", "post"]);
  });

  it("declares the bearer security scheme and requires each endpoint's scope; the framework is public", () => {
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: "http", scheme: "bearer", description: expect.any(String) } });
    for (const endpoint of API_ENDPOINTS.filter((e) => e.scope !== null)) {
      const op = operation(endpoint.method, endpoint.path);
      expect(API_SCOPES).toContain(endpoint.scope);
      expect(op.security).toEqual([{ bearerAuth: [endpoint.scope] }]);
      expect(op.description).toContain(endpoint.scope);
    }
    expect(API_ENDPOINTS.filter((e) => e.scope === null).map((e) => e.operationId)).toEqual(["getFramework", "getAuditPublicKey"]);
    expect(operation("get", "/framework").security).toEqual([]);
    expect(operation("post", "/models/{slug}/versions/{version}/transitions").security).toEqual([{ bearerAuth: ["registry:write"] }]);
    expect(operation("get", "/metrics").security).toEqual([{ bearerAuth: ["registry:read"] }]);
  });

  it("defines the Error schema, and every error response refers to it", () => {
    const error = doc.components.schemas.Error;
    expect(error.required).toEqual(["error"]);
    expect(error.properties.error.required).toEqual(["code", "message", "issues"]);
    expect(Object.keys(error.properties.error.properties).sort()).toEqual(["code", "issues", "message"]);
    expect(error.properties.error.properties.issues.type).toBe("array");
    for (const endpoint of API_ENDPOINTS) {
      const responses = operation(endpoint.method, endpoint.path).responses as Json;
      for (const status of documentedErrors(endpoint)) {
        expect(responses[String(status)].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
        expect(responses[String(status)].description).toMatch(/\S/);
      }
      // A created endpoint answers 200 too where it says when (a promotion by an automatic approval policy).
      const successes = endpoint.response === null ? ["204"] : endpoint.created ? (endpoint.okWhen ? ["200", "201"] : ["201"]) : ["200"];
      expect(Object.keys(responses).sort()).toEqual([...successes, ...documentedErrors(endpoint).map(String)].sort());
    }
  });

  it("gives every operation a stable operationId: these names are generated clients' function names", () => {
    expect(Object.fromEntries(API_ENDPOINTS.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e.operationId]))).toEqual({
      "GET /models": "listModels",
      "POST /models": "createModel",
      "GET /models/{slug}": "getModel",
      "GET /models/{slug}/versions": "listModelVersions",
      "POST /models/{slug}/versions": "createModelVersion",
      "GET /models/{slug}/versions/{version}": "getModelVersion",
      "POST /models/{slug}/versions/{version}/transitions": "transitionModelVersion",
      "POST /models/{slug}/versions/{version}/incidents": "reportIncident",
      "GET /incidents/{id}": "getIncident",
      "PATCH /incidents/{id}": "updateIncident",
      "POST /models/{slug}/versions/{version}/monitoring": "recordMonitoringSnapshot",
      "GET /metrics": "getRegistryMetrics",
      "POST /models/{slug}/versions/{version}/bias-audits": "runBiasAudit",
      "GET /bias-audits/{id}": "getBiasAudit",
      "GET /models/{slug}/versions/{version}/model-card": "getModelCard",
      "POST /models/{slug}/versions/{version}/approval-requests": "openApprovalRequest",
      "GET /approval-requests/{id}": "getApprovalRequest",
      "GET /approval-policies": "listApprovalPolicies",
      "GET /framework": "getFramework",
      "GET /assessments": "listAssessments",
      "POST /assessments": "startAssessment",
      "GET /assessments/{id}": "getAssessment",
      "PUT /assessments/{id}/responses": "saveAssessmentResponses",
      "POST /assessments/{id}/finalize": "finalizeAssessment",
      "POST /assessments/{id}/withdraw": "withdrawAssessment",
      "POST /assessments/{id}/roadmap": "generateRoadmap",
      "GET /roadmaps/{id}": "getRoadmap",
      "GET /roadmap-items/{id}": "getRoadmapItem",
      "PATCH /roadmap-items/{id}": "updateRoadmapItem",
      "GET /audit/verify": "verifyAuditChain",
      "GET /audit/public-key": "getAuditPublicKey",
      "GET /audit/events": "listAuditEvents",
      "POST /webhooks": "createWebhook",
      "GET /webhooks": "listWebhooks",
      "DELETE /webhooks/{id}": "deleteWebhook",
      "GET /webhooks/{id}/deliveries": "listWebhookDeliveries",
    });
    for (const endpoint of API_ENDPOINTS) expect(operation(endpoint.method, endpoint.path).operationId).toBe(endpoint.operationId);
  });

  it("declares every success answer as a named component schema, and every operation's tag", () => {
    const tags = (doc.tags as Json[]).map((t) => t.name);
    for (const endpoint of API_ENDPOINTS) {
      const op = operation(endpoint.method, endpoint.path);
      expect(op.tags).toHaveLength(1);
      expect(tags).toContain(op.tags[0]);
      if (endpoint.response === null) {
        expect(op.responses["204"], endpoint.operationId).not.toHaveProperty("content");
        continue;
      }
      const success = op.responses[endpoint.created ? "201" : "200"].content[endpoint.contentType ?? "application/json"].schema;
      expect(success.$ref, endpoint.operationId).toMatch(/^#\/components\/schemas\/[A-Z]\w+$/);
      const schema = resolvePointer(doc, success.$ref) as Json;
      expect(schema.type === "object" || schema.anyOf?.every((s: Json) => s.type === "object"), endpoint.operationId).toBe(true);
    }
    for (const tag of doc.tags as Json[]) expect(tag.description).toMatch(/\S/);
    const model = doc.components.schemas.Model;
    expect(model.required).toEqual(expect.arrayContaining(["slug", "riskTier", "versions", "productionVersion"]));
    expect(model.properties.riskTier.enum).toEqual([...RISK_TIERS]);
    expect(model.properties.productionVersion.type).toEqual(["string", "null"]);
    expect(model.properties.versions.items.properties.stage.enum).toEqual([...STAGES]);
    expect(model).not.toHaveProperty("additionalProperties");
    expect(doc.components.schemas.ModelList.properties.models.items.required).toContain("openIncidents");
  });

  it("lints clean with Redocly's recommended rules (the `lint:openapi` script)", () => {
    expect(lintOpenApiDocument().problems).toEqual([]);
  }, 120_000);

  it("declares path parameters from the {placeholders}", () => {
    const params = operation("post", "/models/{slug}/versions/{version}/incidents").parameters as Json[];
    expect(params.filter((p) => p.in === "path")).toEqual([
      { name: "slug", in: "path", required: true, schema: { type: "string" } },
      { name: "version", in: "path", required: true, schema: { type: "string" } },
    ]);
    expect((operation("get", "/incidents/{id}").parameters as Json[]).map((p) => p.name)).toEqual(["id"]);
    expect(operation("get", "/models/{slug}").parameters.filter((p: Json) => p.in === "path")).toHaveLength(1);
  });

  it("every POST accepts an Idempotency-Key header and documents its 409, 422 and the replayed answer; other methods do not", () => {
    for (const endpoint of API_ENDPOINTS) {
      const op = operation(endpoint.method, endpoint.path);
      const header = (op.parameters as Json[]).find((p) => p.in === "header" && p.name === "Idempotency-Key");
      if (endpoint.method !== "post") {
        expect(header, `${endpoint.method} ${endpoint.path}`).toBeUndefined();
        continue;
      }
      expect(header, endpoint.operationId).toMatchObject({ required: false, schema: { type: "string", minLength: 1, maxLength: 255 } });
      expect(header!.description).toMatch(/24 hours/);
      expect(op.responses["409"].description, endpoint.operationId).toMatch(/Idempotency-Key.*still running/);
      expect(op.responses["422"].description, endpoint.operationId).toMatch(/Idempotency-Key.*another request/);
      const success = op.responses[endpoint.created ? "201" : "200"];
      expect(success.headers["Idempotent-Replayed"].schema, endpoint.operationId).toEqual({ type: "string", enum: ["true"] });
    }
  });

  it("declares the 405 every path answers to other methods (with Allow), and the 413 and 415 of every body", () => {
    for (const endpoint of API_ENDPOINTS) {
      const { responses } = operation(endpoint.method, endpoint.path);
      expect(responses["405"].headers.Allow.schema, endpoint.operationId).toEqual({ type: "string" });
      expect(Boolean(responses["413"]), endpoint.operationId).toBe(Boolean(endpoint.body));
      expect(Boolean(responses["415"]), endpoint.operationId).toBe(Boolean(endpoint.body));
    }
    expect(operation("post", "/models/{slug}/versions/{version}/bias-audits").requestBody.content).toHaveProperty("multipart/form-data");
  });

  it("declares query parameters from the query schemas", () => {
    const list = operation("get", "/models").parameters as Json[];
    expect(list.map((p) => p.name)).toEqual(["q", "stage", "riskTier", "team", "tag", "sort", "page", "pageSize"]);
    expect(list.every((p) => p.in === "query" && p.required === false)).toBe(true);
    expect(list.find((p) => p.name === "stage")!.schema.enum).toEqual([...STAGES]);
    expect((operation("get", "/metrics").parameters as Json[]).map((p) => p.name)).toEqual(["from", "to"]);
  });

  it("every POST, PUT and PATCH has a required JSON request body; GETs and DELETEs have none", () => {
    for (const endpoint of API_ENDPOINTS) {
      const op = operation(endpoint.method, endpoint.path);
      if (endpoint.method !== "get" && endpoint.method !== "delete") {
        expect(op.requestBody.required, `${endpoint.method} ${endpoint.path}`).toBe(true);
        const schema = op.requestBody.content["application/json"].schema;
        expect(schema.type).toBe("object");
        expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
        expect(schema).not.toHaveProperty("$schema");
      } else {
        expect(op.requestBody).toBeUndefined();
      }
    }
  });

  it("POST /models: name and riskTier required, riskTier with its enum values", () => {
    const schema = bodySchema("post", "/models");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        "name",
        "slug",
        "riskTier",
        "ownerTeam",
        "businessOwner",
        "businessDomain",
        "useCase",
        "description",
        "tags",
      ]),
    );
    expect(schema.required).toEqual(["name", "riskTier"]);
    expect(schema.properties.name).toMatchObject({ type: "string", minLength: 2, maxLength: 120 });
    expect(schema.properties.riskTier).toMatchObject({ type: "string", enum: [...RISK_TIERS] });
    expect(schema.properties.tags.type).toBe("array");
    expect(schema.properties.slug.pattern).toBe("^[a-z0-9]+(?:-[a-z0-9]+)*$");
  });

  it("POST versions: version required, stage limited to the pre-production stages, metrics numeric", () => {
    const schema = bodySchema("post", "/models/{slug}/versions");
    expect(schema.required).toEqual(["version"]);
    expect(schema.properties.stage.enum).toEqual(["development", "validation", "staging"]);
    expect(schema.properties.metrics).toMatchObject({ type: "object", additionalProperties: { type: "number" } });
    expect(schema.properties.trainingData).toMatchObject({ type: "object", required: ["ref"] });
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["version", "hyperparameters", "codeRef", "artifactUri", "parentVersion"]),
    );
  });

  it("transition, incident, incident update and monitoring bodies carry their fields", () => {
    const transition = bodySchema("post", "/models/{slug}/versions/{version}/transitions");
    expect(transition.required).toEqual(["to"]);
    expect(transition.properties.to.enum).toEqual([...STAGES]);

    const incident = bodySchema("post", "/models/{slug}/versions/{version}/incidents");
    expect(incident.required).toEqual(["title", "severity", "startedAt"]);
    expect(incident.properties.severity.enum).toEqual([...SEVERITIES]);
    expect(incident.properties.startedAt).toMatchObject({ type: "string", format: "date-time" });
    expect(incident.properties.reviewUrl).toMatchObject({ type: "string", format: "uri" });

    const update = bodySchema("patch", "/incidents/{id}");
    expect(update.required ?? []).toEqual([]);
    expect(Object.keys(update.properties)).toEqual(
      expect.arrayContaining(["title", "severity", "status", "detectedAt", "resolvedAt", "description", "reviewUrl"]),
    );

    const monitoring = bodySchema("post", "/models/{slug}/versions/{version}/monitoring");
    expect(monitoring.required).toEqual(["metrics"]);
    expect(monitoring.properties.observedAt).toMatchObject({ type: "string", format: "date-time" });
  });

  // Regression (openapi.ts jsonSchema(), line ~56): zodToJsonSchema is called with its
  // default $refStrategy "root", so a zod schema instance used twice in one input
  // (DateTimeSchema for startedAt/detectedAt/resolvedAt, SemverSchema for
  // version/parentVersion, DayOrDateTimeSchema for from/to) is emitted as
  // {"$ref": "#/properties/startedAt"} etc. Those pointers are relative to the
  // fragment, but the fragment is embedded deep inside the OpenAPI document (and
  // query properties are even split into separate parameters), so the refs
  // dangle: client generators and validators fail on them.
  // Fix: zodToJsonSchema(schema, { target: "openApi3", effectStrategy: "input", $refStrategy: "none" }).
  it("every $ref in the document resolves inside the document", () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    const dangling = refs.filter((ref) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it("POST /webhooks: url and events required, events limited to the event types a webhook may receive", () => {
    const schema = bodySchema("post", "/webhooks");
    expect(schema.required).toEqual(["url", "events"]);
    expect(schema.properties.events).toMatchObject({ type: "array", minItems: 1, maxItems: 50, items: { enum: [...WEBHOOK_EVENT_TYPES] } });
    expect(schema.properties.events.items.enum).not.toContain("account.password_reset");
    expect(doc.components.schemas.CreatedWebhook.required).toEqual(expect.arrayContaining(["id", "url", "events", "secret"]));
    expect(doc.components.schemas.WebhookList.properties.webhooks.items.properties).not.toHaveProperty("secret");
  });

  it("documents every event a webhook receives under `webhooks`: its headers and its payload, from the payload schemas", () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES, "webhook.test"].sort());
    const ids = new Set<string>();
    for (const [type, item] of Object.entries(doc.webhooks as Json)) {
      const op = item.post;
      ids.add(op.operationId);
      expect(op.tags).toEqual(["Webhooks"]);
      expect(op.parameters.map((p: Json) => `${p.in} ${p.name}`)).toEqual([
        "header webhook-id",
        "header webhook-timestamp",
        "header webhook-signature",
      ]);
      const payload = resolvePointer(doc, op.requestBody.content["application/json"].schema.$ref) as Json;
      expect(payload.properties.type.const, type).toBe(type);
      expect(payload.required).toEqual(["type", "timestamp", "data"]);
      expect(Object.keys(payload.properties.data.properties), type).toEqual(
        Object.keys(EVENT_DATA_SCHEMAS[type as WebhookEventType].shape).concat(type === "webhook.test" ? [] : ["url"]),
      );
      if (type !== "webhook.test") expect(op.description).toContain(EVENT_TYPES[type as WebhookEventType & keyof typeof EVENT_TYPES].scope);
    }
    expect(ids.size).toBe(Object.keys(doc.webhooks).length);
    expect(doc.webhooks["approval.decided"].post.operationId).toBe("approvalDecidedEvent");
    expect(doc.components.schemas.ApprovalDecidedEvent.properties.data.properties.status.enum).toEqual(["approved", "rejected"]);
  });

  it("the Error $ref resolves (guards the pointer helper used above)", () => {
    expect(resolvePointer(doc, "#/components/schemas/Error")).toBe(doc.components.schemas.Error);
    expect(resolvePointer(doc, "#/properties/startedAt")).toBeUndefined();
  });
});
