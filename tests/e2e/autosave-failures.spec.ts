import type { Page } from "@playwright/test";
import { test, expect, signInAs } from "./fixtures";
import { API, expectJson, type ApiClient } from "../setup/api-client";
import { FRAMEWORK, storedAssessment } from "../setup/assessment-fixtures";
import { quarterOf } from "../../app/utils/quarters";

/**
 * What people type is never lost: an autosave that gets no answer (no
 * connection, a server error, a session that ended) leaves the page where it
 * is, with every typed value, says why in the status line and saves later;
 * one faulty answer never holds back the others.
 */

const COMPONENT = "production-operations";
const [FIRST, SECOND, THIRD] = FRAMEWORK.components.find((c) => c.id === COMPONENT)!.capabilities.map((s) => s.id);

async function startAssessment(ctx: ApiClient) {
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period: quarterOf(new Date()) } }), 201);
  return id;
}

const saveStatus = (page: Page) => page.locator("[data-save-status]");
const statement = (page: Page, id: string) => page.locator(`[data-statement="${id}"]`);
const radio = (page: Page, id: string, name: string) => statement(page, id).getByRole("radio", { name, exact: true });
async function evidence(page: Page, id: string) {
  const details = statement(page, id).locator("details");
  if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
  return statement(page, id).getByLabel("Evidence");
}

/** Each test: a new draft assessment, its capture page open (and hydrated) for the leader. */
let id: number;
let path: string;
test.beforeEach(async ({ page, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  id = await startAssessment(ctx);
  await loginAs("leadership");
  path = `/orgs/${testOrg.slug}/assessments/${id}/components/${COMPONENT}`;
  await page.goto(path);
  await expect(saveStatus(page)).toHaveText("Changes save as you type.");
});

test("a dropped connection or a server error keeps what was typed, says so and saves once the portal answers", async ({ page }) => {
  let serverFails = true;
  await page.route(
    (url) => url.pathname.startsWith(path),
    (route) =>
      serverFails && route.request().method() === "POST"
        ? route.fulfill({ status: 500, contentType: "text/html", body: "<h1>Internal Server Error</h1>" })
        : route.continue(),
  );

  await radio(page, FIRST!, "In place").check();
  await expect(saveStatus(page)).toHaveText("Not saved: the portal had a problem saving; retrying");
  await expect(page.getByText("Something went wrong")).toHaveCount(0);

  // Then the connection drops: every request fails, the page's data is not reloaded either.
  serverFails = false;
  await page.context().setOffline(true);
  const note = await evidence(page, FIRST!);
  await note.fill("Runbooks for every service");
  await note.blur();
  await expect(saveStatus(page)).toHaveText("Not saved: could not reach the portal; retrying");
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  await expect(note).toHaveValue("Runbooks for every service");
  await expect(radio(page, FIRST!, "In place")).toBeChecked();
  expect(storedAssessment(id).statements[FIRST!]).toBeUndefined();

  // Back online: saved at once, without a click.
  await page.context().setOffline(false);
  await expect(saveStatus(page)).toHaveText("All changes saved");
  expect(storedAssessment(id).statements[FIRST!]).toMatchObject({ status: "in_place", evidenceNote: "Runbooks for every service" });
});

test("after the session ended the page stays, says to sign in again, and Save keeps what was typed", async ({ page, testOrg }) => {
  // Signed out in another tab.
  await page.context().clearCookies();
  await radio(page, FIRST!, "Partly in place").check();
  const note = await evidence(page, FIRST!);
  await note.fill("Half the services have runbooks");
  await note.blur();
  await expect(saveStatus(page)).toHaveText("Not saved: you were signed out: sign in again in another tab, then press Save");
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  await expect(note).toHaveValue("Half the services have runbooks");

  await signInAs(page, testOrg.emails.leadership);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  expect(storedAssessment(id).statements[FIRST!]).toMatchObject({ status: "partial", evidenceNote: "Half the services have runbooks" });
});

test("a faulty answer is held back while the others save, and the save bar leads to it", async ({ page }) => {
  // Not applicable, its reason not typed yet: held back; the answers after it still save.
  await radio(page, FIRST!, "Not applicable").check();
  await expect(saveStatus(page)).toHaveText(/^Not saved: 1 answer needs fixing before it can be saved; the rest is saved$/);
  await radio(page, SECOND!, "In place").check();
  await radio(page, THIRD!, "Not in place").check();
  await expect(saveStatus(page)).toHaveText(/^Not saved: 1 answer needs fixing/);
  await expect.poll(() => storedAssessment(id).statements[THIRD!]?.status).toBe("none");
  expect(storedAssessment(id).statements[SECOND!]).toMatchObject({ status: "in_place" });
  expect(storedAssessment(id).statements[FIRST!]).toBeUndefined();
  await expect(statement(page, FIRST!).locator(".field-error")).toHaveText("Say why this does not apply");
  await expect(radio(page, FIRST!, "Not applicable")).toBeChecked();

  await page.getByTestId("first-held-back").click();
  const reason = statement(page, FIRST!).getByLabel("Reason (if not applicable)");
  await expect(reason).toBeFocused();
  await reason.fill("No services of our own yet");
  await reason.blur();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await expect(page.getByTestId("first-held-back")).toHaveCount(0);
  expect(storedAssessment(id).statements[FIRST!]).toMatchObject({ status: "not_applicable", reason: "No services of our own yet" });
});
