import { z } from "zod";
import { confirmation } from "../../utils/validation";
import { OUTBOX_CHANNELS, OUTBOX_STATUSES } from "./notification-constants";
import { WebhookCreateSchema } from "./notification-schemas";

/**
 * Input of the organisation admin's webhooks and deliveries pages. The
 * register form is validated by the API's own `WebhookCreateSchema`.
 */

/** The register form: `WebhookCreateSchema`, where one ticked event arrives as one value, not a list. */
export const WebhookFormSchema = z.preprocess(
  (raw) =>
    typeof raw === "object" && raw !== null && "events" in raw && typeof raw.events === "string" ? { ...raw, events: [raw.events] } : raw,
  WebhookCreateSchema,
);

/** The webhook a button acts on (sending a test event, turning it back on). */
export const WebhookIdSchema = z.object({ webhookId: z.coerce.number().int().positive() });

/** Deleting a webhook cannot be undone: the form asks for an explicit confirmation. */
export const WebhookDeleteSchema = WebhookIdSchema.extend({
  confirm: confirmation("Tick the box to confirm: deliveries stop and the messages waiting for this webhook are dropped"),
});

/** The deliveries page's filters and page (a bad value is ignored: they come from links and the filter form). */
export const OutboxQuerySchema = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().catch(undefined),
  channel: z.enum(OUTBOX_CHANNELS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type OutboxQuery = z.infer<typeof OutboxQuerySchema>;
