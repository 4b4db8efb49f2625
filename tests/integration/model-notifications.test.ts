/**
 * A model's owning person and its followers hear of its incidents and of an objective it falls out of
 * (issue #16), against the real server: the incident and the snapshot come through the JSON API, the
 * follower follows from the model page, and the email arrives at a real SMTP server.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notifications } from "../../db/schema";
import { findUserByEmail } from "../../app/modules/auth/organizations.server";
import { setObjective } from "../../app/modules/registry/registry.server";
import { expectApiError, expectJson, send, type ApiClient } from "../setup/api-client";
import { expect, mailbox, portal, test, TEST_PUBLIC_URL } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { createTestOrg, member, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const base = () => portal().baseUrl;

/** The inbox rows of `email` for one event type, oldest first. */
function inboxOf(email: string, type: "incident.opened" | "monitoring.objective_breached") {
  const userId = findUserByEmail(getDb(), email)!.id;
  return getDb()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.eventType, type)))
    .orderBy(notifications.id)
    .all();
}

/** A model owned by the team member, followed from its page by the ethics member, with one version. */
async function watchedModel(org: TestOrg, api: ApiClient) {
  const outsider = await createTestOrg("stranger");
  const refused = await expectApiError(
    await api.post("/api/v1/models", { data: { name: "Nobody's", riskTier: "limited", ownerEmail: outsider.emails.team } }),
    422,
  );
  expect(refused.issues).toEqual([{ path: "ownerEmail", message: `${outsider.emails.team} is not an active member of this organisation` }]);

  const model = await expectJson<{ slug: string; owner: { email: string; name: string } | null }>(
    await api.post("/api/v1/models", { data: { name: "Fraud scorer", riskTier: "high", ownerEmail: org.emails.team } }),
    201,
  );
  expect(model.owner).toEqual({ email: org.emails.team, name: expect.stringMatching(/^Team /) as string });
  await expectJson(await api.post(`/api/v1/models/${model.slug}/versions`, { data: { version: "1.0.0" } }), 201);

  const { cookie } = await signIn(base(), org.emails.ethics, TEST_PASSWORD);
  const followed = await send(base(), `/orgs/${org.slug}/models/${model.slug}?index`, {
    method: "POST",
    cookie,
    body: new URLSearchParams({ intent: "follow", following: "yes" }),
  });
  expect(followed.status).toBe(200);
  expect(followed.text).toContain("You follow this model");
  return model.slug;
}

test("an incident reported through the API tells the model's owner and followers, in the inbox and by email", async ({
  testOrg,
  apiAs,
}) => {
  const { ctx: api } = await apiAs(testOrg.id, ["registry:read", "registry:write"]);
  const slug = await watchedModel(testOrg, api);

  const incident = await expectJson<{ id: number }>(
    await api.post(`/api/v1/models/${slug}/versions/1.0.0/incidents`, {
      data: { title: "Scores stuck at zero", severity: "sev2", startedAt: "2026-11-30T08:00:00Z" },
    }),
    201,
  );
  const path = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0#incidents`;
  for (const email of [testOrg.emails.team, testOrg.emails.ethics]) {
    const [row, ...more] = inboxOf(email, "incident.opened");
    expect(more, email).toEqual([]);
    expect(row, email).toMatchObject({ orgId: testOrg.id, path, title: "Incident on Fraud scorer 1.0.0: Scores stuck at zero (sev2)" });
    expect(row!.readAt).toBeNull();
    const { mail } = await mailbox().waitForMailTo(email, /^Incident on Fraud scorer/);
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}${path}`);
  }
  expect(inboxOf(testOrg.emails.leadership, "incident.opened"), "neither owner nor follower").toEqual([]);
  expect(incident.id).toBeGreaterThan(0);
});

test("a snapshot that moves an objective into breach tells them once; staying in breach tells nobody again", async ({ testOrg, apiAs }) => {
  const { ctx: api } = await apiAs(testOrg.id, ["registry:read", "registry:write"]);
  const slug = await watchedModel(testOrg, api);
  setObjective(testOrg.id, slug, { metric: "accuracy", comparison: ">=", threshold: 0.8 }, member(testOrg, "team").actor);
  const snapshot = (day: number, accuracy: number) =>
    api.post(`/api/v1/models/${slug}/versions/1.0.0/monitoring`, {
      data: { observedAt: `2026-11-0${day}T06:00:00Z`, metrics: { accuracy } },
    });

  await expectJson(await snapshot(1, 0.91), 201);
  expect(inboxOf(testOrg.emails.team, "monitoring.objective_breached"), "met: nothing to say").toEqual([]);
  await expectJson(await snapshot(2, 0.62), 201);
  await expectJson(await snapshot(3, 0.6), 201);

  const path = `/orgs/${testOrg.slug}/models/${slug}#monitoring`;
  for (const email of [testOrg.emails.team, testOrg.emails.ethics]) {
    const rows = inboxOf(email, "monitoring.objective_breached");
    expect(rows, `${email}: the move into breach, not the snapshot after it`).toHaveLength(1);
    expect(rows[0]).toMatchObject({ path, title: "Fraud scorer 1.0.0 breaches its accuracy objective: 0.62 (must be >= 0.8)" });
    const { mail } = await mailbox().waitForMailTo(email, /breaches its accuracy objective/);
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}${path}`);
  }

  // Back above the line, then under it again: a new breach, told again.
  await expectJson(await snapshot(4, 0.85), 201);
  await expectJson(await snapshot(5, 0.7), 201);
  expect(inboxOf(testOrg.emails.ethics, "monitoring.objective_breached")).toHaveLength(2);
});
