/**
 * Issue 14, #7: bad input gets a clear error, never a 500 or a silent
 * change. Against the real production server: the JSON API answers 422 with
 * the field named, the forms answer with a field error, and nothing is
 * written (no row, no audit event).
 */
import { count, eq } from "drizzle-orm";
import { describe } from "vitest";
import { getDb } from "../../db/client";
import { assessments, auditEvents, incidents, models, roadmaps } from "../../db/schema";
import { API, expectApiError, expectJson, send, type ApiClient } from "../setup/api-client";
import { expect, portal, test } from "../setup/api-test";
import { ASSESS, finalisedAssessment, P1, ROADMAP } from "../setup/roadmap-fixtures";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD, uniqueSlug, WRITE, type TestOrg } from "../setup/test-orgs";

const rowsOf = (table: typeof models | typeof roadmaps | typeof assessments | typeof auditEvents, orgId: number) =>
  getDb().select({ n: count() }).from(table).where(eq(table.orgId, orgId)).get()!.n;

/** What a refusal must leave as it was: the organisation's rows and audit events. */
const snapshot = (orgId: number) => ({
  models: rowsOf(models, orgId),
  roadmaps: rowsOf(roadmaps, orgId),
  assessments: rowsOf(assessments, orgId),
  incidents: getDb().select({ n: count() }).from(incidents).get()!.n,
  auditEvents: rowsOf(auditEvents, orgId),
});

/** A 422 naming `field`, and nothing changed. */
async function refused(org: TestOrg, request: () => Promise<Parameters<typeof expectApiError>[0]>, field: string, message: RegExp) {
  const before = snapshot(org.id);
  const error = await expectApiError(await request(), 422, "invalid");
  expect(error.issues).toEqual(expect.arrayContaining([{ path: field, message: expect.stringMatching(message) }]));
  expect(snapshot(org.id)).toEqual(before);
}

async function modelWithVersion(ctx: ApiClient) {
  const slug = uniqueSlug("dates");
  await expectJson(await ctx.post(`${API}/models`, { data: { name: "Dates model", slug, riskTier: "minimal" } }), 201);
  await expectJson(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "1.0.0" } }), 201);
  return slug;
}

async function postForm(cookie: string, pagePath: string, fields: Record<string, string>) {
  return send(portal().baseUrl, pagePath, { method: "POST", headers: { cookie }, body: new URLSearchParams(fields) });
}

describe("dates are real calendar days from 2000 to 2100, or 422", () => {
  test("POST /assessments/:id/roadmap refuses start dates 0000-01-01 and 9999-12-31 (was a 500, and +010000 due dates)", async ({
    testOrg,
    apiAs,
  }) => {
    const prep = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const { id } = await finalisedAssessment(prep.ctx, P1);
    for (const startDate of ["0000-01-01", "9999-12-31", "2027-02-30"])
      await refused(
        testOrg,
        () => prep.ctx.post(`${API}/assessments/${id}/roadmap`, { data: { startDate } }),
        "startDate",
        /^(Use a date from 2000 to 2100|That date does not exist)$/,
      );
    const made = await expectJson<{ startDate: string }>(
      await prep.ctx.post(`${API}/assessments/${id}/roadmap`, { data: { startDate: "2100-12-31" } }),
      201,
    );
    expect(made.startDate).toBe("2100-12-31");
  });

  test("an incident started on 2026-02-30 is refused, not stored as 2 March", async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    const slug = await modelWithVersion(ctx);
    for (const startedAt of ["2026-02-30T10:00:00Z", "2026-02-30", "9999-12-31T00:00:00Z"])
      await refused(
        testOrg,
        () => ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, { data: { title: "Outage", severity: "sev2", startedAt } }),
        "startedAt",
        /^(That date does not exist|Use a date from 2000 to 2100)$/,
      );
  });

  test("assessment periods 0000-Q1 and 9999-Q4 are refused", async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, [...ASSESS]);
    for (const period of ["0000-Q1", "9999-Q4"])
      await refused(
        testOrg,
        () => ctx.post(`${API}/assessments`, { data: { period } }),
        "period",
        /^Use a quarter from 2000-Q1 to 2100-Q4$/,
      );
  });
});

