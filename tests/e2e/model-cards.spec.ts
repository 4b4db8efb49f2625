import type { Browser, Page } from "@playwright/test";
import { getVersionCards } from "../../app/modules/governance/model-cards.server";
import { submitModelCard, saveModelCard } from "../../app/modules/governance/model-cards.server";
import { createModel, createVersion, getModel, getVersionDetail } from "../../app/modules/registry/registry.server";
import { writtenCardSections } from "../setup/model-cards";
import { test, expect, signInAs } from "./fixtures";
import { member, fullLineage, uniqueSlug, type TestOrg } from "../setup/test-orgs";

/**
 * The model card editor saves as you go and shows both versions when someone
 * else saved a section meanwhile; reviews are deliberate; create forms keep a
 * browser draft instead of creating anything before they are submitted.
 */

async function pageAs(browser: Browser, org: TestOrg, role: "team" | "ethics"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, org.emails[role]);
  return page;
}

function seedVersion(org: TestOrg, name = "Résumé Screener") {
  const team = member(org, "team");
  const slug = uniqueSlug("card-model");
  createModel(org.id, { name, slug, riskTier: "limited" }, team.actor, "ui");
  createVersion(org.id, slug, { version: "2.0.0", ...fullLineage }, team.actor, "ui");
  return { slug, team, base: `/orgs/${org.slug}/models/${slug}/versions/2.0.0` };
}
const latestCard = (org: TestOrg, slug: string) => getVersionCards(org.id, getVersionDetail(org.id, slug, "2.0.0")!.version.id)[0];
const saveStatus = (page: Page) => page.locator("[data-save-status]");

