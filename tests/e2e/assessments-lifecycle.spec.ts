import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessments, auditEvents } from "../../db/schema";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { test, expect, signInAs } from "./fixtures";
import { API, expectJson } from "../setup/api-client";
import { FRAMEWORK, statementsAt } from "../setup/assessment-fixtures";
import { TEST_PASSWORD } from "../setup/test-orgs";

/**
 * The assessment lifecycle in the browser: finalising goes through a
 * confirmation that shows the answered statements per component and needs a
 * tick for unanswered ones (without JavaScript), and a finalised assessment is
 * withdrawn with a reason, stays readable and marked, and leaves the list's
 * scores while its quarter opens again. Data is set up through the JSON API
 * and checked in the server's database.
 */

const statusOf = (id: number) =>
  getDb().select({ status: assessments.status }).from(assessments).where(eq(assessments.id, id)).get()!.status;
const actionsOf = (id: number) =>
  getDb()
    .select({ action: auditEvents.action })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, "assessment"), eq(auditEvents.entityId, String(id))))
    .all()
    .map((e) => e.action);

test("finalise through the confirmation (no JavaScript), then withdraw with a reason", async ({ browser, testOrg, apiAs }) => {
  test.slow();
  const { ctx } = await apiAs(testOrg.id, ["assessment:read", "assessment:write"]);
  const period = shiftQuarter(quarterOf(new Date()), -1);
  const earlier = shiftQuarter(period, -1);
  // An earlier finalised quarter, then this one: Technical Standards level 2 in place, everything else unanswered.
  const standardsL2 = statementsAt("standards", 2).map((id) => ({ id, status: "in_place" }));
  const earlierId = (await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period: earlier } }), 201)).id;
  await expectJson(await ctx.post(`${API}/assessments/${earlierId}/finalize`, { data: { acceptUnanswered: true } }), 200);
  const id = (await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period } }), 201)).id;
  await expectJson(await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities: standardsL2 } }), 200);
  const list = `/orgs/${testOrg.slug}/assessments`;
  const base = `${list}/${id}`;

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAs(page, testOrg.emails.leadership, TEST_PASSWORD);
  await page.goto(base);
  await page.getByRole("link", { name: "Finalise…" }).click();
  await expect(page).toHaveURL(`${base}/finalize`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Finalise assessment ${period}`);

  // Per component, by name: how many statements are answered of how many.
  const table = page.getByTestId("answered-table");
  for (const c of FRAMEWORK.components) {
    const answered = c.id === "standards" ? standardsL2.length : 0;
    await expect(table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: c.name, exact: true }) })).toContainText(
      `${answered} of ${c.capabilities.length} (${c.capabilities.length - answered} unanswered)`,
    );
  }
  await expect(page.getByText("Unanswered statements count as “not in place”.")).toBeVisible();
  const unanswered = FRAMEWORK.components.reduce((n, c) => n + c.capabilities.length, 0) - standardsL2.length;
  const tick = page.getByRole("checkbox", { name: `Finalise with ${unanswered} unanswered statements counted as not in place` });
  await expect(tick).not.toBeChecked();

  // Without the tick: refused, the counts named, nothing changed.
  await page.getByRole("button", { name: "Finalise assessment" }).click();
  await expect(page.locator(".field-error")).toContainText('count as "not in place"');
  await expect(page.locator(".field-error")).toContainText(`Technical Standards & Best Practices: ${standardsL2.length} of`);
  expect(statusOf(id)).toBe("draft");

  // With it: finalised, back on the assessment page.
  await tick.check();
  await page.getByRole("button", { name: "Finalise assessment" }).click();
  await expect(page).toHaveURL(base);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("finalised");
  expect(statusOf(id)).toBe("finalized");
  await expect(page.getByTestId("band")).toHaveText("weak");
  // Leadership can plan from it.
  await expect(page.getByRole("link", { name: "Generate roadmap" })).toHaveAttribute(
    "href",
    `/orgs/${testOrg.slug}/roadmaps/new?assessmentId=${id}`,
  );

  // The list counts it: its score and a change against the earlier quarter.
  await page.goto(list);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: period, exact: true }) });
  await expect(page.getByTestId(`score-${period}`)).toHaveText("1.2");
  await expect(row.getByRole("cell").last()).toHaveText("+0.2");
  await expect(page.getByLabel("Quarter").locator("option", { hasText: period })).toHaveCount(0);

  // Withdraw, from the assessment page: it says what it does, and needs a reason.
  await page.goto(base);
  await page.getByText("Withdraw this assessment…").click();
  await expect(
    page.getByText(/leaves the trends, the change since last quarter, comparisons, the dashboard and roadmap generation/),
  ).toBeVisible();
  const reason = "Scored against last year's operating model by mistake";
  await page.getByLabel("Why is it withdrawn?").fill(reason);
  await page.getByRole("button", { name: "Withdraw assessment" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Withdrawn\./ })).toBeVisible();
  expect(statusOf(id)).toBe("withdrawn");
  expect(actionsOf(id)).toEqual(["assessment.created", "assessment.responses_saved", "assessment.finalized", "assessment.withdrawn"]);

  // Readable, clearly marked: who, when, why; no roadmap from it, nothing to withdraw again.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("withdrawn");
  const notice = page.getByTestId("withdrawn-notice");
  await expect(notice).toContainText(`by ${testOrg.emails.leadership}`);
  await expect(notice).toContainText(`Reason: ${reason}`);
  await expect(page.getByTestId("dimension-score")).toHaveText("1.2");
  await expect(page.getByRole("link", { name: "Generate roadmap" })).toHaveCount(0);
  await expect(page.getByText("Withdraw this assessment…")).toHaveCount(0);

  // The list keeps the row, marked, without its score or change; the quarter can be opened again.
  await page.goto(list);
  await expect(row).toContainText("withdrawn");
  await expect(page.getByTestId(`score-${period}`)).toHaveText("not counted (withdrawn)");
  await expect(page.getByLabel("Quarter").locator("option", { hasText: period })).toHaveCount(1);
  await context.close();

  // A team member may not withdraw (403), and nothing changes.
  const teamContext = await browser.newContext();
  const team = await teamContext.newPage();
  await signInAs(team, testOrg.emails.team, TEST_PASSWORD);
  const forged = await team.request.post(`${list}/${earlierId}`, { form: { intent: "withdraw", reason: "Not mine to withdraw" } });
  expect(forged.status()).toBe(403);
  expect(statusOf(earlierId)).toBe("finalized");
  await team.goto(`${list}/${earlierId}`);
  await expect(team.getByText("Withdraw this assessment…")).toHaveCount(0);
  await expect(team.getByRole("link", { name: "Generate roadmap" })).toHaveCount(0);
  await teamContext.close();
});
