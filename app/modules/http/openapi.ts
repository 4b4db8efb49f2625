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
import {
  IncidentSchema,
  ModelListSchema,
  ModelSchema,
  ModelVersionListSchema,
  ModelVersionOfModelSchema,
  MonitoringSnapshotRecordSchema,
  RegistryMetricsSchema,
  StageTransitionSchema,
} from "../registry/registry-response-schemas";
import { ApprovalRequestOpenSchema, BiasAuditJsonSchema } from "../governance/governance-schemas";
import {
  ApprovalPolicyListSchema,
  ApprovalRequestSchema,
  BiasAuditSchema,
  ModelCardSchema,
} from "../governance/governance-response-schemas";
import { AssessmentCreateSchema, AssessmentResponsesSchema, FinalizeSchema, WithdrawSchema } from "../assessment/assessment-schemas";
import { AssessmentListSchema, AssessmentSchema, SavedAssessmentSchema } from "../assessment/assessment-response-schemas";
import {
  AuditEventLineSchema,
  AuditEventsQuerySchema,
  AuditPublicKeyQuerySchema,
  AuditPublicKeySchema,
  AuditVerificationSchema,
  AuditVerifyQuerySchema,
} from "../audit/audit-response-schemas";
import { FrameworkQuerySchema, FrameworkSummarySchema } from "../framework/framework-response-schemas";
import { RoadmapGenerateSchema, RoadmapItemUpdateSchema } from "../roadmap/roadmap-schemas";
import { RoadmapDetailSchema, RoadmapItemSchema } from "../roadmap/roadmap-response-schemas";
import { WebhookCreateSchema } from "../notifications/notification-schemas";
import { CreatedWebhookSchema, WebhookDeliveryListSchema, WebhookListSchema } from "../notifications/notification-response-schemas";
import { EVENT_TYPES } from "../notifications/notification-constants";
import {
  WEBHOOK_DELIVERED_TYPES,
  webhookEventDescription,
  webhookEventSchema,
  type WebhookEventType,
} from "../notifications/notification-payloads";
import { refusingUnknownKeys } from "../../utils/unknown-keys";
import { ApiErrorSchema } from "./api-schemas";
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from "./idempotency";

/**
 * The API's endpoints, described once. The OpenAPI document is generated from
 * this list and from the same zod schemas that validate each request and type
 * each answer (the routes pass `response` to `apiJson`/`created`).
 */
type Tag = "Registry" | "Governance" | "Assessments" | "Roadmaps" | "Framework" | "Audit" | "Webhooks";

type Endpoint = {
  /** Stable: generated clients name their functions after it. */
  operationId: string;
  tag: Tag;
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  /** More than the summary says, in the operation's description after the scope it needs. */
  description?: string;
  /** null: public, no token needed. */
  scope: ApiScope | null;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** The successful answer (200, or 201 when `created`); with `contentType` JSON lines, the schema of one line. null: 204, no body. */
  response: ZodTypeAny | null;
  /** Default application/json. */
  contentType?: "application/x-ndjson";
  created?: boolean;
  /** A created endpoint that in some case answers 200 with the same schema instead: when. */
  okWhen?: string;
  errors: number[];
};

const TAGS: Array<{ name: Tag; description: string }> = [
  { name: "Registry", description: "Models, versions, stage transitions, incidents, monitoring and the registry's figures" },
  { name: "Governance", description: "Bias audits, model cards, approval requests and approval policies for promotion to production" },
  { name: "Assessments", description: "Quarterly maturity assessments: responses, scores, finalisation" },
  { name: "Roadmaps", description: "Next-step roadmaps generated from finalised assessments, and their items" },
  { name: "Framework", description: "The maturity framework assessments are scored against" },
  { name: "Audit", description: "The organisation's hash-chained audit trail" },
  {
    name: "Webhooks",
    description:
      "Endpoints that receive the organisation's events, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), " +
      "and their delivery logs. What each event carries is under `webhooks`: one entry per event type.",
  },
];

