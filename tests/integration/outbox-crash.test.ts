/**
 * Crash safety of the outbox, with real parts: the production server sends
 * email to a real SMTP server and webhooks to a real HTTP receiver; both
 * receivers take the first delivery and hold their answer, and the server is
 * killed (SIGKILL) while that delivery is in flight, after the receiver got
 * the message but before the server could record it. Restarted on the same
 * database, the server delivers every message: none is lost, and the one in
 * flight arrives at most once more, under the same Message-ID / webhook-id,
 * so a receiver can drop the repeat. The restart does not wait out the dead
 * server's lease on the delivery job (five minutes): it frees it at once.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { deliveryAttempts, outboxMessages } from "../../db/schema";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createWebhookEndpoint } from "../../app/modules/notifications/webhooks.server";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { postJson } from "../setup/api-client";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, type PortalServer } from "../setup/portal-server";
import { waitFor } from "../setup/processes";
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from "../setup/smtp-receiver";
import { createTestOrg, fullLineage, makeToken, member, uniqueSlug } from "../setup/test-orgs";
import { startWebhookReceiver, type WebhookReceiver } from "../setup/webhook-receiver";

let buildDir = "";
let releaseBuild = () => {};
let smtp: SmtpReceiver;
let hooks: WebhookReceiver;

beforeAll(async () => {
  ({ buildDir, release: releaseBuild } = acquirePortalBuild());
  [smtp, hooks] = await Promise.all([startSmtpReceiver(), startWebhookReceiver()]);
}, 240_000);

afterAll(async () => {
  killAllPortals();
  smtp?.release();
  hooks?.release();
  await Promise.all([smtp?.close(), hooks?.close()]);
  releaseBuild();
});

/** The outbox id in an email's Message-ID (`<id@domain>`). */
const idOfMail = (received: ReceivedMail) => /^<([^@>]+)@/.exec(received.mail.messageId ?? "")?.[1] ?? "";

const outboxOf = (orgId: number) => getDb().select().from(outboxMessages).where(eq(outboxMessages.orgId, orgId)).all();

it("a server killed while a delivery is in flight delivers every message after a restart, at most one twice and under the same id", async () => {
  const env = { SMTP_URL: smtp.url, SCHEDULER_POLL_MS: "100", PUBLIC_URL: "https://portal.test", WEBHOOK_ALLOW_PRIVATE: "1" };
  const databaseFile = process.env.DATABASE_URL!;
  const org = await createTestOrg("crash");
  // Registered here, in the test's process: its receiver is on loopback, as the server's env allows.
  process.env.WEBHOOK_ALLOW_PRIVATE = "1";
  const endpoint = createWebhookEndpoint(
    org.id,
    { url: hooks.url, events: ["approval.requested"], description: "crash test" },
    SYSTEM_ACTOR,
  );
  hooks.useSecret(endpoint.secret);
  // Three high-risk versions in staging, each asked for approval by a pipeline: emails to the approvers and a webhook each.
  const team = member(org, "team");
  const slugs = [1, 2, 3].map((i) => uniqueSlug(`crash-${i}`));
  for (const slug of slugs) {
    createModel(org.id, { name: `Crash ${slug}`, slug, riskTier: "high" }, team.actor, "ui");
    createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  }
  const { token } = makeToken(org.id, ["governance:read", "governance:write"]);

  smtp.hold();
  hooks.hold();
  let server: PortalServer | undefined = await startPortal({ databaseFile, buildDir, env });
  for (const slug of slugs) {
    const opened = await postJson(server.baseUrl, token, `/api/v1/models/${slug}/versions/1.0.0/approval-requests`, {
      reason: "crash test",
    });
    expect(opened.status, opened.text).toBe(201);
  }
  const expected = outboxOf(org.id);
  expect(new Set(expected.map((m) => m.channel))).toEqual(new Set(["email", "webhook"]));
  expect(expected.length).toBeGreaterThanOrEqual(6);

  // The delivery worker sends one message at a time: the first reaches its receiver, whose answer waits.
  await waitFor(() => smtp.held().length + hooks.held().length > 0, "a delivery in flight", 30_000);
  const inFlight = smtp
    .held()
    .map(idOfMail)
    .concat(hooks.held().map((r) => r.id));
  expect(inFlight).toHaveLength(1);
  await stopPortal(server, "SIGKILL");
  // Received, but the server died before it could record it: still pending, no attempt logged.
  const unrecorded = outboxOf(org.id).find((m) => m.messageId === inFlight[0])!;
  expect(unrecorded).toMatchObject({ status: "pending", attempts: 0 });
  smtp.release();
  hooks.release();

  const restartedAt = Date.now();
  server = await startPortal({ databaseFile, buildDir, env });
  try {
    // Well inside the dead server's five-minute lease on the delivery job.
    await waitFor(() => outboxOf(org.id).every((m) => m.status === "delivered"), "every message delivered after the restart", 60_000);
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    expect(server.output()).toMatch(/\[scheduler\] job deliver-outbox: took over the lease of ended process [^:\s]+:\d+:/);
  } finally {
    await stopPortal(server);
    server = undefined;
  }

  // Every message arrived; the only one that arrived twice is the one in flight, with the same id both times.
  const receivedIds = [...smtp.received.map(idOfMail), ...hooks.receipts.map((r) => r.id)];
  const times = new Map<string, number>();
  for (const id of receivedIds) times.set(id, (times.get(id) ?? 0) + 1);
  expect([...times.keys()].sort()).toEqual(expected.map((m) => m.messageId).sort());
  const repeated = [...times].filter(([, n]) => n > 1);
  expect(repeated.every(([id, n]) => id === inFlight[0] && n === 2)).toBe(true);
  expect(receivedIds.length).toBeLessThanOrEqual(expected.length + 1);
  // Each email went to the address its outbox row names; each webhook verifies under the endpoint's secret.
  for (const message of expected.filter((m) => m.channel === "email")) {
    expect(smtp.received.find((r) => idOfMail(r) === message.messageId)?.to).toEqual([message.toEmail]);
  }
  expect(hooks.receipts.every((r) => r.verified)).toBe(true);
  // The restarted server logged one successful attempt for the message in flight.
  const attempts = getDb().select().from(deliveryAttempts).where(eq(deliveryAttempts.outboxMessageId, unrecorded.id)).all();
  expect(attempts.map((a) => a.ok)).toEqual([true]);
}, 240_000);
