import { test, expect, login } from "./fixtures";

// What needs no browser (health check, headers, cross-origin refusal): tests/integration/security.test.ts.

test("the session cookie is httpOnly and SameSite=Lax", async ({ page, testOrg }) => {
  await login(page, testOrg.emails.auditor); // through the form: the browser keeps the cookie the server set
  const cookie = (await page.context().cookies()).find((c) => c.name === "__portal_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
});

test("pages hydrate without CSP violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto("/framework");
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  expect(violations).toEqual([]);
});
