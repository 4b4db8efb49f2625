import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import type { Role } from "../../app/modules/auth/roles";
import { apiClient, bearer, type ApiClient } from "../setup/api-client";
import { signIn } from "../setup/sign-in";
import { createTestOrg, makeToken, TEST_PASSWORD, type ApiToken, type TestOrg } from "../setup/test-orgs";

/**
 * The Playwright specs' fixtures. Test data is written straight into the
 * server's database (tests/setup/test-orgs.ts); API calls go through the
 * shared client (tests/setup/api-client.ts).
 */

/**
 * Signs the page in through the login form, ending on the page the sign-in leads to.
 * For the specs about signing in; everywhere else `signInAs` is cheaper.
 */
export async function login(page: Page, email: string, password = TEST_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/**
 * Signs the page's browser context in without loading a page: the session
 * cookie of a sign-in over HTTP (the real `POST /login`, tests/setup/sign-in.ts)
 * goes into the context. The page stays where it is: go to a page next. `baseURL`: a portal other than the shared one.
 */
export async function signInAs(page: Page, email: string, password = TEST_PASSWORD, baseURL = test.info().project.use.baseURL!) {
  const { cookie } = await signIn(baseURL, email, password);
  const split = cookie.indexOf("=");
  await page
    .context()
    .addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: baseURL, httpOnly: true, sameSite: "Lax" }]);
}

/**
 * Single sign-on in the browser, from the portal at `baseUrl`: the sign-in page's email step, then the provider's
 * (tests/setup/oidc-provider.ts) login page, where the email is the login, and its consent page.
 */
export async function signInThroughProvider(page: Page, baseUrl: string, issuer: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  // At the provider (the portal's CSP form-action lets the form's redirect go there).
  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`));
  await expect(page.locator('input[name="login"]')).toHaveValue(email);
  await page.getByPlaceholder("and password").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

/**
 * What axe finds on the page as it stands, one line per rule (impact, rule, how many elements, the first three):
 * serious and critical findings, or with `everyImpact` the moderate and minor ones too. Only violations are
 * collected: gathering every passing element as well costs about a third more time on a long page.
 */
export async function axeFindings(page: Page, { everyImpact = false } = {}): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return violations
    .filter((v) => everyImpact || v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `axe ${v.impact} ${v.id} (${v.nodes.length}×: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")})`,
    );
}

/** The page as it stands is no wider than its window, and axe finds nothing at all, of any impact. */
export async function expectAccessibleAndFits(page: Page) {
  expect(await axeFindings(page, { everyImpact: true })).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

/** Fits 390 px without scrolling sideways, and axe finds nothing serious. */
export async function fitsPhoneAndPassesAxe(page: Page) {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await axeFindings(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 720 });
}

type Fixtures = {
  /** A new organisation with one member per role: each test works on its own data. */
  testOrg: TestOrg;
  /** Signs the page in as the test organisation's member with this role (`signInAs`: no page is loaded). */
  loginAs: (role: Role, page?: Page) => Promise<void>;
  /** A client sending a new token of `orgId` with these scopes. */
  apiAs: (orgId: number, scopes: ApiScope[], name?: string) => Promise<ApiToken & { ctx: ApiClient }>;
};

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
  testOrg: async ({}, use) => {
    await use(await createTestOrg());
  },
  loginAs: async ({ page, testOrg }, use) => {
    await use((role, target = page) => signInAs(target, testOrg.emails[role]));
  },
  apiAs: async ({ baseURL }, use) => {
    await use(async (orgId, scopes, name) => {
      const token = makeToken(orgId, scopes, name);
      return { ...token, ctx: apiClient(baseURL!, { headers: bearer(token.token) }) };
    });
  },
});

export { expect };
