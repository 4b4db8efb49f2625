import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { auditEvents, deliveryAttempts, notifications, outboxMessages, webhookEndpoints } from "../../../db/schema";
import { catchDomainError } from "../../../tests/setup/domain-errors";
import { createTestOrg, member, type TestOrg } from "../../../tests/setup/test-orgs";
import { startWebhookReceiver, type WebhookReceiver } from "../../../tests/setup/webhook-receiver";
import { WEBHOOK_DISABLE_AFTER_MS } from "./delivery";
import { webhookEventSchema } from "./notification-payloads";
import { WebhookCreateSchema } from "./notification-schemas";
import { notify } from "./notifications.server";
import { deliverDueMessages } from "./outbox.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  sendTestEvent,
} from "./webhooks.server";

let receiver: WebhookReceiver;
let org: TestOrg;
const HOUR = 3_600_000;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  org = await createTestOrg("webhooks");
});
afterAll(async () => {
  await receiver.close();
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
});
afterEach(() => {
  receiver.receipts.length = 0;
  receiver.failNext(0);
  writeTransaction("bookkeeping", (tx) => {
    tx.delete(deliveryAttempts).run();
    tx.delete(outboxMessages).run();
    tx.delete(notifications).run();
    tx.update(webhookEndpoints).set({ deletedAt: new Date() }).run();
  });
});

function register(url = receiver.url, events: string[] = ["incident.opened"]) {
  const admin = member(org, "admin");
  const created = createWebhookEndpoint(org.id, WebhookCreateSchema.parse({ url, events }), admin.actor);
  receiver.useSecret(created.secret);
  return created;
}

function incidentOpened(now = new Date()) {
  writeTransaction({ orgId: org.id }, (tx) =>
    notify(
      tx,
      {
        orgId: org.id,
        type: "incident.opened",
        recipients: [],
        title: "Incident opened on credit-scoring",
        path: `/orgs/${org.slug}/models/credit-scoring`,
        data: {
          incidentId: 1,
          model: "credit-scoring",
          modelName: "Credit scoring",
          version: "1.0.0",
          title: "Drift",
          severity: "sev2",
          status: "open",
          reportedBy: "team@example.test",
        },
      },
      now,
    ),
  );
}

describe("webhooks", () => {
  it("signs every delivery per Standard Webhooks; the receiver's verifier accepts it", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    const endpoint = register();
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    incidentOpened();
    await deliverDueMessages(new Date());

    expect(receiver.receipts).toHaveLength(1);
    const [receipt] = receiver.receipts;
    expect(receipt).toMatchObject({ verified: true, answered: 204 });
    expect(receipt!.id).toMatch(/^msg_/);
    // Exactly what the OpenAPI document's `webhooks` entry declares: parsing drops no undeclared key.
    const payload = JSON.parse(receipt!.body);
    expect(webhookEventSchema("incident.opened").parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({
      type: "incident.opened",
      data: { model: "credit-scoring", severity: "sev2", url: expect.stringMatching(`/orgs/${org.slug}/models/credit-scoring$`) },
    });
    expect(listWebhookDeliveries(org.id, endpoint.id)).toMatchObject([{ ok: true, statusCode: 204, eventType: "incident.opened" }]);
  });

  it("retries after 500s and delivers each message once, under the same id", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    register();
    incidentOpened();
    receiver.failNext(2);
    const start = Date.now();
    for (const minutes of [0, 1, 3, 10, 30]) await deliverDueMessages(new Date(start + minutes * 60_000));

    expect(receiver.receipts.map((r) => r.answered)).toEqual([500, 500, 204]);
    expect(new Set(receiver.receipts.map((r) => r.id)).size, "one message id across the attempts").toBe(1);
    expect(receiver.receipts.every((r) => r.verified)).toBe(true);
  });

  it("refuses a literal private address or localhost when the receiver is registered, unless WEBHOOK_ALLOW_PRIVATE is on", () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE;
    const before = listWebhookEndpoints(org.id).length;
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://localhost:9999/hook",
      "https://api.localhost/hook",
      "http://[::1]/hook",
      "http://10.1.2.3/hook",
      "http://169.254.169.254/latest",
    ]) {
      const refused = catchDomainError(() => register(url));
      expect(refused, url).toMatchObject({ code: "invalid", field: "url" });
      expect(refused.message, url).toMatch(/does not send to this address: .*(loopback|private|linkLocal)/);
    }
    expect(listWebhookEndpoints(org.id)).toHaveLength(before);
    expect(register("https://hooks.example.com/portal").url).toBe("https://hooks.example.com/portal");
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    expect(register("http://localhost:9999/hook").url).toBe("http://localhost:9999/hook");
  });

  it("refuses loopback, private and link-local receivers when sending unless WEBHOOK_ALLOW_PRIVATE is on", async () => {
    // Registered while allowed (a name that resolves to a private address is only found out when sending).
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    register(receiver.url.replace("127.0.0.1", "localhost"));
    delete process.env.WEBHOOK_ALLOW_PRIVATE;
    // By name: localhost resolves to loopback, caught at the address connected to.
    incidentOpened();
    await deliverDueMessages(new Date());
    expect(receiver.receipts).toEqual([]);
    const [attempt] = getDb().select().from(deliveryAttempts).all();
    expect(attempt).toMatchObject({ ok: false, statusCode: null });
    expect(attempt!.error).toMatch(/refused: .*loopback/);
  });

  it("disables an endpoint failing for 24 hours, holds its messages, tells its admins; enabling sends them", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    const endpoint = register();
    const start = new Date();
    incidentOpened(start);
    receiver.failNext(1_000);
    await deliverDueMessages(start);
    incidentOpened(new Date(start.getTime() + 2 * HOUR));
    // Retries back off to about six hours (with jitter), so the attempt that finds a day of failure comes by hour 31.
    for (let hour = 1; hour <= 31; hour++) await deliverDueMessages(new Date(start.getTime() + hour * HOUR));

    const row = getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id)).get()!;
    expect(row.disabledAt).not.toBeNull();
    const messages = getDb().select().from(outboxMessages).where(eq(outboxMessages.webhookEndpointId, endpoint.id)).all();
    expect(messages.map((m) => m.status)).toEqual(["held", "held"]);
    const told = getDb().select().from(notifications).where(eq(notifications.eventType, "webhook.disabled")).all();
    expect(told.map((n) => n.userId)).toEqual([member(org, "admin").userId]);
    expect(getDb().select().from(auditEvents).where(eq(auditEvents.action, "webhook.disabled")).all()).toHaveLength(1);

    receiver.failNext(0);
    enableWebhookEndpoint(org.id, endpoint.id, member(org, "admin").actor);
    await deliverDueMessages(new Date(start.getTime() + 32 * HOUR));
    expect(receiver.receipts.filter((r) => r.answered === 204)).toHaveLength(2);
    expect(WEBHOOK_DISABLE_AFTER_MS).toBe(24 * HOUR);
  });

  it("a test event reaches the endpoint; a deleted endpoint gets nothing more", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    const admin = member(org, "admin");
    const endpoint = register();
    sendTestEvent(org.id, endpoint.id, admin.actor);
    await deliverDueMessages(new Date());
    const payload = JSON.parse(receiver.receipts[0]!.body);
    expect(payload).toMatchObject({ type: "webhook.test", data: { webhookId: endpoint.id } });
    expect(webhookEventSchema("webhook.test").parse(payload)).toEqual(payload);

    deleteWebhookEndpoint(org.id, endpoint.id, admin.actor);
    incidentOpened();
    await deliverDueMessages(new Date());
    expect(receiver.receipts).toHaveLength(1);
  });
});
