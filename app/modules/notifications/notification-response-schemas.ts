import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { EVENT_TYPE_NAMES, OUTBOX_STATUSES, WEBHOOK_EVENT_TYPES } from "./notification-constants";

/**
 * What the webhooks API answers. The API's handlers type their answers with
 * these and the OpenAPI document declares them, so both say the same thing.
 */

export const WebhookSchema = z.object({
  id: z.number().int(),
  url: z.string().describe("Where deliveries are posted"),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe("The event types it receives"),
  description: z.string(),
  createdBy: z.string().describe("Who registered it: a person's email, or an API token's name"),
  createdAt: TimestampSchema,
  failingSince: TimestampSchema.nullable().describe("Since when every delivery failed; null after a success"),
  disabledAt: TimestampSchema.nullable().describe("Set when it failed for 24 hours: nothing is sent until an admin turns it back on"),
  disabledReason: z.string().nullable(),
});

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+=*$/)
    .describe("The signing secret in Standard Webhooks' whsec_ form: shown this once, store it now"),
});

export const WebhookListSchema = z.object({ webhooks: z.array(WebhookSchema).describe("Newest first; secrets are never listed") });

export const WebhookDeliveryListSchema = z.object({
  deliveries: z
    .array(
      z.object({
        messageId: z.string().describe("The message's webhook-id header: the same on every attempt, so receivers can drop repeats"),
        eventType: z.enum(EVENT_TYPE_NAMES),
        status: z.enum(OUTBOX_STATUSES).describe("The message's state now: pending (will be retried), delivered, failed or held"),
        attemptedAt: TimestampSchema,
        ok: z.boolean().describe("Whether the receiver answered 2xx"),
        statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when no answer came (refused, timed out)"),
        durationMs: z.number().int().describe("How long the attempt took, in milliseconds"),
        error: z.string().nullable(),
      }),
    )
    .describe("The newest 100 attempts, newest first"),
});
