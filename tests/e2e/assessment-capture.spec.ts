import type { Browser, Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents } from "../../db/schema";
import type { Role } from "../../app/modules/auth/roles";
import { quarterOf } from "../../app/utils/quarters";
import { test, expect, signInAs, axeFindings } from "./fixtures";
import { API, expectApiError, expectJson, type ApiClient } from "../setup/api-client";
import { FRAMEWORK, storedAssessment } from "../setup/assessment-fixtures";
import type { TestOrg } from "../setup/test-orgs";

/**
 * The capture page saves every field as you go (checked from a fresh browser
 * context, i.e. what the server stored), finishes a pending save before
 * moving on, and shows both versions when two people edit one component.
 */

const componentOf = (id: string) => FRAMEWORK.components.find((c) => c.id === id)!;
const questionOf = (componentId: string) => FRAMEWORK.questions.find((q) => q.componentId === componentId)!;
const textOf = (statementId: string) => FRAMEWORK.components.flatMap((c) => c.capabilities).find((s) => s.id === statementId)!.text;

async function startAssessment(ctx: ApiClient) {
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period: quarterOf(new Date()) } }), 201);
  return id;
}

/** A page in its own (fresh) browser context, signed in as the organisation's member with this role. */
async function pageAs(browser: Browser, org: TestOrg, role: Role, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await signInAs(page, org.emails[role]);
  return page;
}

async function openCapture(page: Page, org: TestOrg, id: number, componentId: string) {
  await page.goto(`/orgs/${org.slug}/assessments/${id}/components/${componentId}`);
  // The hint changes once the page is hydrated (an effect), so autosave is live: no wait for network silence.
  await expect(saveStatus(page)).toHaveText("Changes save as you type.");
}

const statement = (page: Page, id: string) => page.locator(`[data-statement="${id}"]`);
const status = (page: Page, id: string, label: "In place" | "Partly in place" | "Not in place" | "Not applicable") =>
  statement(page, id).getByRole("radio", { name: label, exact: true });
/** Opens the statement's evidence fields (they open on demand). */
async function openEvidence(page: Page, id: string) {
  const details = statement(page, id).locator("details");
  if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
}
const saveStatus = (page: Page) => page.locator("[data-save-status]");

/** Chooses a status, then writes evidence and leaves the field: two autosaves, each awaited. */
async function answerWithEvidence(page: Page, id: string, label: "In place" | "Partly in place", evidence: string) {
  await status(page, id, label).check();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await openEvidence(page, id);
  await statement(page, id).getByLabel("Evidence").fill(evidence);
  await statement(page, id).getByLabel("Evidence").blur();
  await expect(saveStatus(page)).toHaveText("All changes saved");
}

