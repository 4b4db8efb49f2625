/**
 * The notification vocabulary, shared by the schema, zod schemas, the OpenAPI
 * document and the UI. Event names are a contract (webhook subscribers filter
 * on them): add new ones, never rename.
 */

/** What a person chooses per category on the account page. */
export const DELIVERY_MODES = ["email", "digest", "portal"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export const DELIVERY_MODE_LABELS: Record<DeliveryMode, string> = {
  email: "Email me at once",
  digest: "In the weekly digest",
  portal: "Only in the portal",
};

/**
 * Categories group event types for people's choices. `account` messages
 * (invitations, new-device sign-ins, password resets) always go by email:
 * they are about the person's access, not their work.
 */
export const NOTIFICATION_CATEGORIES = [
  "approvals",
  "reviews",
  "roadmap",
  "assessments",
  "incidents",
  "promotions",
  "audit",
  "account",
] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<NotificationCategory, string> = {
  approvals: "Approval requests and decisions",
  reviews: "Model card reviews and bias audit sign-offs",
  roadmap: "Roadmap items assigned, due and overdue",
  assessments: "Assessments submitted for review or withdrawn",
  incidents: "Incidents and monitoring breaches on models you own or follow",
  promotions: "Automatic promotions to production",
  audit: "Audit trail verification",
  account: "Your account: invitations, new sign-ins, password resets",
};

/** The category a person's choice applies to, and the read scope a webhook for it needs. */
export const EVENT_TYPES = {
  "approval.requested": { category: "approvals", scope: "governance:read" },
  "approval.decided": { category: "approvals", scope: "governance:read" },
  "approval.cancelled": { category: "approvals", scope: "governance:read" },
  "card.submitted": { category: "reviews", scope: "governance:read" },
  "card.changes_requested": { category: "reviews", scope: "governance:read" },
  "bias_audit.awaiting_signoff": { category: "reviews", scope: "governance:read" },
  "bias_audit.risk_accepted": { category: "reviews", scope: "governance:read" },
  "roadmap.item_assigned": { category: "roadmap", scope: "roadmap:read" },
  /** The weekly reminder per person: not a webhook event (it is about one person's list). */
  "roadmap.items_due": { category: "roadmap", scope: null },
  "assessment.submitted": { category: "assessments", scope: "assessment:read" },
  "assessment.withdrawn": { category: "assessments", scope: "assessment:read" },
  "incident.opened": { category: "incidents", scope: "registry:read" },
  "monitoring.objective_breached": { category: "incidents", scope: "registry:read" },
  "promotion.automatic": { category: "promotions", scope: "registry:read" },
  "audit.verification_failed": { category: "audit", scope: "audit:read" },
  "invitation.created": { category: "account", scope: null },
  "account.new_device": { category: "account", scope: null },
  "account.password_reset": { category: "account", scope: null },
  "webhook.disabled": { category: "account", scope: null },
  /** Sent by "send test event" to one endpoint, whatever it subscribed to. */
  "webhook.test": { category: "account", scope: null },
} as const satisfies Record<string, { category: NotificationCategory; scope: string | null }>;
export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as [EventType, ...EventType[]];

/** Where an outbox message goes. */
export const OUTBOX_CHANNELS = ["email", "webhook"] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/**
 * An outbox message's life: `pending` until delivered (`delivered`), or until
 * its retries run out (`failed`); `held` when it cannot be sent as configured
 * (no SMTP server, or its webhook endpoint is disabled), kept for admins to see.
 */
export const OUTBOX_STATUSES = ["pending", "delivered", "failed", "held"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Events a webhook may subscribe to: everything about the organisation's work (not people's accounts). */
export const WEBHOOK_EVENT_TYPES = EVENT_TYPE_NAMES.filter((type) => EVENT_TYPES[type].scope !== null) as [EventType, ...EventType[]];

/** Each event type in the words people use: the webhook form's checkboxes and the deliveries page. */
export const EVENT_TYPE_LABELS: Record<EventType, string> = {
  "approval.requested": "Approval requested",
  "approval.decided": "Approval decided",
  "approval.cancelled": "Approval request cancelled",
  "card.submitted": "Model card submitted for review",
  "card.changes_requested": "Changes requested on a model card",
  "bias_audit.awaiting_signoff": "Bias audit waiting for sign-off",
  "bias_audit.risk_accepted": "Failed bias audit accepted as a risk",
  "roadmap.item_assigned": "Roadmap item assigned",
  "roadmap.items_due": "Weekly roadmap reminder",
  "assessment.submitted": "Assessment submitted for review",
  "assessment.withdrawn": "Assessment withdrawn",
  "incident.opened": "Incident opened",
  "monitoring.objective_breached": "Monitoring objective breached",
  "promotion.automatic": "Automatic promotion to production",
  "audit.verification_failed": "Audit trail verification failed",
  "invitation.created": "Invitation",
  "account.new_device": "Sign-in from a new device",
  "account.password_reset": "Password reset",
  "webhook.disabled": "Webhook disabled",
  "webhook.test": "Test event",
};

export const OUTBOX_CHANNEL_LABELS: Record<OutboxChannel, string> = { email: "Email", webhook: "Webhook" };

export const OUTBOX_STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: "Waiting to be sent",
  delivered: "Delivered",
  failed: "Failed",
  held: "Held",
};