describe("slugs and names", () => {
  test("the model slug new is reserved; a model named New gets another slug", async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    await refused(
      testOrg,
      () => ctx.post(`${API}/models`, { data: { name: "New model", slug: "new", riskTier: "minimal" } }),
      "slug",
      /reserved/,
    );
    const made = await expectJson<{ slug: string }>(await ctx.post(`${API}/models`, { data: { name: "New", riskTier: "minimal" } }), 201);
    expect(made.slug).not.toBe("new");
    // The create form is still the create form.
    const { cookie } = await signIn(portal().baseUrl, testOrg.emails.team, TEST_PASSWORD);
    const page = await send(portal().baseUrl, `/orgs/${testOrg.slug}/models/new`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Register a model");
  });

  test("names with NUL or a right-to-left override are refused by the API and the form", async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    for (const name of ["Credit\u0000scorer", "Invoice \u202egpj.exe", "Two\nlines"])
      await refused(testOrg, () => ctx.post(`${API}/models`, { data: { name, riskTier: "minimal" } }), "name", /control or text-direction/);
    const slug = await modelWithVersion(ctx);
    const { cookie } = await signIn(portal().baseUrl, testOrg.emails.team, TEST_PASSWORD);
    const before = snapshot(testOrg.id);
    const reply = await postForm(cookie, `/orgs/${testOrg.slug}/models/new`, { name: "Invoice \u202egpj.exe", riskTier: "minimal" });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("Remove the control or text-direction characters");
    expect(snapshot(testOrg.id)).toEqual(before);
    const edit = await postForm(cookie, `/orgs/${testOrg.slug}/models/${slug}/edit`, { name: "Renamed\u0000", riskTier: "minimal" });
    expect(edit.status).toBe(400);
    expect(edit.text).toContain("Remove the control or text-direction characters");
    expect(getDb().select({ name: models.name }).from(models).where(eq(models.slug, slug)).get()!.name).toBe("Dates model");
    expect(snapshot(testOrg.id)).toEqual(before);
  });
});

describe("tags", () => {
  test("the API takes a list, as its document says; the model forms keep their comma-separated text", async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    await refused(
      testOrg,
      () => ctx.post(`${API}/models`, { data: { name: "Tagged", riskTier: "minimal", tags: "a,b" } }),
      "tags",
      /^Send the tags as a list/,
    );
    const slug = await modelWithVersion(ctx);
    const { cookie } = await signIn(portal().baseUrl, testOrg.emails.team, TEST_PASSWORD);
    const edit = await postForm(cookie, `/orgs/${testOrg.slug}/models/${slug}/edit`, {
      name: "Dates model",
      riskTier: "minimal",
      tags: "Fraud, nlp,fraud",
    });
    expect(edit.status, edit.text.slice(0, 300)).toBe(302);
    expect((await expectJson(await ctx.get(`${API}/models/${slug}`), 200)).tags).toEqual(["fraud", "nlp"]);
  });
});

describe("forms answer with a field error, not a 500", () => {
  test("the roadmap form refuses a start date of 0000-01-01", async ({ testOrg, apiAs }) => {
    const prep = await apiAs(testOrg.id, [...ASSESS]);
    const { id } = await finalisedAssessment(prep.ctx, P1);
    const { cookie } = await signIn(portal().baseUrl, testOrg.emails.leadership, TEST_PASSWORD);
    for (const startDate of ["0000-01-01", "9999-12-31"]) {
      const before = snapshot(testOrg.id);
      const reply = await postForm(cookie, `/orgs/${testOrg.slug}/roadmaps/new?assessmentId=${id}`, {
        assessmentId: String(id),
        replacesRoadmapId: "none",
        startDate,
      });
      expect(reply.status, reply.text.slice(0, 300)).toBe(400);
      expect(reply.text).toContain("Use a date from 2000 to 2100");
      expect(snapshot(testOrg.id)).toEqual(before);
    }
  });
});
