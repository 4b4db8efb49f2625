import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { API, expectJson, type ApiClient } from "../setup/api-client";
import { ASSESS, finalisedAssessment, P1, ROADMAP, storedItem, storedItems } from "../setup/roadmap-fixtures";

/**
 * The roadmap page's rows in the browser: what is typed in a row is not lost without a warning,
 * and the burn-up of a new roadmap draws its one point. (The flows: roadmaps.spec.ts.)
 */

const row = (page: Page, key: string) => page.locator(`tr[data-item="${key}"]`);

/** A roadmap generated through the API from a finalised assessment; its id. */
async function newRoadmap(ctx: ApiClient) {
  const assessment = await finalisedAssessment(ctx, P1);
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
  return id;
}

test("status or evidence typed in a row and not saved asks before the view changes or the page is left", async ({
  page,
  testOrg,
  loginAs,
  apiAs,
}) => {
  const roadmapId = await newRoadmap((await apiAs(testOrg.id, [...ASSESS, ...ROADMAP])).ctx);
  const [item] = storedItems(roadmapId);
  const url = `/orgs/${testOrg.slug}/roadmaps/${roadmapId}`;
  await loginAs("team");
  await page.goto(url);
  const evidence = row(page, item!.itemKey).getByRole("textbox", { name: `Evidence for ${item!.title}`, exact: true });
  await evidence.fill("Half-written note");
  await expect(row(page, item!.itemKey)).toHaveClass(/unsaved/);
  await expect(row(page, item!.itemKey).getByTestId("row-unsaved")).toHaveText("Not saved yet: press Save.");

  // Switching tab asks; staying keeps the page and what was typed.
  const asked: string[] = [];
  let leave = false;
  page.on("dialog", (dialog) => {
    asked.push(dialog.message());
    void (leave ? dialog.accept() : dialog.dismiss());
  });
  await page.getByRole("link", { name: "By component" }).click();
  await expect.poll(() => asked).toEqual(["You have typed a status or evidence in a row without saving it. Leave this page and lose it?"]);
  expect(page.url()).toMatch(new RegExp(`${url}$`));
  await expect(evidence).toHaveValue("Half-written note");

  // Putting the row back as it was is nothing to lose: the tab changes without asking.
  await evidence.fill(item!.evidence ?? "");
  await expect(row(page, item!.itemKey)).not.toHaveClass(/unsaved/);
  await page.getByRole("link", { name: "By component" }).click();
  await expect(page).toHaveURL(/\?view=component$/);
  expect(asked).toHaveLength(1);

  // A saved row is nothing to lose either; a status chosen and not saved asks again, and leaving is allowed.
  const inView = row(page, item!.itemKey).first();
  await inView.getByRole("textbox").fill("Pipeline merged");
  await inView.getByRole("button", { name: "Save" }).click();
  await expect(inView.getByRole("status")).toHaveText("Saved.");
  await expect(inView).not.toHaveClass(/unsaved/);
  expect(storedItem(item!.id).evidence).toBe("Pipeline merged");
  await inView.getByRole("combobox").selectOption("blocked");
  leave = true;
  await page.getByRole("link", { name: "My items" }).click();
  await expect(page).toHaveURL(/\?view=mine$/);
  expect(asked).toHaveLength(2);
  expect(storedItem(item!.id).status).toBe("todo");
});

test("an assignment clears the ticked rows, with and without JavaScript; only those who work items are offered", async ({
  page,
  browser,
  testOrg,
  loginAs,
  apiAs,
}) => {
  const roadmapId = await newRoadmap((await apiAs(testOrg.id, [...ASSESS, ...ROADMAP])).ctx);
  const [a, b, c] = storedItems(roadmapId);
  const url = `/orgs/${testOrg.slug}/roadmaps/${roadmapId}`;
  const tick = (p: Page, key: string) => row(p, key).getByRole("checkbox");
  await loginAs("leadership");
  await page.goto(url);
  const bulk = page.getByRole("form", { name: "Assign selected items" });
  const owners = await bulk.getByLabel("Owner").locator("option").allTextContents();
  // The test organisation's members are named after their role ("Team <suffix>").
  expect(owners.map((o) => o.split(" ")[0])).toEqual(["(keep)", "Nobody", "Admin", "Leadership", "Team"]);

  await tick(page, a!.itemKey).check();
  await tick(page, b!.itemKey).check();
  await bulk.getByRole("textbox", { name: "Team" }).fill("Platform");
  await bulk.getByRole("button", { name: "Assign selected" }).click();
  await expect(page.getByRole("status")).toHaveText("Assigned 2 items.");
  await expect(tick(page, a!.itemKey)).not.toBeChecked();
  await expect(tick(page, b!.itemKey)).not.toBeChecked();
  await expect(bulk.getByRole("textbox", { name: "Team" })).toHaveValue("");
  // The next assignment takes only what is ticked now.
  await tick(page, c!.itemKey).check();
  await bulk.getByRole("textbox", { name: "Team" }).fill("Data");
  await bulk.getByRole("button", { name: "Assign selected" }).click();
  await expect(page.getByRole("status")).toHaveText("Assigned 1 item.");
  expect([a, b, c].map((i) => storedItem(i!.id).team)).toEqual(["Platform", "Platform", "Data"]);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await loginAs("leadership", plain);
  await plain.goto(url);
  await tick(plain, a!.itemKey).check();
  await plain.getByRole("form", { name: "Assign selected items" }).getByRole("textbox", { name: "Team" }).fill("Ops");
  await plain.getByRole("form", { name: "Assign selected items" }).getByRole("button", { name: "Assign selected" }).click();
  await expect(plain.getByRole("status")).toHaveText("Assigned 1 item.");
  await expect(tick(plain, a!.itemKey)).not.toBeChecked();
  await context.close();
});
