import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { test, expect, login, axeFindings } from "./fixtures";
import { createTestOrg, DEMO_PASSWORD, TEST_PASSWORD, type TestOrg } from "../setup/test-orgs";

test("an admin invites a person, who chooses a password through the link; roles change; the last admin stays", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.slow(); // two people, two sign-ins and an accessibility scan
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  await expect(page.locator('input[type="password"]')).toHaveCount(0);
  const invite = page.getByRole("region", { name: "Invite a person" });
  const email = `new.${randomBytes(3).toString("hex")}@e2e.test`;

  await invite.getByLabel("Email").fill("not-an-email");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(invite.getByText("Enter a valid email address")).toBeVisible();

  await invite.getByLabel("Email").fill(email);
  await invite.getByLabel("Role").selectOption("ethics");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText(`Invitation for ${email} created`);
  const link = (await page.getByTestId("invitation-link").textContent())!;
  // Until they accept, the organisation sees only the email, waiting for an answer.
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Waiting for an answer");

  const newcomer = await browser.newContext();
  const joinPage = await newcomer.newPage();
  await joinPage.goto(link);
  await expect(joinPage.getByRole("heading", { name: `Join ${testOrg.name}` })).toBeVisible();
  expect(await axeFindings(joinPage)).toEqual([]);
  await joinPage.getByLabel("Your name").fill("New Person");
  await joinPage.getByLabel("Password", { exact: true }).fill("short");
  await joinPage.getByLabel("Password again").fill("short");
  await joinPage.getByRole("button", { name: "Create my account and join" }).click();
  await expect(joinPage.getByText("Use at least 10 characters")).toBeVisible();
  await joinPage.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
  await joinPage.getByLabel("Password again").fill(TEST_PASSWORD);
  await joinPage.getByRole("button", { name: "Create my account and join" }).click();
  // Signed in at once with the password just chosen, in the organisation: no second sign-in.
  await expect(joinPage).toHaveURL(new RegExp(`/orgs/${testOrg.slug}$`));
  await expect(joinPage.getByRole("link", { name: "New Person" })).toBeVisible();
  await newcomer.close();

  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "New Person" });
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("ethics");
  await row.getByLabel(`Role of ${email}`).selectOption("auditor");
  await row.getByRole("button", { name: "Change" }).click();
  await expect(page.getByRole("status")).toHaveText("Role changed.");
  await expect(page.getByRole("row").filter({ hasText: "New Person" }).getByLabel(`Role of ${email}`)).toHaveValue("auditor");

  // The next form's answer stands alone: "Role changed." goes as soon as Remove is sent, unticked, and stays gone.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname.startsWith(`/orgs/${testOrg.slug}/admin`),
    async (route) => (route.request().method() === "POST" ? held.then(() => route.continue()) : route.continue()),
  );
  const remove = row.locator("details", { hasText: "Remove…" });
  await remove.locator("summary").click();
  await remove.getByRole("button", { name: `Remove ${email}` }).click();
  await expect(page.getByRole("status")).toHaveCount(0);
  release();
  await expect(remove.getByText("Tick the box to confirm: they lose access to this organisation at once")).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await page.unrouteAll();

  const adminRow = page.getByRole("row").filter({ hasText: testOrg.emails.admin });
  await adminRow.getByLabel(`Role of ${testOrg.emails.admin}`).selectOption("team");
  await adminRow.getByRole("button", { name: "Change" }).click();
  await expect(page.getByRole("alert")).toContainText("last administrator");

  await page.goto(`/orgs/${testOrg.slug}/audit`);
  await expect(page.getByRole("cell", { name: "Person invited" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "Invitation accepted: member joined" }).first()).toBeVisible();
  await expect(page.locator('tbody tr[data-action="member.role_changed"]')).toHaveCount(1);
});

