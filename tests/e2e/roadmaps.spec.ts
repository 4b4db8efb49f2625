import type { Browser, Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessments, roadmapItemComments, roadmapItems, roadmaps } from "../../db/schema";
import type { Role } from "../../app/modules/auth/roles";
import { quarterOf, quarterRange, shiftQuarter } from "../../app/utils/quarters";
import { test, expect, signInAs } from "./fixtures";
import { API, expectApiError, expectJson } from "../setup/api-client";
import {
  ASSESS,
  COMPONENT_IDS,
  finalisedAssessment,
  MIXED_LEVEL_2,
  P1,
  P2,
  ROADMAP,
  storedItem,
  storedItems,
  type RoadmapBody,
} from "../setup/roadmap-fixtures";
import { DEMO_PASSWORD, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

/**
 * Improvement roadmaps end to end: leadership generates one from a finalised
 * assessment, assigns items, the team works them (status, evidence, comments),
 * the exports download, a newer assessment regenerates it (history + carried
 * items), the auditor only reads; then the demo roadmap. (The roadmap API:
 * tests/integration/roadmap-api.test.ts.)
 *
 * Finalised assessments are prepared through the JSON API; the server's
 * database is read directly for item keys and checks.
 */

const roadmapIdFrom = (page: Page) => Number(/\/roadmaps\/(\d+)/.exec(page.url())![1]);

/** A page in its own browser context, signed in as the organisation's member with this role. */
async function pageAs(browser: Browser, org: TestOrg, role: Role): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, org.emails[role], TEST_PASSWORD);
  return page;
}

/** Leadership previews a roadmap from this assessment on the roadmaps page and confirms it; returns its id. */
async function generateInUi(page: Page, org: TestOrg, assessmentId: number) {
  await page.goto(`/orgs/${org.slug}/roadmaps`);
  await page.getByLabel("From the finalised assessment").selectOption(String(assessmentId));
  await page.getByRole("button", { name: "Preview the roadmap" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}/roadmaps/new\\?assessmentId=${assessmentId}$`));
  const acknowledge = page.getByRole("checkbox", { name: /I understand/ });
  if (await acknowledge.count()) await acknowledge.check();
  await page.getByRole("form", { name: "Confirm the roadmap" }).getByRole("button").click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}/roadmaps/\\d+$`));
  return roadmapIdFrom(page);
}

const row = (page: Page, key: string) => page.locator(`tr[data-item="${key}"]`);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The heading of a workstream's group of items: "<title> (n/m done, due …)". */
const groupHeading = (page: Page, title: string) => page.getByRole("heading", { level: 3, name: new RegExp(`^${escapeRegExp(title)}`) });
const allItemsProgress = (page: Page) => page.getByRole("progressbar", { name: "All items progress" });

// ---------------------------------------------------------------- the browser flow

