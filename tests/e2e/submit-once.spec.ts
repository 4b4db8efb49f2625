/**
 * Submitting twice does not do it twice (issue #14, §8), in a real browser:
 * the submit button refuses while the post is under way, so a double click
 * sends one post. It keeps focus meanwhile (aria-disabled, not disabled); a
 * refused post moves focus to what to put right, and one that made something
 * and emptied its form moves it to what it made. (Without JavaScript the form's
 * one-time token does the job on the server: tests/integration/submit-once.test.ts.)
 */
import fs from "node:fs";
import type { Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { frameworkVersions, models, users } from "../../db/schema";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { expect, signInAs, test } from "./fixtures";
import { fullLineage, makeToken, member, TEST_PASSWORD, uniqueSlug } from "../setup/test-orgs";

const modelsOf = (orgId: number) => getDb().select().from(models).where(eq(models.orgId, orgId)).all();

/** Focus is on a notice (not on the page's body) that says `text`. */
async function expectFocusOnNotice(page: Page, text: string | RegExp) {
  await expect(page.locator(":focus")).toHaveRole("status");
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toMatch(text);
}

/** Opens `path`, whose posts are then held until `release()`, and counted. */
async function openWithPostsHeld(page: Page, path: string) {
  await page.goto(path);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const sent = { count: 0 };
  await page.route(
    (url) => url.pathname.startsWith(path),
    async (route) => {
      if (route.request().method() === "POST") {
        sent.count++;
        await held;
      }
      await route.continue();
    },
  );
  return { release, sent };
}

test("the register button refuses while its post is under way, keeping focus; a double click or Enter registers one model", async ({
  page,
  testOrg,
  loginAs,
}) => {
  await loginAs("team");
  const { release, sent } = await openWithPostsHeld(page, `/orgs/${testOrg.slug}/models/new`);
  await page.getByLabel("Name").fill("Clicked twice");
  const button = page.getByRole("button", { name: "Register model" });
  await button.dblclick();
  await expect(button).toHaveAttribute("aria-disabled", "true");
  await expect(button).toBeDisabled();
  await expect(button).toBeFocused();
  // Enter in a field clicks the busy button: refused too.
  await page.getByLabel("Name").press("Enter");
  expect(sent.count).toBe(1);
  release();
  await expect(page).toHaveURL(`/orgs/${testOrg.slug}/models/clicked-twice`);
  expect(sent.count).toBe(1);
  expect(modelsOf(testOrg.id).map((m) => m.slug)).toEqual(["clicked-twice"]);
});

test("a refused post moves focus to the first invalid field, or to the error when no field is marked", async ({
  page,
  testOrg,
  loginAs,
}) => {
  await loginAs("admin");
  // Register a model, empty: focus stays on the button while it posts, then goes to the Name field, which says why.
  const { release } = await openWithPostsHeld(page, `/orgs/${testOrg.slug}/models/new`);
  const register = page.getByRole("button", { name: "Register model" });
  await register.focus();
  await page.keyboard.press("Enter");
  await expect(register).toHaveAttribute("aria-busy", "true");
  await expect(register).toBeFocused();
  release();
  const name = page.getByLabel("Name", { exact: true });
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/Name is required/);
  await expect(register).not.toHaveAttribute("aria-disabled");

  // Invite, empty: the email field.
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  await page.getByRole("button", { name: "Invite", exact: true }).press("Enter");
  await expect(page.getByLabel("Email")).toBeFocused();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Email is required/);

  // Create a token, empty: the name first; named but without a scope, the scopes' error (no field is marked invalid).
  await page.goto(`/orgs/${testOrg.slug}/admin/tokens`);
  const create = page.getByRole("button", { name: "Create token" });
  await create.press("Enter");
  await expect(page.getByLabel("Name", { exact: true })).toBeFocused();
  await page.getByLabel("Name", { exact: true }).fill("ci-pipeline");
  await create.click();
  await expect(page.getByText("Choose at least one scope")).toBeFocused();
});

