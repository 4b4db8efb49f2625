import { randomBytes } from "node:crypto";
import { test, expect, login } from "./fixtures";
import { createTestOrg, DEMO_PASSWORD, TEST_PASSWORD } from "../setup/test-orgs";

test("an admin creates a user, changes a role and cannot remove the last admin", async ({ page, testOrg, loginAs }) => {
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  const create = page.getByRole("region", { name: "Create a user" });
  const email = `new.${randomBytes(3).toString("hex")}@e2e.test`;

  await create.getByLabel("Name").fill("New Person");
  await create.getByLabel("Email").fill(email);
  await create.getByLabel("Initial password").fill("short");
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(create.getByText("Use at least 10 characters")).toBeVisible();
  await expect(page.getByRole("cell", { name: email })).toHaveCount(0);

  await create.getByLabel("Initial password").fill(TEST_PASSWORD);
  await create.getByLabel("Role").selectOption("ethics");
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toHaveText("User created and added.");
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("ethics");

  await row.getByLabel(`Role of ${email}`).selectOption("auditor");
  await row.getByRole("button", { name: "Change" }).click();
  await expect(page.getByRole("status")).toHaveText("Role changed.");
  await expect(page.getByRole("row").filter({ hasText: email }).getByLabel(`Role of ${email}`)).toHaveValue("auditor");

  const adminRow = page.getByRole("row").filter({ hasText: testOrg.emails.admin });
  await adminRow.getByLabel(`Role of ${testOrg.emails.admin}`).selectOption("team");
  await adminRow.getByRole("button", { name: "Change" }).click();
  await expect(page.getByRole("alert")).toContainText("last administrator");

  await page.goto(`/orgs/${testOrg.slug}/audit`);
  await expect(page.getByRole("cell", { name: "Member account created" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "Member's role changed" })).toBeVisible();
  await expect(page.locator('tbody tr[data-action="member.role_changed"]')).toHaveCount(1);
});

test("a deactivated user loses their session at once", async ({ page, browser, testOrg, loginAs }) => {
  const teamContext = await browser.newContext();
  const teamPage = await teamContext.newPage();
  await login(teamPage, testOrg.emails.team);
  await expect(teamPage).toHaveURL(new RegExp(`/orgs/${testOrg.slug}$`));

  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  await page.getByRole("button", { name: `Deactivate ${testOrg.emails.team}` }).click();
  await expect(page.getByRole("status")).toContainText("deactivated");

  await teamPage.reload();
  await expect(teamPage).toHaveURL(/\/login\?redirectTo=/);
  await teamPage.getByLabel("Email").fill(testOrg.emails.team);
  await teamPage.getByLabel("Password").fill(TEST_PASSWORD);
  await teamPage.getByRole("button", { name: "Sign in" }).click();
  await expect(teamPage.getByRole("alert")).toHaveText("Email or password is incorrect");
  await teamContext.close();
});

test("a site administrator creates an organisation from the site admin page", async ({ page }) => {
  await login(page, "admin@demo.local", DEMO_PASSWORD);
  await page.getByRole("link", { name: "Site admin" }).click();
  const slug = `site-${randomBytes(3).toString("hex")}`;
  const form = page.getByRole("region", { name: "Create an organisation" });
  await form.getByLabel("Name", { exact: true }).fill("Site Created Org");
  await form.getByLabel("Slug").fill("demo");
  await form.getByLabel("Administrator email").fill(`${slug}@e2e.test`);
  await form.getByLabel("Administrator password").fill(TEST_PASSWORD);
  await form.getByRole("button", { name: "Create organisation" }).click();
  await expect(form.getByText('An organisation with slug "demo" already exists')).toBeVisible();

  await form.getByLabel("Slug").fill(slug);
  await form.getByLabel("Administrator password").fill(TEST_PASSWORD);
  await form.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByRole("status")).toContainText("Site Created Org");
  await expect(page.getByRole("cell", { name: slug })).toBeVisible();

  await page.context().clearCookies();
  await login(page, `${slug}@e2e.test`);
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
});

test("a member of two organisations switches between them", async ({ page, testOrg, loginAs }) => {
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  // Make the test org's admin also a member of a second, fresh organisation.
  const second = await createTestOrg("second");
  const { addMember } = await import("../../app/modules/auth/organizations.server");
  addMember(second.id, { email: testOrg.emails.admin, role: "auditor" }, { type: "system", label: "e2e" });
  await page.reload();
  await page.getByLabel("Switch organisation").selectOption(second.slug);
  await expect(page).toHaveURL(new RegExp(`/orgs/${second.slug}$`));
  await expect(page.getByTestId("current-role")).toHaveText("Auditor (read-only)");
});