test("leadership generates the roadmap, assigns items; the team works them; the burn-up is drawn", async ({
  page,
  browser,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.setTimeout(90_000);
  const api = await apiAs(testOrg.id, [...ASSESS]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  expect(assessment.level).toBe(1);

  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps`);
  await expect(page.getByText("No roadmap yet")).toBeVisible();
  const roadmapId = await generateInUi(page, testOrg, assessment.id);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Level 1 → 2");

  const items = storedItems(roadmapId);
  expect(items).toHaveLength(24);
  const workstreams = [...new Set(items.map((i) => i.workstreamTitle))];
  expect(workstreams).toHaveLength(4);

  // Progress bars per workstream, phases, success criteria.
  await expect(allItemsProgress(page)).toHaveAttribute("aria-valuenow", "0");
  for (const title of workstreams) {
    await expect(page.getByRole("progressbar", { name: `${title} progress` })).toBeVisible();
    await expect(groupHeading(page, title)).toBeVisible();
  }
  await expect(page.getByLabel("Workstream phases by month").locator(".phase-row")).toHaveCount(4);
  await expect(page.getByRole("heading", { level: 2, name: "Success criteria" })).toBeVisible();
  await expect(page.locator("li[data-criterion]")).toHaveCount(6);
  await expect(page.locator('li[data-criterion="1-2.sc.4"]')).toContainText("checked automatically");
  await expect(page.locator('li[data-criterion="1-2.sc.1"]')).toContainText("Not recorded yet");
  await expect(page.locator('li[data-criterion="1-2.sc.1"]')).toContainText("Leadership records this with evidence");
  await expect(page.locator('li[data-criterion="1-2.sc.4"]')).toContainText(
    /No figure yet for models in production, target at least 1|\d+ models? in production, target at least 1/,
  );
  await expect(page.locator("ul.criteria")).not.toContainText("productionModels");

  // Bulk-assign the first three items to the team member.
  const chosen = items.slice(0, 3);
  for (const item of chosen) await page.getByRole("checkbox", { name: `Select ${item.title}`, exact: true }).check();
  const bulk = page.getByRole("form", { name: "Assign selected items" });
  await bulk.getByLabel("Owner").selectOption(testOrg.emails.team);
  await bulk.getByRole("button", { name: "Assign selected" }).click();
  await expect(page.getByRole("status")).toHaveText("Assigned 3 items.");
  for (const item of chosen) {
    await expect(row(page, item.itemKey).locator("td").nth(3)).toContainText("Team ");
    expect(storedItem(item.id).ownerUserId).not.toBeNull();
  }
  expect(storedItems(roadmapId).filter((i) => i.ownerUserId !== null)).toHaveLength(3);

  // The team member sees them under "My items" and on the dashboard.
  const team = await pageAs(browser, testOrg, "team");
  await team.goto(`/orgs/${testOrg.slug}`);
  const mine = team.getByRole("region", { name: "Your roadmap items" });
  await expect(mine.getByRole("listitem")).toHaveCount(3);
  for (const item of chosen) await expect(mine).toContainText(item.title);

  await team.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmapId}?view=mine`);
  await expect(team.getByRole("heading", { level: 3, name: /My items/ })).toContainText("(0/3 done)");
  await expect(team.locator("tr[data-item]")).toHaveCount(3);

  // Tick one off with evidence.
  const done = chosen[0]!;
  await row(team, done.itemKey)
    .getByRole("combobox", { name: `Status of ${done.title}`, exact: true })
    .selectOption("done");
  await row(team, done.itemKey)
    .getByRole("textbox", { name: `Evidence for ${done.title}`, exact: true })
    .fill("https://git.example/pr/42");
  await row(team, done.itemKey).getByRole("button", { name: "Save" }).click();
  await expect(row(team, done.itemKey).getByRole("status")).toHaveText("Saved.");
  await expect(team).toHaveURL(new RegExp(`/roadmaps/${roadmapId}\\?view=mine$`)); // answered in place: no ?index
  await expect(team.getByRole("heading", { level: 3, name: /My items/ })).toContainText("(1/3 done)");
  await expect(team.getByText("1/24 (4%)")).toBeVisible();
  await expect(allItemsProgress(team)).toHaveAttribute("aria-valuenow", "4");
  const stored = storedItem(done.id);
  expect(stored.status).toBe("done");
  expect(stored.evidence).toBe("https://git.example/pr/42");
  expect(stored.completedAt).not.toBeNull();

  // The burn-up chart is drawn.
  const burnUp = team.locator('canvas[data-chart="Burn-up: done items over time"]');
  await expect(burnUp).toBeVisible();
  await expect.poll(() => burnUp.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(0);

  // The dashboard lists only the open ones now.
  await team.goto(`/orgs/${testOrg.slug}`);
  await expect(team.getByRole("region", { name: "Your roadmap items" }).getByRole("listitem")).toHaveCount(2);
  await team.context().close();
});

test("an item's page takes comments and status changes", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const { id: roadmapId } = await expectJson<{ id: number }>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  const item = storedItems(roadmapId)[4]!;

  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmapId}`);
  await row(page, item.itemKey).getByRole("link", { name: item.title }).click();
  await expect(page).toHaveURL(new RegExp(`/roadmaps/${roadmapId}/items/${item.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: item.title })).toBeVisible();
  await expect(page.getByText("No comments yet.")).toBeVisible();

  await page.getByLabel("Comment").fill("Drafted the checklist; review on Friday.");
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByText("Comment added.")).toBeVisible();
  await expect(page.locator("ul.comments li")).toHaveCount(1);
  await expect(page.locator("ul.comments li")).toContainText("Drafted the checklist; review on Friday.");
  await expect(page.locator("ul.comments li")).toContainText(testOrg.emails.team);
  expect(
    getDb()
      .select()
      .from(roadmapItemComments)
      .where(eq(roadmapItemComments.itemId, item.id))
      .all()
      .map((c) => c.body),
  ).toEqual(["Drafted the checklist; review on Friday."]);

  await expect(page.getByLabel("Comment")).toHaveValue(""); // cleared once posted

  await page.getByLabel("Status").selectOption("blocked");
  await expect(page.locator("[data-save-status]")).toHaveText("All changes saved");
  await expect(page.getByTestId("item-status")).toHaveText("Blocked");
  expect(storedItem(item.id).status).toBe("blocked");
});

