import type { Browser, Page } from "@playwright/test";
import type { Role } from "../../app/modules/auth/roles";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { clearPromotionGates, fullLineage, member, type TestOrg } from "../setup/test-orgs";
import { expect, signInAs, test } from "./fixtures";

/**
 * Approval policies in the browser: an admin proposes "automatic" for minimal
 * risk, an ethics member finds it in Reviews and confirms it after reading
 * what it allows, and a leadership member promotes a version whose gates all
 * pass straight from its page, which then says "Approved by policy".
 */

async function pageAs(browser: Browser, org: TestOrg, role: Role, javaScriptEnabled = true): Promise<Page> {
  const page = await (await browser.newContext({ javaScriptEnabled })).newPage();
  await signInAs(page, org.emails[role]);
  return page;
}

test("admin proposes an automatic policy, ethics confirms it, leadership promotes by policy (without JavaScript)", async ({
  browser,
  testOrg,
}) => {
  const policies = `/orgs/${testOrg.slug}/admin/approval-policies`;
  const admin = await pageAs(browser, testOrg, "admin", false);
  await admin.goto(policies);
  await admin.getByLabel("Risk tier").selectOption("minimal");
  await admin.getByLabel(/Automatic when every gate passes/).check();
  await admin.getByRole("button", { name: "Save or propose the policy" }).click();
  await expect(admin.getByRole("status")).toContainText("applies once an ethics committee member confirms it");
  await expect(admin.getByTestId("pending-minimal")).toContainText("Waiting for confirmation");
  await expect(admin.getByRole("button", { name: "Confirm this policy" })).toHaveCount(0);
  await admin.context().close();

  const ethics = await pageAs(browser, testOrg, "ethics", false);
  await ethics.goto(`/orgs/${testOrg.slug}/reviews`);
  await ethics.getByRole("link", { name: /minimal risk: Automatic/ }).click();
  const pending = ethics.getByTestId("pending-minimal");
  await expect(pending).toContainText("without any human approval as soon as every gate passes");
  // Confirming without ticking that the consequence was read is refused.
  await pending.getByRole("button", { name: "Confirm this policy" }).click();
  await expect(ethics.getByText("Tick the box to confirm")).toBeVisible();
  await ethics.getByTestId("pending-minimal").getByLabel("I have read what this policy allows").check();
  await ethics.getByTestId("pending-minimal").getByRole("button", { name: "Confirm this policy" }).click();
  await expect(ethics.getByRole("status")).toContainText("Confirmed: minimal risk is now");
  await expect(ethics.getByTestId("policy-minimal")).toContainText("Automatic when every gate passes");
  await ethics.context().close();

  const team = member(testOrg, "team");
  createModel(testOrg.id, { name: "Zero touch", slug: "zero-touch", riskTier: "minimal" }, team.actor, "ui");
  createVersion(testOrg.id, "zero-touch", { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  await clearPromotionGates(testOrg, "zero-touch", "1.0.0");

  const leadership = await pageAs(browser, testOrg, "leadership", false);
  await leadership.goto(`/orgs/${testOrg.slug}/models/zero-touch/versions/1.0.0`);
  await expect(leadership.getByTestId("approval-policy")).toContainText("Automatic when every gate passes");
  await leadership.getByRole("button", { name: "Promote to production now" }).click();
  await expect(leadership.getByRole("status")).toContainText("Promoted to production by the automatic approval policy");
  const approved = leadership.getByTestId("approved-by-policy");
  await expect(approved).toContainText(`confirmed by ${testOrg.emails.ethics}`);
  await expect(approved.getByRole("list", { name: "Gate checks" })).toContainText("Model card approved");
  await expect(leadership.getByRole("button", { name: "Promote to production now" })).toHaveCount(0);
  await leadership.context().close();
});

test("the team sees the policy but is not offered a direct promotion", async ({ browser, testOrg }) => {
  const team = member(testOrg, "team");
  createModel(testOrg.id, { name: "Team view", slug: "team-view", riskTier: "minimal" }, team.actor, "ui");
  createVersion(testOrg.id, "team-view", { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  const page = await pageAs(browser, testOrg, "team");
  await page.goto(`/orgs/${testOrg.slug}/models/team-view/versions/1.0.0`);
  await expect(page.getByTestId("approval-policy")).toContainText("Approval by ethics");
  await expect(page.getByRole("button", { name: "Promote to production now" })).toHaveCount(0);
  await page.context().close();
});
