import type { Browser, Locator, Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessments } from "../../db/schema";
import type { Role } from "../../app/modules/auth/roles";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { test, expect, signInAs } from "./fixtures";
import { API, expectJson, type ApiClient } from "../setup/api-client";
import { FRAMEWORK, statementsAt, storedAssessment } from "../setup/assessment-fixtures";
import { DEMO_PASSWORD, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

/**
 * The quarterly maturity assessment in the browser: leadership captures it
 * component by component, registry evidence flags an unsupported level, the
 * flag needs a justification to finalise, and the board report downloads.
 * Data is set up through the JSON API and checked straight in the server's
 * database (tests/setup/assessment-fixtures.ts).
 */

const PROD_OPS_L2_L3 = [...statementsAt("production-operations", 2), ...statementsAt("production-operations", 3)];
const TREND_CHART = "Technology & Operations score by quarter";

const periodsOf = (orgId: number) =>
  getDb()
    .select({ period: assessments.period })
    .from(assessments)
    .where(eq(assessments.orgId, orgId))
    .all()
    .map((r) => r.period);

/** Starts an assessment through the API and returns its id. */
async function startAssessment(ctx: ApiClient, period: string, capabilities: Array<{ id: string; status: string }> = []) {
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period } }), 201);
  if (capabilities.length) await expectJson(await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities } }), 200);
  return id;
}

const statement = (page: Page, id: string) => page.locator(`[data-statement="${id}"]`);
const statusRadio = (page: Page, id: string, label: "In place" | "Partly in place" | "Not in place" | "Not applicable") =>
  statement(page, id).getByRole("radio", { name: label, exact: true });
const componentRow = (page: Page, componentId: string) =>
  page.locator(`[data-testid="component-table"] tr[data-component="${componentId}"]`);
const assessmentRow = (page: Page, period: string) =>
  page.getByRole("row").filter({ has: page.getByRole("link", { name: period, exact: true }) });

/** A page in its own browser context, signed in as the organisation's member with this role. */
async function pageAs(browser: Browser, org: TestOrg, role: Role): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, org.emails[role], TEST_PASSWORD);
  return page;
}

/** Waits until the capture page is hydrated, so autosave is live: its hint changes in an effect. */
async function hydrated(page: Page) {
  await expect(page.locator("[data-save-status]")).toHaveText("Changes save as you type.");
}

/** Every matching fieldset is disabled (so are the controls inside it). */
async function expectAllDisabled(locator: Locator, count: number) {
  await expect(locator).toHaveCount(count);
  for (const item of await locator.all()) {
    await expect(item).toHaveAttribute("disabled", "");
    for (const control of await item.getByRole("radio").all()) await expect(control).toBeDisabled();
  }
}