test("leadership records a success criterion with evidence; automatic ones have no form", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const { id: roadmapId } = await expectJson<{ id: number }>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmapId}`);
  const manual = page.locator('li[data-criterion="1-2.sc.1"]');
  await expect(manual).toContainText("Not recorded yet");
  await expect(page.locator('li[data-criterion="1-2.sc.4"]').getByRole("button", { name: "Record" })).toHaveCount(0);
  await manual.getByRole("textbox").fill("Every repository is on GitHub (inventory 2026-01).");
  // Nothing is chosen for the person: "Met" must be picked.
  await expect(manual.getByRole("combobox")).toHaveValue("");
  await manual.getByRole("combobox").selectOption("yes");
  await manual.getByRole("button", { name: "Record" }).click();
  await expect(page.getByRole("status")).toHaveText("Criterion recorded.");
  await expect(manual).toContainText("✔ Met");
  await expect(manual).toContainText("Ticked by leadership: Every repository is on GitHub (inventory 2026-01).");
  const body = await expectJson<RoadmapBody>(await api.ctx.get(`${API}/roadmaps/${roadmapId}`), 200);
  expect(body.successCriteria.find((c) => c.text.startsWith("All ML code"))!.met).toBe(true);
});

test("the team works items but cannot tick success criteria", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmap.id}`);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(24);
  await expect(page.getByRole("button", { name: "Record" })).toHaveCount(0);
  const criterion = roadmap.successCriteria.find((c) => !c.automatic)!;
  const forged = await page.request.post(`/orgs/${testOrg.slug}/roadmaps/${roadmap.id}`, {
    form: { intent: "tick", criterionId: String(criterion.id), met: "yes", evidence: "team says so" },
  });
  expect(forged.status()).toBe(403);
  const after = await expectJson<RoadmapBody>(await api.ctx.get(`${API}/roadmaps/${roadmap.id}`), 200);
  expect(after.successCriteria.find((c) => c.id === criterion.id)!.met).toBeNull();
});

