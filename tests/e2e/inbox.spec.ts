import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createIncident, createModel, createVersion } from "../../app/modules/registry/registry.server";
import { test, expect, signInAs } from "./fixtures";
import { DEMO_PASSWORD, type TestOrg } from "../setup/test-orgs";

// That pages outside an organisation have no inbox needs no browser: tests/integration/pages.test.ts.

test("the header inbox lists the member's overdue and due-this-week items and what waits for review", async ({ page }) => {
  await signInAs(page, "leader@demo.local", DEMO_PASSWORD);
  await page.goto("/orgs/demo");
  const inbox = page.getByTestId("header-inbox");
  await expect(inbox).toBeVisible();
  await inbox.click();
  await expect(page).toHaveURL(/\/orgs\/demo\/inbox$/);
  await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
  for (const id of ["overdue", "week"]) {
    const section = page.locator(`section[aria-labelledby=${id}]`);
    const heading = await section.getByRole("heading").textContent();
    const count = Number(/\((\d+)\)/.exec(heading ?? "")?.[1]);
    await expect(section.getByRole("listitem")).toHaveCount(count);
  }
  // The demo roadmap has overdue items, so the organisation-wide link is there.
  await expect(page.getByRole("link", { name: /All overdue and due-this-week items/ })).toBeVisible();
  await expect(page.getByText(/\d+ model cards?, \d+ bias audits?, \d+ approval requests?/)).toBeVisible();
});

/** An incident on the model the test organisation's team member owns: a real `incident.opened` notification to them. */
function reportIncident(org: TestOrg, slug: string, title: string) {
  createIncident(org.id, slug, "1.0.0", { title, severity: "sev3", startedAt: new Date() }, SYSTEM_ACTOR);
}

test("the inbox lists notifications newest first; opening one marks it read; mark all as read keeps later arrivals", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const model = createModel(testOrg.id, { name: "Inbox model", riskTier: "minimal", ownerEmail: testOrg.emails.team }, SYSTEM_ACTOR, "api");
  createVersion(testOrg.id, model.slug, { version: "1.0.0" }, SYSTEM_ACTOR, "api");
  for (const title of ["First outage", "Second outage", "Third outage"]) reportIncident(testOrg, model.slug, title);

  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/inbox`);
  await expect(page.getByTestId("header-inbox-count")).toHaveText("3");
  await expect(page.getByRole("heading", { name: "Notifications (3 unread of 3)" })).toBeVisible();
  const items = page.getByTestId("notification");
  await expect(items).toHaveCount(3);
  await expect(items.first().getByRole("button")).toHaveText(/^Unread: Incident on Inbox model 1\.0\.0: Third outage \(sev3\)$/);

  // Opening one marks it read and leads to its page.
  await items.first().getByRole("button").click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/models/${model.slug}/versions/1\\.0\\.0#incidents$`));
  await expect(page.getByTestId("header-inbox-count")).toHaveText("2");
  await page.getByTestId("header-inbox").click();
  await expect(page.getByRole("heading", { name: "Notifications (2 unread of 3)" })).toBeVisible();
  await expect(items.first().getByRole("button")).toHaveText(/^Incident on .*Third outage/);

  // One arrives while the page is open: "mark all as read" stops at what the page showed.
  reportIncident(testOrg, model.slug, "Fourth outage");
  await page.getByRole("button", { name: "Mark all as read" }).click();
  await expect(page.getByRole("status")).toHaveText("Marked 2 notifications as read.");
  await expect(page.getByRole("heading", { name: "Notifications (1 unread of 4)" })).toBeVisible();
  await expect(items.first().getByRole("button")).toHaveText(/^Unread: .*Fourth outage/);
  await expect(page.getByTestId("header-inbox-count")).toHaveText("1");
});

test("on a phone the folded menu's button carries the inbox count", async ({ page, testOrg, loginAs }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const model = createModel(testOrg.id, { name: "Phone model", riskTier: "minimal", ownerEmail: testOrg.emails.team }, SYSTEM_ACTOR, "api");
  createVersion(testOrg.id, model.slug, { version: "1.0.0" }, SYSTEM_ACTOR, "api");
  for (const title of ["First outage", "Second outage"]) reportIncident(testOrg, model.slug, title);

  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}`);
  await expect(page.getByTestId("header-inbox-count")).toBeHidden();
  await expect(page.getByTestId("menu-inbox-count")).toBeVisible();
  await expect(page.getByTestId("menu-inbox-count")).toHaveText("2");
  await page.getByText("Menu", { exact: false }).first().click();
  await expect(page.getByTestId("header-inbox-count")).toHaveText("2");
});