/** Named response schemas: each becomes `#/components/schemas/<name>` (and a named type in generated clients). */
const COMPONENTS: Record<string, ZodTypeAny> = {
  Error: ApiErrorSchema,
  ModelList: ModelListSchema,
  Model: ModelSchema,
  ModelVersionList: ModelVersionListSchema,
  ModelVersion: ModelVersionOfModelSchema,
  StageTransition: StageTransitionSchema,
  Incident: IncidentSchema,
  MonitoringSnapshot: MonitoringSnapshotRecordSchema,
  RegistryMetrics: RegistryMetricsSchema,
  BiasAudit: BiasAuditSchema,
  ModelCard: ModelCardSchema,
  ApprovalRequest: ApprovalRequestSchema,
  ApprovalPolicyList: ApprovalPolicyListSchema,
  Framework: FrameworkSummarySchema,
  AssessmentList: AssessmentListSchema,
  Assessment: AssessmentSchema,
  SavedAssessment: SavedAssessmentSchema,
  Roadmap: RoadmapDetailSchema,
  RoadmapItem: RoadmapItemSchema,
  AuditVerification: AuditVerificationSchema,
  AuditPublicKey: AuditPublicKeySchema,
  AuditEventLine: AuditEventLineSchema,
  CreatedWebhook: CreatedWebhookSchema,
  WebhookList: WebhookListSchema,
  WebhookDeliveryList: WebhookDeliveryListSchema,
  ...Object.fromEntries(WEBHOOK_DELIVERED_TYPES.map((type) => [eventComponentName(type), webhookEventSchema(type)])),
};

/** `approval.requested` → `ApprovalRequestedEvent`: the component (and generated type) of the event's payload. */
function eventComponentName(type: WebhookEventType): string {
  return `${type
    .split(/[._]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("")}Event`;
}