// Regression: a row's Save refused for want of evidence said so only in a banner far above the row, while the row
// kept showing "Done": it looked saved. The answer belongs in the row, with what was typed, with or without JavaScript.
test("a row refused for want of evidence says why in that row, keeping the input", async ({ page, browser, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const { id: roadmapId } = await expectJson<{ id: number }>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  const items = storedItems(roadmapId);
  // Two items of the workstream due last: at the bottom of the page, far from the banner.
  const lastDue = items.reduce((latest, i) => (i.dueDate > latest ? i.dueDate : latest), "");
  const [item, other] = items.filter((i) => i.dueDate === lastDue);
  const inWorkstream = items.filter((i) => i.workstreamKey === item!.workstreamKey).length;
  const url = `/orgs/${testOrg.slug}/roadmaps/${roadmapId}`;
  const refusal = `Not saved: Marking “${item!.title}” done needs evidence: add a note or a link`;

  await loginAs("team");
  await page.goto(url);
  const status = row(page, item!.itemKey).getByRole("combobox", { name: `Status of ${item!.title}`, exact: true });
  const evidence = row(page, item!.itemKey).getByRole("textbox", { name: `Evidence for ${item!.title}`, exact: true });
  await status.selectOption("done");
  await row(page, item!.itemKey).getByRole("button", { name: "Save" }).click();
  await expect(evidence).toHaveAccessibleDescription(refusal);
  await expect(evidence).toBeFocused();
  await expect(evidence).toBeInViewport();
  await expect(evidence).toHaveAttribute("aria-invalid", "true");
  await expect(row(page, item!.itemKey)).toHaveClass(/unsaved/);
  await expect(status).toHaveValue("done");
  await expect(page.locator(".form-error")).toHaveCount(0); // no banner
  await expect(groupHeading(page, item!.workstreamTitle)).toContainText(`(0/${inWorkstream} done`);
  expect(storedItem(item!.id).status).toBe("todo");

  // With the evidence typed the same row saves: in place, the address unchanged (no stray ?index).
  await evidence.fill("https://git.example/pr/51");
  await row(page, item!.itemKey).getByRole("button", { name: "Save" }).click();
  await expect(row(page, item!.itemKey).getByRole("status")).toHaveText("Saved.");
  await expect(evidence).not.toHaveAttribute("aria-invalid");
  await expect(groupHeading(page, item!.workstreamTitle)).toContainText(`(1/${inWorkstream} done`);
  expect(page.url()).toMatch(new RegExp(`${url}$`));
  expect(storedItem(item!.id)).toMatchObject({ status: "done", evidence: "https://git.example/pr/51" });

  // Without JavaScript the page after the post opens at the row, with the answer and what was typed there.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await signInAs(plain, testOrg.emails.team, TEST_PASSWORD);
  await plain.goto(url);
  await row(plain, other!.itemKey).getByRole("combobox").selectOption("done");
  await row(plain, other!.itemKey).getByRole("button", { name: "Save" }).click();
  await expect(plain).toHaveURL(new RegExp(`#item-${escapeRegExp(item!.workstreamKey)}-${other!.id}$`));
  await expect(row(plain, other!.itemKey).getByRole("textbox")).toHaveAccessibleDescription(
    `Not saved: Marking “${other!.title}” done needs evidence: add a note or a link`,
  );
  await expect(row(plain, other!.itemKey).getByRole("textbox")).toBeInViewport();
  await expect(row(plain, other!.itemKey).getByRole("combobox")).toHaveValue("done");
  expect(storedItem(other!.id).status).toBe("todo");
  await context.close();
});

// Regression: the roadmap page renders only errors.form (ActionResult) and, on the bulk form,
// errors.itemIds/ownerEmail; a field error on `evidence` (tick and row forms) or `team`
// (bulk form) is returned with status 400 but never shown: the click silently does nothing.
test("recording a criterion without evidence says why it was refused", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const { id: roadmapId } = await expectJson<{ id: number }>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmapId}`);
  const manual = page.locator('li[data-criterion="1-2.sc.1"]');
  await manual.getByRole("combobox").selectOption("yes");
  await manual.getByRole("button", { name: "Record" }).click();
  await expect(page.getByRole("alert")).toContainText("Give the evidence", { timeout: 5_000 });
});

test("CSV, PDF and calendar exports download", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const { id: roadmapId, items } = await expectJson<{ id: number; items: Array<{ id: number; title: string; dueDate: string }> }>(
    await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`),
    201,
  );
  await expectJson(
    await api.ctx.patch(`${API}/roadmap-items/${items[0]!.id}`, { data: { status: "done", evidence: "=cmd|' /C calc'!A0" } }),
    200,
  );

  await loginAs("leadership");
  const base = `/orgs/${testOrg.slug}/roadmaps/${roadmapId}`;
  await page.goto(base);
  await expect(page.getByRole("link", { name: "CSV" })).toHaveAttribute("href", `${base}/export/csv`);

  const csv = await page.request.get(`${base}/export/csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const csvText = await csv.text();
  const lines = csvText.split("\r\n").filter(Boolean);
  expect(lines).toHaveLength(items.length + 1);
  expect(lines[0]).toBe("priority,item,workstream,components,due_date,status,owner,team,evidence,completed_at,catch_up,key");
  for (const item of items.slice(1)) expect(csvText).toContain(item.title);
  expect(csvText).toContain("'=cmd|' /C calc'!A0");
  expect(csvText).not.toMatch(/,=cmd/);

  const pdf = await page.request.get(`${base}/export/pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

  const ics = await page.request.get(`${base}/export/ics`);
  expect(ics.status()).toBe(200);
  expect(ics.headers()["content-type"]).toContain("text/calendar");
  const icsText = await ics.text();
  expect(icsText.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
  expect(icsText.endsWith("END:VCALENDAR\r\n")).toBe(true);
  expect((icsText.match(/BEGIN:VEVENT\r\n/g) ?? []).length).toBe(items.length - 1); // the done one is left out
  expect(icsText).toContain(`DTSTART;VALUE=DATE:${items[1]!.dueDate.replace(/-/g, "")}`);
  expect(icsText).not.toContain(`UID:roadmap-item-${items[0]!.id}@`);

  expect((await page.request.get(`${base}/export/xlsx`)).status()).toBe(404);
});