test("without JavaScript the register form posts as before", async ({ browser, testOrg }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await signInAs(page, testOrg.emails.team, TEST_PASSWORD);
    await page.goto(`/orgs/${testOrg.slug}/models/new`);
    const register = page.getByRole("button", { name: "Register model" });
    await register.click();
    await expect(page.getByLabel("Name", { exact: true })).toHaveAccessibleDescription(/Name is required/);
    await page.getByLabel("Name", { exact: true }).fill("No script");
    await register.click();
    await expect(page).toHaveURL(`/orgs/${testOrg.slug}/models/no-script`);
  } finally {
    await context.close();
  }
});

test("a post that makes something and empties its form moves focus to what it made, shown once", async ({ page, testOrg, loginAs }) => {
  await loginAs("admin");
  /** Focus is on the answer box (not on the page's body), and the box holds the value shown once. */
  const expectFocusOnResult = async (testId: string) => {
    const result = page.getByTestId("one-time-result");
    await expect(result).toBeFocused();
    const value = (await page.getByTestId(testId).textContent())!;
    expect(value.length).toBeGreaterThan(20);
    expect(await page.evaluate(() => document.activeElement?.textContent ?? "")).toContain(value);
  };

  // An API token, by keyboard only: type the name, tick a scope, Enter on the button.
  await page.goto(`/orgs/${testOrg.slug}/admin/tokens`);
  await page.getByLabel("Name", { exact: true }).fill("keyboard-pipeline");
  await page.getByRole("checkbox", { name: /registry:read/ }).press("Space");
  await page.getByRole("button", { name: "Create token" }).press("Enter");
  await expectFocusOnResult("new-token");
  await expect(page.getByTestId("one-time-result")).toContainText("Copy it now");
  // From the box, Tab reaches Copy, and Enter puts the token on the clipboard.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Copy" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("one-time-result").getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.getByTestId("new-token").textContent());
  // A second token: focus comes to the new one's box again.
  const first = await page.getByTestId("new-token").textContent();
  await page.getByLabel("Name", { exact: true }).fill("second-pipeline");
  await page.getByRole("checkbox", { name: /registry:read/ }).press("Space");
  await page.getByRole("button", { name: "Create token" }).press("Enter");
  await expect(page.getByTestId("new-token")).not.toHaveText(first!);
  await expectFocusOnResult("new-token");

  // An invitation: its link.
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  const invite = page.getByRole("region", { name: "Invite a person" });
  await invite.getByLabel("Email").fill("focus.invite@e2e.test");
  await invite.getByRole("button", { name: "Invite" }).press("Enter");
  await expectFocusOnResult("invitation-link");

  // A webhook: its signing secret.
  await page.goto(`/orgs/${testOrg.slug}/admin/webhooks`);
  const register = page.getByRole("region", { name: "Register a webhook" });
  await register.getByLabel("URL").fill("http://127.0.0.1:9/focus");
  await register.getByRole("checkbox", { name: /^Incident opened/ }).press("Space");
  await register.getByRole("button", { name: "Register webhook" }).press("Enter");
  await expectFocusOnResult("webhook-secret");
});

