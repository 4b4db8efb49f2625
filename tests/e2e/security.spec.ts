import { expect, test } from "./fixtures";

test("health check reports the database", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", db: "ok" });
});

test("pages carry security headers", async ({ request }) => {
  const response = await request.get("/framework");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("a state-changing request from another origin is refused", async ({ request, testOrg }) => {
  const response = await request.post("/login", {
    form: { email: testOrg.emails.admin, password: "whatever-it-is" },
    headers: { Origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
});

test("the session cookie is httpOnly and SameSite=Lax", async ({ page, loginAs }) => {
  await loginAs("auditor");
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