test("a newer finalised assessment regenerates: the old roadmap stays as history and unfinished items are carried", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.setTimeout(60_000);
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const q1 = await finalisedAssessment(api.ctx, P1);
  await loginAs("leadership");
  const r1 = await generateInUi(page, testOrg, q1.id);
  const old = storedItems(r1);
  const byKey = (key: string) => old.find((i) => i.itemKey === key)!;
  const carriedKey = "1-2.mlops-pipeline.1";
  const doneKey = "1-2.mlops-pipeline.2";
  const closedKey = "1-2.code-quality.3";
  await expectJson(
    await api.ctx.patch(`${API}/roadmap-items/${byKey(carriedKey).id}`, {
      data: { status: "in_progress", ownerEmail: testOrg.emails.team, evidence: "Runner provisioned" },
    }),
    200,
  );
  await expectJson(
    await api.ctx.patch(`${API}/roadmap-items/${byKey(doneKey).id}`, { data: { status: "done", evidence: "Pipeline runs on every push" } }),
    200,
  );
  await expectJson(await api.ctx.patch(`${API}/roadmap-items/${byKey(closedKey).id}`, { data: { status: "in_progress" } }), 200);

  const q2 = await finalisedAssessment(api.ctx, P2, MIXED_LEVEL_2);
  expect(q2.level).toBe(2);
  const r2 = await generateInUi(page, testOrg, q2.id);
  expect(r2).not.toBe(r1);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Level 2 → 3");

  // The carried item: once, with its status, owner and evidence, tagged.
  const fresh = storedItems(r2);
  expect(fresh.filter((i) => i.itemKey === carriedKey)).toHaveLength(1);
  expect(fresh.map((i) => i.itemKey)).not.toContain(doneKey);
  expect(fresh.map((i) => i.itemKey)).not.toContain(closedKey);
  const carried = fresh.find((i) => i.itemKey === carriedKey)!;
  expect(carried).toMatchObject({ status: "in_progress", evidence: "Runner provisioned", carriedFromItemId: byKey(carriedKey).id });
  const carriedRow = row(page, carriedKey);
  await expect(carriedRow).toContainText("carried over");
  await expect(carriedRow.getByRole("combobox", { name: `Status of ${carried.title}`, exact: true })).toHaveValue("in_progress");
  await expect(carriedRow.getByRole("textbox", { name: `Evidence for ${carried.title}`, exact: true })).toHaveValue("Runner provisioned");

  // The list keeps both, the old one as history.
  await page.goto(`/orgs/${testOrg.slug}/roadmaps`);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Level 2 → 3");
  await expect(rows.nth(0)).toContainText("active");
  await expect(rows.nth(1)).toContainText("Level 1 → 2");
  await expect(rows.nth(1)).toContainText("history");
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.id, r1)).get()).toMatchObject({ status: "superseded", supersededById: r2 });

  // The history page: read-only, with the closed item's reason and a link to the new roadmap.
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${r1}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("history");
  await expect(page.getByRole("link", { name: "a newer roadmap" })).toHaveAttribute("href", `/orgs/${testOrg.slug}/roadmaps/${r2}`);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Assign selected" })).toHaveCount(0);
  await expect(row(page, closedKey)).toContainText(`Not needed for the 2→3 roadmap generated from ${P2}`);
  await expect(row(page, closedKey)).toContainText("Closed by supersession");
  // True progress: done of all its items, the closed ones counted but not as done.
  const total = old.length;
  await expect(page.getByText(`1/${total} (${Math.round(100 / total)}%)`)).toBeVisible();
  await expect(page.getByTestId("superseded-progress")).toContainText(`1 of ${total} done`);
  await expect(page.getByTestId("superseded-progress")).toContainText("closed by supersession");
});

