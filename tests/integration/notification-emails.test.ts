/**
 * The email of every event type that goes by email (issue #16), one test per event: the real domain change
 * through the real domain functions, the real outbox delivery (`deliverDueMessages`) to a real SMTP server
 * (`smtp-server`), and what arrives: who gets it (and that the one who acted does not, where the rule says so),
 * the subject, the absolute portal link in the plain-text and HTML bodies, and, except account messages, a
 * per-person unsubscribe link and `List-Unsubscribe` header.
 */
import { and, eq, isNull, or } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../db/client";
import { deliveryAttempts, notifications, outboxMessages, roadmapItems, webhookEndpoints } from "../../db/schema";
import {
  createAssessment,
  finalizeAssessment,
  submitAssessmentForReview,
  withdrawAssessment,
} from "../../app/modules/assessment/assessments.server";
import { recordSignInDevice } from "../../app/modules/auth/devices.server";
import { createInvitation, invitationPath } from "../../app/modules/auth/invitations.server";
import { findUserByEmail } from "../../app/modules/auth/organizations.server";
import { requestPasswordReset, resetPath } from "../../app/modules/auth/password-reset.server";
import { confirmApprovalPolicy, proposeApprovalPolicy } from "../../app/modules/governance/approval-policies.server";
import { cancelApprovalRequest, decideApprovalRequest, openApprovalRequest } from "../../app/modules/governance/approvals.server";
import { runBiasAudit, signOffBiasAudit } from "../../app/modules/governance/bias-audits.server";
import { ApprovalPolicySchema } from "../../app/modules/governance/governance-schemas";
import { reviewModelCard, saveModelCard, submitModelCard } from "../../app/modules/governance/model-cards.server";
import { transitionVersion } from "../../app/modules/governance/transitions.server";
import { verifyTrailsNightly } from "../../app/modules/notifications/audit-alerts.server";
import { sendWeeklyDigests } from "../../app/modules/notifications/digest.server";
import { readUnsubscribeToken } from "../../app/modules/notifications/email.server";
import { EVENT_TYPE_NAMES, EVENT_TYPES, type EventType } from "../../app/modules/notifications/notification-constants";
import { WebhookCreateSchema } from "../../app/modules/notifications/notification-schemas";
import { deliverDueMessages } from "../../app/modules/notifications/outbox.server";
import { createWebhookEndpoint } from "../../app/modules/notifications/webhooks.server";
import { IncidentCreateSchema, MonitoringSnapshotSchema } from "../../app/modules/registry/registry-schemas";
import {
  createIncident,
  createModel,
  createVersion,
  recordMonitoringSnapshot,
  setObjective,
} from "../../app/modules/registry/registry.server";
import { dueItemsByOwner, generateRoadmapFromAssessment, updateRoadmapItem } from "../../app/modules/roadmap/roadmaps.server";
import { writtenCardSections } from "../setup/model-cards";
import { COMPONENT_IDS, P1 } from "../setup/roadmap-fixtures";
import { startSmtpReceiver, type SmtpReceiver } from "../setup/smtp-receiver";
import { clearPromotionGates, createTestOrg, FAIR_AUDIT_CONFIG, fullLineage, member, uniqueSlug, type TestOrg } from "../setup/test-orgs";
import { startWebhookReceiver, type WebhookReceiver } from "../setup/webhook-receiver";

const PUBLIC_URL = "https://portal.example.test";
const HOUR = 3_600_000;

let smtp: SmtpReceiver;
let hooks: WebhookReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  hooks = await startWebhookReceiver();
  process.env.PUBLIC_URL = PUBLIC_URL;
  process.env.SMTP_URL = smtp.url;
});
afterAll(async () => {
  await smtp.close();
  await hooks.close();
  delete process.env.PUBLIC_URL;
  delete process.env.SMTP_URL;
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
});
// Each event starts from an empty outbox and inbox: what is mailed afterwards is that event's doing.
beforeEach(() => {
  smtp.received.length = 0;
  writeTransaction("bookkeeping", (tx) => {
    tx.delete(deliveryAttempts).run();
    tx.delete(outboxMessages).run();
    tx.delete(notifications).run();
  });
});

