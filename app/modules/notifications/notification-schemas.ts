import { z } from "zod";
import { lengthFirst } from "../../utils/bounded";
import { canonicalTimeZone, isTimeZone } from "./digest-schedule";
import { DELIVERY_MODES, NOTIFICATION_CATEGORIES, WEBHOOK_EVENT_TYPES, type NotificationCategory } from "./notification-constants";

/** A list of events names each at most once; repeats are dropped, but a body may not carry more than this. */
export const MAX_WEBHOOK_EVENTS = 50;

/** A webhook endpoint as admins register it in the portal and pipelines through `POST /api/v1/webhooks`. */
export const WebhookCreateSchema = z.object({
  url: z
    .string({ required_error: "Give the receiver's URL" })
    .trim()
    .max(2_000, "The URL is too long (2,000 characters at most)")
    .url("Give an absolute URL, e.g. https://hooks.example.com/portal")
    .refine((value) => /^https?:\/\//i.test(value), "The URL must start with https:// (or http://)"),
  events: lengthFirst(
    z
      .array(
        z.enum(WEBHOOK_EVENT_TYPES, {
          errorMap: () => ({ message: `Not an event a webhook can subscribe to: choose from ${WEBHOOK_EVENT_TYPES.join(", ")}` }),
        }),
        { required_error: "Choose at least one event" },
      )
      .min(1, "Choose at least one event")
      .max(MAX_WEBHOOK_EVENTS, `At most ${MAX_WEBHOOK_EVENTS} events`),
  ).transform((events) => [...new Set(events)]),
  description: z.string().trim().max(200, "Keep the description under 200 characters").default(""),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;

/** The categories people choose for (account messages always go by email). */
export const CHOOSABLE_CATEGORIES = NOTIFICATION_CATEGORIES.filter((c) => c !== "account") as Exclude<NotificationCategory, "account">[];

const ModeSchema = z.enum(DELIVERY_MODES, { errorMap: () => ({ message: "Choose email, the weekly digest, or the portal only" }) });

/** The account page's notification choices: one delivery mode per category. */
export const NotificationChoicesSchema = z.object(
  Object.fromEntries(CHOOSABLE_CATEGORIES.map((category) => [category, ModeSchema])) as Record<
    Exclude<NotificationCategory, "account">,
    typeof ModeSchema
  >,
);
export type NotificationChoices = z.infer<typeof NotificationChoicesSchema>;

const NotificationIdSchema = z.coerce
  .number({ invalid_type_error: "Choose a notification" })
  .int("Choose a notification")
  .positive("Choose a notification")
  .safe("Choose a notification");

/** The inbox's "open": the notification to mark read and follow. */
export const InboxOpenSchema = z.object({ id: NotificationIdSchema });

/** The inbox's "mark all as read": up to the newest notification the page showed, so none arriving meanwhile is lost. */
export const InboxMarkAllReadSchema = z.object({ upTo: NotificationIdSchema });

/** The organisation's time zone (digests go out Monday 08:00 there): an IANA name, stored as the zone spells itself. */
export const OrgTimeZoneSchema = z.object({
  timeZone: z
    .string({ required_error: "Choose a time zone, e.g. Europe/Berlin or UTC" })
    .trim()
    .min(1, "Choose a time zone, e.g. Europe/Berlin or UTC")
    .max(64, "No time zone has a name that long: choose one from the list, e.g. Europe/Berlin")
    // A name past the limit is refused above; the runtime is not asked about it.
    .refine(
      (zone) => zone.length > 64 || isTimeZone(zone),
      "Not a time zone this portal knows: choose one from the list, e.g. Europe/Berlin or America/New_York",
    )
    .transform(canonicalTimeZone),
});
export type OrgTimeZone = z.infer<typeof OrgTimeZoneSchema>;
