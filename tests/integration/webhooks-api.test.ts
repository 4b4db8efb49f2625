import { listAuditEvents } from "../../app/modules/audit/audit.server";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { API, expectApiError, expectJson, type ApiClient } from "../setup/api-client";
import { expect, portalEnv, test } from "../setup/api-test";
import { expectWebhookMatchesDocument } from "../setup/openapi-check";
import { createTestOrg, fullLineage, member, uniqueSlug, type TestOrg } from "../setup/test-orgs";
import { startWebhookReceiver, type WebhookReceiver } from "../setup/webhook-receiver";

/**
 * The webhooks API over real HTTP: pipelines register endpoints for event
 * types (webhooks:write, plus each event's read scope), list them without
 * their secrets, read the delivery log of a real signed delivery to a local
 * receiver, and delete them; another organisation's endpoints are 404.
 */

// The receiver listens on loopback, which deliveries refuse unless private addresses are allowed.
portalEnv({ WEBHOOK_ALLOW_PRIVATE: "1" });

const WEBHOOKS = `${API}/webhooks`;
const MANAGE: ApiScope[] = ["webhooks:read", "webhooks:write"];
const RECEIVER_URL = "https://hooks.example.com/portal";

async function listed(ctx: ApiClient): Promise<Array<Record<string, unknown>>> {
  return (await expectJson(await ctx.get(WEBHOOKS), 200)).webhooks;
}

/** The organisation's webhook audit events, oldest first. */
function webhookAudit(org: TestOrg) {
  return listAuditEvents(org.id, { entityType: "webhook" }, { limit: 50 }).events.reverse();
}

/** Waits for the receiver's first receipt (the scheduler delivers every 100 ms here). */
async function firstReceipt(receiver: WebhookReceiver) {
  for (let waited = 0; waited < 20_000 && receiver.receipts.length === 0; waited += 100) await new Promise((r) => setTimeout(r, 100));
  expect(receiver.receipts.length, "a delivery reached the receiver").toBeGreaterThan(0);
  return receiver.receipts[0]!;
}

test("POST registers an endpoint: 201 with its whsec_ secret, shown that once; GET lists it without", async ({ testOrg, apiAs }) => {
  const { ctx, name } = await apiAs(testOrg.id, [...MANAGE, "governance:read", "registry:read"], "deploy-pipeline");
  const created = await expectJson(
    await ctx.post(WEBHOOKS, {
      data: { url: RECEIVER_URL, events: ["approval.decided", "incident.opened", "approval.decided"], description: " Deploys " },
    }),
    201,
  );
  expect(created).toMatchObject({
    url: RECEIVER_URL,
    events: ["approval.decided", "incident.opened"],
    description: "Deploys",
    createdBy: `token:${name}`,
    disabledAt: null,
  });
  expect(created.id).toEqual(expect.any(Number));
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

  const { secret, ...shown } = created;
  const list = await listed(ctx);
  expect(list).toEqual([shown]);
  expect(JSON.stringify(list)).not.toContain(secret);

  // Audited, with the token as the actor; the secret is not in the trail.
  const [event] = webhookAudit(testOrg);
  expect(event).toMatchObject({ action: "webhook.created", entityId: String(created.id), actorType: "token", actorLabel: `token:${name}` });
  expect(JSON.stringify(event)).not.toContain(secret.slice(6));
});

test("a retry with the same Idempotency-Key gets the first answer, secret included, and registers nothing more", async ({
  testOrg,
  apiAs,
}) => {
  const { ctx } = await apiAs(testOrg.id, [...MANAGE, "audit:read"]);
  const send = () =>
    ctx.post(WEBHOOKS, { data: { url: RECEIVER_URL, events: ["audit.verification_failed"] }, headers: { "Idempotency-Key": "hook-1" } });
  const first = await expectJson(await send(), 201);
  const retry = await send();
  expect(retry.headers()["idempotent-replayed"]).toBe("true");
  expect(await expectJson(retry, 201)).toEqual(first);
  expect((await listed(ctx)).map((w) => w.id)).toEqual([first.id]);
});

