import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser } from "@playwright/test";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { hashPassword } from "../../app/modules/auth/password.server";
import { startOidcProvider, type TestProvider } from "../setup/oidc-provider";
import { freePort, startPortal, stopPortal, tempDatabase, withDatabase, type PortalServer } from "../setup/portal-server";
import { signInAs, signInThroughProvider } from "./fixtures";
import { createTestOrg, TEST_PASSWORD, TEST_PASSWORD_COST, type TestOrg } from "../setup/test-orgs";

/**
 * An organisation's own identity provider in Chromium (issue #17): its admin configures the provider (the real
 * node-oidc-provider of tests/setup/oidc-provider.ts) and claims a domain on /orgs/:org/admin/sso, a site
 * administrator approves the claim on /admin/domains, and a person of that domain signs in with the email first,
 * through the provider's login and consent pages, landing with the mapped role; signing out, they sign out at the
 * provider too. The portal here runs on a database of its own: an approved claim makes every sign-in page ask for
 * the email first, which the shared server's specs do not expect.
 */

const DOMAIN = "acme-org-sso.test";
const SITE_ADMIN = "site-admin@e2e.test";
let provider: TestProvider;
let server: PortalServer | undefined;
let org: TestOrg;
let databaseFile: string;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  databaseFile = tempDatabase("portal-e2e-sso-org-");
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider([publicUrl]);
  org = await withDatabase(databaseFile, async () => {
    const created = await createTestOrg("sso-org");
    const passwordHash = await hashPassword(TEST_PASSWORD, { cost: TEST_PASSWORD_COST });
    getDb().insert(users).values({ email: SITE_ADMIN, name: "Site admin", passwordHash, isSiteAdmin: true }).run();
    return created;
  });
  server = await startPortal({
    port,
    databaseFile,
    buildDir: process.env.PORTAL_BUILD_DIR ?? "build",
    // The provider is on this machine, over http.
    env: { PUBLIC_URL: publicUrl, OIDC_ALLOW_HTTP: "true", OIDC_ALLOW_PRIVATE: "1" },
  });
});

test.afterAll(async () => {
  await stopPortal(server);
  await provider?.close();
  if (databaseFile) fs.rmSync(path.dirname(databaseFile), { recursive: true, force: true });
});

/** A new page signed in as `email` with its password (over HTTP: signing in with a password is not the point here). */
async function pageSignedInAs(browser: Browser, email: string) {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, email, TEST_PASSWORD, server!.baseUrl);
  return page;
}

test("an admin sets up the organisation's provider, a site administrator approves its domain, and its people sign in through it", async ({
  browser,
}) => {
  const admin = await pageSignedInAs(browser, org.emails.admin);
  await admin.goto(`${server!.baseUrl}/orgs/${org.slug}/admin/sso`);
  await admin.getByLabel("Issuer URL").fill(provider.issuer);
  await admin.getByLabel("Client id").fill(provider.clientId);
  await admin.getByLabel("Client secret").fill(provider.clientSecret);
  await admin.getByRole("textbox", { name: "Group 1" }).fill("ml-leads");
  await admin.getByLabel("Role of group 1").selectOption({ label: "Leadership" });
  await admin.getByRole("button", { name: "Save single sign-on settings" }).click();
  await expect(admin.getByText("Single sign-on settings saved.")).toBeVisible();
  await admin.getByLabel("Claim a domain").fill(DOMAIN);
  await admin.getByRole("button", { name: "Claim the domain" }).click();
  await expect(admin.getByRole("button", { name: `Withdraw the claim to ${DOMAIN}` })).toBeVisible();
  await admin.context().close();

  const site = await pageSignedInAs(browser, SITE_ADMIN);
  await site.goto(`${server!.baseUrl}/admin/domains`);
  await site.getByLabel(`I checked that ${org.name} owns ${DOMAIN}`).check();
  await site.getByRole("button", { name: `Approve ${DOMAIN} for ${org.name}` }).click();
  await expect(site.getByRole("heading", { name: "Waiting for a decision (0)" })).toBeVisible();
  await site.context().close();

  const email = `grace@${DOMAIN}`;
  provider.account({ login: email, email, name: "Grace Hopper", groups: ["ml-leads"] });
  const context = await browser.newContext();
  const page = await context.newPage();
  // At the provider once the domain is approved (the portal's CSP form-action names the organisation's provider).
  await signInThroughProvider(page, server!.baseUrl, provider.issuer, email);
  await expect(page).toHaveURL(`${server!.baseUrl}/orgs/${org.slug}`);
  await expect(page.getByTestId("current-role")).toHaveText("Leadership");

  // Signing out offers signing out at the organisation's provider too (RP-initiated logout), which comes back here.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("link", { name: "Sign out there too" }).click();
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/session/end`));
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(page).toHaveURL(`${server!.baseUrl}/login`);
  await context.close();
});