/** What the event's email must be: to exactly `to`, never to `notTo` (the one who acted), with this subject and portal path. */
type Expected = { to: string[]; notTo?: string; subject: string; path: string };

/** A minimal- or high-risk model owned by the team member, version 1.0.0 in staging with full lineage. */
function stagingModel(org: TestOrg, riskTier: "minimal" | "limited" | "high") {
  const team = member(org, "team");
  const slug = uniqueSlug("mail");
  createModel(org.id, { name: `Model ${slug}`, slug, riskTier }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  return slug;
}

/** Gates cleared, then the leader asks for promotion: the team member owns the model, so ethics alone is asked. */
async function approvalRequest(org: TestOrg, riskTier: "minimal" | "high") {
  const slug = stagingModel(org, riskTier);
  await clearPromotionGates(org, slug, "1.0.0");
  const request = openApprovalRequest(org.id, slug, "1.0.0", { reason: "Ready" }, member(org, "leadership").actor);
  return { slug, request, path: `/orgs/${org.slug}/approvals/${request.id}` };
}

/** A submitted model card of a limited-risk model, written by the team member. */
function submittedCard(org: TestOrg) {
  const slug = stagingModel(org, "limited");
  const card = saveModelCard(org.id, slug, "1.0.0", writtenCardSections({ modelDetails: "Draft." }), member(org, "team").actor);
  submitModelCard(org.id, card.id, member(org, "team").actor);
  return { slug, card, path: `/orgs/${org.slug}/models/${slug}/versions/1.0.0/card` };
}

/** A bias audit the team member runs: group b is never predicted positive when `fair` is false. */
async function biasAudit(org: TestOrg, fair: boolean) {
  const slug = stagingModel(org, "limited");
  const rows = ["a", "b"].flatMap((group) =>
    Array.from({ length: 40 }, (_, i) => ({ group, label: i % 2, prediction: fair || group === "a" ? i % 2 : 0 })),
  );
  const audit = await runBiasAudit(org.id, slug, "1.0.0", FAIR_AUDIT_CONFIG, { kind: "rows", rows }, member(org, "team").actor, "api");
  return { slug, audit };
}

/** A finalised assessment of the organisation, as its leader. */
function finalisedAssessment(org: TestOrg) {
  const leader = member(org, "leadership").actor;
  const draft = createAssessment(org.id, { period: P1 }, leader);
  const justifications = Object.fromEntries(COMPONENT_IDS.map((id) => [id, "Justified by the test suite."]));
  return finalizeAssessment(org.id, draft.id, { justifications, acceptUnanswered: true }, leader);
}

/** A roadmap generated from a finalised assessment, with its first item. */
function roadmapItem(org: TestOrg) {
  const assessment = finalisedAssessment(org);
  const roadmapId = generateRoadmapFromAssessment(org.id, assessment.id, {}, member(org, "leadership").actor);
  const item = getDb().select().from(roadmapItems).where(eq(roadmapItems.roadmapId, roadmapId)).orderBy(roadmapItems.priority).get()!;
  return { roadmapId, item };
}

/** The first Monday 08:30 UTC after `day` (YYYY-MM-DD): the digest is due, and an item due on `day` is overdue. */
function mondayAfter(day: string): Date {
  const at = new Date(`${day}T08:30:00Z`);
  do at.setUTCDate(at.getUTCDate() + 1);
  while (at.getUTCDay() !== 1);
  return at;
}

/** Runs the outbox until nothing more is due at `now`. */
async function deliverAll(now = new Date()) {
  for (let round = 0; round < 20 && (await deliverDueMessages(now)) > 0; round++);
}

/** Each event: the real change that causes it, and what its email must be. */
const EVENTS: Partial<Record<EventType, (org: TestOrg) => Promise<Expected>>> = {
  "approval.requested": async (org) => {
    const { slug, path } = await approvalRequest(org, "minimal");
    return {
      to: [org.emails.ethics],
      notTo: org.emails.leadership,
      subject: `Approval requested: Model ${slug} 1.0.0 to production`,
      path,
    };
  },
  "approval.decided": async (org) => {
    const { slug, request, path } = await approvalRequest(org, "minimal");
    const ethics = member(org, "ethics");
    decideApprovalRequest(org.id, request.id, { decision: "approve" }, { userId: ethics.userId, label: ethics.label, role: "ethics" });
    return {
      to: [org.emails.leadership, org.emails.team],
      notTo: org.emails.ethics,
      subject: `Approved: Model ${slug} 1.0.0 is in production`,
      path,
    };
  },
  "approval.cancelled": async (org) => {
    const { slug, request, path } = await approvalRequest(org, "high");
    cancelApprovalRequest(org.id, request.id, member(org, "leadership").actor, { isAdmin: false });
    return { to: [org.emails.team], notTo: org.emails.leadership, subject: `Approval request cancelled: Model ${slug} 1.0.0`, path };
  },
  "card.submitted": async (org) => {
    const { slug, path } = submittedCard(org);
    return { to: [org.emails.ethics], notTo: org.emails.team, subject: `Model card to review: Model ${slug} 1.0.0`, path };
  },
  "card.changes_requested": async (org) => {
    const { slug, card, path } = submittedCard(org);
    reviewModelCard(org.id, card.id, { decision: "request_changes", comment: "Describe the training data" }, member(org, "ethics").actor);
    return {
      to: [org.emails.team],
      notTo: org.emails.ethics,
      subject: `Changes requested on the model card of Model ${slug} 1.0.0`,
      path,
    };
  },
  "bias_audit.awaiting_signoff": async (org) => {
    const { slug, audit } = await biasAudit(org, true);
    return {
      to: [org.emails.ethics],
      notTo: org.emails.team,
      subject: `Bias audit to sign off: Model ${slug} 1.0.0 (passed)`,
      path: `/orgs/${org.slug}/bias-audits/${audit.id}`,
    };
  },
  "bias_audit.risk_accepted": async (org) => {
    const { slug, audit } = await biasAudit(org, false);
    expect(audit.passed).toBe(false);
    signOffBiasAudit(
      org.id,
      audit.id,
      { decision: "accept", comment: "Known gap; a retrained model is planned" },
      member(org, "ethics").actor,
    );
    return {
      to: [org.emails.team, org.emails.leadership],
      notTo: org.emails.ethics,
      subject: `Failed bias audit accepted as a risk: Model ${slug} 1.0.0`,
      path: `/orgs/${org.slug}/bias-audits/${audit.id}`,
    };
  },
  "roadmap.item_assigned": async (org) => {
    const { roadmapId, item } = roadmapItem(org);
    updateRoadmapItem(org.id, item.id, { ownerEmail: org.emails.team }, member(org, "leadership").actor);
    return {
      to: [org.emails.team],
      notTo: org.emails.leadership,
      subject: `Roadmap item assigned to you: ${item.title}`,
      path: `/orgs/${org.slug}/roadmaps/${roadmapId}/items/${item.id}`,
    };
  },
  "roadmap.items_due": async (org) => {
    const { item } = roadmapItem(org);
    updateRoadmapItem(org.id, item.id, { ownerEmail: org.emails.team }, member(org, "leadership").actor);
    const now = mondayAfter(item.dueDate!);
    writeTransaction("bookkeeping", (tx) => tx.delete(outboxMessages).run()); // the assignment's own email is another event
    expect(sendWeeklyDigests(now, (orgId, slug, today) => dueItemsByOwner(orgId, slug, today), PUBLIC_URL)).toBeGreaterThan(0);
    await deliverAll(now);
    return { to: [org.emails.team], subject: `Your week in ${org.name}: 1 overdue`, path: `/orgs/${org.slug}` };
  },
  "assessment.submitted": async (org) => {
    const leader = member(org, "leadership").actor;
    const draft = createAssessment(org.id, { period: P1 }, leader);
    submitAssessmentForReview(org.id, draft.id, leader);
    return {
      to: [org.emails.admin],
      notTo: org.emails.leadership,
      subject: `Assessment ${P1} is ready for review`,
      path: `/orgs/${org.slug}/assessments/${draft.id}`,
    };
  },
  "assessment.withdrawn": async (org) => {
    const assessment = finalisedAssessment(org);
    withdrawAssessment(org.id, assessment.id, { reason: "Scored against the wrong quarter" }, member(org, "admin").actor);
    return {
      to: [org.emails.leadership],
      notTo: org.emails.admin,
      subject: `Assessment ${P1} was withdrawn`,
      path: `/orgs/${org.slug}/assessments/${assessment.id}`,
    };
  },
  "incident.opened": async (org) => {
    const slug = stagingModel(org, "minimal");
    const input = IncidentCreateSchema.parse({ title: "Scores stuck at zero", severity: "sev2", startedAt: "2026-11-30T08:00:00Z" });
    createIncident(org.id, slug, "1.0.0", input, member(org, "ethics").actor);
    return {
      to: [org.emails.team],
      notTo: org.emails.ethics,
      subject: `Incident on Model ${slug} 1.0.0: Scores stuck at zero (sev2)`,
      path: `/orgs/${org.slug}/models/${slug}/versions/1.0.0#incidents`,
    };
  },
  "monitoring.objective_breached": async (org) => {
    const slug = stagingModel(org, "minimal");
    setObjective(org.id, slug, { metric: "accuracy", comparison: ">=", threshold: 0.8 }, member(org, "team").actor);
    const snapshot = MonitoringSnapshotSchema.parse({ observedAt: "2026-11-02T06:00:00Z", metrics: { accuracy: 0.62 } });
    recordMonitoringSnapshot(org.id, slug, "1.0.0", snapshot, member(org, "admin").actor);
    return {
      to: [org.emails.team],
      subject: `Model ${slug} 1.0.0 breaches its accuracy objective: 0.62 (must be >= 0.8)`,
      path: `/orgs/${org.slug}/models/${slug}#monitoring`,
    };
  },
  "promotion.automatic": async (org) => {
    const admin = member(org, "admin");
    const ethics = member(org, "ethics");
    const automatic = ApprovalPolicySchema.parse({ riskTier: "minimal", mode: "automatic", requiredRoles: [] });
    const { policy } = proposeApprovalPolicy(org.id, automatic, { userId: admin.userId, label: admin.label, role: "admin" });
    confirmApprovalPolicy(org.id, policy.id, { userId: ethics.userId, label: ethics.label, role: "ethics" });
    const slug = stagingModel(org, "minimal");
    await clearPromotionGates(org, slug, "1.0.0");
    transitionVersion(org.id, slug, "1.0.0", { to: "production" }, { type: "token", id: 999, label: "pipeline" }, { mayPromote: true });
    return {
      to: [org.emails.ethics, org.emails.team],
      subject: `Model ${slug} 1.0.0 promoted to production by policy`,
      path: `/orgs/${org.slug}/models/${slug}/versions/1.0.0`,
    };
  },
  "audit.verification_failed": async (org) => {
    // Someone with the database file edits an event behind the portal's back.
    const sqlite = getDb().$client;
    sqlite.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
    sqlite.prepare("update audit_events set actor_label = 'someone else' where org_id = ? and seq = 1").run(org.id);
    expect(await verifyTrailsNightly(new Date())).toBeGreaterThan(0);
    return {
      to: [org.emails.admin, org.emails.auditor],
      subject: `The audit trail of ${org.name} failed verification`,
      path: `/orgs/${org.slug}/audit`,
    };
  },
  "invitation.created": async (org) => {
    const email = `newcomer.${uniqueSlug("inv")}@e2e.test`;
    const { token } = createInvitation(org.id, { email, role: "team" }, member(org, "admin").actor);
    return { to: [email], notTo: org.emails.admin, subject: `You are invited to join ${org.name}`, path: invitationPath(token) };
  },
  "account.new_device": async (org) => {
    const user = { id: member(org, "team").userId };
    const client = { address: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" };
    writeTransaction("bookkeeping", (tx) => recordSignInDevice(tx, user, null, client));
    const queued = () => getDb().select().from(outboxMessages).where(eq(outboxMessages.eventType, "account.new_device")).all();
    expect(queued(), "a first device is not news").toEqual([]);
    writeTransaction("bookkeeping", (tx) => recordSignInDevice(tx, user, null, client));
    return { to: [org.emails.team], subject: "New sign-in to your account", path: "/account" };
  },
  "account.password_reset": async (org) => {
    const { token } = requestPasswordReset(org.emails.auditor, "198.51.100.4")!;
    return { to: [org.emails.auditor], subject: "Reset your password", path: resetPath(token) };
  },
  "webhook.disabled": async (org) => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    const endpoint = createWebhookEndpoint(
      org.id,
      WebhookCreateSchema.parse({ url: hooks.url, events: ["incident.opened"] }),
      member(org, "admin").actor,
    );
    hooks.useSecret(endpoint.secret);
    hooks.failNext(1_000);
    const slug = stagingModel(org, "minimal");
    const start = new Date();
    const incident = IncidentCreateSchema.parse({ title: "Receiver down", severity: "sev3", startedAt: start.toISOString() });
    createIncident(org.id, slug, "1.0.0", incident, member(org, "team").actor);
    // Retries back off to about six hours (±10%), so the attempt that finds a day of failure comes between
    // hours 24 and 33, depending on the jitter and on whether the first attempt falls in hour 0 or 1.
    const disabled = () =>
      getDb().select({ at: webhookEndpoints.disabledAt }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id)).get()?.at;
    for (let hour = 0; hour <= 36 && !disabled(); hour++) await deliverAll(new Date(start.getTime() + hour * HOUR));
    expect(disabled(), "disabled after a day of failures").toBeInstanceOf(Date);
    hooks.failNext(0);
    return { to: [org.emails.admin], subject: `Webhook disabled: ${hooks.url}`, path: `/orgs/${org.slug}/admin/webhooks` };
  },
};

