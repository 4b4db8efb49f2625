import { beforeEach, describe, expect, it } from "vitest";
import { createTestOrg, member, type TestOrg } from "../../../tests/setup/test-orgs";
import { OutboxQuerySchema, WebhookFormSchema } from "./admin-page-schemas";
import { NO_SMTP, deliverDueMessages } from "./outbox.server";
import { listOrgOutbox, webhookEndpointStates } from "./outbox-log.server";
import { createWebhookEndpoint, enableWebhookEndpoint, sendTestEvent } from "./webhooks.server";
import { getDb } from "../../../db/client";
import { outboxMessages, webhookEndpoints } from "../../../db/schema";
import { eq } from "drizzle-orm";
import { newMessageId } from "./notifications.server";

let org: TestOrg;
let other: TestOrg;

// Each test's messages and endpoints are its own: the listing counts everything in the organisation.
beforeEach(async () => {
  [org, other] = await Promise.all([createTestOrg("outbox-log"), createTestOrg("outbox-log-other")]);
});

function register(target: TestOrg, url: string) {
  return createWebhookEndpoint(target.id, WebhookFormSchema.parse({ url, events: "incident.opened" }), member(target, "admin").actor);
}

function heldEmail(target: TestOrg, at: Date) {
  getDb()
    .insert(outboxMessages)
    .values({
      messageId: newMessageId(),
      orgId: target.id,
      eventType: "incident.opened",
      channel: "email",
      toEmail: target.emails.team,
      subject: "Incident opened",
      body: "{}",
      status: "held",
      lastError: NO_SMTP,
      nextAttemptAt: at,
      createdAt: at,
    })
    .run();
}

describe("the register form's schema", () => {
  it("takes one ticked event as a list of one, and refuses none", () => {
    expect(WebhookFormSchema.parse({ url: "https://hooks.example.com/a", events: "incident.opened" }).events).toEqual(["incident.opened"]);
    const refused = WebhookFormSchema.safeParse({ url: "https://hooks.example.com/a" });
    expect(refused.success || refused.error.issues.map((i) => i.path.join("."))).toEqual(["events"]);
  });
});

describe("listOrgOutbox", () => {
  it("lists the organisation's messages newest first, filtered, paged, with counts per status", async () => {
    const base = new Date("2026-03-02T09:00:00Z");
    for (let n = 0; n < 3; n++) heldEmail(org, new Date(base.getTime() + n * 60_000));
    heldEmail(other, base);
    const endpoint = register(org, "https://hooks.example.com/outbox-log");
    sendTestEvent(org.id, endpoint.id, member(org, "admin").actor, new Date(base.getTime() + 10 * 60_000));

    const all = listOrgOutbox(org.id, OutboxQuerySchema.parse({}));
    expect(all.total).toBe(4);
    expect(all.byStatus).toEqual({ pending: 1, delivered: 0, failed: 0, held: 3 });
    expect(all.messages[0]).toMatchObject({ channel: "webhook", webhookUrl: "https://hooks.example.com/outbox-log", status: "pending" });
    expect(all.messages[0]!.nextAttemptAt).not.toBeNull();
    expect(all.messages.slice(1).map((m) => m.lastError)).toEqual([NO_SMTP, NO_SMTP, NO_SMTP]);

    const held = listOrgOutbox(org.id, OutboxQuerySchema.parse({ status: "held", channel: "email" }), 2);
    expect(held).toMatchObject({ total: 3, page: 1 });
    expect(held.messages.map((m) => m.createdAt)).toEqual(["2026-03-02T09:02:00.000Z", "2026-03-02T09:01:00.000Z"]);
    const second = listOrgOutbox(org.id, OutboxQuerySchema.parse({ status: "held", page: "2" }), 2);
    expect(second.messages.map((m) => m.createdAt)).toEqual(["2026-03-02T09:00:00.000Z"]);
    // A page past the end shows the last one; a bad filter value is ignored.
    expect(listOrgOutbox(org.id, OutboxQuerySchema.parse({ status: "nonsense", page: "99" }), 2).page).toBe(2);
  });
});

describe("webhookEndpointStates", () => {
  it("gives each endpoint its latest attempt, what waits for it, and when it was turned back on", async () => {
    const admin = member(org, "admin").actor;
    const quiet = register(org, "https://hooks.example.com/quiet");
    const busy = register(org, "https://hooks.example.com/busy");
    const now = new Date();
    sendTestEvent(org.id, busy.id, admin, now);
    // Only this endpoint has a message (its test event); the stubbed sender fails it with 503.
    await deliverDueMessages(now, {
      senders: { webhook: async (m) => ({ ok: false, statusCode: m.webhookEndpointId === busy.id ? 503 : null, error: "down" }) },
    });
    getDb().update(webhookEndpoints).set({ disabledAt: now, disabledReason: "test" }).where(eq(webhookEndpoints.id, busy.id)).run();
    enableWebhookEndpoint(org.id, busy.id, admin, new Date("2026-04-01T10:00:00Z"));

    const states = webhookEndpointStates(org.id, [quiet.id, busy.id]);
    expect(states.get(quiet.id)).toEqual({ lastAttempt: null, waiting: 0, enabledAt: null });
    expect(states.get(busy.id)).toMatchObject({
      lastAttempt: { ok: false, statusCode: 503, error: "down" },
      waiting: 1,
      enabledAt: "2026-04-01T10:00:00.000Z",
    });
    // Another organisation's endpoint ids read nothing.
    expect(webhookEndpointStates(other.id, [busy.id]).get(busy.id)).toEqual({ lastAttempt: null, waiting: 0, enabledAt: null });
  });
});