test("leadership captures a quarter, justifies the flagged component, finalises and downloads the board report", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.slow();
  const current = quarterOf(new Date());
  const list = `/orgs/${testOrg.slug}/assessments`;
  await loginAs("leadership");
  await page.goto(list);
  await expect(page.getByRole("heading", { name: "No assessments yet" })).toBeVisible();

  // Start the current quarter's assessment.
  const start = page.getByRole("form", { name: "Start an assessment" });
  await expect(start.getByLabel("Quarter")).toHaveValue(current);
  await start.getByRole("button", { name: "Start assessment" }).click();
  await expect(page).toHaveURL(new RegExp(`${list}/\\d+$`));
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  const base = `${list}/${id}`;
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Assessment ${current}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("draft");
  await expect(page.getByTestId("dimension-score")).toHaveText("1.0");

  // Page by page: the first component, with the Save button.
  await componentRow(page, "technical-capability").getByRole("link", { name: "Capture" }).click();
  await expect(page).toHaveURL(`${base}/components/technical-capability`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("AI/ML Technical Capability");
  await statusRadio(page, "technical-capability.l2.1", "In place").check();
  await statement(page, "technical-capability.l2.1").locator("summary").click(); // evidence opens on demand
  await statement(page, "technical-capability.l2.1").getByLabel("Evidence").fill("Notebook-to-package migration done");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^All changes saved$/ })).toBeVisible();
  await expect(page.getByTestId("component-score")).toHaveText("1.2");

  // Next component → ... → Production Operations.
  for (const name of ["MLOps Maturity", "Model Lifecycle Management", "Production Operations"]) {
    await page.getByRole("link", { name: "Next component →" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  }
  await expect(page).toHaveURL(`${base}/components/production-operations`);
  await hydrated(page);

  // JavaScript autosave: one radio click saves the draft.
  await statusRadio(page, PROD_OPS_L2_L3[0]!, "In place").check();
  await expect(page.getByText("All changes saved", { exact: true })).toBeVisible();
  await expect.poll(() => storedAssessment(id).statements[PROD_OPS_L2_L3[0]!]?.status).toBe("in_place");

  // Every level 2 and level 3 statement in place, then the Save button.
  for (const sid of PROD_OPS_L2_L3.slice(1)) await statusRadio(page, sid, "In place").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^All changes saved$/ })).toBeVisible();
  await expect(page.getByTestId("component-score")).toHaveText("3.0");
  const saved = storedAssessment(id);
  for (const sid of PROD_OPS_L2_L3) expect(saved.statements[sid]?.status, sid).toBe("in_place");
  expect(saved.statements["technical-capability.l2.1"]).toMatchObject({
    status: "in_place",
    evidenceNote: "Notebook-to-package migration done",
  });

  // "Not applicable" without a reason: a field-level error, and nothing saved for it.
  const naId = statementsAt("production-operations", 4)[0]!;
  await statusRadio(page, naId, "Not applicable").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(statement(page, naId).locator(".field-error")).toHaveText("Say why this does not apply");
  await expect(statement(page, naId).getByLabel("Reason (if not applicable)")).toHaveAttribute("aria-invalid", "true");
  // A screen reader hears why, not only that the field is invalid.
  await expect(statement(page, naId).getByLabel("Reason (if not applicable)")).toHaveAccessibleDescription(/Say why this does not apply/);
  expect(storedAssessment(id).statements[naId]).toBeUndefined();
  // Back to "Not in place" so the rest of the page can be saved.
  await statusRadio(page, naId, "Not in place").check();

  // Answer the component's question (level 3 of 5) with a note.
  const question = page.getByRole("group", { name: /Production Model Operations/ });
  await question.getByRole("radio").nth(2).check();
  await question.getByLabel("Note").fill("Agreed with the operations lead");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^All changes saved$/ })).toBeVisible();
  await expect
    .poll(() => storedAssessment(id).answers["production-operations"])
    .toMatchObject({ level: 3, note: "Agreed with the operations lead" });
  expect(storedAssessment(id).statements[naId]?.status).toBe("none");

  // The overview: the dimension score and the registry flag (no production models → evidence level 1).
  await page.getByRole("link", { name: `← Assessment ${current}` }).click();
  await expect(page).toHaveURL(base);
  // (1.2 + 1 + 1 + 3 + 1) / 5 = 1.44
  await expect(page.getByTestId("dimension-score")).toHaveText("1.4");
  const prodOps = componentRow(page, "production-operations");
  await expect(prodOps.getByRole("cell").nth(1)).toHaveText("3.0");
  await expect(prodOps).toContainText("not supported by registry evidence");
  for (const other of ["technical-capability", "mlops", "lifecycle", "standards"]) {
    await expect(componentRow(page, other)).not.toContainText("not supported by registry evidence");
  }
  await expect(page.getByRole("row").filter({ hasText: "Production Model Operations" })).toContainText("Agreed with the operations lead");
  const { ctx: reader } = await apiAs(testOrg.id, ["assessment:read", "assessment:write"]);
  const detail = await expectJson(await reader.get(`${API}/assessments/${id}`), 200);
  expect(detail.evidence.metrics.productionModels).toBe(0);
  expect(detail.components.find((c: { id: string }) => c.id === "production-operations")).toMatchObject({
    level: 3,
    evidenceLevel: 1,
    flags: ["not_supported_by_registry_evidence"],
  });

  // Finalising goes through its confirmation page; without a justification it names the component and changes nothing.
  await page.getByRole("link", { name: "Finalise…" }).click();
  await expect(page).toHaveURL(`${base}/finalize`);
  await page.getByRole("checkbox", { name: /unanswered statements counted as not in place/ }).check();
  await page.getByRole("button", { name: "Finalise assessment" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Justify the levels" })).toHaveText(
    "Justify the levels not supported by registry evidence: Production Operations",
  );
  expect(storedAssessment(id).status).toBe("draft");

  // A justification typed and left behind is kept as a draft in the browser; the tick is given afresh.
  const justification = page.getByLabel(/^Production Operations: assessed level 3/);
  await justification.fill("Two models go live next month; operations are already run as at level 3.");
  await page.getByRole("checkbox", { name: /unanswered statements counted as not in place/ }).check();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("link", { name: `← Assessment ${current}` }).click();
  await expect(page).toHaveURL(base);
  await page.getByRole("link", { name: "Finalise…" }).click();
  await expect(justification).toHaveValue("Two models go live next month; operations are already run as at level 3.");
  await expect(page.getByRole("status").filter({ hasText: "Restored the draft you typed" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /unanswered statements counted as not in place/ })).not.toBeChecked();

  // With the justification (and the tick) it finalises and returns to the assessment.
  await page.getByRole("checkbox", { name: /unanswered statements counted as not in place/ }).check();
  await page.getByRole("button", { name: "Finalise assessment" }).click();
  await expect(page).toHaveURL(base);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("finalised");
  await expect(page.getByRole("link", { name: "Finalise…" })).toHaveCount(0);
  await expect(prodOps).toContainText("Justified: Two models go live next month");
  const finalized = storedAssessment(id);
  expect(finalized.status).toBe("finalized");
  expect(finalized.metricsSnapshot).not.toBeNull();
  expect(finalized.justifications).toEqual({
    "production-operations": "Two models go live next month; operations are already run as at level 3.",
  });

  // The board report and the responses export download.
  const pdfHref = await page.getByRole("link", { name: "Board report (PDF)" }).getAttribute("href");
  const pdf = await page.request.get(pdfHref!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toContain("application/pdf");
  const body = await pdf.body();
  expect(body.subarray(0, 4).toString("latin1")).toBe("%PDF");
  const csv = await page.request.get(`${base}.csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const statementCount = FRAMEWORK.components.reduce((n, c) => n + c.capabilities.length, 0);
  expect((await csv.text()).trimEnd().split("\r\n")).toHaveLength(1 + statementCount + FRAMEWORK.questions.length);

  // The list shows the quarter as finalised; one finalised quarter draws no trend yet.
  await page.goto(list);
  await expect(assessmentRow(page, current)).toContainText("finalised");
  await expect(page.getByTestId(`score-${current}`)).toHaveText("1.4");
  await expect(page.getByRole("img", { name: TREND_CHART })).toHaveCount(0);

  // A second, earlier finalised quarter: the trend chart appears.
  const previous = shiftQuarter(current, -1);
  const earlier = await startAssessment(
    reader,
    previous,
    statementsAt("standards", 2).map((sid) => ({ id: sid, status: "in_place" })),
  );
  await expectJson(
    await reader.post(`${API}/assessments/${earlier}/finalize`, { data: { justifications: {}, acceptUnanswered: true } }),
    200,
  );
  await page.reload();
  await expect(assessmentRow(page, previous)).toContainText("finalised");
  await expect(page.getByRole("img", { name: TREND_CHART })).toBeVisible();
  // (1.2 + 1 + 1 + 3 + 1) / 5 − (1 + 1 + 1 + 1 + 2) / 5 = 0.24
  await expect(assessmentRow(page, current).getByRole("cell").last()).toHaveText("+0.2");
});

// Regression: autosave and the Save button once kept separate error lists, so a refusal from one stayed on screen
// after the other succeeded. The page must show only the latest submission's errors.
test("after a refused autosave, a successful Save clears the stale field error", async ({ page, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx, quarterOf(new Date()));
  const naId = statementsAt("standards", 2)[0]!;
  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/assessments/${id}/components/standards`);
  await hydrated(page);
  // The radio click autosaves and is refused: the reason is missing.
  await statusRadio(page, naId, "Not applicable").check();
  await expect(statement(page, naId).locator(".field-error")).toHaveText("Say why this does not apply");
  expect(storedAssessment(id).statements[naId]).toBeUndefined();
  // The reason is given and the Save button saves it.
  await statement(page, naId).getByLabel("Reason (if not applicable)").fill("We have no shared code base for ML yet");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^All changes saved$/ })).toBeVisible();
  await expect
    .poll(() => storedAssessment(id).statements[naId])
    .toMatchObject({ status: "not_applicable", reason: "We have no shared code base for ML yet" });
  // The page must no longer claim the reason is missing.
  await expect(statement(page, naId).locator(".field-error")).toHaveCount(0, { timeout: 3_000 });
  await expect(statement(page, naId).getByLabel("Reason (if not applicable)")).not.toHaveAttribute("aria-invalid", "true");
});