test("scopes: webhooks:write registers and deletes, webhooks:read lists and reads deliveries", async ({ testOrg, apiAs }) => {
  const { ctx: reader } = await apiAs(testOrg.id, ["webhooks:read", "governance:read"]);
  const { ctx: writer } = await apiAs(testOrg.id, ["webhooks:write", "governance:read"]);
  const refused = await expectApiError(
    await reader.post(WEBHOOKS, { data: { url: RECEIVER_URL, events: ["approval.requested"] } }),
    403,
    "forbidden",
  );
  expect(refused.message).toContain("webhooks:write");
  await expectApiError(await writer.get(WEBHOOKS), 403, "forbidden");

  const created = await expectJson(await writer.post(WEBHOOKS, { data: { url: RECEIVER_URL, events: ["approval.requested"] } }), 201);
  expect((await listed(reader)).map((w) => w.id)).toEqual([created.id]);
  await expectApiError(await writer.get(`${WEBHOOKS}/${created.id}/deliveries`), 403, "forbidden");
  await expectApiError(await reader.delete(`${WEBHOOKS}/${created.id}`), 403, "forbidden");
  expect((await listed(reader)).map((w) => w.id)).toEqual([created.id]);
});

test("each event needs its domain's read scope too: 403 naming it at events.<index>, nothing registered", async ({ testOrg, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, [...MANAGE, "governance:read"]);
  const error = await expectApiError(
    await ctx.post(WEBHOOKS, {
      data: { url: RECEIVER_URL, events: ["approval.requested", "incident.opened", "card.submitted", "assessment.submitted"] },
    }),
    403,
    "forbidden",
  );
  expect(error.issues).toEqual([
    { path: "events.1", message: expect.stringContaining("registry:read") },
    { path: "events.3", message: expect.stringContaining("assessment:read") },
  ]);
  expect(await listed(ctx)).toEqual([]);
  expect(webhookAudit(testOrg)).toEqual([]);
});