test("a post that takes away the focused button moves focus to a notice saying what was done; a button still there keeps it", async ({
  page,
  testOrg,
  loginAs,
}) => {
  await loginAs("admin");
  // Revoking a token, by keyboard only: its row's button goes.
  const token = makeToken(testOrg.id, ["registry:read"], "keyboard-old");
  await page.goto(`/orgs/${testOrg.slug}/admin/tokens`);
  const row = page.getByRole("row").filter({ hasText: token.name });
  await row.getByText("Revoke…").press("Enter");
  await row.getByRole("checkbox", { name: `Revoke ${token.name} for good` }).press("Space");
  await row.getByRole("button", { name: `Revoke ${token.name}` }).press("Enter");
  await expectFocusOnNotice(page, `Token ${token.name} revoked`);
  await expect(row.getByRole("button", { name: `Revoke ${token.name}` })).toHaveCount(0);

  // Changing a role: the row and its button stay, and so does focus.
  await page.goto(`/orgs/${testOrg.slug}/admin`);
  const ethics = page.getByRole("row").filter({ hasText: testOrg.emails.ethics });
  await ethics.getByLabel(`Role of ${testOrg.emails.ethics}`).selectOption("auditor");
  const change = ethics.getByRole("button", { name: "Change" });
  await change.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Role changed.");
  await expect(change).toBeFocused();

  // Removing a member: the row goes.
  const team = page.getByRole("row").filter({ hasText: testOrg.emails.team });
  await team.getByText("Remove…").press("Enter");
  await team.getByRole("checkbox", { name: /^Remove / }).press("Space");
  await team.getByRole("button", { name: `Remove ${testOrg.emails.team}` }).press("Enter");
  await expectFocusOnNotice(page, "Member removed.");
  await expect(page.getByRole("row").filter({ hasText: testOrg.emails.team })).toHaveCount(0);
});

test("reporting, resolving and reopening an incident moves focus to the notice, which names the incident reported", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const slug = uniqueSlug("focused");
  createModel(testOrg.id, { name: "Focused", slug, riskTier: "limited" }, SYSTEM_ACTOR, "ui");
  createVersion(testOrg.id, slug, { version: "1.0.0", ...fullLineage }, SYSTEM_ACTOR, "ui");
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`);
  const report = page.getByRole("region", { name: "Report an incident" });
  await report.getByLabel("Title", { exact: true }).fill("Scores drifted");
  await report.getByLabel("Started at (UTC, required)").fill("2026-11-20T08:00");
  await report.getByRole("button", { name: "Report incident" }).press("Enter");
  await expectFocusOnNotice(page, "Incident reported: Scores drifted.");
  await expect(page.getByRole("article").filter({ hasText: "Scores drifted" })).toBeVisible();

  // Resolving swaps the update form for "Reopen", and reopening swaps it back: focus goes to the notice each time.
  const incident = page.getByRole("article").filter({ hasText: "Scores drifted" });
  await incident.getByLabel("Status").selectOption("resolved");
  await incident.getByRole("button", { name: /^Update incident/ }).press("Enter");
  await expectFocusOnNotice(page, "Incident updated.");
  await incident.getByRole("button", { name: /^Reopen incident/ }).press("Enter");
  await expect(incident.getByRole("button", { name: /^Update incident/ })).toBeVisible();
  await expectFocusOnNotice(page, "Incident updated.");
  // A status change that keeps the form keeps focus on its button.
  await incident.getByLabel("Status").selectOption("mitigated");
  const update = incident.getByRole("button", { name: /^Update incident/ });
  await update.press("Enter");
  await expect(incident).toContainText("mitigated");
  await expect(update).toBeFocused();
});

test("an uploaded framework version moves focus to the notice above its preview", async ({ page, testOrg }) => {
  const { userId } = member(testOrg, "admin");
  getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.id, userId)).run();
  // A version number no other test uses; the draft is deleted at the end.
  const version = String(100_000 + userId);
  const v2 = JSON.parse(fs.readFileSync(new URL("../../content/technology-operations/v2.json", import.meta.url), "utf8"));
  await signInAs(page, testOrg.emails.admin);
  await page.goto("/admin/frameworks");
  await page.getByLabel("Or paste the JSON").fill(JSON.stringify({ ...v2, version }));
  await page.getByRole("button", { name: "Check and save as draft" }).press("Enter");
  await expectFocusOnNotice(page, `Version ${version} uploaded and saved as a draft`);
  await expect(page.getByRole("heading", { name: `Preview of the draft of version ${version}` })).toBeVisible();
  await page.getByRole("button", { name: "Delete this draft" }).press("Enter");
  await expect(page.getByRole("heading", { name: `Preview of the draft of version ${version}` })).toHaveCount(0);
  expect(getDb().select().from(frameworkVersions).where(eq(frameworkVersions.version, version)).all()).toEqual([]);
});
