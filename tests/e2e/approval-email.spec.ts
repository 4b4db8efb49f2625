/**
 * Email end to end: a pipeline asks for approval through the API, the portal
 * emails the ethics member through a real SMTP server (started by the global
 * setup, which saves what it receives), and Chromium follows the email's link:
 * the portal asks the ethics member to sign in, then shows the approval page.
 */
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { API, expectJson } from "../setup/api-client";
import { waitForSavedMail } from "../setup/smtp-receiver";
import { fullLineage, member, TEST_PASSWORD, uniqueSlug } from "../setup/test-orgs";
import { expect, test } from "./fixtures";

test("an approval request made through the API emails the ethics member, whose link opens the approval page", async ({
  page,
  testOrg,
  apiAs,
  baseURL,
}) => {
  const slug = uniqueSlug("emailed");
  const team = member(testOrg, "team");
  createModel(testOrg.id, { name: "Emailed model", slug, riskTier: "high" }, team.actor, "ui");
  createVersion(testOrg.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  const { ctx } = await apiAs(testOrg.id, ["governance:read", "governance:write"]);
  const opened = await expectJson<{ id: number }>(
    await ctx.post(`${API}/models/${slug}/versions/1.0.0/approval-requests`, { data: { reason: "nightly pipeline" } }),
    201,
  );

  const mail = await waitForSavedMail(process.env.E2E_MAIL_DIR!, testOrg.emails.ethics, /^Approval requested: Emailed model 1\.0\.0/);
  const approvalUrl = `${baseURL}/orgs/${testOrg.slug}/approvals/${opened.id}`;
  expect(mail.text).toContain(approvalUrl);
  expect(mail.html).toContain(`href="${approvalUrl}"`);

  // Nobody is signed in in this browser: the link asks for a sign-in, then goes on to the approval page.
  await page.goto(approvalUrl);
  await expect(page).toHaveURL(/\/login\?redirectTo=/);
  await page.getByLabel("Email").fill(testOrg.emails.ethics);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(approvalUrl);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Approval request #${opened.id}: Emailed model 1.0.0 to production`);
});