/**
 * The emails of `type` about `org` (or about no organisation: account messages) that reached the SMTP server,
 * found by the message ids the outbox gave them. Another test's organisation gets its own weekly digest.
 */
function mailsOf(type: EventType, org: TestOrg) {
  const ids = getDb()
    .select({ messageId: outboxMessages.messageId })
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.eventType, type),
        eq(outboxMessages.channel, "email"),
        or(eq(outboxMessages.orgId, org.id), isNull(outboxMessages.orgId)),
      ),
    )
    .all()
    .map((row) => row.messageId);
  return smtp.received.filter(({ mail }) => ids.some((id) => mail.messageId?.startsWith(`<${id}@`)));
}

describe("the email of each event", () => {
  it("is tested for every event type that goes by email", () => {
    // `webhook.test` goes to one webhook endpoint only, never by email.
    expect(Object.keys(EVENTS).sort()).toEqual(EVENT_TYPE_NAMES.filter((type) => type !== "webhook.test").sort());
  });

  it.each(Object.keys(EVENTS) as EventType[])("%s", async (type) => {
    const org = await createTestOrg("mail");
    const expected = await EVENTS[type]!(org);
    await deliverAll();
    const mails = mailsOf(type, org);
    expect(mails.flatMap((m) => m.to).sort(), "recipients").toEqual([...expected.to].sort());
    if (expected.notTo) expect(mails.flatMap((m) => m.to)).not.toContain(expected.notTo);
    const link = `${PUBLIC_URL}${expected.path}`;
    const account = EVENT_TYPES[type].category === "account";
    for (const { to, mail } of mails) {
      expect(to, "one person per email").toHaveLength(1);
      expect(mail.subject, to[0]).toBe(expected.subject);
      expect(mail.text, `${to[0]}: the link in the text`).toContain(link);
      expect(mail.html, `${to[0]}: the link in the HTML`).toContain(`href="${link}"`);
      const header = mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line;
      if (account) {
        expect(header, "account messages cannot be unsubscribed from").toBeUndefined();
        expect(mail.text).not.toContain("/unsubscribe/");
        continue;
      }
      const token = /<https:\/\/portal\.example\.test\/unsubscribe\/([^>]+)>/.exec(header ?? "")?.[1];
      expect(token, `${to[0]}: List-Unsubscribe`).toBeDefined();
      expect(readUnsubscribeToken(token!), "the recipient's own token, for the event's category").toEqual({
        userId: findUserByEmail(getDb(), to[0]!)!.id,
        category: EVENT_TYPES[type].category,
      });
      expect(mail.text).toContain(`${PUBLIC_URL}/unsubscribe/${token}`);
      expect(mail.html).toContain(`href="${PUBLIC_URL}/unsubscribe/${token}"`);
    }
  });
});
