/**
 * Finalising refuses evidence dated after today, as saving an answer does: an
 * answer stored before that check (or under another clock) must not be frozen
 * into a finalised assessment. The future date is planted straight in this
 * file's database; the API answers 422 naming each statement's evidence date,
 * the finalisation form says so and links to each statement; nothing changes.
 */
import { and, eq } from "drizzle-orm";
import { getDb, writeTransaction } from "../../db/client";
import { assessmentStatements, auditEvents } from "../../db/schema";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { API, expectApiError, expectJson, send, type ApiClient } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { FRAMEWORK, statementsAt, storedAssessment } from "../setup/assessment-fixtures";
import { signIn } from "../setup/sign-in";
import { isoDay, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

const RW: ApiScope[] = ["assessment:read", "assessment:write"];
const FUTURE = "2099-01-01";
const JUSTIFY_ALL = Object.fromEntries(FRAMEWORK.components.map((c) => [c.id, "Checked by hand."]));

const auditCount = (orgId: number) => getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).all().length;

/** Stores `date` as a statement's evidence date as it is, past the save check (as an answer saved before it was). */
function plantEvidenceDate(org: TestOrg, assessmentId: number, statementId: string, date: string) {
  writeTransaction({ orgId: org.id }, (tx) =>
    tx
      .update(assessmentStatements)
      .set({ evidenceDate: date })
      .where(and(eq(assessmentStatements.assessmentId, assessmentId), eq(assessmentStatements.statementId, statementId)))
      .run(),
  );
}

/** A draft of last quarter with the lifecycle's level 2 statements in place, evidenced today. */
async function draftWithEvidence(ctx: ApiClient) {
  const period = shiftQuarter(quarterOf(new Date()), -1);
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period } }), 201);
  const today = isoDay(new Date());
  const capabilities = statementsAt("lifecycle", 2).map((sid) => ({
    id: sid,
    status: "in_place",
    evidence: { note: "Runbook", date: today },
  }));
  await expectJson(await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities } }), 200);
  return id;
}

test("the API's finalise is 422 naming each statement whose evidence is dated after today; nothing changes", async ({ testOrg, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, RW);
  const id = await draftWithEvidence(ctx);
  const [first, second] = statementsAt("lifecycle", 2);
  plantEvidenceDate(testOrg, id, first!, FUTURE);
  plantEvidenceDate(testOrg, id, second!, "2098-12-31");
  const before = { audit: auditCount(testOrg.id), row: storedAssessment(id) };

  const refused = await expectApiError(
    await ctx.post(`${API}/assessments/${id}/finalize`, { data: { justifications: JUSTIFY_ALL, acceptUnanswered: true } }),
    422,
    "invalid",
  );
  expect(refused.message).toBe("Evidence cannot be dated in the future: correct the evidence date of 2 statements before finalising");
  expect(refused.issues.map((i) => i.path).sort()).toEqual(
    [`statements.${first}.evidence.date`, `statements.${second}.evidence.date`].sort(),
  );
  const lifecycle = FRAMEWORK.components.find((c) => c.id === "lifecycle")!;
  const text = lifecycle.capabilities.find((s) => s.id === first)!.text;
  expect(refused.issues.find((i) => i.path === `statements.${first}.evidence.date`)!.message).toBe(
    `Evidence cannot be dated in the future (${lifecycle.name}, “${text}”: ${FUTURE})`,
  );
  // Nothing changed: still a draft, no snapshot, no audit event.
  const after = storedAssessment(id);
  expect(after.status).toBe("draft");
  expect(after.finalizedAt).toBeNull();
  expect(after.scoreSnapshot).toBeNull();
  expect(after.updatedAt).toEqual(before.row.updatedAt);
  expect(auditCount(testOrg.id)).toBe(before.audit);

  // Once the dates are corrected (here, straight in the database), it finalises.
  plantEvidenceDate(testOrg, id, first!, isoDay(new Date()));
  plantEvidenceDate(testOrg, id, second!, "2026-01-02");
  const done = await expectJson<{ status: string }>(
    await ctx.post(`${API}/assessments/${id}/finalize`, { data: { justifications: JUSTIFY_ALL, acceptUnanswered: true } }),
    200,
  );
  expect(done.status).toBe("finalized");
});

test("the finalisation form refuses too, names the statement and links to it; nothing changes", async ({ testOrg, apiAs, baseURL }) => {
  const { ctx } = await apiAs(testOrg.id, RW);
  const id = await draftWithEvidence(ctx);
  const statement = statementsAt("lifecycle", 2)[0]!;
  plantEvidenceDate(testOrg, id, statement, FUTURE);
  const { cookie } = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
  const path = `/orgs/${testOrg.slug}/assessments/${id}/finalize`;
  const link = `/orgs/${testOrg.slug}/assessments/${id}/components/lifecycle#answer-s-${statement}`;
  const before = auditCount(testOrg.id);

  // The page says so before anyone presses Finalise.
  const page = await send(baseURL, path, { cookie });
  expect(page.status).toBe(200);
  expect(page.text).toContain("Evidence cannot be dated in the future: correct the evidence date of 1 statement before finalising");
  expect(page.text).toContain(`href="${link}"`);

  // Posted without JavaScript (every justification written, unanswered statements accepted): refused, on the same page.
  const fields = new URLSearchParams({ acceptUnanswered: "on" });
  for (const [component, why] of Object.entries(JUSTIFY_ALL)) fields.set(`justification.${component}`, why);
  const posted = await send(baseURL, path, {
    method: "POST",
    cookie,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: baseURL },
    body: fields.toString(),
  });
  expect(posted.status, posted.text.slice(0, 300)).toBe(422);
  expect(posted.text).toMatch(/<section[^>]*role="alert"[^>]*data-testid="future-evidence"/);
  expect(posted.text).toContain("Evidence cannot be dated in the future: correct the evidence date of 1 statement before finalising");
  expect(posted.text).toContain(`href="${link}"`);
  expect(posted.text).toContain(`(dated ${FUTURE})`);
  expect(storedAssessment(id).status).toBe("draft");
  expect(auditCount(testOrg.id)).toBe(before);
});