export const API_ENDPOINTS: Endpoint[] = [
  {
    operationId: "listModels",
    tag: "Registry",
    method: "get",
    path: "/models",
    response: ModelListSchema,
    summary: "List models (search, filter, sort, paginate)",
    scope: "registry:read",
    query: ModelListQuerySchema,
    errors: [401, 403, 422],
  },
  {
    operationId: "createModel",
    tag: "Registry",
    method: "post",
    path: "/models",
    response: ModelSchema,
    summary: "Register a model",
    scope: "registry:write",
    body: ModelCreateSchema,
    created: true,
    errors: [400, 401, 403, 409, 422],
  },
  {
    operationId: "getModel",
    tag: "Registry",
    method: "get",
    path: "/models/{slug}",
    response: ModelSchema,
    summary: "A model with its versions",
    scope: "registry:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "listModelVersions",
    tag: "Registry",
    method: "get",
    path: "/models/{slug}/versions",
    response: ModelVersionListSchema,
    summary: "A model's versions, newest first",
    scope: "registry:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "createModelVersion",
    tag: "Registry",
    method: "post",
    path: "/models/{slug}/versions",
    response: ModelVersionOfModelSchema,
    summary: "Register a model version",
    scope: "registry:write",
    body: ModelVersionCreateSchema,
    created: true,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "getModelVersion",
    tag: "Registry",
    method: "get",
    path: "/models/{slug}/versions/{version}",
    response: ModelVersionOfModelSchema,
    summary: "One model version",
    scope: "registry:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "transitionModelVersion",
    tag: "Registry",
    method: "post",
    path: "/models/{slug}/versions/{version}/transitions",
    response: StageTransitionSchema,
    summary: "Move a version to another stage (production needs registry:promote)",
    description:
      "Production: refused (409, the gate checks listed as issues) unless the model's risk tier has an automatic approval policy in force " +
      "(GET /approval-policies) and every gate passes; then the version is promoted at once (200, with approvalPolicyId), and the stage transition and the " +
      "audit trail record the policy and the gate checks. Without an automatic policy a version reaches production only through an approved approval request.",
    scope: "registry:write",
    body: TransitionSchema,
    created: true,
    okWhen: "Promoted to production by an automatic approval policy (approvalPolicyId names it)",
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "reportIncident",
    tag: "Registry",
    method: "post",
    path: "/models/{slug}/versions/{version}/incidents",
    response: IncidentSchema,
    summary: "Report an incident",
    scope: "registry:write",
    body: IncidentCreateSchema,
    created: true,
    errors: [400, 401, 403, 404, 422],
  },
  {
    operationId: "getIncident",
    tag: "Registry",
    method: "get",
    path: "/incidents/{id}",
    response: IncidentSchema,
    summary: "One incident",
    scope: "registry:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "updateIncident",
    tag: "Registry",
    method: "patch",
    path: "/incidents/{id}",
    response: IncidentSchema,
    summary: "Update an incident",
    scope: "registry:write",
    body: IncidentUpdateSchema,
    errors: [400, 401, 403, 404, 422],
  },
  {
    operationId: "recordMonitoringSnapshot",
    tag: "Registry",
    method: "post",
    path: "/models/{slug}/versions/{version}/monitoring",
    response: MonitoringSnapshotRecordSchema,
    summary: "Push a monitoring snapshot",
    scope: "registry:write",
    body: MonitoringSnapshotSchema,
    created: true,
    errors: [400, 401, 403, 404, 422],
  },
  {
    operationId: "getRegistryMetrics",
    tag: "Registry",
    method: "get",
    path: "/metrics",
    response: RegistryMetricsSchema,
    summary: "Registry metrics for a window (default: the current quarter)",
    scope: "registry:read",
    query: MetricsWindowSchema,
    errors: [401, 403, 422],
  },
  {
    operationId: "runBiasAudit",
    tag: "Governance",
    method: "post",
    path: "/models/{slug}/versions/{version}/bias-audits",
    response: BiasAuditSchema,
    summary:
      "Run a bias audit: JSON {config, rows}, or multipart/form-data with a CSV `file` part and a `config` part holding JSON; a `file` that is not CSV text (a PDF, a spreadsheet, binary bytes) is 422 on `file`",
    scope: "governance:write",
    body: BiasAuditJsonSchema,
    created: true,
    errors: [400, 401, 403, 404, 413, 415, 422],
  },
  {
    operationId: "getBiasAudit",
    tag: "Governance",
    method: "get",
    path: "/bias-audits/{id}",
    response: BiasAuditSchema,
    summary: "One bias audit with per-group counts, rates and disparities",
    scope: "governance:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "getModelCard",
    tag: "Governance",
    method: "get",
    path: "/models/{slug}/versions/{version}/model-card",
    response: ModelCardSchema,
    summary: "The version's latest model card revision",
    scope: "governance:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "openApprovalRequest",
    tag: "Governance",
    method: "post",
    path: "/models/{slug}/versions/{version}/approval-requests",
    response: ApprovalRequestSchema,
    summary: "Open a request to promote a staging version to production; returns the gate checks",
    scope: "governance:write",
    body: ApprovalRequestOpenSchema,
    created: true,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "getApprovalRequest",
    tag: "Governance",
    method: "get",
    path: "/approval-requests/{id}",
    response: ApprovalRequestSchema,
    summary: "An approval request with its gate checks and decisions",
    scope: "governance:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "listApprovalPolicies",
    tag: "Governance",
    method: "get",
    path: "/approval-policies",
    response: ApprovalPolicyListSchema,
    summary:
      "Each risk tier's approval policy: who approves a promotion, or automatic when every gate passes; pending proposals and history",
    scope: "governance:read",
    errors: [401, 403],
  },
  {
    operationId: "getFramework",
    tag: "Framework",
    method: "get",
    path: "/framework",
    response: FrameworkSummarySchema,
    summary:
      "A published framework version (default: the newest built-in). Built-in versions are public; a version uploaded by a site administrator is served to API tokens and signed-in people only (404 to anyone else)",
    scope: null,
    query: FrameworkQuerySchema,
    errors: [404, 422],
  },
  {
    operationId: "listAssessments",
    tag: "Assessments",
    method: "get",
    path: "/assessments",
    response: AssessmentListSchema,
    summary: "The organisation's assessments with scores",
    scope: "assessment:read",
    errors: [401, 403],
  },
  {
    operationId: "startAssessment",
    tag: "Assessments",
    method: "post",
    path: "/assessments",
    response: AssessmentSchema,
    summary: "Start an assessment for the current quarter or a past one (a future quarter is 422; a quarter with a live assessment 409)",
    scope: "assessment:write",
    body: AssessmentCreateSchema,
    created: true,
    errors: [400, 401, 403, 409, 422],
  },
  {
    operationId: "getAssessment",
    tag: "Assessments",
    method: "get",
    path: "/assessments/{id}",
    response: AssessmentSchema,
    summary: "An assessment: scores, levels, evidence and flags",
    scope: "assessment:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "saveAssessmentResponses",
    tag: "Assessments",
    method: "put",
    path: "/assessments/{id}/responses",
    response: SavedAssessmentSchema,
    summary: "Merge statement responses and question answers into the draft",
    scope: "assessment:write",
    body: AssessmentResponsesSchema,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "finalizeAssessment",
    tag: "Assessments",
    method: "post",
    path: "/assessments/{id}/finalize",
    response: AssessmentSchema,
    summary:
      "Finalise; 422 names each statement whose evidence is dated after today (`statements.<id>.evidence.date`), 409 names the answered statements per component when some are unanswered (unless `acceptUnanswered: true`), or lists the flags that still need a justification",
    scope: "assessment:write",
    body: FinalizeSchema,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "withdrawAssessment",
    tag: "Assessments",
    method: "post",
    path: "/assessments/{id}/withdraw",
    response: AssessmentSchema,
    summary:
      "Withdraw a finalised assessment with a reason: it stays readable but leaves trends, comparisons and roadmap generation, and frees its quarter; 409 when not finalised",
    scope: "assessment:write",
    body: WithdrawSchema,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "generateRoadmap",
    tag: "Roadmaps",
    method: "post",
    path: "/assessments/{id}/roadmap",
    response: RoadmapDetailSchema,
    summary: "Generate the next-step roadmap from a finalised assessment",
    scope: "roadmap:write",
    body: RoadmapGenerateSchema,
    created: true,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "getRoadmap",
    tag: "Roadmaps",
    method: "get",
    path: "/roadmaps/{id}",
    response: RoadmapDetailSchema,
    summary: "A roadmap with its items and success criteria",
    scope: "roadmap:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "getRoadmapItem",
    tag: "Roadmaps",
    method: "get",
    path: "/roadmap-items/{id}",
    response: RoadmapItemSchema,
    summary: "One roadmap item with its comments",
    scope: "roadmap:read",
    errors: [401, 403, 404],
  },
  {
    operationId: "updateRoadmapItem",
    tag: "Roadmaps",
    method: "patch",
    path: "/roadmap-items/{id}",
    response: RoadmapItemSchema,
    summary: "Update a roadmap item: status, owner (by email), evidence",
    scope: "roadmap:write",
    body: RoadmapItemUpdateSchema,
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    operationId: "verifyAuditChain",
    tag: "Audit",
    method: "get",
    path: "/audit/verify",
    response: AuditVerificationSchema,
    summary:
      "Verify the organisation's audit hash chain and compare it with its signed checkpoints (and with `seq`/`headHash` read off a copy kept outside): {ok, events} or {ok: false, firstBrokenId, firstBrokenSeq}",
    scope: "audit:read",
    query: AuditVerifyQuerySchema,
    errors: [401, 403, 422],
  },
  {
    operationId: "getAuditPublicKey",
    tag: "Audit",
    method: "get",
    path: "/audit/public-key",
    response: AuditPublicKeySchema,
    summary: "The Ed25519 public key that signs this installation's audit checkpoints (with `keyId`: 404 unless it is that key)",
    scope: null,
    query: AuditPublicKeyQuerySchema,
    errors: [404, 422],
  },
  {
    operationId: "listAuditEvents",
    tag: "Audit",
    method: "get",
    path: "/audit/events",
    response: AuditEventLineSchema,
    contentType: "application/x-ndjson",
    summary:
      'The organisation\'s audit events exactly as stored, with their hashes, as JSON lines in sequence order (`Link: rel="next"` pages on): verify them without the portal',
    scope: "audit:read",
    query: AuditEventsQuerySchema,
    errors: [401, 403, 422],
  },
  {
    operationId: "createWebhook",
    tag: "Webhooks",
    method: "post",
    path: "/webhooks",
    response: CreatedWebhookSchema,
    summary: "Register a webhook endpoint for some event types; the answer carries its signing secret, the only time it is shown",
    description:
      "Each event type also needs the read scope of its domain (e.g. `governance:read` for approval events, `registry:read` for incidents): " +
      "without it, 403 with an issue at `events.<index>` naming the missing scope. Only event types with a read scope can be subscribed to.",
    scope: "webhooks:write",
    body: WebhookCreateSchema,
    created: true,
    errors: [400, 401, 403, 422],
  },
  {
    operationId: "listWebhooks",
    tag: "Webhooks",
    method: "get",
    path: "/webhooks",
    response: WebhookListSchema,
    summary: "The organisation's webhook endpoints, newest first (without their secrets)",
    scope: "webhooks:read",
    errors: [401, 403],
  },
  {
    operationId: "deleteWebhook",
    tag: "Webhooks",
    method: "delete",
    path: "/webhooks/{id}",
    response: null,
    summary: "Delete a webhook endpoint: nothing more is sent to it, and messages still waiting for it are dropped",
    scope: "webhooks:write",
    errors: [401, 403, 404],
  },
  {
    operationId: "listWebhookDeliveries",
    tag: "Webhooks",
    method: "get",
    path: "/webhooks/{id}/deliveries",
    response: WebhookDeliveryListSchema,
    summary: "A webhook endpoint's newest delivery attempts: event type, message id, status code, response time",
    scope: "webhooks:read",
    errors: [401, 403, 404],
  },
];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (body is not a JSON object)",
  401: "No token, or an invalid or revoked token",
  403: "The token lacks the required scope",
  404: "Unknown, or belongs to another organisation",
  409: "Conflicts with the current state: a duplicate, an illegal stage transition, or a step the resource is not ready for",
  405: "This path does not take the request's method (`Allow` lists the methods it takes)",
  413: "Body too large: JSON bodies are limited to 1 MB, a bias audit's multipart upload to 256 MB (the message says which limit)",
  415: "The body's Content-Type is not one this operation takes (those of its request body; the message names them)",
  422: "Invalid values",
};