test("typing in the card editor is saved without pressing Save, as a fresh browser sees after a reload", async ({ browser, testOrg }) => {
  const { slug, base } = seedVersion(testOrg);
  const page = await pageAs(browser, testOrg, "team");
  await page.goto(`${base}/card/edit`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Model card: Résumé Screener 2.0.0");
  await page.getByLabel("Metrics", { exact: true }).fill("Selection rate per group, AUC 0.83.");
  await page.getByText("Not applicable to this model?").nth(3).click();
  await page.getByLabel("Why factors does not apply").fill("It ranks documents, never people's traits.");
  await page.getByLabel("Why factors does not apply").blur();
  await expect(saveStatus(page)).toHaveText("All changes saved");
  await page.context().close();

  const fresh = await pageAs(browser, testOrg, "team");
  await fresh.goto(`${base}/card/edit`);
  await expect(fresh.getByLabel("Metrics", { exact: true })).toHaveValue("Selection rate per group, AUC 0.83.");
  await expect(fresh.getByLabel("Why factors does not apply")).toHaveValue("It ranks documents, never people's traits.");
  await fresh.goto(`${base}/card`);
  await expect(fresh.getByTestId("not-applicable-factors")).toHaveText("Not applicable: It ranks documents, never people's traits.");
  await expect(fresh.getByText("Selection rate per group, AUC 0.83.")).toBeVisible();
  expect(latestCard(testOrg, slug)).toMatchObject({
    revision: 1,
    status: "draft",
    notApplicable: { factors: "It ranks documents, never people's traits." },
  });
  await fresh.context().close();
});

test("a section saved by someone else meanwhile shows both versions; keeping mine saves mine", async ({ browser, testOrg }) => {
  const { slug, base, team } = seedVersion(testOrg);
  saveModelCard(testOrg.id, slug, "2.0.0", writtenCardSections({ metrics: "Original metrics." }), team.actor);
  const alice = await pageAs(browser, testOrg, "team");
  const bob = await pageAs(browser, testOrg, "team");
  await alice.goto(`${base}/card/edit`);
  await bob.goto(`${base}/card/edit`);

  await bob.getByLabel("Metrics", { exact: true }).fill("Bob's metrics.");
  await bob.getByLabel("Metrics", { exact: true }).blur();
  await expect(saveStatus(bob)).toHaveText("All changes saved");

  await alice.getByLabel("Factors", { exact: true }).fill("Alice's factors.");
  await alice.getByLabel("Metrics", { exact: true }).fill("Alice's metrics.");
  await alice.getByLabel("Metrics", { exact: true }).blur();
  await expect(saveStatus(alice)).toHaveText(/^Not saved: someone else saved this/);
  const conflict = alice.getByTestId("conflict-metrics");
  await expect(conflict.getByTestId("theirs")).toHaveText("Bob's metrics.");
  await expect(conflict.getByTestId("yours")).toHaveText("Alice's metrics.");
  // The other section was saved; the conflicting one was not.
  expect(latestCard(testOrg, slug)!.sections).toMatchObject({ factors: "Alice's factors.", metrics: "Bob's metrics." });

  await conflict.getByRole("button", { name: "Keep mine" }).click();
  await expect(alice.getByTestId("conflict-metrics")).toHaveCount(0);
  await expect(saveStatus(alice)).toHaveText("All changes saved");
  expect(latestCard(testOrg, slug)!.sections).toMatchObject({ factors: "Alice's factors.", metrics: "Alice's metrics." });

  // Bob, still on his copy, edits Metrics again and takes Alice's version instead.
  await bob.getByLabel("Metrics", { exact: true }).fill("Bob's second metrics.");
  await bob.getByLabel("Metrics", { exact: true }).blur();
  const bobConflict = bob.getByTestId("conflict-metrics");
  await expect(bobConflict.getByTestId("theirs")).toHaveText("Alice's metrics.");
  await bobConflict.getByRole("button", { name: "Take theirs" }).click();
  await expect(bob.getByLabel("Metrics", { exact: true })).toHaveValue("Alice's metrics.");
  await expect(saveStatus(bob)).toHaveText("All changes saved");
  expect(latestCard(testOrg, slug)!.sections.metrics).toBe("Alice's metrics.");
  await alice.context().close();
  await bob.context().close();
});

test("approving an incomplete card is refused naming the missing sections; requesting changes needs a comment", async ({
  browser,
  testOrg,
}) => {
  const { slug, base, team } = seedVersion(testOrg);
  const card = saveModelCard(
    testOrg.id,
    slug,
    "2.0.0",
    writtenCardSections({ factors: "", metrics: "", ethicalConsiderations: "" }),
    team.actor,
  );
  submitModelCard(testOrg.id, card.id, team.actor);
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(`${base}/card`);
  const review = ethics.getByRole("form", { name: "Review decision" });
  await expect(review.getByRole("radio")).toHaveCount(2);
  await expect(review.getByRole("radio", { checked: true })).toHaveCount(0);
  await review.getByRole("button", { name: "Continue" }).click();
  await expect(ethics.getByText("Choose approve or request changes")).toBeVisible();

  await ethics.getByLabel("Approve the card").check();
  await ethics.getByRole("button", { name: "Continue" }).click();
  await expect(ethics.getByTestId("review-completeness")).toHaveText(
    "7 of 10 sections written. Empty: Factors, Metrics and Ethical considerations.",
  );
  await expect(ethics.getByRole("alert")).toContainText(
    "3 sections are neither written nor marked not applicable: Factors, Metrics and Ethical considerations",
  );
  await expect(ethics.getByRole("button", { name: /Approve revision/ })).toHaveCount(0);

  // The rule is the server's: a posted approval is refused too, and nothing changes.
  const posted = await ethics.request.post(`${base}/card`, {
    form: { intent: "review", cardId: String(card.id), decision: "approve", comment: "" },
  });
  expect(posted.status()).toBe(422);
  expect(await posted.text()).toContain("Factors, Metrics and Ethical considerations");
  expect(latestCard(testOrg, slug)!.status).toBe("in_review");

  await ethics.getByRole("link", { name: "Request changes instead" }).click();
  await ethics.getByRole("button", { name: "Send back for changes" }).click();
  await expect(ethics.getByText("Say what needs to change")).toBeVisible();
  expect(latestCard(testOrg, slug)!.status).toBe("in_review");
  await ethics.getByLabel("What needs to change").fill("Write factors, metrics and ethical considerations, or say why they do not apply.");
  await ethics.getByRole("button", { name: "Send back for changes" }).click();
  await expect(ethics.getByTestId("card-status")).toHaveText("Changes requested");
  await ethics.context().close();
});

test("a section comment empties its box once posted, so a second click adds nothing; an empty one is refused beside the box", async ({
  browser,
  testOrg,
}) => {
  const { slug, base, team } = seedVersion(testOrg);
  saveModelCard(testOrg.id, slug, "2.0.0", writtenCardSections(), team.actor);
  const comments = () => latestCard(testOrg, slug)!.comments.map((c) => `${c.section}: ${c.body}`);
  const page = await pageAs(browser, testOrg, "ethics");
  await page.goto(`${base}/card`);
  const form = page.getByRole("form", { name: "Comment on Factors" });
  const box = form.getByRole("textbox", { name: "Comment on Factors" });
  await expect(box).toHaveAttribute("required", "");

  // Only spaces pass the browser's check: the server refuses it on the box, and nothing is stored.
  await box.fill("   ");
  await form.getByRole("button", { name: "Comment" }).click();
  await expect(box).toHaveAttribute("aria-invalid", "true");
  await expect(box).toHaveAccessibleDescription("Write a comment");
  expect(comments()).toEqual([]);

  await box.fill("Name the age bands.");
  await form.getByRole("button", { name: "Comment" }).click();
  await expect(page.getByRole("status")).toHaveText("Comment added.");
  await expect(box).toHaveValue("");
  await expect(box).not.toHaveAttribute("aria-invalid", "true");
  await form.getByRole("button", { name: "Comment" }).click(); // the empty box: the browser asks for text, nothing is sent
  await expect(page.getByRole("region", { name: "Factors" }).getByRole("listitem")).toHaveCount(1);
  expect(comments()).toEqual(["factors: Name the age bands."]);
  await page.context().close();

  // Without JavaScript: the page the post answers with has an empty box after a comment, the text and error after a refusal.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await signInAs(plain, testOrg.emails.ethics);
  await plain.goto(`${base}/card`);
  const plainForm = plain.getByRole("form", { name: "Comment on Metrics" });
  await plainForm.getByRole("textbox").fill("Add the recall per group.");
  await plainForm.getByRole("button", { name: "Comment" }).click();
  await expect(plain.getByRole("status")).toHaveText("Comment added.");
  await expect(plainForm.getByRole("textbox")).toHaveValue("");
  await plainForm.getByRole("textbox").fill(" ");
  await plainForm.getByRole("button", { name: "Comment" }).click();
  await expect(plainForm.getByRole("textbox")).toHaveAccessibleDescription("Write a comment");
  expect(comments()).toEqual(["factors: Name the age bands.", "metrics: Add the recall per group."]);
  await plain.context().close();
});

test("the new-model form keeps a draft in the browser until it is submitted", async ({ browser, testOrg }) => {
  const page = await pageAs(browser, testOrg, "team");
  page.on("dialog", (dialog) => void dialog.accept());
  const newModel = `/orgs/${testOrg.slug}/models/new`;
  await page.goto(newModel);
  await page.getByLabel("Name").fill("Draft Detector");
  await page.getByLabel("Owner team").fill("Risk analytics");
  await page.goto(`/orgs/${testOrg.slug}/models`);
  expect(getModel(testOrg.id, "draft-detector")).toBeNull();

  await page.goto(newModel);
  await expect(page.getByText(/Restored the draft you typed/)).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Draft Detector");
  await expect(page.getByLabel("Owner team")).toHaveValue("Risk analytics");
  await page.getByRole("button", { name: "Register model" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/models/draft-detector$`));
  expect(getModel(testOrg.id, "draft-detector")).toMatchObject({ name: "Draft Detector", ownerTeam: "Risk analytics" });

  await page.goto(newModel);
  await expect(page.getByLabel("Name")).toHaveValue("");
  await expect(page.getByText(/Restored the draft you typed/)).toHaveCount(0);
  await page.context().close();
});