/** The team member of `testOrg`, signed in through the form in a browser of their own (the caller closes it). */
async function teamMemberElsewhere(browser: Browser, testOrg: TestOrg) {
  const teamContext = await browser.newContext();
  const teamPage = await teamContext.newPage();
  await login(teamPage, testOrg.emails.team);
  await expect(teamPage).toHaveURL(new RegExp(`/orgs/${testOrg.slug}$`));
  return { teamContext, teamPage };
}

/** The members page's row of `email`, and its folded form under `summary` (e.g. "Deactivate…"), opened. */
async function openRowAction(page: Page, orgSlug: string, email: string, summary: string) {
  await page.goto(`/orgs/${orgSlug}/admin`);
  const row = page.getByRole("row").filter({ hasText: email });
  const action = row.locator("details", { hasText: summary });
  await action.locator("summary").click();
  return { row, action };
}

test("a deactivated user loses their session at once", async ({ page, browser, testOrg, loginAs }) => {
  const { teamContext, teamPage } = await teamMemberElsewhere(browser, testOrg);
  await loginAs("admin");
  const { action: deactivate } = await openRowAction(page, testOrg.slug, testOrg.emails.team, "Deactivate…");
  // Not ticked: refused, nothing happens, and the box says why.
  await deactivate.getByRole("button", { name: `Deactivate ${testOrg.emails.team}` }).click();
  await expect(page.getByText("Tick the box to confirm: the account is closed for good")).toBeVisible();
  await teamPage.reload();
  await expect(teamPage).toHaveURL(new RegExp(`/orgs/${testOrg.slug}$`));
  await deactivate.getByRole("checkbox").check();
  await deactivate.getByRole("button", { name: `Deactivate ${testOrg.emails.team}` }).click();
  await expect(page.getByRole("status")).toContainText("deactivated");

  await teamPage.reload();
  await expect(teamPage).toHaveURL(/\/login\?redirectTo=/);
  await teamPage.getByLabel("Email").fill(testOrg.emails.team);
  await teamPage.getByLabel("Password").fill(TEST_PASSWORD);
  await teamPage.getByRole("button", { name: "Sign in" }).click();
  await expect(teamPage.getByRole("alert")).toHaveText("Email or password is incorrect");
  await teamContext.close();
});

test("an admin signs a member out everywhere after confirming, and reads whose sessions ended and how many", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  const { teamContext, teamPage } = await teamMemberElsewhere(browser, testOrg);
  await loginAs("admin");
  const { row, action: signOut } = await openRowAction(page, testOrg.slug, testOrg.emails.team, "Sign out everywhere…");
  await expect(signOut).toContainText("they sign in again wherever they are");
  // Not ticked: refused in the row, nothing ends.
  await signOut.getByRole("button", { name: `Sign ${testOrg.emails.team} out everywhere` }).click();
  await expect(row.getByText("Tick the box to confirm: they are signed out on every device")).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await teamPage.reload();
  await expect(teamPage).toHaveURL(new RegExp(`/orgs/${testOrg.slug}$`));

  await signOut.getByRole("checkbox").check();
  await signOut.getByRole("button", { name: `Sign ${testOrg.emails.team} out everywhere` }).click();
  await expect(page.getByRole("status")).toContainText(`(${testOrg.emails.team}) is signed out everywhere: 1 session ended.`);
  await teamPage.reload();
  await expect(teamPage).toHaveURL(/\/login\?redirectTo=/);
  await teamContext.close();
});

