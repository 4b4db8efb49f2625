import type { ZodTypeAny } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import type { ApiScope } from "../auth/api-scopes";
import {
  IncidentCreateSchema,
  IncidentUpdateSchema,
  MetricsWindowSchema,
  ModelCreateSchema,
  ModelListQuerySchema,
  ModelVersionCreateSchema,
  MonitoringSnapshotSchema,
  TransitionSchema,
} from "../registry/registry-schemas";
import { ApprovalRequestOpenSchema, BiasAuditJsonSchema } from "../governance/governance-schemas";
import { AssessmentCreateSchema, AssessmentResponsesSchema, FinalizeSchema, WithdrawSchema } from "../assessment/assessment-schemas";
import { RoadmapGenerateSchema, RoadmapItemUpdateSchema } from "../roadmap/roadmap-schemas";

/**
 * The API's endpoints, described once. The OpenAPI document is generated from
 * this list and from the same zod schemas that validate each request.
 */
type Endpoint = {
  method: "get" | "post" | "put" | "patch";
  path: string;
  summary: string;
  scope: ApiScope;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  created?: boolean;
  errors: number[];
};

export const API_ENDPOINTS: Endpoint[] = [
  { method: "get", path: "/models", summary: "List models (search, filter, sort, paginate)", scope: "registry:read", query: ModelListQuerySchema, errors: [401, 403, 422] },
  { method: "post", path: "/models", summary: "Register a model", scope: "registry:write", body: ModelCreateSchema, created: true, errors: [400, 401, 403, 409, 422] },
  { method: "get", path: "/models/{slug}", summary: "A model with its versions", scope: "registry:read", errors: [401, 403, 404] },
  { method: "get", path: "/models/{slug}/versions", summary: "A model's versions, newest first", scope: "registry:read", errors: [401, 403, 404] },
  { method: "post", path: "/models/{slug}/versions", summary: "Register a model version", scope: "registry:write", body: ModelVersionCreateSchema, created: true, errors: [400, 401, 403, 404, 409, 422] },
  { method: "get", path: "/models/{slug}/versions/{version}", summary: "One model version", scope: "registry:read", errors: [401, 403, 404] },
  { method: "post", path: "/models/{slug}/versions/{version}/transitions", summary: "Move a version to another stage (production needs registry:promote)", scope: "registry:write", body: TransitionSchema, created: true, errors: [400, 401, 403, 404, 409, 422] },
  { method: "post", path: "/models/{slug}/versions/{version}/incidents", summary: "Report an incident", scope: "registry:write", body: IncidentCreateSchema, created: true, errors: [400, 401, 403, 404, 422] },
  { method: "get", path: "/incidents/{id}", summary: "One incident", scope: "registry:read", errors: [401, 403, 404] },
  { method: "patch", path: "/incidents/{id}", summary: "Update an incident", scope: "registry:write", body: IncidentUpdateSchema, errors: [400, 401, 403, 404, 422] },
  { method: "post", path: "/models/{slug}/versions/{version}/monitoring", summary: "Push a monitoring snapshot", scope: "registry:write", body: MonitoringSnapshotSchema, created: true, errors: [400, 401, 403, 404, 422] },
  { method: "get", path: "/metrics", summary: "Registry metrics for a window (default: the current quarter)", scope: "registry:read", query: MetricsWindowSchema, errors: [401, 403, 422] },
  { method: "post", path: "/models/{slug}/versions/{version}/bias-audits", summary: "Run a bias audit: JSON {config, rows}, or multipart/form-data with a CSV `file` part and a `config` part holding JSON", scope: "governance:write", body: BiasAuditJsonSchema, created: true, errors: [400, 401, 403, 404, 413, 422] },
  { method: "get", path: "/bias-audits/{id}", summary: "One bias audit with per-group counts, rates and disparities", scope: "governance:read", errors: [401, 403, 404] },
  { method: "get", path: "/models/{slug}/versions/{version}/model-card", summary: "The version's latest model card revision", scope: "governance:read", errors: [401, 403, 404] },
  { method: "post", path: "/models/{slug}/versions/{version}/approval-requests", summary: "Open a request to promote a staging version to production; returns the gate checks", scope: "governance:write", body: ApprovalRequestOpenSchema, created: true, errors: [400, 401, 403, 404, 409, 422] },
  { method: "get", path: "/approval-requests/{id}", summary: "An approval request with its gate checks and decisions", scope: "governance:read", errors: [401, 403, 404] },
  { method: "get", path: "/framework", summary: "The maturity framework (public; `version` query optional)", scope: "assessment:read", errors: [404] },
  { method: "get", path: "/assessments", summary: "The organisation's assessments with scores", scope: "assessment:read", errors: [401, 403] },
  { method: "post", path: "/assessments", summary: "Start an assessment for the current quarter or a past one (a future quarter is 422; a quarter with a live assessment 409)", scope: "assessment:write", body: AssessmentCreateSchema, created: true, errors: [400, 401, 403, 409, 422] },
  { method: "get", path: "/assessments/{id}", summary: "An assessment: scores, levels, evidence and flags", scope: "assessment:read", errors: [401, 403, 404] },
  { method: "put", path: "/assessments/{id}/responses", summary: "Merge statement responses and question answers into the draft", scope: "assessment:write", body: AssessmentResponsesSchema, errors: [400, 401, 403, 404, 409, 422] },
  { method: "post", path: "/assessments/{id}/finalize", summary: "Finalise; 409 names the answered statements per component when some are unanswered (unless `acceptUnanswered: true`), or lists the flags that still need a justification", scope: "assessment:write", body: FinalizeSchema, errors: [400, 401, 403, 404, 409, 422] },
  { method: "post", path: "/assessments/{id}/withdraw", summary: "Withdraw a finalised assessment with a reason: it stays readable but leaves trends, comparisons and roadmap generation, and frees its quarter; 409 when not finalised", scope: "assessment:write", body: WithdrawSchema, errors: [400, 401, 403, 404, 409, 422] },
  { method: "post", path: "/assessments/{id}/roadmap", summary: "Generate the next-step roadmap from a finalised assessment", scope: "roadmap:write", body: RoadmapGenerateSchema, created: true, errors: [400, 401, 403, 404, 409, 422] },
  { method: "get", path: "/roadmaps/{id}", summary: "A roadmap with its items and success criteria", scope: "roadmap:read", errors: [401, 403, 404] },
  { method: "get", path: "/roadmap-items/{id}", summary: "One roadmap item with its comments", scope: "roadmap:read", errors: [401, 403, 404] },
  { method: "patch", path: "/roadmap-items/{id}", summary: "Update a roadmap item: status, owner (by email), evidence", scope: "roadmap:write", body: RoadmapItemUpdateSchema, errors: [400, 401, 403, 404, 409, 422] },
  { method: "get", path: "/audit/verify", summary: "Verify the organisation's audit hash chain: {ok, events} or {ok: false, firstBrokenId}", scope: "audit:read", errors: [401, 403] },
];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (body is not a JSON object)",
  401: "No token, or an invalid or revoked token",
  403: "The token lacks the required scope",
  404: "Unknown, or belongs to another organisation",
  409: "Conflicts with the current state: a duplicate, an illegal stage transition, or a step the resource is not ready for",
  413: "Body too large",
  422: "Invalid values",
};

