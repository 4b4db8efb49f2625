import { expect, test, type Page } from "@playwright/test";
import { oidcEnv, startOidcProvider, type TestProvider } from "../setup/oidc-provider";
import { expectAccessibleAndFits, signInThroughProvider as signInAt } from "./fixtures";
import { freePort, startPortal, stopPortal, type PortalServer } from "../setup/portal-server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { createTestOrg, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

/**
 * Single sign-on in Chromium (issue #17): the sign-in page's email step, the real provider's login and consent
 * pages (node-oidc-provider, tests/setup/oidc-provider.ts), and back in the portal with the mapped role. The
 * portal here is a server of its own with OIDC_* set (on the e2e database), so the shared server's sign-in page
 * stays the password form the other specs use.
 */

test.describe.configure({ mode: "serial" });

const DOMAIN = "sso.test";
let provider: TestProvider;
let server: PortalServer | undefined;
let org: TestOrg;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider([publicUrl]);
  org = await createTestOrg("sso");
  server = await startPortal({
    port,
    databaseFile: process.env.DATABASE_URL!,
    buildDir: process.env.PORTAL_BUILD_DIR ?? "build",
    env: {
      PUBLIC_URL: publicUrl,
      ...oidcEnv(provider, { OIDC_ORG: org.slug, OIDC_DOMAINS: DOMAIN, OIDC_ROLE_MAP: "ml-ethics=ethics,ml-leads=leadership,ml-eng=team" }),
    },
  });
});

test.afterAll(async () => {
  await stopPortal(server);
  await provider.close();
});

/** The email step, then the provider's login page (the email is the login there) and its consent page. */
const signInThroughProvider = (page: Page, email: string) => signInAt(page, server!.baseUrl, provider.issuer, email);

test("a person of the provider's domain signs in there and lands in the portal with the mapped role", async ({ page }) => {
  const email = `grace@${DOMAIN}`;
  provider.account({ login: email, email, name: "Grace Hopper", groups: ["ml-eng", "ml-leads"] });
  await signInThroughProvider(page, email);
  await expect(page).toHaveURL(`${server!.baseUrl}/orgs/${org.slug}`);
  await expect(page.getByTestId("current-role")).toHaveText("Leadership");
});

test("without JavaScript, the email step still reaches the provider and back", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = `edsger@${DOMAIN}`;
  provider.account({ login: email, email, groups: ["ml-ethics"] });
  await signInThroughProvider(page, email);
  await expect(page).toHaveURL(`${server!.baseUrl}/orgs/${org.slug}`);
  await expect(page.getByTestId("current-role")).toHaveText("Ethics committee");
  await context.close();
});

test("someone outside the provider's domains gets the password form", async ({ page }) => {
  await page.goto(`${server!.baseUrl}/login`);
  await page.getByLabel("Email").fill(org.emails.team);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(org.emails.team);
});

test("the email step, the link page and a refusal pass axe and fit a phone", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const email = `linus@${DOMAIN}`;
  // An account with a password: the provider's first sign-in asks for it before linking.
  await createUserInOrganization(org.id, { email, name: "Linus", password: TEST_PASSWORD, role: "team" }, SYSTEM_ACTOR);
  provider.account({ login: email, email, groups: ["ml-eng"] });
  await page.goto(`${server!.baseUrl}/login`);
  await expectAccessibleAndFits(page);
  await signInThroughProvider(page, email);
  await expect(page).toHaveURL(`${server!.baseUrl}/auth/oidc/link`);
  await expect(page.getByText(email)).toBeVisible();
  await expectAccessibleAndFits(page);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Link and sign in" }).click();
  await expect(page).toHaveURL(`${server!.baseUrl}/orgs/${org.slug}`);
  // The callback without a pending sign-in: a refusal page.
  await page.goto(`${server!.baseUrl}/auth/oidc/callback?code=x&state=y`);
  await expect(page.getByRole("heading", { name: "Single sign-on did not sign you in" })).toBeVisible();
  await expectAccessibleAndFits(page);
  await context.close();
});