test("bad input: 400 for a body that is not JSON, 422 with field errors; nothing registered", async ({ testOrg, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, [...MANAGE, "governance:read", "registry:read", "audit:read"]);
  await expectApiError(
    await ctx.post(WEBHOOKS, { data: "{not json", headers: { "content-type": "application/json" } }),
    400,
    "malformed_json",
  );

  const invalid = async (data: unknown) => (await expectApiError(await ctx.post(WEBHOOKS, { data }), 422, "invalid")).issues;
  expect(await invalid({})).toEqual([
    { path: "url", message: "Give the receiver's URL" },
    { path: "events", message: "Choose at least one event" },
  ]);
  expect(await invalid({ url: "ftp://hooks.example.com/x", events: [] })).toEqual([
    { path: "url", message: expect.stringMatching(/https:\/\//) },
    { path: "events", message: "Choose at least one event" },
  ]);
  // Only events about the organisation's work: not account messages, not unknown names.
  const events = await invalid({ url: RECEIVER_URL, events: ["approval.requested", "account.password_reset", "approval.maybe"] });
  expect(events.map((i) => i.path)).toEqual(["events.1", "events.2"]);
  expect(events[0]!.message).toMatch(/Not an event a webhook can subscribe to: choose from approval\.requested, /);
  expect((await invalid({ url: RECEIVER_URL, events: Array(51).fill("approval.requested") }))[0]).toEqual({
    path: "events",
    message: "At most 50 events",
  });
  expect(await invalid({ url: RECEIVER_URL, events: ["approval.requested"], description: "x".repeat(201), secret: "mine" })).toEqual([
    { path: "description", message: expect.stringContaining("200") },
    // The secret is the portal's to make: a client's is refused, not dropped silently.
    { path: "secret", message: "Unknown field; the fields here are url, events, description" },
  ]);

  expect(await listed(ctx)).toEqual([]);
  expect(webhookAudit(testOrg)).toEqual([]);
});

test("a real delivery: signed per Standard Webhooks, as documented, and in the delivery log", async ({ testOrg, apiAs }) => {
  const receiver = await startWebhookReceiver();
  try {
    const { ctx } = await apiAs(testOrg.id, [...MANAGE, "governance:read", "governance:write"]);
    const webhook = await expectJson(await ctx.post(WEBHOOKS, { data: { url: receiver.url, events: ["approval.requested"] } }), 201);
    receiver.useSecret(webhook.secret);
    expect(await expectJson(await ctx.get(`${WEBHOOKS}/${webhook.id}/deliveries`), 200)).toEqual({ deliveries: [] });

    // An approval request opened through the API is the event.
    const team = member(testOrg, "team");
    const slug = uniqueSlug("hooked");
    createModel(testOrg.id, { name: "Hooked model", slug, riskTier: "high" }, team.actor, "ui");
    createVersion(testOrg.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
    const request = await expectJson(await ctx.post(`${API}/models/${slug}/versions/1.0.0/approval-requests`, { data: {} }), 201);

    const receipt = await firstReceipt(receiver);
    expect(receipt).toMatchObject({ verified: true, answered: 204 });
    expect(receipt.id).toMatch(/^msg_/);
    const payload = JSON.parse(receipt.body);
    expectWebhookMatchesDocument(payload);
    expect(payload).toMatchObject({
      type: "approval.requested",
      data: {
        requestId: request.id,
        model: slug,
        version: "1.0.0",
        url: expect.stringMatching(`/orgs/${testOrg.slug}/approvals/${request.id}$`),
      },
    });

    const { deliveries } = await expectJson(await ctx.get(`${WEBHOOKS}/${webhook.id}/deliveries`), 200);
    expect(deliveries).toEqual([
      {
        messageId: receipt.id,
        eventType: "approval.requested",
        status: "delivered",
        attemptedAt: expect.any(String),
        ok: true,
        statusCode: 204,
        durationMs: expect.any(Number),
        error: null,
      },
    ]);
    expect(Date.now() - Date.parse(deliveries[0].attemptedAt)).toBeLessThan(60_000);
  } finally {
    await receiver.close();
  }
});

test("DELETE → 204: gone from the list, then 404; audited", async ({ testOrg, apiAs }) => {
  const { ctx, name } = await apiAs(testOrg.id, [...MANAGE, "roadmap:read"]);
  const keep = await expectJson(await ctx.post(WEBHOOKS, { data: { url: RECEIVER_URL, events: ["roadmap.item_assigned"] } }), 201);
  const drop = await expectJson(await ctx.post(WEBHOOKS, { data: { url: `${RECEIVER_URL}/2`, events: ["roadmap.item_assigned"] } }), 201);

  const deleted = await ctx.delete(`${WEBHOOKS}/${drop.id}`);
  expect(deleted.status()).toBe(204);
  expect(await deleted.text()).toBe("");
  expect((await listed(ctx)).map((w) => w.id)).toEqual([keep.id]);
  await expectApiError(await ctx.delete(`${WEBHOOKS}/${drop.id}`), 404, "not_found");
  await expectApiError(await ctx.get(`${WEBHOOKS}/${drop.id}/deliveries`), 404, "not_found");
  for (const id of ["999999999", "abc", "0"]) await expectApiError(await ctx.delete(`${WEBHOOKS}/${id}`), 404, "not_found");

  expect(webhookAudit(testOrg).map((e) => [e.action, e.entityId, e.actorLabel])).toEqual([
    ["webhook.created", String(keep.id), `token:${name}`],
    ["webhook.created", String(drop.id), `token:${name}`],
    ["webhook.deleted", String(drop.id), `token:${name}`],
  ]);
});

test("another organisation's webhooks: 404 to delete or read, absent from the list, untouched", async ({ testOrg, apiAs }) => {
  const other = await createTestOrg("hooks-other");
  const { ctx: theirs } = await apiAs(other.id, [...MANAGE, "governance:read"]);
  const { ctx: ours } = await apiAs(testOrg.id, [...MANAGE, "governance:read"]);
  const foreign = await expectJson(await theirs.post(WEBHOOKS, { data: { url: RECEIVER_URL, events: ["approval.decided"] } }), 201);

  expect(await listed(ours)).toEqual([]);
  await expectApiError(await ours.get(`${WEBHOOKS}/${foreign.id}/deliveries`), 404, "not_found");
  await expectApiError(await ours.delete(`${WEBHOOKS}/${foreign.id}`), 404, "not_found");
  expect((await listed(theirs)).map((w) => w.id)).toEqual([foreign.id]);
  expect(webhookAudit(testOrg)).toEqual([]);
});