// Regression: the item page decides canWork from the item's status only (not the roadmap's),
// so an item of a superseded roadmap shows the Save form, which then fails with
// "This roadmap has been superseded".
test("an item of a superseded roadmap offers no edit form", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const q1 = await finalisedAssessment(api.ctx, P1);
  const { id: r1 } = await expectJson<{ id: number }>(await api.ctx.post(`${API}/assessments/${q1.id}/roadmap`), 201);
  const item = storedItems(r1).find((i) => i.itemKey === "1-2.mlops-pipeline.1")!;
  await expectJson(await api.ctx.patch(`${API}/roadmap-items/${item.id}`, { data: { status: "in_progress" } }), 200);
  const q2 = await finalisedAssessment(api.ctx, P2, MIXED_LEVEL_2);
  await expectJson(await api.ctx.post(`${API}/assessments/${q2.id}/roadmap`), 201);
  expect(storedItem(item.id).status).toBe("in_progress"); // carried, so not closed in the old roadmap

  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${r1}/items/${item.id}`);
  await expect(page.getByRole("heading", { level: 1, name: item.title })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
});

test("the auditor reads the roadmap but cannot change it; forged posts are 403", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const {
    id: roadmapId,
    items,
    successCriteria,
  } = await expectJson<{
    id: number;
    items: Array<{ id: number; title: string }>;
    successCriteria: Array<{ id: number; automatic: boolean }>;
  }>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  await loginAs("auditor");
  const base = `/orgs/${testOrg.slug}/roadmaps/${roadmapId}`;
  await page.goto(base);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Level 1 → 2");
  await expect(page.getByRole("row")).toHaveCount(24 + 4); // items + a header per workstream table
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Assign selected" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Record" })).toHaveCount(0);

  await page.goto(`${base}/items/${items[0]!.id}`);
  await expect(page.getByRole("heading", { level: 1, name: items[0]!.title })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add comment" })).toHaveCount(0);

  const forged = [
    await page.request.post(base, { form: { intent: "update", itemId: String(items[0]!.id), status: "done", evidence: "auditor" } }),
    await page.request.post(base, { form: { intent: "assign", itemIds: String(items[0]!.id), ownerEmail: testOrg.emails.auditor } }),
    await page.request.post(base, {
      form: { intent: "tick", criterionId: String(successCriteria.find((c) => !c.automatic)!.id), met: "yes", evidence: "auditor says so" },
    }),
    await page.request.post(`${base}/items/${items[0]!.id}`, { form: { intent: "comment", body: "auditor" } }),
    await page.request.post(`${base}/items/${items[0]!.id}`, { form: { intent: "update", status: "done" } }),
    await page.request.post(`/orgs/${testOrg.slug}/roadmaps/new`, {
      form: { assessmentId: String(assessment.id), replacesRoadmapId: String(roadmapId), acknowledge: "yes" },
    }),
  ];
  for (const response of forged) expect(response.status(), response.url()).toBe(403);
  const after = storedItem(items[0]!.id);
  expect(after).toMatchObject({ status: "todo", ownerUserId: null, evidence: null });
  expect(getDb().select().from(roadmapItemComments).where(eq(roadmapItemComments.itemId, items[0]!.id)).all()).toEqual([]);
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toHaveLength(1);
});

test("the team cannot generate a roadmap (only leadership and admins)", async ({ page, testOrg, loginAs, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps`);
  await expect(page.getByRole("button", { name: "Preview the roadmap" })).toHaveCount(0);
  expect((await page.request.get(`/orgs/${testOrg.slug}/roadmaps/new?assessmentId=${assessment.id}`)).status()).toBe(403);
  const forged = await page.request.post(`/orgs/${testOrg.slug}/roadmaps/new`, {
    form: { assessmentId: String(assessment.id), replacesRoadmapId: "none" },
  });
  expect(forged.status()).toBe(403);
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toEqual([]);
});

// ---------------------------------------------------------------- issue 12: preview, evidence, comments

