/**
 * The health check, security headers on pages and the refusal of a
 * cross-origin form post, against the real server. (Moved from the Playwright
 * security spec: these never open a page.)
 */
import { expect, test } from "../setup/api-test";

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