/** What a POST's errors also mean, under an `Idempotency-Key` (app/modules/http/idempotency.server.ts). */
const IDEMPOTENCY_ERRORS: Record<number, string> = {
  400: `or a malformed ${IDEMPOTENCY_HEADER}`,
  409: `or a request with the same ${IDEMPOTENCY_HEADER} is still running (retry once it has finished)`,
  422: `or the ${IDEMPOTENCY_HEADER} was used for another request in the last 24 hours`,
};

/** Every POST accepts the header: a retry with the same key and body gets the first answer instead of doing it twice. */
const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_HEADER,
  in: "header",
  required: false,
  description:
    "Makes retries safe: the same key with the same request within 24 hours answers with the first successful answer again " +
    `(marked \`${REPLAYED_HEADER}: true\`) instead of doing it twice; the same key with another request is refused (422); ` +
    "while the first request is still running, 409. Keys are per API token; a refused request does not use its key up.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7E]+$" },
};

const REPLAYED_RESPONSE_HEADER = {
  [REPLAYED_HEADER]: {
    description: `Present when this is the stored answer to an earlier request with the same ${IDEMPOTENCY_HEADER}`,
    schema: { type: "string", enum: ["true"] },
  },
};

type JsonSchema = Record<string, unknown>;

/**
 * A request schema: what the client may send (input side of transforms). A body's
 * schema is the one the API parses it with (`refusingUnknownKeys`, as `parseBody`):
 * its objects say `additionalProperties: false` because the API refuses other keys.
 */