test("after a refused Save, a successful autosave clears the stale field error", async ({ page, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx, quarterOf(new Date()));
  const naId = statementsAt("standards", 3)[0]!;
  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/assessments/${id}/components/standards`);
  await hydrated(page);
  await statusRadio(page, naId, "Not applicable").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(statement(page, naId).locator(".field-error")).toHaveText("Say why this does not apply");
  // Choosing another status autosaves successfully.
  await statusRadio(page, naId, "Partly in place").check();
  await expect(page.getByText("All changes saved", { exact: true })).toBeVisible();
  await expect.poll(() => storedAssessment(id).statements[naId]?.status).toBe("partial");
  await expect(statement(page, naId).locator(".field-error")).toHaveCount(0, { timeout: 3_000 });
});

test("a team member adds evidence but cannot change statuses; the auditor reads but cannot start an assessment", async ({
  page,
  browser,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.slow();
  const current = quarterOf(new Date());
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx, current, [{ id: "production-operations.l2.1", status: "partial" }]);
  const list = `/orgs/${testOrg.slug}/assessments`;
  const base = `${list}/${id}`;
  const capture = `${base}/components/production-operations`;

  // Team: reads the list (cannot start one), opens "Add evidence".
  await loginAs("team");
  await page.goto(list);
  await expect(assessmentRow(page, current)).toContainText("draft");
  await expect(page.getByRole("form", { name: "Start an assessment" })).toHaveCount(0);
  await assessmentRow(page, current).getByRole("link", { name: current }).click();
  await expect(page).toHaveURL(base);
  await expect(page.getByRole("link", { name: "Finalise…" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Add evidence" })).toHaveCount(FRAMEWORK.components.length);
  await componentRow(page, "production-operations").getByRole("link", { name: "Add evidence" }).click();
  await expect(page).toHaveURL(capture);

  // Statuses are read-only for the team: disabled fieldsets, no Save button.
  await expectAllDisabled(page.locator("fieldset"), 5);
  await expect(statusRadio(page, "production-operations.l2.1", "Partly in place")).toBeChecked();
  await expect(statusRadio(page, "production-operations.l2.1", "In place")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);

  // ... but an evidence note can be added.
  const noteForm = page.getByRole("form", { name: "Add evidence" });
  await noteForm.getByLabel("Statement").selectOption("production-operations.l2.1");
  await noteForm.getByLabel("Note").fill("On-call rota screenshot in the ops wiki");
  await noteForm.getByLabel("Link").fill("https://wiki.example/ops/on-call");
  await noteForm.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Evidence note added\.$/ })).toBeVisible();
  await expect(statement(page, "production-operations.l2.1")).toContainText("On-call rota screenshot in the ops wiki");
  const afterNote = storedAssessment(id);
  expect(afterNote.notes).toEqual([
    expect.objectContaining({
      statementId: "production-operations.l2.1",
      authorLabel: testOrg.emails.team,
      body: "On-call rota screenshot in the ops wiki",
      url: "https://wiki.example/ops/on-call",
    }),
  ]);
  expect(afterNote.statements["production-operations.l2.1"]!.status).toBe("partial");

  // A forged save (or finalise) from the team is refused with 403 and changes nothing.
  const forged = await page.request.post(capture, {
    form: { intent: "save", "s.production-operations.l2.1.status": "in_place", "s.production-operations.l2.2.status": "in_place" },
  });
  expect(forged.status()).toBe(403);
  const forgedFinalize = await page.request.post(`${base}/finalize`, { form: { acceptUnanswered: "on" } });
  expect(forgedFinalize.status()).toBe(403);
  expect((await page.request.get(`${base}/finalize`)).status()).toBe(403);
  const unchanged = storedAssessment(id);
  expect(unchanged.statements["production-operations.l2.1"]!.status).toBe("partial");
  expect(unchanged.statements["production-operations.l2.2"]).toBeUndefined();
  expect(unchanged.status).toBe("draft");

  // Auditor: reads the list, the overview and the responses; starts nothing, adds nothing.
  const auditor = await pageAs(browser, testOrg, "auditor");
  await auditor.goto(list);
  await expect(assessmentRow(auditor, current)).toBeVisible();
  await expect(auditor.getByRole("form", { name: "Start an assessment" })).toHaveCount(0);
  await expect(auditor.getByRole("button", { name: "Start assessment" })).toHaveCount(0);
  await auditor.goto(base);
  await expect(auditor.getByTestId("dimension-score")).toBeVisible();
  await expect(auditor.getByRole("link", { name: "Finalise…" })).toHaveCount(0);
  await componentRow(auditor, "production-operations").getByRole("link").click();
  await expect(auditor).toHaveURL(capture);
  await expect(auditor.getByRole("form", { name: "Add evidence" })).toHaveCount(0);
  await expect(statusRadio(auditor, "production-operations.l2.1", "In place")).toBeDisabled();
  await expect(statement(auditor, "production-operations.l2.1")).toContainText("On-call rota screenshot in the ops wiki");
  const previous = shiftQuarter(current, -1);
  const forgedStart = await auditor.request.post(list, { form: { period: previous } });
  expect(forgedStart.status()).toBe(403);
  const forgedNote = await auditor.request.post(capture, {
    form: { intent: "add-note", statementId: "production-operations.l2.1", body: "auditor note" },
  });
  expect(forgedNote.status()).toBe(403);
  expect(periodsOf(testOrg.id)).toEqual([current]);
  expect(storedAssessment(id).notes).toHaveLength(1);
  await auditor.context().close();
});

test.describe("the demo organisation (read-only)", () => {
  test("lists four finalised quarters with rising scores and a current draft; scoring and comparison pages render", async ({ page }) => {
    await signInAs(page, "leader@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo/assessments");
    await expect(page.getByRole("heading", { level: 1, name: "Assessments" })).toBeVisible();
    const rows = page.locator(".table-wrap table tbody tr:has(td:first-child a)");
    await expect(rows).toHaveCount(5);
    const current = quarterOf(new Date());
    const periods = [0, -1, -2, -3, -4].map((i) => shiftQuarter(current, i));
    await expect(rows.locator("td:first-child a")).toHaveText(periods);
    await expect(rows.locator("td:nth-child(2)")).toHaveText(["draft", "finalised", "finalised", "finalised", "finalised"]);
    const finalisedScores: number[] = [];
    for (const period of periods.slice(1).reverse()) finalisedScores.push(Number(await page.getByTestId(`score-${period}`).textContent()));
    for (let i = 1; i < finalisedScores.length; i++)
      expect(finalisedScores[i], `scores ${finalisedScores.join(" < ")}`).toBeGreaterThan(finalisedScores[i - 1]!);
    await expect(page.getByRole("img", { name: TREND_CHART })).toBeVisible();

    await page.goto("/framework/scoring");
    await expect(page.getByRole("heading", { level: 1, name: "How scores work" })).toBeVisible();
    await expect(page.getByText(/strong.*from.*4\.0/)).toBeVisible();
    await expect(page.getByText(/moderate.*in between/)).toBeVisible();

    const compare = await page.goto("/orgs/compare");
    expect(compare?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Compare organisations" })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: periods[1]! }).first()).toBeVisible();
  });
});
