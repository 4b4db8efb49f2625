import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { deliveryAttempts, notificationPreferences, notifications, outboxMessages } from "../../../db/schema";
import { createTestOrg, member, type TestOrg } from "../../../tests/setup/test-orgs";
import { startSmtpReceiver, type SmtpReceiver } from "../../../tests/setup/smtp-receiver";
import { FIRST_RETRY_MS } from "./delivery";
import { readUnsubscribeToken } from "./email.server";
import { notify, type NotificationEvent } from "./notifications.server";
import { deliverDueMessages, NO_SMTP, releaseHeldEmails } from "./outbox.server";

let smtp: SmtpReceiver;
let org: TestOrg;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  org = await createTestOrg("outbox");
  process.env.PUBLIC_URL = "https://portal.example.test";
});
afterAll(async () => {
  await smtp.close();
  delete process.env.PUBLIC_URL;
  delete process.env.SMTP_URL;
});
afterEach(() => {
  smtp.received.length = 0;
  writeTransaction("bookkeeping", (tx) => {
    tx.delete(deliveryAttempts).run();
    tx.delete(outboxMessages).run();
    tx.delete(notifications).run();
    tx.delete(notificationPreferences).run();
  });
});

function approvalRequested(recipients: number[]): NotificationEvent {
  return {
    orgId: org.id,
    type: "approval.requested",
    recipients,
    title: "Approval requested: credit-scoring 1.2.0",
    body: "The team asks to promote credit-scoring 1.2.0 to production.",
    path: `/orgs/${org.slug}/approvals/7`,
    data: { requestId: 7, model: "credit-scoring", version: "1.2.0", requiredRoles: ["ethics"], requestedBy: "team@example.test" },
  };
}

const emailsInOutbox = () => getDb().select().from(outboxMessages).where(eq(outboxMessages.channel, "email")).all();

describe("notify", () => {
  it("tells each recipient in the portal, and emails those who chose email, in the caller's transaction", () => {
    const ethics = member(org, "ethics");
    const leadership = member(org, "leadership");
    getDb().insert(notificationPreferences).values({ userId: leadership.userId, category: "approvals", mode: "portal" }).run();

    expect(() =>
      writeTransaction({ orgId: org.id }, (tx) => {
        notify(tx, approvalRequested([ethics.userId, leadership.userId, ethics.userId]));
        throw new Error("the change failed");
      }),
    ).toThrow("the change failed");
    expect(getDb().select().from(notifications).all(), "nothing of a rolled-back change").toEqual([]);
    expect(emailsInOutbox()).toEqual([]);

    writeTransaction({ orgId: org.id }, (tx) => notify(tx, approvalRequested([ethics.userId, leadership.userId, ethics.userId])));
    const told = getDb().select().from(notifications).all();
    expect(told.map((n) => n.userId).sort()).toEqual([ethics.userId, leadership.userId].sort());
    expect(told[0]).toMatchObject({ category: "approvals", eventType: "approval.requested", path: `/orgs/${org.slug}/approvals/7` });
    expect(emailsInOutbox().map((m) => m.toEmail)).toEqual([org.emails.ethics]);
  });
});

describe("deliverDueMessages", () => {
  it("sends through SMTP with the link, the unsubscribe header and the message id", async () => {
    process.env.SMTP_URL = smtp.url;
    const ethics = member(org, "ethics");
    writeTransaction({ orgId: org.id }, (tx) => notify(tx, approvalRequested([ethics.userId])));
    const [queued] = emailsInOutbox();

    expect(await deliverDueMessages(new Date())).toBe(1);
    const [received] = await smtp.waitFor(1);
    expect(received!.to).toEqual([org.emails.ethics]);
    expect(received!.mail.subject).toBe("Approval requested: credit-scoring 1.2.0");
    expect(received!.mail.text).toContain(`https://portal.example.test/orgs/${org.slug}/approvals/7`);
    expect(received!.mail.html).toContain(`href="https://portal.example.test/orgs/${org.slug}/approvals/7"`);
    expect(received!.mail.messageId).toMatch(new RegExp(`^<${queued!.messageId}@`));
    const unsubscribe = received!.mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "";
    const token = /\/unsubscribe\/([^>]+)>/.exec(unsubscribe)?.[1];
    expect(readUnsubscribeToken(token!)).toEqual({ userId: ethics.userId, category: "approvals" });
    expect(readUnsubscribeToken(token!.replace(/.$/, (c) => (c === "a" ? "b" : "a"))), "a forged token").toBeNull();

    const [row] = emailsInOutbox();
    expect(row).toMatchObject({ status: "delivered", attempts: 1, lastError: null });
    expect(getDb().select().from(deliveryAttempts).all()).toMatchObject([{ ok: true, statusCode: 250 }]);
    expect(await deliverDueMessages(new Date()), "a delivered message is not sent again").toBe(0);
  });

  it("retries a refused message later, logs each attempt, and delivers it once", async () => {
    process.env.SMTP_URL = smtp.url;
    writeTransaction({ orgId: org.id }, (tx) => notify(tx, approvalRequested([member(org, "ethics").userId])));
    smtp.refuse(1);
    const now = new Date();
    await deliverDueMessages(now);
    const [afterFailure] = emailsInOutbox();
    expect(afterFailure).toMatchObject({ status: "pending", attempts: 1 });
    expect(afterFailure!.lastError).toMatch(/Try again later/);
    const wait = afterFailure!.nextAttemptAt.getTime() - now.getTime();
    expect(wait).toBeGreaterThanOrEqual(FIRST_RETRY_MS * 0.9);
    expect(wait).toBeLessThanOrEqual(FIRST_RETRY_MS * 1.1);

    expect(await deliverDueMessages(now), "not due yet").toBe(0);
    await deliverDueMessages(new Date(now.getTime() + FIRST_RETRY_MS * 1.1));
    expect(smtp.received).toHaveLength(1);
    expect(
      getDb()
        .select()
        .from(deliveryAttempts)
        .all()
        .map((a) => [a.ok, a.statusCode]),
    ).toEqual([
      [false, 451],
      [true, 250],
    ]);
  });

  it("holds emails while no SMTP server is configured, and sends them once one is", async () => {
    delete process.env.SMTP_URL;
    writeTransaction({ orgId: org.id }, (tx) => notify(tx, approvalRequested([member(org, "ethics").userId])));
    await deliverDueMessages(new Date());
    expect(emailsInOutbox()).toMatchObject([{ status: "held", lastError: NO_SMTP, attempts: 0 }]);

    process.env.SMTP_URL = smtp.url;
    await deliverDueMessages(new Date());
    expect(smtp.received).toHaveLength(1);
    expect(emailsInOutbox()).toMatchObject([{ status: "delivered", lastError: null, attempts: 1 }]);
    expect(releaseHeldEmails(new Date())).toBe(0);
  });
});