function requestSchema(schema: ZodTypeAny): JsonSchema {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(schema, {
    target: "jsonSchema7",
    effectStrategy: "input",
    $refStrategy: "none",
  }) as JsonSchema;
  return rest;
}

/** A response schema: what the server answers. Objects stay open (no `additionalProperties`): new keys are not a breaking change. */
function responseSchema(schema: ZodTypeAny): JsonSchema {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(schema, {
    target: "jsonSchema7",
    $refStrategy: "none",
    removeAdditionalStrategy: "strict",
    allowedAdditionalProperties: undefined,
  }) as JsonSchema;
  return rest;
}

function queryParameters(schema: ZodTypeAny) {
  const properties = (requestSchema(schema).properties ?? {}) as Record<string, object>;
  return Object.entries(properties).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
}

const componentNames = new Map(Object.entries(COMPONENTS).map(([name, schema]) => [schema, name]));

function componentRef(schema: ZodTypeAny) {
  const name = componentNames.get(schema);
  if (!name) throw new Error("Every response schema must be listed in COMPONENTS");
  return { $ref: `#/components/schemas/${name}` };
}

const errorContent = { "application/json": { schema: componentRef(ApiErrorSchema) } };

/** The bias-audit upload: a CSV file part and the configuration as JSON text. */
const BIAS_AUDIT_MULTIPART = {
  type: "object",
  required: ["file", "config"],
  properties: {
    file: { type: "string", contentMediaType: "text/csv", description: "The predictions, one row per case, with a header row" },
    config: {
      type: "string",
      contentMediaType: "application/json",
      description: "The audit configuration (`config` of the JSON body) as JSON text",
    },
  },
};

