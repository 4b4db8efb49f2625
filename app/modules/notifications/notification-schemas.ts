import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./notification-constants";

/** A webhook endpoint as admins register it in the portal and pipelines through `POST /api/v1/webhooks`. */
export const WebhookCreateSchema = z.object({
  url: z
    .string({ required_error: "Give the receiver's URL" })
    .trim()
    .max(2_000, "The URL is too long (2,000 characters at most)")
    .url("Give an absolute URL, e.g. https://hooks.example.com/portal")
    .refine((value) => /^https?:\/\//i.test(value), "The URL must start with https:// (or http://)"),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES, { errorMap: () => ({ message: "Not an event type (see the event catalogue)" }) }), {
      required_error: "Choose at least one event",
    })
    .min(1, "Choose at least one event")
    .transform((events) => [...new Set(events)]),
  description: z.string().trim().max(200, "Keep the description under 200 characters").default(""),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;
