import { eq } from "drizzle-orm";
import { claimDomain, decideDomainClaim } from "../../app/modules/auth/org-sso.server";
import { getDb } from "../../db/client";
import { orgDomains, users } from "../../db/schema";
import { member } from "../setup/test-orgs";
import { test, expect, fitsPhoneAndPassesAxe, signInAs } from "./fixtures";

/** A site administrator revokes an organisation's approved email domain in Chromium, the form without JavaScript. */

test("a site administrator revokes an approved domain after confirming what it does, without JavaScript", async ({
  browser,
  page,
  testOrg,
}) => {
  test.slow(); // an accessibility scan
  const { userId, label } = member(testOrg, "admin");
  const actor = { type: "user" as const, id: userId, label };
  getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.id, userId)).run();
  const domain = `${testOrg.slug}.test`;
  const claim = claimDomain(testOrg.id, domain, actor);
  decideDomainClaim(claim.id, "approved", actor);
  const status = () => getDb().select().from(orgDomains).where(eq(orgDomains.id, claim.id)).get()!.status;

  // The page with the confirmation open fits a phone and passes axe (which needs JavaScript in the page).
  await signInAs(page, testOrg.emails.admin);
  await page.goto("/admin/domains");
  await page.getByRole("row").filter({ hasText: domain }).getByText("Revoke…").click();
  await fitsPhoneAndPassesAxe(page);

  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const plain = await context.newPage();
    await signInAs(plain, testOrg.emails.admin);
    await plain.goto("/admin/domains");
    const row = plain.getByRole("row").filter({ hasText: domain });
    await expect(row).toContainText("Approved");
    await row.getByText("Revoke…").click();
    await expect(row).toContainText(`People at ${domain} then sign in with their password, not through ${testOrg.name}’s provider`);
    const revoke = row.getByRole("button", { name: `Revoke the approval of ${domain} for ${testOrg.name}` });

    // Unconfirmed: the form stays open and says why; nothing changes.
    await revoke.click();
    await expect(row.getByText("Tick the box to confirm")).toBeVisible();
    expect(status()).toBe("approved");

    await row.getByRole("checkbox").check();
    await revoke.click();
    await expect(plain.getByRole("status")).toContainText(`The approval of ${domain} was revoked`);
    await expect(plain.getByRole("row").filter({ hasText: domain })).toContainText("Revoked");
    expect(status()).toBe("revoked");
  } finally {
    await context.close();
  }
});
