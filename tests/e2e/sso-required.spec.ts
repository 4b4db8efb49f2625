import { expect, test, type Page } from "@playwright/test";
import { oidcEnv, startOidcProvider, type TestProvider } from "../setup/oidc-provider";
import { freePort, startPortal, stopPortal, type PortalServer } from "../setup/portal-server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";
import { expectAccessibleAndFits } from "./fixtures";

/**
 * An organisation that requires single sign-on, in Chromium (issue #17): a password session meets the refusal page,
 * whose button goes through the real provider's pages (under the portal's CSP) and back; the break-glass account
 * reaches the password form from the email step and opens the members page. The password session is one started
 * before the rule: a second portal on the same database, without OIDC_REQUIRED (cookies do not depend on the port).
 */

test.describe.configure({ mode: "serial" });

// Its own domain per run, so a retry's accounts do not collide with the first attempt's.
const DOMAIN = `sso-required-${Date.now().toString(36)}.test`;
const BREAK_GLASS = `glass@${DOMAIN}`;
let provider: TestProvider;
let portal: PortalServer | undefined;
let before: PortalServer | undefined;
let org: TestOrg;

async function ssoPortal(port: number, env: Record<string, string>) {
  return startPortal({
    port,
    databaseFile: process.env.DATABASE_URL!,
    buildDir: process.env.PORTAL_BUILD_DIR ?? "build",
    env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...oidcEnv(provider, { OIDC_ORG: org.slug, OIDC_DOMAINS: DOMAIN, ...env }) },
  });
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const [port, beforePort] = [await freePort(), await freePort()];
  provider = await startOidcProvider([`http://127.0.0.1:${port}`]);
  org = await createTestOrg("sso-required");
  for (const [email, role] of [
    [`pat@${DOMAIN}`, "team"],
    [BREAK_GLASS, "admin"],
  ] as const) {
    await createUserInOrganization(org.id, { email, name: email.split("@")[0]!, password: TEST_PASSWORD, role }, SYSTEM_ACTOR);
  }
  provider.account({ login: `pat@${DOMAIN}`, email: `pat@${DOMAIN}`, groups: ["ml-eng"] });
  const rule = { OIDC_ROLE_MAP: "ml-eng=team", OIDC_BREAK_GLASS: BREAK_GLASS };
  [portal, before] = await Promise.all([ssoPortal(port, { ...rule, OIDC_REQUIRED: "true" }), ssoPortal(beforePort, rule)]);
});

test.afterAll(async () => {
  await Promise.all([stopPortal(portal), stopPortal(before)]);
  await provider.close();
});

/** From the email step, the password form (what the break-glass account and site administrators use). */
async function signInWithPassword(page: Page, server: PortalServer, email: string) {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByRole("link", { name: "Sign in with a password instead" }).click();
  // The email field is on both steps: type only once the password step has arrived, or the text goes to the old page.
  await expect(page.getByLabel("Password")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${server.baseUrl}/orgs/${org.slug}`);
}

test("a password session meets the refusal page, whose button signs in through the provider", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signInWithPassword(page, before!, `pat@${DOMAIN}`);

  await page.goto(`${portal!.baseUrl}/orgs/${org.slug}/models`);
  await expect(page.getByRole("heading", { name: "Single sign-on required" })).toBeVisible();
  await expect(page.getByText("This organisation requires signing in through")).toBeVisible();
  await expectAccessibleAndFits(page);

  await page.getByRole("button", { name: /^Sign in through / }).click();
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.getByPlaceholder("and password").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  // The first sign-in through the provider links the account after its password.
  await expect(page).toHaveURL(new RegExp(`^${portal!.baseUrl}/auth/oidc/link\\?redirectTo=`));
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Link and sign in" }).click();
  // Back to the page that was refused.
  await expect(page).toHaveURL(`${portal!.baseUrl}/orgs/${org.slug}/models`);
  await expect(page.getByRole("heading", { name: "Models", level: 1 })).toBeVisible();
  await context.close();
});

test("the break-glass account signs in with its password and sees members' sign-ins", async ({ page }) => {
  await signInWithPassword(page, portal!, BREAK_GLASS);
  await page.goto(`${portal!.baseUrl}/orgs/${org.slug}/admin`);
  await expect(page.getByText("This organisation requires single sign-on through")).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(BREAK_GLASS) })).toContainText("Break-glass: password allowed");
  await expect(page.getByRole("row", { name: new RegExp(`pat@${DOMAIN}`) })).toContainText("Single sign-on (");
  await expectAccessibleAndFits(page);
});