test("replacing an active roadmap goes through a preview that lists what closes and calls out a lower level", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.setTimeout(90_000);
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const q1 = await finalisedAssessment(api.ctx, P1, Object.fromEntries(COMPONENT_IDS.map((id) => [id, 3])));
  expect(q1.level).toBe(3);
  const r1 = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${q1.id}/roadmap`), 201);
  expect(r1.transition).toEqual({ from: 3, to: 4 });
  for (const item of r1.items.slice(0, 2))
    await expectJson(await api.ctx.patch(`${API}/roadmap-items/${item.id}`, { data: { status: "done", evidence: "Shipped" } }), 200);
  const q2 = await finalisedAssessment(api.ctx, P2);
  expect(q2.level).toBe(1);

  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps`);
  await page.getByLabel("From the finalised assessment").selectOption(String(q2.id));
  await page.getByRole("button", { name: "Preview the roadmap" }).click();
  await expect(page).toHaveURL(new RegExp(`/roadmaps/new\\?assessmentId=${q2.id}$`));
  await expect(page.getByTestId("transition")).toHaveText("Level 1 Initial → Level 2 Developing: MLOps Foundation");
  await expect(page.getByTestId("replaces")).toContainText("This replaces your Level 3→4 roadmap with a Level 1→2 one.");
  const unfinished = r1.items.length - 2;
  await expect(page.getByTestId("plan-counts")).toContainText(`${unfinished} unfinished items will be closed`);
  await expect(page.getByTestId("plan-counts")).toContainText("0 unfinished items are carried over");
  await expect(page.getByTestId("closed-items").getByRole("listitem")).toHaveCount(unfinished);
  await expect(page.getByTestId("closed-items")).toContainText(`Why: Not needed for the 1→2 roadmap generated from ${P2}.`);
  await expect(page.getByTestId("closed-items")).not.toContainText("production-operations"); // component names, not ids
  // Previewing wrote nothing.
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toHaveLength(1);

  // The confirmation: the start date is editable; replacing needs the tick.
  await page.getByLabel("Start date").fill("2027-02-01");
  const confirm = page.getByRole("form", { name: "Confirm the roadmap" });
  await confirm.getByRole("button", { name: "Replace the Level 3 → 4 roadmap" }).click();
  await expect(page.getByText("Tick the box to confirm that this replaces the active roadmap")).toBeVisible();
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toHaveLength(1);
  await page
    .getByRole("checkbox", { name: /I understand: this replaces the active Level 3 → 4 roadmap and closes \d+ unfinished items/ })
    .check();
  await page.getByLabel("Start date").fill("2027-02-01");
  await confirm.getByRole("button", { name: "Replace the Level 3 → 4 roadmap" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/roadmaps/\\d+$`));
  const r2 = roadmapIdFrom(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Level 1 → 2");
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.id, r2)).get()!.startDate).toBe("2027-02-01");

  // The replaced roadmap keeps its true progress: 2 of all its items, not 2 of 2.
  await page.goto(`/orgs/${testOrg.slug}/roadmaps`);
  const oldRow = page.locator("tbody tr").filter({ hasText: "Level 3 → 4" });
  await expect(oldRow.getByTestId("roadmap-progress")).toHaveText(
    `2 of ${r1.items.length} done (${Math.round(200 / r1.items.length)}%); ${unfinished} closed by supersession`,
  );
  const body = await expectJson<RoadmapBody & { progress: { done: number; total: number; closed: number } }>(
    await api.ctx.get(`${API}/roadmaps/${r1.id}`),
    200,
  );
  expect(body.progress).toEqual({ done: 2, total: r1.items.length, closed: unfinished });

  // A stale confirmation (the preview promised "no roadmap is active") is refused, not chained.
  const stale = await page.request.post(`/orgs/${testOrg.slug}/roadmaps/new`, {
    form: { assessmentId: String(q2.id), replacesRoadmapId: "none" },
  });
  expect(stale.status()).toBe(409);
  expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toHaveLength(2);
});

test("an item's evidence saves as you type and survives a reload in a fresh browser; done needs evidence", async ({
  page,
  browser,
  testOrg,
  loginAs,
  apiAs,
}) => {
  test.setTimeout(60_000);
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  const item = roadmap.items[2]!;
  const itemUrl = `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}/items/${item.id}`;

  await loginAs("team");
  await page.goto(itemUrl);
  const saveStatus = page.locator("[data-save-status]");
  // Done without evidence: a field-level error, nothing stored.
  await page.getByLabel("Status").selectOption("done");
  await expect(page.getByText(`Marking “${item.title}” done needs evidence: add a note or a link`)).toBeVisible();
  await expect(saveStatus).toContainText("Not saved");
  expect(storedItem(item.id).status).toBe("todo");

  // Typing the evidence saves it (and the done status with it), without pressing Save.
  await page.getByLabel("Evidence note or link").pressSequentially("https://git.example/pr/77", { delay: 10 });
  await expect(saveStatus).toHaveText("All changes saved");
  await expect.poll(() => storedItem(item.id).evidence).toBe("https://git.example/pr/77");
  expect(storedItem(item.id).status).toBe("done");

  // What the server stored, seen from a fresh browser context.
  const fresh = await pageAs(browser, testOrg, "team");
  await fresh.goto(itemUrl);
  await expect(fresh.getByLabel("Evidence note or link")).toHaveValue("https://git.example/pr/77");
  await expect(fresh.getByTestId("item-status")).toHaveText("Done");
  await fresh.context().close();

  // The API refuses done without evidence with 422 and changes nothing.
  const other = roadmap.items[3]!;
  const refused = await expectApiError(
    await api.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: { status: "done" } }),
    422,
    "invalid",
  );
  expect(refused.message).toContain("needs evidence");
  expect(storedItem(other.id)).toMatchObject({ status: "todo", completedAt: null });
});

test("the comment box clears once its comment is posted, and keeps the text when the post is refused", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  const item = roadmap.items[1]!;
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/roadmaps/${roadmap.id}/items/${item.id}`);
  const box = page.getByLabel("Comment");

  const tooLong = "x".repeat(2001);
  await box.fill(tooLong);
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByText("Use at most 2000 characters")).toBeVisible();
  await expect(box).toHaveValue(tooLong);

  await box.fill("Reviewed with the platform team.");
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.locator("ul.comments li")).toContainText("Reviewed with the platform team.");
  await expect(box).toHaveValue("");
  expect(
    getDb()
      .select()
      .from(roadmapItemComments)
      .where(eq(roadmapItemComments.itemId, item.id))
      .all()
      .map((c) => c.body),
  ).toEqual(["Reviewed with the platform team."]);
});

