import { test, expect, login } from "./fixtures";
import { DEMO_PASSWORD, TEST_PASSWORD } from "../setup/test-orgs";

// 404 for another organisation's member and 403 for a missing role need no browser: tests/integration/pages.test.ts.

const DEMO_ROLES = [
  { email: "admin@demo.local", role: "Administrator" },
  { email: "leader@demo.local", role: "Leadership" },
  { email: "ethics@demo.local", role: "Ethics committee" },
  { email: "team@demo.local", role: "ML team" },
  { email: "auditor@demo.local", role: "Auditor (read-only)" },
];

for (const demo of DEMO_ROLES) {
  test(`demo ${demo.role} signs in and sees the dashboard`, async ({ page }) => {
    await login(page, demo.email, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/orgs\/demo$/);
    await expect(page.getByRole("heading", { level: 1, name: "Demo Analytics Ltd" })).toBeVisible();
    await expect(page.getByTestId("current-role")).toHaveText(demo.role);
    const nav = page.getByRole("navigation", { name: "Organisation" });
    for (const section of ["Dashboard", "Assessments", "Roadmaps", "Models", "Reviews", "Audit log"]) {
      await expect(nav.getByRole("link", { name: section })).toBeVisible();
    }
    await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(demo.role === "Administrator" ? 1 : 0);
  });
}

test("a wrong password shows an error and creates no session", async ({ page, context, testOrg }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(testOrg.emails.team);
  await page.getByLabel("Password").fill("not-the-password-1");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect");
  // Focus is not lost to the page: it goes to the error, which says why.
  await expect(page.getByRole("alert")).toBeFocused();
  expect((await context.cookies()).find((c) => c.name === "__portal_session")).toBeUndefined();
  await page.goto(`/orgs/${testOrg.slug}`);
  await expect(page).toHaveURL(/\/login\?redirectTo=/);
});

test("invalid input gets field-level errors", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password is required")).toBeVisible();
  await expect(page.getByLabel("Email")).toBeFocused();
});

test("an anonymous visit to an org page returns there after sign-in", async ({ page, testOrg }) => {
  await page.goto(`/orgs/${testOrg.slug}/audit`);
  await expect(page).toHaveURL(new RegExp(`/login\\?redirectTo=%2Forgs%2F${testOrg.slug}%2Faudit`));
  await page.getByLabel("Email").fill(testOrg.emails.auditor);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/audit$`));
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});

test("repeated failures are throttled with HTTP 429", async ({ page, testOrg }) => {
  const email = testOrg.emails.ethics;
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await page.request.post("/login", {
      form: { email, password: `wrong-password-${attempt}` },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(401);
  }
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  expect(response.status()).toBe(429);
  await expect(page.getByRole("alert")).toContainText("Too many failed sign-in attempts");
});

test("signing out ends the session", async ({ page, testOrg }) => {
  await login(page, testOrg.emails.leadership);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`/orgs/${testOrg.slug}`);
  await expect(page).toHaveURL(/\/login\?redirectTo=/);
});

test("the account page: reached from the header, renames, ends another session", async ({ page, browser, testOrg }) => {
  const elsewhere = await browser.newPage();
  await login(elsewhere, testOrg.emails.team);
  await login(page, testOrg.emails.team);
  await page.getByRole("link", { name: /^Team / }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.getByRole("link", { name: testOrg.name })).toBeVisible();
  await expect(page.getByText("This session")).toBeVisible();

  await page.getByRole("textbox", { name: "Name" }).fill("Tess Renamed");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toHaveText("Name saved.");
  await expect(page.locator(".user-name")).toHaveText("Tess Renamed");

  await page.getByRole("button", { name: /^End the session/ }).click();
  await expect(page.getByRole("status")).toHaveText("Session ended.");
  await elsewhere.goto(`/orgs/${testOrg.slug}`);
  await expect(elsewhere).toHaveURL(/\/login\?redirectTo=/);
  await elsewhere.close();
});