function jsonSchema(schema: ZodTypeAny) {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(schema, { target: "openApi3", effectStrategy: "input", $refStrategy: "none" }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: ZodTypeAny) {
  const properties = (jsonSchema(schema).properties ?? {}) as Record<string, object>;
  return Object.entries(properties).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
}

export function buildOpenApiDocument(serverUrl = "/api/v1") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of API_ENDPOINTS) {
    const pathParameters = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method] = {
      summary: endpoint.summary,
      description: `Requires scope \`${endpoint.scope}\`.`,
      security: [{ bearerAuth: [endpoint.scope] }],
      parameters: [...pathParameters, ...(endpoint.query ? queryParameters(endpoint.query) : [])],
      ...(endpoint.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(endpoint.body) } } } }
        : {}),
      responses: {
        [endpoint.created ? "201" : "200"]: { description: endpoint.created ? "Created" : "OK", content: { "application/json": {} } },
        ...Object.fromEntries(
          endpoint.errors.map((status) => [
            String(status),
            { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          ]),
        ),
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "AI Maturity & Governance Portal API",
      version: "1",
      description: "Pipelines push models, versions, stage transitions, incidents and monitoring to the registry. Every token belongs to one organisation.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "issues"],
              properties: {
                code: { type: "string" },
                message: { type: "string" },
                issues: {
                  type: "array",
                  items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
