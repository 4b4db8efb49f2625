/**
 * Submitting twice does not do it twice (issue #14, §8), the forms' half,
 * against the real server: forms that create something carry a one-time
 * token, so a repeat of the same submission answers with the first result;
 * roadmap generations and comments are not chained or duplicated.
 */
import { and, eq } from "drizzle-orm";
import { describe } from "vitest";
import { getDb } from "../../db/client";
import { apiTokens, biasAudits, incidents, invitations, modelCardComments, models, roadmapItemComments, roadmaps } from "../../db/schema";
import { saveModelCard } from "../../app/modules/governance/model-cards.server";
import { API, expectJson, send } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { ASSESS, finalisedAssessment, P1, ROADMAP, type RoadmapBody } from "../setup/roadmap-fixtures";
import { signIn } from "../setup/sign-in";
import { writtenCardSections } from "../setup/model-cards";
import { invitationLinkIn } from "../setup/invitations";
import { member, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const FORM = "application/x-www-form-urlencoded";

const modelsOf = (orgId: number) => getDb().select().from(models).where(eq(models.orgId, orgId)).all();
const roadmapsOf = (orgId: number) => getDb().select().from(roadmaps).where(eq(roadmaps.orgId, orgId)).all();

/** The one-time token a form page carries (the hidden `submissionToken` field). */
async function formToken(baseUrl: string, cookie: string, path: string): Promise<string> {
  const page = await send(baseUrl, path, { cookie });
  expect(page.status, page.text.slice(0, 300)).toBe(200);
  const match = /name="submissionToken" value="([^"]+)"/.exec(page.text) ?? /value="([^"]+)" name="submissionToken"/.exec(page.text);
  expect(match, `${path} carries no submissionToken field`).not.toBeNull();
  return match![1]!;
}

const postForm = (baseUrl: string, cookie: string, path: string, fields: Record<string, string>) =>
  send(baseUrl, path, {
    method: "POST",
    cookie,
    headers: { "content-type": FORM, origin: baseUrl },
    body: new URLSearchParams(fields).toString(),
  });

async function adminCookie(baseUrl: string, org: TestOrg) {
  return (await signIn(baseUrl, org.emails.admin, TEST_PASSWORD)).cookie;
}

describe("forms that create something carry a one-time token", () => {
  test("20 identical 'register a model' posts make one model and all answer with the way to it", async ({ testOrg, baseURL }) => {
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/models/new`;
    const submissionToken = await formToken(baseURL, cookie, path);
    const fields = { submissionToken, name: "Double submit model", riskTier: "limited" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => postForm(baseURL, cookie, path, fields)));
    expect(modelsOf(testOrg.id).map((m) => m.slug)).toEqual(["double-submit-model"]);
    for (const answer of answers) {
      expect(answer.status, answer.text.slice(0, 200)).toBe(302);
      expect(answer.location).toBe(`/orgs/${testOrg.slug}/models/double-submit-model`);
    }
    // The same token with other values is not a repeat: refused, nothing created.
    const changed = await postForm(baseURL, cookie, path, { ...fields, name: "Another", slug: "another" });
    expect(changed.status).toBe(422);
    expect(changed.text).toContain("already sent");
    expect(modelsOf(testOrg.id)).toHaveLength(1);
    // A fresh page has a fresh token.
    expect(await formToken(baseURL, cookie, path)).not.toBe(submissionToken);
  });

  test("a refused submission keeps its token usable: put right, it creates", async ({ testOrg, baseURL }) => {
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/models/new`;
    const submissionToken = await formToken(baseURL, cookie, path);
    expect((await postForm(baseURL, cookie, path, { submissionToken, name: "", riskTier: "limited" })).status).toBe(400);
    const created = await postForm(baseURL, cookie, path, { submissionToken, name: "Put right", riskTier: "limited" });
    expect(created.status).toBe(302);
    expect(modelsOf(testOrg.id).map((m) => m.name)).toEqual(["Put right"]);
  });

  test("the roadmap confirmation sent 20 times generates once; every answer leads to that roadmap", async ({ testOrg, apiAs, baseURL }) => {
    const api = await apiAs(testOrg.id, [...ASSESS]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/roadmaps/new?assessmentId=${assessment.id}`;
    const submissionToken = await formToken(baseURL, cookie, path);
    const fields = { submissionToken, assessmentId: String(assessment.id), replacesRoadmapId: "none", startDate: "2027-01-01" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => postForm(baseURL, cookie, path, fields)));
    const made = roadmapsOf(testOrg.id);
    expect(made).toHaveLength(1);
    for (const answer of answers) {
      expect(answer.status, answer.text.slice(0, 200)).toBe(302);
      expect(answer.location).toBe(`/orgs/${testOrg.slug}/roadmaps/${made[0]!.id}`);
    }
  });

  test("a roadmap item comment sent twice is added once", async ({ testOrg, apiAs, baseURL }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
    const item = roadmap.items[0]!;
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}/items/${item.id}`;
    const submissionToken = await formToken(baseURL, cookie, path);
    const fields = { submissionToken, intent: "comment", body: "Looks right to me" };
    const answers = await Promise.all([postForm(baseURL, cookie, path, fields), postForm(baseURL, cookie, path, fields)]);
    for (const answer of answers) expect(answer.status).toBe(200);
    const comments = getDb()
      .select()
      .from(roadmapItemComments)
      .where(and(eq(roadmapItemComments.itemId, item.id)))
      .all();
    expect(comments.map((c) => c.body)).toEqual(["Looks right to me"]);
    // After the page is loaded again, the same words are a new comment.
    const again = await formToken(baseURL, cookie, path);
    expect((await postForm(baseURL, cookie, path, { ...fields, submissionToken: again })).status).toBe(200);
    expect(getDb().select().from(roadmapItemComments).where(eq(roadmapItemComments.itemId, item.id)).all()).toHaveLength(2);
  });

  test("a model card comment and an incident report sent twice are added once", async ({ testOrg, apiAs, baseURL }) => {
    const { ctx } = await apiAs(testOrg.id, ["registry:read", "registry:write"]);
    await expectJson(await ctx.post(`${API}/models`, { data: { name: "Commented", slug: "commented", riskTier: "limited" } }), 201);
    await expectJson(await ctx.post(`${API}/models/commented/versions`, { data: { version: "1.0.0" } }), 201);
    const card = saveModelCard(testOrg.id, "commented", "1.0.0", writtenCardSections(), member(testOrg, "team").actor);
    const cookie = await adminCookie(baseURL, testOrg);

    const cardPath = `/orgs/${testOrg.slug}/models/commented/versions/1.0.0/card`;
    const commentToken = await formToken(baseURL, cookie, cardPath);
    const comment = {
      submissionToken: commentToken,
      intent: "comment",
      cardId: String(card.id),
      section: "general",
      body: "Cite the data",
    };
    const comments = await Promise.all([1, 2, 3].map(() => postForm(baseURL, cookie, cardPath, comment)));
    for (const answer of comments) expect(answer.status).toBe(200);
    expect(getDb().select().from(modelCardComments).where(eq(modelCardComments.cardId, card.id)).all()).toHaveLength(1);

    const versionPath = `/orgs/${testOrg.slug}/models/commented/versions/1.0.0`;
    const incidentToken = await formToken(baseURL, cookie, versionPath);
    const report = {
      submissionToken: incidentToken,
      intent: "report-incident",
      title: "Drift",
      severity: "sev3",
      startedAt: "2026-11-30T10:00",
      description: "Scores drift",
    };
    const reports = await Promise.all([1, 2, 3].map(() => postForm(baseURL, cookie, versionPath, report)));
    for (const answer of reports) expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(getDb().select().from(incidents).where(eq(incidents.orgId, testOrg.id)).all()).toHaveLength(1);
  });

  test("'create token' sent twice creates one token; the repeat says so and shows no secret", async ({ testOrg, baseURL }) => {
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/admin/tokens`;
    const submissionToken = await formToken(baseURL, cookie, path);
    const fields = { submissionToken, intent: "create", name: "ci-pipeline", scopes: "registry:read" };
    const first = await postForm(baseURL, cookie, path, fields);
    const second = await postForm(baseURL, cookie, path, fields);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.text).toMatch(/amp_[A-Za-z0-9_-]{20,}/);
    expect(second.text).not.toMatch(/amp_[A-Za-z0-9_-]{20,}/);
    expect(second.text).toContain("revoke it and create another");
    expect(getDb().select().from(apiTokens).where(eq(apiTokens.orgId, testOrg.id)).all()).toHaveLength(1);
  });

  test("without JavaScript the token form comes back as sent when refused, and empty once a token is made", async ({
    testOrg,
    baseURL,
  }) => {
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/admin/tokens`;
    const nameField = (html: string) => /<input[^>]*name="name"[^>]*>/.exec(html)?.[0] ?? "";
    const scopeBox = (html: string, scope: string) => new RegExp(`<input[^>]*value="${scope}"[^>]*>`).exec(html)?.[0] ?? "";
    const create = async (name: string) =>
      postForm(baseURL, cookie, path, {
        submissionToken: await formToken(baseURL, cookie, path),
        intent: "create",
        name,
        scopes: "registry:read",
      });

    const refused = await create("x"); // too short a name
    expect(refused.status).toBe(400);
    expect(nameField(refused.text)).toContain('value="x"');
    expect(scopeBox(refused.text, "registry:read")).toContain("checked");
    expect(scopeBox(refused.text, "audit:read")).not.toContain("checked");

    const made = await create("nightly-export");
    expect(made.status).toBe(200);
    expect(made.text).toMatch(/amp_[A-Za-z0-9_-]{20,}/);
    // Nothing left to send again: the next click would be refused, not a second token.
    expect(nameField(made.text)).not.toContain("value=");
    expect(made.text).not.toMatch(/<input[^>]*name="scopes"[^>]*checked/);
    expect(made.text).toMatch(/<td>nightly-export<\/td>(?:(?!<\/tr>).)*<td>Active<\/td>/s);
  });

  test("the bias-audit upload posted twice without JavaScript makes one audit; both answers lead to it", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const { ctx } = await apiAs(testOrg.id, ["registry:read", "registry:write"]);
    await expectJson(await ctx.post(`${API}/models`, { data: { name: "Audited", slug: "audited", riskTier: "high" } }), 201);
    await expectJson(await ctx.post(`${API}/models/audited/versions`, { data: { version: "1.0.0" } }), 201);
    const cookie = await adminCookie(baseURL, testOrg);
    const base = `/orgs/${testOrg.slug}/models/audited/versions/1.0.0/bias-audits`;
    const csv = "g,y,p\n" + Array.from({ length: 40 }, (_, i) => `${i % 2 ? "a" : "b"},${i % 3 ? 1 : 0},${i % 4 ? 1 : 0}`).join("\n");
    const config = { groupColumns: "g", labelColumn: "y", positiveLabels: "1", mode: "prediction", predictionColumn: "p" };
    // The identical multipart body, as a browser without JavaScript sends it again (the token part first, as the page has it).
    const upload = (path: string, submissionToken: string, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.append("submissionToken", submissionToken);
      form.append("file", new Blob([csv], { type: "text/csv" }), "predictions.csv");
      for (const [name, value] of Object.entries({ ...config, positivePredictions: "1", minGroupSize: "1", ...extra }))
        form.append(name, value);
      return send(baseURL, path, { method: "POST", cookie, headers: { origin: baseURL }, body: form });
    };
    const auditsOf = () => getDb().select().from(biasAudits).where(eq(biasAudits.orgId, testOrg.id)).all();

    const token = await formToken(baseURL, cookie, `${base}/new`);
    const [first, second] = [await upload(`${base}/new`, token), await upload(`${base}/new`, token)];
    expect(auditsOf(), "two bias audits from one submission").toHaveLength(1);
    const audit = `/orgs/${testOrg.slug}/bias-audits/${auditsOf()[0]!.id}`;
    for (const answer of [first, second]) {
      expect(answer.status, answer.text.slice(0, 300)).toBe(302);
      expect(answer.location).toBe(audit);
    }
    // Sent at once, they are one audit too; the same token with another file is refused.
    const again = await formToken(baseURL, cookie, `${base}/new`);
    const together = await Promise.all([1, 2, 3].map(() => upload(`${base}/new`, again)));
    expect(auditsOf()).toHaveLength(2);
    expect(new Set(together.map((answer) => answer.location)).size).toBe(1);
    expect((await upload(`${base}/new`, again, { minGroupSize: "2" })).status).toBe(422);
    expect(auditsOf()).toHaveLength(2);

    // The progress-bar upload (the page's JSON twin) sends the same token: a repeat answers with the same audit.
    const json = await formToken(baseURL, cookie, `${base}/new`);
    const answers = [await upload(`${base}/upload`, json), await upload(`${base}/upload`, json)];
    expect(auditsOf()).toHaveLength(3);
    for (const answer of answers) {
      expect(answer.status, answer.text.slice(0, 300)).toBe(201);
      expect(JSON.parse(answer.text)).toEqual({ url: `/orgs/${testOrg.slug}/bias-audits/${auditsOf()[2]!.id}` });
    }
  });

  test("'invite' sent twice makes one invitation, whose link keeps working", async ({ testOrg, baseURL }) => {
    const cookie = await adminCookie(baseURL, testOrg);
    const path = `/orgs/${testOrg.slug}/admin?index`;
    const submissionToken = await formToken(baseURL, cookie, `/orgs/${testOrg.slug}/admin`);
    const fields = { submissionToken, intent: "invite", email: "twice@e2e.test", role: "team" };
    const [first, second] = [await postForm(baseURL, cookie, path, fields), await postForm(baseURL, cookie, path, fields)];
    expect([first.status, second.status]).toEqual([200, 200]);
    const rows = getDb().select().from(invitations).where(eq(invitations.orgId, testOrg.id)).all();
    expect(
      rows.map((row) => row.status),
      "two invitations (the first link revoked) from one submission",
    ).toEqual(["pending"]);
    const link = invitationLinkIn(first.text);
    expect(link).toBeTruthy();
    // The repeat shows no new link (the first sending's is the only one) and says what to do if it was not copied.
    expect(invitationLinkIn(second.text)).toBeUndefined();
    expect(second.text).toContain("invite the same email again");
    expect((await send(baseURL, link!)).status).toBe(200);
  });
});