/**
 * Whether an endpoint also takes its body as multipart/form-data (the bias audit's CSV upload), besides JSON: the
 * document declares it, and the router leaves its media types to the handler instead of asking for JSON.
 */
export const takesMultipart = (endpoint: Endpoint): boolean => endpoint.operationId === "runBiasAudit";

/**
 * The error statuses an endpoint documents: its own; 405, which its path answers to a method it does not take (the
 * router's, for every path); 413 and 415 when it takes a body (`readJsonBody`'s limit; a Content-Type other than JSON,
 * refused by the router); for a POST those of its `Idempotency-Key`.
 */
export function documentedErrors(endpoint: Endpoint): number[] {
  const statuses = [
    ...endpoint.errors,
    405,
    ...(endpoint.body ? [413, 415] : []),
    ...(endpoint.method === "post" ? Object.keys(IDEMPOTENCY_ERRORS).map(Number) : []),
  ];
  return [...new Set(statuses)].sort((a, b) => a - b);
}

/** The header of a 405: the methods the path takes (`methodNotAllowed`). */
const ALLOW_HEADER = {
  Allow: { description: "The methods this path takes, e.g. `GET, POST`", schema: { type: "string" } },
};

/** The success answers: 200 or 201 with the response schema (and 200 too, `okWhen`), or 204 with no body. */
function successResponses(endpoint: Endpoint, idempotent: boolean): Record<string, unknown> {
  const headers = idempotent ? { headers: REPLAYED_RESPONSE_HEADER } : {};
  if (endpoint.response === null) return { "204": { description: "Done: no content", ...headers } };
  const content = { [endpoint.contentType ?? "application/json"]: { schema: componentRef(endpoint.response) } };
  return {
    ...(endpoint.okWhen ? { "200": { description: endpoint.okWhen, ...headers, content } } : {}),
    [endpoint.created ? "201" : "200"]: { description: endpoint.created ? "Created" : "OK", ...headers, content },
  };
}