test("revoking an invitation and declining one through its link each ask first", async ({ page, browser, testOrg, loginAs }) => {
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  const invite = page.getByRole("region", { name: "Invite a person" });
  const inviteOne = async (label: string) => {
    const email = `${label}.${randomBytes(3).toString("hex")}@e2e.test`;
    await invite.getByLabel("Email").fill(email);
    await invite.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByRole("status")).toContainText(`Invitation for ${email} created`);
    return { email, link: (await page.getByTestId("invitation-link").textContent())! };
  };
  const revoked = await inviteOne("revoked");
  const declined = await inviteOne("declined");

  const { email } = revoked;
  const row = page.getByRole("row").filter({ hasText: email });
  const revoke = row.locator("details", { hasText: "Revoke…" });
  await revoke.locator("summary").click();
  await expect(revoke).toContainText("Its link stops working at once");
  await revoke.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  await expect(revoke.getByText("Tick the box to confirm: the link stops working at once")).toBeVisible();
  await expect(row).toContainText("Waiting for an answer");
  await revoke.getByRole("checkbox").check();
  await revoke.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  await expect(page.getByRole("status")).toHaveText("Invitation revoked; its link no longer works.");
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Revoked");

  const stranger = await browser.newContext();
  const linkPage = await stranger.newPage();
  await linkPage.goto(declined.link);
  const decline = linkPage.locator("details", { hasText: "Decline the invitation…" });
  await decline.locator("summary").click();
  await decline.getByRole("button", { name: "Decline the invitation", exact: true }).click();
  await expect(decline.getByText("Tick the box to confirm: you do not join")).toBeVisible();
  await expect(linkPage).toHaveURL(declined.link);
  await decline.getByRole("checkbox", { name: `Decline the invitation to ${testOrg.name}` }).check();
  await decline.getByRole("button", { name: "Decline the invitation", exact: true }).click();
  await expect(linkPage.getByRole("status")).toHaveText("You declined the invitation. Nothing else happens, and the link no longer works.");
  await stranger.close();
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: declined.email })).toContainText("Declined");
});

test("a site administrator creates an organisation; its administrator joins by invitation", async ({ page, browser }) => {
  await login(page, "admin@demo.local", DEMO_PASSWORD);
  await page.getByRole("link", { name: "Site admin" }).click();
  const slug = `site-${randomBytes(3).toString("hex")}`;
  const form = page.getByRole("region", { name: "Create an organisation" });
  await expect(form.locator('input[type="password"]')).toHaveCount(0);
  await form.getByLabel("Name", { exact: true }).fill("Site Created Org");
  await form.getByLabel("Slug").fill("demo");
  await form.getByLabel("Administrator email").fill(`${slug}@e2e.test`);
  await form.getByRole("button", { name: "Create organisation" }).click();
  await expect(form.getByText('An organisation with slug "demo" already exists')).toBeVisible();

  await form.getByLabel("Slug").fill(slug);
  await form.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByRole("status")).toContainText("Site Created Org");
  await expect(page.getByRole("cell", { name: slug })).toBeVisible();
  const link = (await page.getByTestId("invitation-link").textContent())!;

  const newcomer = await browser.newContext();
  const joinPage = await newcomer.newPage();
  await joinPage.goto(link);
  await joinPage.getByLabel("Your name").fill("Site Boss");
  await joinPage.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
  await joinPage.getByLabel("Password again").fill(TEST_PASSWORD);
  await joinPage.getByRole("button", { name: "Create my account and join" }).click();
  await expect(joinPage).toHaveURL(new RegExp(`/orgs/${slug}$`));
  await expect(joinPage.getByRole("link", { name: "Site Boss" })).toBeVisible();
  await newcomer.close();
});

test("a member of two organisations switches between them", async ({ page, testOrg, loginAs }) => {
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  // Make the test org's admin also a member of a second, fresh organisation.
  const second = await createTestOrg("second");
  const { createInvitation, acceptInvitation } = await import("../../app/modules/auth/invitations.server");
  const { findUserByEmail } = await import("../../app/modules/auth/organizations.server");
  const { getDb } = await import("../../db/client");
  const invitation = createInvitation(second.id, { email: testOrg.emails.admin, role: "auditor" }, { type: "system", label: "e2e" });
  acceptInvitation(findUserByEmail(getDb(), testOrg.emails.admin)!, invitation.id);
  await page.reload();
  await page.getByLabel("Switch organisation").selectOption(second.slug);
  await expect(page).toHaveURL(new RegExp(`/orgs/${second.slug}$`));
  await expect(page.getByTestId("current-role")).toHaveText("Auditor (read-only)");
});