test("every field saves as you go: a fresh browser context sees what was typed", async ({ page, browser, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const [first, second] = componentOf("mlops").capabilities.map((s) => s.id);
  const question = questionOf("mlops");
  await loginAs("leadership");
  await openCapture(page, testOrg, id, "mlops");
  await expect(saveStatus(page)).toHaveText("Changes save as you type.");

  await status(page, first!, "In place").check();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await openEvidence(page, first!);
  await statement(page, first!).getByLabel("Evidence").fill("Every repository is in the GitHub organisation");
  await statement(page, first!).getByLabel("Link").fill("https://github.example/ml");
  // Not applicable: the reason appears, then is typed (nothing pressed afterwards).
  await expect(statement(page, second!).getByLabel("Reason (if not applicable)")).toBeHidden();
  await status(page, second!, "Not applicable").check();
  await statement(page, second!).getByLabel("Reason (if not applicable)").fill("We use a vendor's registry");
  const group = page.getByRole("group", { name: `Q${question.number}: ${question.title}` });
  // The reason field just appeared above and a save may be answering: the radio can move under the click, so check until it holds.
  await expect(async () => {
    await group.getByRole("radio").nth(2).check({ timeout: 2_000 });
  }).toPass({ timeout: 10_000 });
  await group.getByLabel("Note").fill("Agreed with the platform team");
  await expect(saveStatus(page)).toHaveText("All changes saved");

  const saved = storedAssessment(id);
  expect(saved.statements[first!]).toMatchObject({
    status: "in_place",
    evidenceNote: "Every repository is in the GitHub organisation",
    evidenceUrl: "https://github.example/ml",
  });
  expect(saved.statements[second!]).toMatchObject({ status: "not_applicable", reason: "We use a vendor's registry" });
  expect(saved.answers[question.id]).toMatchObject({ level: 3, note: "Agreed with the platform team" });

  // A fresh context: only what the server stored. Filled evidence shows open.
  const fresh = await pageAs(browser, testOrg, "admin");
  await openCapture(fresh, testOrg, id, "mlops");
  await expect(statement(fresh, first!).getByLabel("Evidence")).toHaveValue("Every repository is in the GitHub organisation");
  await expect(statement(fresh, first!).getByLabel("Evidence")).toBeVisible();
  await expect(statement(fresh, first!).getByLabel("Link")).toHaveValue("https://github.example/ml");
  await expect(status(fresh, second!, "Not applicable")).toBeChecked();
  await expect(statement(fresh, second!).getByLabel("Reason (if not applicable)")).toHaveValue("We use a vendor's registry");
  await expect(fresh.getByRole("group", { name: `Q${question.number}: ${question.title}` }).getByLabel("Note")).toHaveValue(
    "Agreed with the platform team",
  );
  await fresh.context().close();
});

test("typing then clicking Next component saves before leaving", async ({ page, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const target = componentOf("technical-capability").capabilities[0]!.id;
  await loginAs("leadership");
  await openCapture(page, testOrg, id, "technical-capability");
  await status(page, target, "Partly in place").check();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await openEvidence(page, target);
  await statement(page, target).getByLabel("Evidence").pressSequentially("Half the teams package their code", { delay: 5 });
  await page.getByRole("link", { name: "Next component →" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(componentOf("mlops").name);
  await expect.poll(() => storedAssessment(id).statements[target]?.evidenceNote).toBe("Half the teams package their code");
});

test("two people on one component: the later save shows both versions; keep mine or take theirs", async ({ browser, testOrg, apiAs }) => {
  test.slow();
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const [shared, other] = componentOf("standards").capabilities.map((s) => s.id);
  const leader = await pageAs(browser, testOrg, "leadership");
  const admin = await pageAs(browser, testOrg, "admin");
  await openCapture(leader, testOrg, id, "standards");
  await openCapture(admin, testOrg, id, "standards");

  // The leader saves first (two autosaves in a row never conflict with each other).
  await answerWithEvidence(leader, shared!, "In place", "Coding standard v2 published");
  expect(storedAssessment(id).statements[shared!]).toMatchObject({ status: "in_place", evidenceNote: "Coding standard v2 published" });

  // The admin, on the page loaded before, answers the same statement differently: refused, both shown.
  await status(admin, shared!, "Partly in place").check();
  await expect(saveStatus(admin)).toContainText("Not saved: someone else saved this");
  const conflict = admin.getByTestId("conflict");
  await expect(conflict.getByRole("heading")).toHaveText(
    `${testOrg.emails.leadership} saved ${componentOf("standards").name} after you opened it`,
  );
  const item = conflict.locator(`[data-conflict="${shared}"]`);
  await expect(item).toContainText(textOf(shared!));
  await expect(item.locator('[data-version="theirs"]')).toContainText("In place");
  await expect(item.locator('[data-version="theirs"]')).toContainText("Evidence: Coding standard v2 published");
  await expect(item.locator('[data-version="yours"]')).toContainText("Partly in place");
  expect(storedAssessment(id).statements[shared!]?.status).toBe("in_place");

  // Keep mine: saved over theirs.
  await conflict.getByRole("button", { name: "Keep mine" }).click();
  await expect(saveStatus(admin)).toHaveText("All changes saved");
  await expect(conflict).toHaveCount(0);
  await expect.poll(() => storedAssessment(id).statements[shared!]?.status).toBe("partial");

  // Now the leader's page is stale: a change there is refused in turn; take theirs reloads what is stored.
  await status(leader, other!, "Not in place").check();
  await expect(leader.getByTestId("conflict")).toBeVisible();
  await leader.getByTestId("conflict").getByRole("link", { name: "Take theirs" }).click();
  await expect(leader.getByTestId("conflict")).toHaveCount(0);
  await expect(status(leader, shared!, "Partly in place")).toBeChecked();
  await expect(status(leader, other!, "Not in place")).not.toBeChecked();
  await expect(saveStatus(leader)).toHaveText("Changes save as you type.");
  // ... and saves from there on go through.
  await status(leader, other!, "In place").check();
  await expect(saveStatus(leader)).toHaveText("All changes saved");
  expect(storedAssessment(id).statements[other!]?.status).toBe("in_place");
  await leader.context().close();
  await admin.context().close();
});

test("autosaves by one person make one audit entry; the API answers and checks component versions", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write", "assessment:read"]);
  const id = await startAssessment(ctx);
  const [a, b] = componentOf("lifecycle").capabilities.map((s) => s.id);
  await loginAs("leadership");
  await openCapture(page, testOrg, id, "lifecycle");
  await status(page, a!, "In place").check();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await answerWithEvidence(page, b!, "Partly in place", "Model inventory spreadsheet");
  await expect.poll(() => storedAssessment(id).statements[b!]?.evidenceNote).toBe("Model inventory spreadsheet");
  const saves = () =>
    getDb()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.orgId, testOrg.id))
      .all()
      .filter((e) => e.action === "assessment.responses_saved");
  expect(saves()).toHaveLength(1);

  // The API: answers the versions; a stale one is refused with 409 naming the component, and nothing changes.
  const put = (data: unknown) => ctx.put(`${API}/assessments/${id}/responses`, { data });
  const body = await expectJson<{ versions: Record<string, number>; components: unknown[] }>(
    await put({ capabilities: [{ id: a, status: "partial" }] }),
    200,
  );
  expect(body.versions).toEqual({ lifecycle: 4 });
  expect(body.components).toHaveLength(FRAMEWORK.components.length);
  const refused = await expectApiError(
    await put({ capabilities: [{ id: a, status: "none" }], versions: { lifecycle: 3 } }),
    409,
    "conflict",
  );
  expect(refused.message).toContain(componentOf("lifecycle").name);
  expect(refused.issues).toEqual([{ path: "versions.lifecycle", message: expect.stringContaining("version 4") }]);
  expect(storedAssessment(id).statements[a!]?.status).toBe("partial");
  expect(
    (
      await expectJson<{ versions: Record<string, number> }>(
        await put({ capabilities: [{ id: a, status: "none" }], versions: { lifecycle: 4 } }),
        200,
      )
    ).versions.lifecycle,
  ).toBe(5);
  // The token's saves are each audited; the person's run stays one entry.
  expect(saves().map((e) => e.actorType)).toEqual(["user", "token", "token"]);
});

test("the capture page fits a phone, names every choice by its statement and passes axe", async ({ browser, testOrg, apiAs }) => {
  test.slow(); // axe reads every control of a long page
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const phone = await pageAs(browser, testOrg, "leadership", { width: 390, height: 844 });
  await openCapture(phone, testOrg, id, "production-operations");
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const capabilities = componentOf("production-operations").capabilities;
  await expect(phone.getByRole("radiogroup", { name: capabilities[0]!.text, exact: true })).toBeVisible();
  // Statement ids stay out of the text people read; question numbers are shown.
  for (const s of capabilities) await expect(phone.locator("main")).not.toContainText(s.id);
  await expect(
    phone.getByText(`Q${questionOf("production-operations").number}: ${questionOf("production-operations").title}`),
  ).toBeVisible();
  // With a field error on screen too, nothing serious for assistive technology.
  await status(phone, capabilities[0]!.id, "Not applicable").check();
  await expect(statement(phone, capabilities[0]!.id).locator(".field-error")).toHaveText("Say why this does not apply");
  expect(await axeFindings(phone)).toEqual([]);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phone.context().close();
});

test("without JavaScript the Save button saves; a faulty answer is held back, listed at the top and kept as typed", async ({
  browser,
  testOrg,
  apiAs,
}) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const [first, second] = componentOf("production-operations").capabilities.map((s) => s.id);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAs(page, testOrg.emails.leadership);
  await page.goto(`/orgs/${testOrg.slug}/assessments/${id}/components/production-operations`);
  await expect(saveStatus(page)).toHaveText("Press Save to keep your changes.");
  await status(page, first!, "In place").check();
  await openEvidence(page, first!);
  await statement(page, first!).getByLabel("Evidence").fill("Runbook in the ops wiki");
  // Not applicable without a reason: held back, while the evidence typed above is saved.
  await status(page, second!, "Not applicable").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(statement(page, second!).locator(".field-error")).toHaveText("Say why this does not apply");
  await expect(status(page, second!, "Not applicable")).toBeChecked();
  await expect(statement(page, first!).getByLabel("Evidence")).toHaveValue("Runbook in the ops wiki");
  expect(storedAssessment(id).statements[first!]).toMatchObject({ status: "in_place", evidenceNote: "Runbook in the ops wiki" });
  expect(storedAssessment(id).statements[second!]).toBeUndefined();
  // The summary at the top names the answer and leads to it; the status line no longer says to press Save.
  const summary = page.getByRole("alert").filter({ hasText: "1 answer was not saved" });
  await expect(summary).toContainText("Say why this does not apply");
  await expect(saveStatus(page)).toHaveText(/^Not saved: 1 answer needs fixing/);
  await summary.getByRole("link", { name: textOf(second!) }).click();
  await expect(page).toHaveURL(new RegExp(`#answer-s-${second!.replace(/\./g, "\\.")}$`));

  await statement(page, second!).getByLabel("Reason (if not applicable)").fill("No on-call team yet");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Saved\.$/ })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(storedAssessment(id).statements[second!]).toMatchObject({ status: "not_applicable", reason: "No on-call team yet" });
  await context.close();
});

test("on a phone the sticky save bar never hides the field that has keyboard focus", async ({ browser, testOrg, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const id = await startAssessment(ctx);
  const phone = await pageAs(browser, testOrg, "leadership", { width: 390, height: 844 });
  await openCapture(phone, testOrg, id, "technical-capability");
  await phone.getByRole("heading", { level: 1 }).click();
  for (let step = 0; step < 40; step++) {
    await phone.keyboard.press("Tab");
    const overlap = await phone.evaluate(() => {
      const focused = document.activeElement;
      const bar = document.querySelector(".save-bar");
      if (!focused || !bar || bar.contains(focused)) return 0;
      return focused.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
    });
    expect(overlap, `focus step ${step} is under the save bar`).toBeLessThanOrEqual(0);
  }
  await phone.context().close();
});