function operation(endpoint: Endpoint) {
  const pathParameters = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const requestContent: Record<string, unknown> | undefined = endpoint.body
    ? {
        "application/json": { schema: requestSchema(refusingUnknownKeys(endpoint.body)) },
        ...(takesMultipart(endpoint) ? { "multipart/form-data": { schema: BIAS_AUDIT_MULTIPART } } : {}),
      }
    : undefined;
  const idempotent = endpoint.method === "post";
  const errors = documentedErrors(endpoint);
  const errorDescription = (status: number) =>
    idempotent && IDEMPOTENCY_ERRORS[status] ? `${ERROR_DESCRIPTIONS[status]}; ${IDEMPOTENCY_ERRORS[status]}` : ERROR_DESCRIPTIONS[status];
  return {
    operationId: endpoint.operationId,
    tags: [endpoint.tag],
    summary: endpoint.summary,
    description: [endpoint.scope ? `Requires scope \`${endpoint.scope}\`.` : "Public: no token needed.", endpoint.description]
      .filter(Boolean)
      .join(" "),
    security: endpoint.scope ? [{ bearerAuth: [endpoint.scope] }] : [],
    parameters: [
      ...pathParameters,
      ...(endpoint.query ? queryParameters(endpoint.query) : []),
      ...(idempotent ? [IDEMPOTENCY_PARAMETER] : []),
    ],
    ...(requestContent ? { requestBody: { required: true, content: requestContent } } : {}),
    responses: {
      ...successResponses(endpoint, idempotent),
      ...Object.fromEntries(
        errors.map((status) => [
          String(status),
          { description: errorDescription(status), ...(status === 405 ? { headers: ALLOW_HEADER } : {}), content: errorContent },
        ]),
      ),
    },
  };
}

/** The Standard Webhooks headers every delivery carries. */
const WEBHOOK_HEADERS = [
  {
    name: "webhook-id",
    description: "The message's id (`msg_…`): the same on every retry, so a receiver can drop a message it has already handled",
  },
  { name: "webhook-timestamp", description: "When this attempt was signed, in seconds since the Unix epoch: refuse stale ones" },
  {
    name: "webhook-signature",
    description:
      "`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's secret; " +
      "verify it with any Standard Webhooks library, e.g. `new Webhook(secret).verify(rawBody, headers)` of the `standardwebhooks` package",
  },
].map((header) => ({ ...header, in: "header", required: true, schema: { type: "string" } }));

/** `approval.requested` → `approvalRequestedEvent`. */
function eventOperationId(type: WebhookEventType): string {
  const name = eventComponentName(type);
  return name[0]!.toLowerCase() + name.slice(1);
}

/** OpenAPI 3.1 `webhooks`: what the portal posts to a registered endpoint, one entry per event type. */
function webhookEvents() {
  return Object.fromEntries(
    WEBHOOK_DELIVERED_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: eventOperationId(type),
          tags: ["Webhooks" satisfies Tag],
          summary: webhookEventDescription(type),
          description:
            type === "webhook.test"
              ? "Sent to one endpoint when an administrator asks for a test event."
              : `Sent to every endpoint subscribed to \`${type}\` (registering for it needs the \`${EVENT_TYPES[type].scope}\` scope). ` +
                "Retried with doubling waits, from 30 seconds to 6 hours, until the receiver answers 2xx; an endpoint that fails for 24 hours is disabled.",
          security: [],
          parameters: WEBHOOK_HEADERS,
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: `#/components/schemas/${eventComponentName(type)}` } } },
          },
          responses: {
            "200": { description: "Received (any 2xx answer does): the message is not sent again" },
            "400": { description: "Refused (any other answer, or none within 10 seconds): the message is retried later" },
          },
        },
      },
    ]),
  );
}

/** The project's licence (LICENSE; the same SPDX id as package.json's "license", which openapi.test.ts checks). */
export const LICENSE_SPDX = "MIT";

function license() {
  return { license: { name: LICENSE_SPDX, identifier: LICENSE_SPDX } };
}

export function buildOpenApiDocument(serverUrl = "/api/v1") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of API_ENDPOINTS) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method] = operation(endpoint);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "AI Maturity & Governance Portal API",
      version: "1",
      description:
        "Pipelines push models, versions, stage transitions, incidents and monitoring to the registry, and register webhooks to hear what " +
        "happens in the portal (each event's payload is under `webhooks`). Every token belongs to one organisation.",
      ...license(),
    },
    servers: [{ url: serverUrl }],
    tags: TAGS,
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "An API token: organisation admins create them under Admin → API tokens",
        },
      },
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, schema]) => [name, responseSchema(schema)])),
    },
    paths,
    webhooks: webhookEvents(),
  };
}
