import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { type EVENT_TYPES, type EventType } from "./notification-constants";

/**
 * What a webhook receives for each event type: Standard Webhooks' envelope
 * `{type, timestamp, data}`, `data` as below plus `url` (the portal page to
 * act on it, absolute from PUBLIC_URL). `notify` is typed by these schemas,
 * so a caller cannot send what the OpenAPI document (its `webhooks` section)
 * does not say. Keys are a contract for subscribers: add, never rename.
 */

const model = z.string().describe("The model's slug");
const version = z.string().describe("The model version");
const by = (what: string) => z.string().describe(`Who ${what}: a person's email, or an API token's name`);

/** The event types a webhook may subscribe to (those with a read scope: WEBHOOK_EVENT_TYPES). */
type SubscribableType = { [T in EventType]: (typeof EVENT_TYPES)[T]["scope"] extends null ? never : T }[EventType];

const ApprovalRequest = { requestId: z.number().int(), model, version };
const Card = { model, version, cardId: z.number().int(), revision: z.number().int() };

/** `data` of each event a webhook may receive, without the `url` every one of them gets. */
export const EVENT_DATA_SCHEMAS = {
  "approval.requested": z.object({
    ...ApprovalRequest,
    requiredRoles: z.array(z.string()).describe("The roles whose approval the request needs"),
    requestedBy: by("asked"),
  }),
  "approval.decided": z.object({
    ...ApprovalRequest,
    status: z.enum(["approved", "rejected"]).describe("approved: the version is now in production"),
    decidedBy: by("gave the deciding approval or the rejection"),
    comment: z.string(),
  }),
  "approval.cancelled": z.object({ ...ApprovalRequest, cancelledBy: by("cancelled it") }),
  "card.submitted": z.object({ ...Card, submittedBy: by("submitted it for review") }),
  "card.changes_requested": z.object({ ...Card, requestedBy: by("asked for changes"), comment: z.string() }),
  "bias_audit.awaiting_signoff": z.object({
    biasAuditId: z.number().int(),
    model,
    version,
    passed: z.boolean().describe("Whether it met the organisation's fairness thresholds"),
    ranBy: by("ran it"),
  }),
  "bias_audit.risk_accepted": z.object({
    biasAuditId: z.number().int(),
    model,
    version,
    acceptedBy: by("accepted the failed audit as a risk"),
    rationale: z.string(),
  }),
  "roadmap.item_assigned": z.object({
    items: z.array(z.object({ id: z.number().int(), title: z.string() })).describe("The items assigned in one go"),
    assignedBy: by("assigned them"),
  }),
  "assessment.submitted": z.object({
    assessmentId: z.number().int(),
    period: z.string().describe("The quarter, e.g. 2026-Q3"),
    submittedBy: by("submitted it"),
  }),
  "assessment.withdrawn": z.object({
    assessmentId: z.number().int(),
    period: z.string().describe("The quarter, e.g. 2026-Q3"),
    reason: z.string(),
    withdrawnBy: by("withdrew it"),
  }),
  "incident.opened": z.object({
    model,
    modelName: z.string().describe("The model's name"),
    version,
    incidentId: z.number().int(),
    severity: z.string().describe("sev1 (worst) to sev4"),
    title: z.string(),
    status: z.string().describe("open, mitigated or resolved"),
    reportedBy: by("reported it"),
  }),
  "monitoring.objective_breached": z.object({
    model,
    modelName: z.string().describe("The model's name"),
    version,
    snapshotId: z.number().int(),
    observedAt: TimestampSchema.describe("When the breaching snapshot was observed"),
    objective: z.object({
      name: z.string().describe("The monitored metric"),
      comparison: z.string().describe("The objective's comparison, e.g. >="),
      threshold: z.number(),
    }),
    value: z.number().describe("The value observed"),
  }),
  "promotion.automatic": z.object({
    model,
    version,
    approvalPolicyId: z.number().int().describe("The automatic approval policy that promoted it"),
    promotedBy: by("asked for the promotion"),
    retiredVersion: z.string().nullable().describe("The version that left production, if any"),
  }),
  "audit.verification_failed": z.object({
    firstBrokenSeq: z.number().int().describe("The first sequence number that disagrees with the chain or a checkpoint"),
    brokenBy: z.enum(["chain", "checkpoint"]).describe("What found it"),
    reason: z.string(),
  }),
  /** Sent by "send test event" to one endpoint, whatever it subscribed to; it has no portal page. */
  "webhook.test": z.object({ webhookId: z.number().int(), sentBy: by("sent the test") }),
} satisfies Record<SubscribableType | "webhook.test", z.AnyZodObject>;

export type WebhookEventType = keyof typeof EVENT_DATA_SCHEMAS;
export const WEBHOOK_DELIVERED_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as WebhookEventType[];

/** What `notify` takes as `data` for an event type (anything, for the events no webhook receives). */
export type EventData<T extends EventType> = T extends WebhookEventType ? z.input<(typeof EVENT_DATA_SCHEMAS)[T]> : Record<string, unknown>;

const PortalUrl = z.string().url().describe("The portal page to act on it (absolute)");

const EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  "approval.requested": "Someone asked to promote a staging version to production",
  "approval.decided": "An approval request was approved (the version is in production) or rejected",
  "approval.cancelled": "An approval request was cancelled",
  "card.submitted": "A model card was submitted for the ethics committee's review",
  "card.changes_requested": "The ethics committee asked for changes to a model card",
  "bias_audit.awaiting_signoff": "A bias audit ran and waits for the ethics committee's sign-off",
  "bias_audit.risk_accepted": "A failed bias audit was accepted as a known risk",
  "roadmap.item_assigned": "Roadmap items got a new owner",
  "assessment.submitted": "An assessment was submitted for review",
  "assessment.withdrawn": "A finalised assessment was withdrawn",
  "incident.opened": "An incident was reported on a model version",
  "monitoring.objective_breached": "A monitoring snapshot broke one of a model's objectives",
  "promotion.automatic": "A version was promoted to production by an automatic approval policy",
  "audit.verification_failed": "The organisation's audit trail failed verification",
  "webhook.test": 'Sent by an administrator\'s "send test event", whatever the endpoint subscribed to',
};

/** The whole body a receiver gets for one event type (webhookPayload builds it). */
export function webhookEventSchema(type: WebhookEventType) {
  const data = EVENT_DATA_SCHEMAS[type];
  return z
    .object({
      type: z.literal(type),
      timestamp: TimestampSchema.describe("When the event happened"),
      data: type === "webhook.test" ? data : data.extend({ url: PortalUrl }),
    })
    .describe(EVENT_DESCRIPTIONS[type]);
}

export function webhookEventDescription(type: WebhookEventType): string {
  return EVENT_DESCRIPTIONS[type];
}