// ---------------------------------------------------------------- demo organisation

test.describe("the demo organisation (read-only)", () => {
  test("has an active roadmap, started the quarter after its assessment, with some items done", async ({ page }) => {
    await signInAs(page, "team@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo/roadmaps");
    await expect(page.getByRole("heading", { level: 1, name: "Roadmaps" })).toBeVisible();
    const active = page.locator("tbody tr").filter({ has: page.locator("strong", { hasText: "active" }) });
    await expect(active).toHaveCount(1);
    await active.getByRole("link").click();
    await expect(page).toHaveURL(/\/orgs\/demo\/roadmaps\/\d+$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(/Level \d → \d/);

    const progress = await page.locator(".progress-row").first().locator(".muted").textContent();
    const [, done, total] = /(\d+)\/(\d+)/.exec(progress ?? "")!.map(Number);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(total!);
    await expect(page.locator('canvas[data-chart="Burn-up: done items over time"]')).toBeVisible();

    // The seed keeps the generator's start date: the first day of the quarter after its assessment was finalised.
    // Items past due and still open are overdue.
    const roadmapId = Number(/roadmaps\/(\d+)$/.exec(page.url())![1]);
    const stored = getDb().select().from(roadmaps).where(eq(roadmaps.id, roadmapId)).get()!;
    const source = getDb().select().from(assessments).where(eq(assessments.id, stored.assessmentId)).get()!;
    expect(stored.startDate).toBe(
      quarterRange(shiftQuarter(quarterOf(source.finalizedAt!), 1))
        .from.toISOString()
        .slice(0, 10),
    );
    const today = new Date().toISOString().slice(0, 10);
    const pastDue = getDb()
      .select()
      .from(roadmapItems)
      .where(eq(roadmapItems.roadmapId, roadmapId))
      .all()
      .filter((i) => ["todo", "in_progress", "blocked"].includes(i.status) && i.dueDate < today).length;
    await page.goto(`${page.url()}?view=due`);
    const overdue = page.locator("section").filter({ has: page.getByRole("heading", { level: 3, name: /^Overdue/ }) });
    expect(await overdue.locator("tbody tr").count()).toBe(pastDue);

    // The team member owns some of them: their items on the dashboard.
    await page.goto("/orgs/demo");
    await expect(page.getByRole("region", { name: "Your roadmap items" })).toBeVisible();
    await expect(page.getByTestId("my-items-summary")).toContainText(/\d+ overdue · \d+ due in the next 14 days/);
  });
});
