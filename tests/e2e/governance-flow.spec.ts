import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { getDb } from "../../db/client";
import { approvalDecisions } from "../../db/schema";
import { eq } from "drizzle-orm";
import { getApprovalRequest, listApprovalRequests, openApprovalRequest } from "../../app/modules/governance/approvals.server";
import { listVersionBiasAudits } from "../../app/modules/governance/bias-audits.server";
import { emptySections } from "../../app/modules/governance/model-card";
import { getVersionCards, saveModelCard } from "../../app/modules/governance/model-cards.server";
import { CARD_SECTIONS } from "../../app/modules/governance/governance-constants";
import type { Role } from "../../app/modules/auth/roles";
import { createModel, createVersion, getModelDetail, getVersionDetail } from "../../app/modules/registry/registry.server";
import { transitionVersion } from "../../app/modules/governance/transitions.server";
import { test, expect, signInAs } from "./fixtures";
import { TEST_PASSWORD, member, fullLineage, uniqueSlug, clearPromotionGates, type TestOrg } from "../setup/test-orgs";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createUserInOrganization } from "../../app/modules/auth/organizations.server";

/**
 * The governance path to production in the browser, on a HIGH-risk model:
 * card → ethics review → bias audit upload → ethics sign-off → promotion
 * request → ethics and leadership approvals → production, with the audit log
 * and the reviewer inbox along the way.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-governance-flow-"));
test.afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * 200 predictions in two groups of 100 with close rates:
 *   a: tp 30, fn 20, fp 10, tn 40 → selection 0.40, TPR 0.60, FPR 0.20
 *   b: tp 29, fn 21, fp 11, tn 39 → selection 0.40, TPR 0.58, FPR 0.22
 * Every difference is ≤ 0.02 and the ratio is 1, so the audit passes.
 */
function fairCsv(): string {
  return predictionsCsv("predictions", { a: { tp: 30, fn: 20, fp: 10, tn: 40 }, b: { tp: 29, fn: 21, fp: 11, tn: 39 } });
}

/** A predictions CSV (applicant_id, group, label, prediction) with these confusion counts per group, in a temp file. */
function predictionsCsv(name: string, groups: Record<string, { tp: number; fn: number; fp: number; tn: number }>): string {
  const lines = ["applicant_id,group,label,prediction"];
  let id = 0;
  for (const [group, counts] of Object.entries(groups)) {
    const add = (n: number, label: number, prediction: number) => {
      for (let i = 0; i < n; i++) lines.push(`${++id},${group},${label},${prediction}`);
    };
    add(counts.tp, 1, 1);
    add(counts.fn, 1, 0);
    add(counts.fp, 0, 1);
    add(counts.tn, 0, 0);
  }
  const file = path.join(tmp, `${name}-${Date.now()}.csv`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** A page in its own browser context, signed in as the test organisation's member with this role. */
async function pageAs(browser: Browser, org: TestOrg, role: Role): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, org.emails[role]);
  return page;
}

const reviewsBadge = (page: Page) =>
  page
    .getByRole("navigation", { name: "Organisation" })
    .getByRole("link", { name: /Reviews/ })
    .locator(".count-badge");

/** A high-risk model registered by the team member (its owner), version 1.0.0 with full lineage in development. */
function registerHighRiskModel(org: TestOrg, name = "Loan Approver") {
  const team = member(org, "team");
  const slug = uniqueSlug("loan-approver");
  createModel(org.id, { name, slug, riskTier: "high", ownerTeam: "credit-ml" }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", ...fullLineage }, team.actor, "ui");
  return slug;
}

/** The bias audit upload form filled in for a predictions CSV of `predictionsCsv`'s columns, the file's columns chosen. */
async function fillUploadForm(page: Page, csv: string) {
  await page.getByLabel("Predictions file (CSV)", { exact: true }).setInputFiles(csv);
  await page.getByRole("group", { name: "Group columns" }).getByRole("checkbox", { name: "group" }).check();
  await page.getByRole("combobox", { name: "Label column" }).selectOption("label");
  await page.getByLabel("Positive label values", { exact: true }).fill("1");
  await page.getByRole("combobox", { name: "Prediction column" }).selectOption("prediction");
  await page.getByLabel("Positive prediction values", { exact: true }).fill("1");
}

/** A new high-risk model `name`, whose version's bias audit upload form the team opens; its version's path and audits. */
async function openUploadForm(page: Page, org: TestOrg, loginAs: (role: Role) => Promise<void>, name: string) {
  const slug = registerHighRiskModel(org, name);
  const versionPath = `/orgs/${org.slug}/models/${slug}/versions/1.0.0`;
  await loginAs("team");
  await page.goto(`${versionPath}/bias-audits/new`);
  return { versionPath, audits: () => listVersionBiasAudits(org.id, getVersionDetail(org.id, slug, "1.0.0")!.version.id) };
}

/**
 * Regression (app/routes): `orgs.$orgSlug.models.$modelSlug.versions.$version.tsx` is, by Remix's flat-route
 * naming, the parent layout of `…$version.card.tsx`, `…$version.card.edit.tsx`, `…$version.card.compare.tsx`
 * and `…$version.bias-audits.new.tsx` (and `card.tsx` is the parent of `card.edit`/`card.compare`), but
 * neither parent renders an <Outlet />. Those URLs therefore show the version page: the card, its editor,
 * the revision comparison and the bias audit upload form can never be seen. Their actions still run when
 * posted to, so the "forms" variant of the flow below posts the same fields those forms would.
 */

type Mode = "ui" | "forms";

async function governanceFlow(
  mode: Mode,
  {
    page,
    browser,
    testOrg,
    loginAs,
  }: { page: Page; browser: Browser; testOrg: TestOrg; loginAs: (role: Role, page?: Page) => Promise<void> },
) {
  const slug = registerHighRiskModel(testOrg);
  const org = `/orgs/${testOrg.slug}`;
  const versionPath = `${org}/models/${slug}/versions/1.0.0`;
  const cardPath = `${versionPath}/card`;
  const latestCardId = () => getVersionCards(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)[0]?.id;

  // ---- The team moves the version to staging.
  await loginAs("team");
  await page.goto(versionPath);
  await expect(page.getByTestId("lineage")).toHaveText("Complete");
  await expect(reviewsBadge(page)).toHaveCount(0);
  const stage = page.getByRole("region", { name: "Change stage" });
  for (const to of ["validation", "staging"]) {
    await stage.getByLabel("Move to").selectOption(to);
    await stage.getByRole("button", { name: "Move", exact: true }).click();
    await expect(page.getByRole("status")).toHaveText(`Moved to ${to}.`);
  }
  await expect(page.getByRole("heading", { level: 1 })).toContainText("staging");
  const gates = page.getByRole("list", { name: "Gate checks" });
  await expect(gates.locator("[data-check=model_card]")).toHaveAttribute("data-passed", "false");
  await expect(gates.locator("[data-check=bias_audit]")).toHaveAttribute("data-passed", "false");

  // ---- The team writes the model card (all ten sections) and submits it.
  const sectionText = (title: string) => `${title}: written for the **loan approver**.`;
  if (mode === "ui") {
    await page.getByRole("link", { name: "Write the card" }).click();
    await expect(page).toHaveURL(new RegExp(`${cardPath}$`));
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Model card: Loan Approver");
    await expect(page.getByText("No model card yet.")).toBeVisible();
    await page.getByRole("link", { name: "Write the card" }).click();
    await expect(page).toHaveURL(new RegExp(`${cardPath}/edit$`));
    for (const section of CARD_SECTIONS) await page.getByLabel(section.title, { exact: true }).fill(sectionText(section.title));
    await page.getByRole("button", { name: "Save card" }).click();
    await expect(page).toHaveURL(new RegExp(`${cardPath}$`));
    await expect(page.getByTestId("card-status")).toHaveText("Draft");
    await expect(page.getByTestId("card-completeness")).toHaveText("10/10 (100%)");
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page.getByRole("status")).toHaveText("Submitted for review by the ethics committee.");
    await expect(page.getByTestId("card-status")).toHaveText("In review");
  } else {
    const saved = await page.request.post(`${cardPath}/edit`, {
      form: Object.fromEntries(CARD_SECTIONS.map((s) => [s.id, sectionText(s.title)])),
      maxRedirects: 0,
    });
    expect(saved.status()).toBe(302);
    expect(saved.headers().location).toBe(cardPath);
    const cardId = latestCardId()!;
    expect(getVersionCards(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)[0]).toMatchObject({
      status: "draft",
      completeness: { filled: 10 },
    });
    expect((await page.request.post(cardPath, { form: { intent: "submit", cardId: String(cardId) } })).status()).toBe(200);
    expect(getVersionCards(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)[0]!.status).toBe("in_review");
  }
  await page.goto(versionPath);
  await expect(page.getByText(/Revision 1: in review \(10\/10 sections\)/)).toBeVisible();
  await expect(reviewsBadge(page), "the team cannot review cards: no badge for them").toHaveCount(0);

  // ---- The team uploads a CSV bias audit through the form (while the card waits for review).
  const csv = fairCsv();
  if (mode === "ui") {
    await page.getByRole("link", { name: "Run a bias audit" }).click();
    await expect(page).toHaveURL(new RegExp(`${versionPath}/bias-audits/new$`));
    await page.getByLabel("Group columns", { exact: true }).fill("group");
    await page.getByLabel("Label column", { exact: true }).fill("label");
    await page.getByLabel("Positive label values", { exact: true }).fill("1");
    await page.getByLabel("Prediction column", { exact: true }).fill("prediction");
    await page.getByLabel("Positive prediction values", { exact: true }).fill("1");
    await page.getByLabel("Predictions file (CSV)", { exact: true }).setInputFiles(csv);
    await page.getByRole("button", { name: "Run the audit" }).click();
    await expect(page).toHaveURL(new RegExp(`${org}/bias-audits/\\d+$`), { timeout: 20_000 });
  } else {
    // The form without JavaScript: a plain multipart post, answered with a redirect to the audit.
    const uploaded = await page.request.post(`${versionPath}/bias-audits/new`, {
      maxRedirects: 0,
      multipart: {
        groupColumns: "group",
        labelColumn: "label",
        positiveLabels: "1",
        mode: "prediction",
        predictionColumn: "prediction",
        positivePredictions: "1",
        scoreColumn: "",
        threshold: "",
        referenceGroup: "",
        minGroupSize: "30",
        preset: "org-default",
        file: { name: path.basename(csv), mimeType: "text/csv", buffer: fs.readFileSync(csv) },
      },
    });
    expect(uploaded.status()).toBe(302);
    const url = uploaded.headers().location!;
    expect(url).toMatch(new RegExp(`^${org}/bias-audits/\\d+$`));
    await page.goto(url);
  }
  const auditUrl = page.url();
  await expect(page.getByTestId("audit-result")).toHaveText("passed");
  await expect(page.getByTestId("audit-status")).toHaveText("passed, waiting for sign-off");
  await expect(page.getByText(/200 counted, 0 skipped/)).toBeVisible();
  // Only ethics signs off.
  await expect(page.getByRole("form", { name: "Sign-off" })).toHaveCount(0);
  await expect(reviewsBadge(page)).toHaveCount(0);

  // ---- Ethics sees both in the inbox, approves the card and accepts the audit.
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(`${org}/reviews`);
  await expect(reviewsBadge(ethics)).toHaveText("2");
  await expect(reviewsBadge(ethics)).toHaveAttribute("aria-label", "2 waiting for you");
  await expect(ethics.getByRole("heading", { name: "Model cards in review (1)" })).toBeVisible();
  await expect(ethics.getByRole("heading", { name: "Bias audits waiting for sign-off (1)" })).toBeVisible();
  await expect(ethics.getByRole("heading", { name: "Promotion requests waiting (0)" })).toBeVisible();
  const cardLink = ethics.getByRole("link", { name: /Loan Approver 1\.0\.0, revision 1/ });
  await expect(cardLink).toHaveAttribute("href", cardPath);
  if (mode === "ui") {
    await cardLink.click();
    await expect(ethics).toHaveURL(new RegExp(`${cardPath}$`));
    const review = ethics.getByRole("form", { name: "Review decision" });
    await expect(review.getByRole("radio", { checked: true })).toHaveCount(0);
    await review.getByLabel("Approve the card").check();
    await review.getByRole("button", { name: "Continue" }).click();
    await expect(ethics.getByTestId("review-completeness")).toHaveText(/10 of 10 sections written\. No section is empty\./);
    await ethics.getByLabel("Comment to the team (optional)").fill("Complete and clear.");
    await ethics.getByRole("button", { name: "Approve revision 1" }).click();
    await expect(ethics.getByRole("status")).toHaveText("Card approved.");
    await expect(ethics.getByTestId("card-status")).toHaveText("Approved");
  } else {
    // The team may not review; ethics may.
    const byTeam = await page.request.post(cardPath, { form: { intent: "review", cardId: String(latestCardId()), decision: "approve" } });
    expect(byTeam.status()).toBe(403);
    const reviewed = await ethics.request.post(cardPath, {
      form: { intent: "review", cardId: String(latestCardId()), decision: "approve", comment: "Complete and clear." },
    });
    expect(reviewed.status()).toBe(200);
    await ethics.goto(`${org}/reviews`);
  }
  await expect(reviewsBadge(ethics)).toHaveText("1");

  await ethics.goto(auditUrl);
  const signoff = ethics.getByRole("form", { name: "Sign-off" });
  await signoff.getByRole("radio", { name: "Accept" }).check();
  await signoff.getByRole("button", { name: "Record sign-off" }).click();
  await expect(ethics.getByRole("status")).toHaveText("Audit accepted.");
  await expect(ethics.getByTestId("audit-status")).toContainText(`accepted by ${testOrg.emails.ethics}`);
  await expect(reviewsBadge(ethics)).toHaveCount(0);

  // ---- Every gate passes now; the team requests promotion.
  await page.goto(versionPath);
  await expect(page.getByText(/Revision 1: approved/)).toBeVisible();
  for (const check of ["risk_tier", "model_card", "bias_audit", "lineage"]) {
    await expect(gates.locator(`[data-check=${check}]`)).toHaveAttribute("data-passed", "true");
  }
  await page.getByLabel("Why promote now?").fill("fairer than the current scorecard");
  await page.getByRole("button", { name: "Request promotion to production" }).click();
  await expect(page).toHaveURL(new RegExp(`${org}/approvals/\\d+$`));
  const approvalUrl = page.url();
  const requestId = Number(approvalUrl.split("/").pop());
  await expect(page.getByTestId("request-status")).toHaveText("open");
  await expect(page.getByText("ethics and leadership").first()).toBeVisible();
  await expect(reviewsBadge(page), "the requester's role decides nothing: no badge").toHaveCount(0);

  // The requester cannot decide: no form, and a forged post is refused.
  await expect(page.getByRole("form", { name: "Your decision" })).toHaveCount(0);
  const forged = await page.request.post(approvalUrl, { form: { intent: "decide", decision: "approve" } });
  expect(forged.status()).toBe(403);
  expect(getDb().select().from(approvalDecisions).where(eq(approvalDecisions.requestId, requestId)).all()).toEqual([]);

  // ---- Ethics approves: still open, waiting for leadership.
  await ethics.goto(approvalUrl);
  await expect(reviewsBadge(ethics)).toHaveText("1");
  const decideEthics = ethics.getByRole("form", { name: "Your decision" });
  await decideEthics.getByRole("radio", { name: "Approve" }).check();
  await decideEthics.getByRole("button", { name: "Record decision" }).click();
  await expect(ethics.getByRole("status")).toHaveText("Approval recorded.");
  await expect(ethics.getByTestId("request-status")).toHaveText("open");
  await expect(ethics.getByRole("form", { name: "Your decision" })).toHaveCount(0);
  await ethics.goto(`${org}/reviews`);
  // Decided: the request no longer waits for them, in the list as in the badge.
  await expect(ethics.getByRole("heading", { name: "Promotion requests waiting (0)" })).toBeVisible();
  await expect(reviewsBadge(ethics), "ethics has decided: nothing waits for them").toHaveCount(0);
  expect(getModelDetail(testOrg.id, slug)?.model.productionVersion).toBeNull();

  // ---- Leadership gives the last approval, which promotes the version.
  const leadership = await pageAs(browser, testOrg, "leadership");
  await leadership.goto(approvalUrl);
  await expect(reviewsBadge(leadership)).toHaveText("1");
  const decideLeadership = leadership.getByRole("form", { name: "Your decision" });
  await decideLeadership.getByRole("radio", { name: "Approve" }).check();
  await decideLeadership.getByLabel("Comment", { exact: true }).fill("Go.");
  // The last approval says what it will do, and asks for the box first.
  await expect(decideLeadership.getByTestId("last-approval")).toContainText("Yours is the last approval needed.");
  await decideLeadership.getByRole("button", { name: "Record decision" }).click();
  await expect(decideLeadership.getByRole("checkbox")).toHaveAccessibleDescription(/Tick the box to confirm: your approval promotes/);
  expect(getApprovalRequest(testOrg.id, requestId)?.status).toBe("open");
  await decideLeadership.getByRole("radio", { name: "Approve" }).check();
  await decideLeadership.getByRole("checkbox", { name: /If I approve: promote 1\.0\.0 to production now/ }).check();
  await decideLeadership.getByRole("button", { name: "Record decision" }).click();
  await expect(leadership.getByRole("status")).toHaveText("Approved: the version is now in production.");
  await expect(leadership.getByTestId("request-status")).toHaveText("approved");
  expect(getApprovalRequest(testOrg.id, requestId)?.status).toBe("approved");

  await page.goto(versionPath);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("production");
  await expect(page.getByText(`Request #${requestId}: approved`)).toBeVisible();
  await expect(page.getByText(new RegExp(`staging → production by .*\\(Approved through request #${requestId}\\)`))).toBeVisible();
  expect(getVersionDetail(testOrg.id, slug, "1.0.0")?.version.stage).toBe("production");

  // ---- The inbox is empty at the end.
  await page.goto(`${org}/reviews`);
  await expect(page.getByRole("heading", { name: "Nothing waiting" })).toBeVisible();
  await expect(reviewsBadge(page)).toHaveCount(0);

  // ---- The auditor finds every step in the audit log, and the chain verifies.
  const auditor = await pageAs(browser, testOrg, "auditor");
  for (const action of [
    "model_card.approved",
    "bias_audit.accepted",
    "approval_request.opened",
    "approval_request.approved",
    "model_version.stage_changed",
  ]) {
    await auditor.goto(`${org}/audit?action=${encodeURIComponent(action)}`);
    const rows = auditor.locator(`table tbody tr[data-action="${action}"]`);
    await expect(rows.first(), `audit log lists ${action}`).toBeVisible();
  }
  await auditor.goto(`${org}/audit?action=approval_request.approved_by`);
  await expect(auditor.locator("table tbody tr")).toHaveCount(2);
  await auditor.goto(`${org}/audit?action=model_version.stage_changed`);
  await expect(auditor.locator("table tbody tr").filter({ hasText: '"stage": "production"' })).toHaveCount(1);
  await auditor.getByRole("button", { name: "Verify hash chain" }).click();
  await expect(auditor.getByRole("status")).toContainText(/Chain verified: all \d+ events are intact\./);

  for (const p of [ethics, leadership, auditor]) await p.context().close();
}

test("a high-risk version goes to production through card review, a bias audit and two approvals (in the browser)", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.setTimeout(180_000);
  await governanceFlow("ui", { page, browser, testOrg, loginAs });
});

test("a high-risk version goes to production through card review, a bias audit and two approvals (card and upload forms posted without JavaScript)", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.setTimeout(180_000);
  await governanceFlow("forms", { page, browser, testOrg, loginAs });
});

test("the card, card editor, revision comparison and bias audit upload pages render their own content", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const slug = registerHighRiskModel(testOrg, "Page Check");
  const team = member(testOrg, "team");
  saveModelCard(testOrg.id, slug, "1.0.0", { ...emptySections(), modelDetails: "First" }, team.actor);
  const versionPath = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`;
  await loginAs("team");
  await page.goto(`${versionPath}/card`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Model card: Page Check");
  await expect(page.getByTestId("card-status")).toHaveText("Draft");
  await page.goto(`${versionPath}/card/edit`);
  await expect(page.getByRole("button", { name: "Save card" })).toBeVisible();
  await page.goto(`${versionPath}/card/compare`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Compare revisions");
  await page.goto(`${versionPath}/bias-audits/new`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("New bias audit");
});

/**
 * Regression (app/components/upload-form.tsx + …bias-audits.new.tsx): with JavaScript the upload form posts via
 * XMLHttpRequest with `Accept: application/json` and parses the answer as JSON, and the action answers
 * `Response.json(...)`. But the route has a UI component and single fetch is on, so a document POST is
 * rendered as an HTML page (status 201/422, text/html) with the JSON inside the hydration data: the form
 * shows "The upload failed (HTTP 201)" although the audit was stored, and never shows field errors.
 */

function uploadFields(fields: Record<string, string>, file: Buffer | null) {
  return {
    labelColumn: "label",
    positiveLabels: "1",
    mode: "prediction",
    predictionColumn: "prediction",
    positivePredictions: "1",
    ...fields,
    ...(file ? { file: { name: "p.csv", mimeType: "text/csv", buffer: file } } : {}),
  };
}

test("the bias audit upload form offers the file's columns, shows field errors, then opens the stored audit (in the browser)", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const { audits } = await openUploadForm(page, testOrg, loginAs, "Upload Form");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("New bias audit");
  // Hints look like hints: no placeholder pretends to be a value.
  for (const label of ["Group columns", "Label column", "Positive label values", "Prediction column", "Positive prediction values"]) {
    const field = page.getByLabel(label, { exact: true });
    await expect(field).toHaveValue("");
    await expect(field).not.toHaveAttribute("placeholder");
  }

  // Choosing the file turns the column inputs into the columns of its header row.
  await page.getByLabel("Predictions file (CSV)", { exact: true }).setInputFiles(fairCsv());
  const groups = page.getByRole("group", { name: "Group columns" });
  await expect(groups.getByRole("checkbox")).toHaveCount(4);
  for (const column of ["applicant_id", "group", "label", "prediction"])
    await expect(groups.getByRole("checkbox", { name: column })).toBeVisible();
  const labelColumn = page.getByRole("combobox", { name: "Label column" });
  await expect(labelColumn.locator("option")).toHaveText(["Choose a column", "applicant_id", "group", "label", "prediction"]);

  // Only the file: each missing choice is named at its own field.
  await page.getByRole("button", { name: "Run the audit" }).click();
  await expect(groups).toHaveAttribute("aria-invalid", "true");
  await expect(groups).toHaveAccessibleDescription(/Choose at least one group column/);
  await expect(labelColumn).toHaveAccessibleDescription(/Choose a column/);
  await expect(page.getByLabel("Positive label values", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/The upload failed/)).toHaveCount(0);
  expect(audits()).toEqual([]);

  await groups.getByRole("checkbox", { name: "group" }).check();
  await labelColumn.selectOption("label");
  await expect(page.getByLabel("Positive label values", { exact: true })).toHaveAccessibleDescription(
    /Values of label in the file’s first rows: 0, 1\./,
  );
  await page.getByLabel("Positive label values", { exact: true }).fill("1");
  await page.getByRole("combobox", { name: "Prediction column" }).selectOption("prediction");
  await page.getByLabel("Positive prediction values", { exact: true }).fill("1");
  await page.getByRole("button", { name: "Run the audit" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/bias-audits/\\d+$`));
  await expect(page.getByTestId("audit-result")).toHaveText("passed");
  // Metric names, not keys.
  await expect(page.getByTestId("disparities").getByRole("rowheader").first()).toContainText("Demographic parity difference");
  await expect(page.getByTestId("disparities")).not.toContainText("demographicParityDifference");
  expect(audits()).toHaveLength(1);
});

test("the bias audit upload button keeps focus while the upload is under way, and a second click or Enter sends nothing", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const { versionPath, audits } = await openUploadForm(page, testOrg, loginAs, "Busy Upload");
  // The upload (sent through XMLHttpRequest to the resource route) is held until released, and counted.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const sent = { count: 0 };
  await page.route(
    (url) => url.pathname === `${versionPath}/bias-audits/upload`,
    async (route) => {
      sent.count++;
      await held;
      await route.continue();
    },
  );
  const run = page.getByRole("button", { name: "Run the audit" });
  await fillUploadForm(page, fairCsv());

  await run.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByText(/Uploading…|Computing fairness metrics…/)).toBeVisible();
  await expect(run).toHaveAttribute("aria-disabled", "true");
  await expect(run).not.toHaveAttribute("disabled");
  await expect(run).toBeFocused();
  await run.click({ force: true }); // Playwright counts aria-disabled as disabled: click it all the same
  await page.keyboard.press("Enter");
  await page.getByLabel("Positive label values", { exact: true }).press("Enter");
  expect(sent.count).toBe(1);
  release();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/bias-audits/\\d+$`));
  expect(sent.count).toBe(1);
  expect(audits()).toHaveLength(1);
});

test("a refused bias audit upload moves focus to what to put right", async ({ page, testOrg, loginAs }) => {
  await openUploadForm(page, testOrg, loginAs, "Refused Upload");
  await page.getByLabel("Predictions file (CSV)", { exact: true }).setInputFiles(fairCsv());
  const run = page.getByRole("button", { name: "Run the audit" });
  await run.press("Enter");
  const groups = page.getByRole("group", { name: "Group columns" });
  await expect(groups).toHaveAttribute("aria-invalid", "true");
  await expect(groups).toBeFocused();
  await expect(run).not.toHaveAttribute("aria-disabled");
});

test("the bias audit form says at once that a PDF is not a CSV file, and forgets the error when a CSV is chosen", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const slug = registerHighRiskModel(testOrg, "Wrong File");
  const versionPath = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`;
  await loginAs("team");
  await page.goto(`${versionPath}/bias-audits/new`);
  const file = page.getByLabel("Predictions file (CSV)", { exact: true });
  const pdf = Buffer.concat([
    Buffer.from("%PDF-1.3\n%"),
    Buffer.from([0xc4, 0xe5, 0xf2, 0xe5]),
    Buffer.from("\n1 0 obj\n<< /Type /Catalog >>\n"),
  ]);
  await file.setInputFiles({ name: "predictions.pdf", mimeType: "application/pdf", buffer: pdf });
  await expect(file).toHaveAttribute("aria-invalid", "true");
  await expect(file).toHaveAccessibleDescription(/This file is a PDF document, not a CSV file\./);
  await expect(page.getByText(/columns found in the header row/)).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: /%PDF/ })).toHaveCount(0);

  // Sent anyway, with the columns typed: the server refuses it too, in the same words, on the file (its first line is not taken for a header).
  for (const [label, value] of [
    ["Group columns", "group"],
    ["Label column", "label"],
    ["Positive label values", "1"],
    ["Prediction column", "prediction"],
    ["Positive prediction values", "1"],
  ] as const)
    await page.getByLabel(label, { exact: true }).fill(value);
  const answer = page.waitForResponse((r) => r.url().endsWith("/bias-audits/upload") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Run the audit" }).click();
  expect((await answer).status()).toBe(422);
  expect(await (await answer).json()).toEqual({
    errors: { file: expect.stringMatching(/^This file is a PDF document, not a CSV file\./) },
  });
  await expect(file).toHaveAccessibleDescription(/This file is a PDF document, not a CSV file\./);
  await expect(page.getByLabel("Group columns", { exact: true })).not.toHaveAccessibleDescription(/Unknown column/);

  // A CSV file next: no error about the PDF is left, and the new file's columns are offered.
  await file.setInputFiles(fairCsv());
  await expect(page.locator("form .field-error, form .form-error")).toHaveCount(0);
  await expect(page.getByText("4 columns found in the header row; choose from them below.")).toBeVisible();
  await expect(file).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("group", { name: "Group columns" }).getByRole("checkbox")).toHaveCount(4);
  expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toEqual([]);
});

/**
 * 200 predictions where group b is hardly ever selected: the audit fails.
 *   a: tp 40, fn 10, fp 10, tn 40 → selection 0.50;  b: tp 10, fn 40, fp 0, tn 50 → selection 0.10
 */
function unfairCsv(): string {
  return predictionsCsv("unfair", { a: { tp: 40, fn: 10, fp: 10, tn: 40 }, b: { tp: 10, fn: 40, fp: 0, tn: 50 } });
}

test("ethics runs an audit, may not sign it off; a colleague accepts the failed audit only with a rationale, and approvers see the risk acceptance", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.slow();
  const team = member(testOrg, "team");
  const slug = uniqueSlug("chatbot");
  createModel(testOrg.id, { name: "Support Chatbot", slug, riskTier: "limited" }, team.actor, "ui");
  createVersion(testOrg.id, slug, { version: "1.0.0", ...fullLineage }, team.actor, "ui");
  for (const to of ["validation", "staging"] as const)
    transitionVersion(testOrg.id, slug, "1.0.0", { to }, team.actor, { mayPromote: false });
  const colleagueEmail = `ethics2.${testOrg.slug}@e2e.test`;
  await createUserInOrganization(
    testOrg.id,
    { email: colleagueEmail, name: "Second Ethicist", password: TEST_PASSWORD, role: "ethics" },
    SYSTEM_ACTOR,
  );
  const versionPath = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`;

  // ---- The ethics member finds the link and runs the audit in the browser.
  await loginAs("ethics");
  await page.goto(versionPath);
  await page.getByRole("link", { name: "Run a bias audit" }).click();
  await fillUploadForm(page, unfairCsv());
  await page.getByRole("button", { name: "Run the audit" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/bias-audits/\\d+$`), { timeout: 20_000 });
  const auditUrl = page.url();
  const auditId = Number(auditUrl.split("/").pop());
  await expect(page.getByTestId("audit-result")).toHaveText("failed");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Support Chatbot 1.0.0");

  // ---- Four-eyes: no sign-off form for the runner, and a forged post is refused.
  await expect(page.getByRole("form", { name: "Sign-off" })).toHaveCount(0);
  await expect(page.getByTestId("four-eyes")).toContainText("You ran this audit");
  const forged = await page.request.post(auditUrl, { form: { decision: "accept", comment: "Looks fine to me" } });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain("Four-eyes rule: you ran this audit");
  expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)[0]).toMatchObject({
    id: auditId,
    status: "pending",
  });

  // ---- A colleague on the committee: no decision is preselected; accepting without a rationale is refused at the field.
  const colleague = await (await browser.newContext()).newPage();
  await signInAs(colleague, colleagueEmail);
  await colleague.goto(auditUrl);
  const signoff = colleague.getByRole("form", { name: "Sign-off" });
  for (const radio of await signoff.getByRole("radio").all()) await expect(radio).not.toBeChecked();
  await signoff.getByRole("radio", { name: "Accept the risk" }).check();
  await signoff.getByRole("button", { name: "Record sign-off" }).click();
  const rationale = colleague.getByLabel("Rationale", { exact: true });
  await expect(rationale).toHaveAttribute("aria-invalid", "true");
  await expect(rationale).toHaveAccessibleDescription(/accepts its risk: write the rationale/);
  await expect(colleague.getByTestId("audit-status")).toContainText("failed, waiting for sign-off");

  await colleague.getByRole("form", { name: "Sign-off" }).getByRole("radio", { name: "Accept the risk" }).check();
  await colleague.getByLabel("Rationale", { exact: true }).fill("Group b is a pilot region; every refusal there is reviewed by a person.");
  // Accepting the risk cannot be undone: without the tick it is refused at the box, the rationale kept.
  await colleague.getByRole("button", { name: "Record sign-off" }).click();
  const tick = colleague.getByRole("checkbox", { name: /If I accept the risk/ });
  await expect(tick).toHaveAttribute("aria-invalid", "true");
  await expect(tick).toHaveAccessibleDescription(/accepting the risk cannot be undone/);
  await expect(colleague.getByLabel("Rationale", { exact: true })).toHaveValue(/pilot region/);
  await expect(colleague.getByTestId("audit-status")).toContainText("failed, waiting for sign-off");
  await colleague.getByRole("form", { name: "Sign-off" }).getByRole("radio", { name: "Accept the risk" }).check();
  await tick.check();
  await colleague.getByRole("button", { name: "Record sign-off" }).click();
  await expect(colleague.getByRole("status")).toHaveText("Audit accepted.");
  await expect(colleague.getByTestId("audit-status")).toContainText(`failed, risk accepted by ${colleagueEmail}`);
  await expect(colleague.getByTestId("risk-acceptance")).toContainText("every refusal there is reviewed by a person");
  await colleague.context().close();

  // ---- The version page and its gate say the same: for limited risk the accepted risk satisfies the audit gate.
  await page.goto(versionPath);
  await expect(page.locator(`[data-audit="${auditId}"]`)).toContainText("failed, risk accepted");
  const biasAuditGate = page.getByRole("list", { name: "Gate checks" }).locator("[data-check=bias_audit]");
  await expect(biasAuditGate).toHaveAttribute("data-passed", "true");
  await expect(biasAuditGate).toContainText(`Audit #${auditId} failed; ${colleagueEmail} accepted the risk`);
  await expect(biasAuditGate.getByTestId("risk-acceptance")).toContainText("every refusal there is reviewed by a person");

  // ---- The approvers see the risk acceptance on the request.
  const request = openApprovalRequest(testOrg.id, slug, "1.0.0", { reason: "pilot" }, team.actor);
  const leadership = await pageAs(browser, testOrg, "leadership");
  await leadership.goto(`/orgs/${testOrg.slug}/approvals/${request.id}`);
  await expect(leadership.getByRole("heading", { level: 1 })).toContainText("Support Chatbot 1.0.0");
  await expect(leadership.getByTestId("relies-on-risk-acceptance")).toBeVisible();
  await expect(leadership.getByTestId("risk-acceptance")).toContainText("every refusal there is reviewed by a person");
  await leadership.context().close();
});

test("a rejection of an approval request needs a comment, and no decision is preselected", async ({ browser, testOrg }) => {
  const slug = registerHighRiskModel(testOrg, "Reject Check");
  const team = member(testOrg, "team");
  for (const to of ["validation", "staging"] as const)
    transitionVersion(testOrg.id, slug, "1.0.0", { to }, team.actor, { mayPromote: false });
  const request = openApprovalRequest(testOrg.id, slug, "1.0.0", {}, team.actor);
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(`/orgs/${testOrg.slug}/approvals/${request.id}`);
  const form = ethics.getByRole("form", { name: "Your decision" });
  for (const radio of await form.getByRole("radio").all()) await expect(radio).not.toBeChecked();
  await form.getByRole("radio", { name: "Reject" }).check();
  await form.getByRole("button", { name: "Record decision" }).click();
  await expect(ethics.getByLabel("Comment", { exact: true })).toHaveAccessibleDescription(/Give a reason for the rejection/);
  expect(getApprovalRequest(testOrg.id, request.id)).toMatchObject({ status: "open", decisions: [] });
  await ethics.context().close();
});

test("the bias audit upload action refuses bad uploads and stores nothing", async ({ page, browser, testOrg, loginAs }) => {
  const slug = registerHighRiskModel(testOrg, "Upload Errors");
  const url = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0/bias-audits/new`;
  const audits = () => listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id);
  await loginAs("team");
  const csv = fs.readFileSync(fairCsv());
  const post = (fields: Record<string, string>, file: Buffer | null = csv) =>
    page.request.post(url, { maxRedirects: 0, multipart: uploadFields(fields, file) });

  const unknown = await post({ groupColumns: "race" });
  expect(unknown.status()).toBe(422);
  expect(await unknown.text()).toContain("Unknown column");
  expect((await post({ groupColumns: "group", positiveLabels: "yes" })).status()).toBe(422);
  expect((await post({ groupColumns: "group" }, null)).status()).toBe(422);
  expect((await post({ groupColumns: "group", mode: "score", scoreColumn: "label", threshold: "" })).status()).toBe(422);
  expect((await post({ groupColumns: "group", mode: "score", scoreColumn: "group", threshold: "0.5" })).status()).toBe(422);
  expect(audits()).toEqual([]);

  // The auditor (read-only) may not upload.
  const auditorPage = await pageAs(browser, testOrg, "auditor");
  expect((await auditorPage.request.post(url, { maxRedirects: 0, multipart: uploadFields({ groupColumns: "group" }, csv) })).status()).toBe(
    403,
  );
  await auditorPage.context().close();
  expect(audits()).toEqual([]);

  // A good upload redirects to the stored audit.
  const good = await post({ groupColumns: "group" });
  expect(good.status()).toBe(302);
  expect(audits()).toHaveLength(1);
  expect(good.headers().location).toBe(`/orgs/${testOrg.slug}/bias-audits/${audits()[0]!.id}`);
  expect(audits()[0]).toMatchObject({ passed: true, rows: 200, source: "ui-upload", fileName: "p.csv", status: "pending" });
});

test("the requester cannot approve their own request, even with an approver's role", async ({ page, browser, testOrg, loginAs }) => {
  test.slow();
  const slug = registerHighRiskModel(testOrg, "Leadership Pet Project");
  const team = member(testOrg, "team");
  for (const to of ["validation", "staging"] as const)
    transitionVersion(testOrg.id, slug, "1.0.0", { to }, team.actor, { mayPromote: false });
  await clearPromotionGates(testOrg, slug, "1.0.0");

  // Leadership (a registry writer and a required approver for high risk) opens the request.
  await loginAs("leadership");
  await page.goto(`/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`);
  await page.getByRole("button", { name: "Request promotion to production" }).click();
  await expect(page).toHaveURL(/\/approvals\/\d+$/);
  const approvalUrl = page.url();
  const requestId = Number(approvalUrl.split("/").pop());
  await expect(page.getByText("Still waiting for")).toBeVisible();
  await expect(page.getByRole("form", { name: "Your decision" })).toHaveCount(0);

  const forged = await page.request.post(approvalUrl, { form: { intent: "decide", decision: "approve" } });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain("Four-eyes");
  expect(getApprovalRequest(testOrg.id, requestId)).toMatchObject({
    status: "open",
    decisions: [],
    pendingRoles: ["ethics", "leadership"],
  });

  // Ethics approves; the request still needs a leadership approval from someone else.
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(approvalUrl);
  await ethics.getByRole("form", { name: "Your decision" }).getByRole("radio", { name: "Approve" }).check();
  await ethics.getByRole("form", { name: "Your decision" }).getByRole("button", { name: "Record decision" }).click();
  await expect(ethics.getByRole("status")).toHaveText("Approval recorded.");
  await page.reload();
  await expect(page.getByRole("form", { name: "Your decision" })).toHaveCount(0);
  expect((await page.request.post(approvalUrl, { form: { intent: "decide", decision: "approve" } })).status()).toBe(403);
  expect(getApprovalRequest(testOrg.id, requestId)).toMatchObject({ status: "open", pendingRoles: ["leadership"] });

  // A team member (the model's owner, not an approver) is refused as well.
  const teamPage = await pageAs(browser, testOrg, "team");
  await teamPage.goto(approvalUrl);
  await expect(teamPage.getByRole("form", { name: "Your decision" })).toHaveCount(0);
  expect((await teamPage.request.post(approvalUrl, { form: { intent: "decide", decision: "approve" } })).status()).toBe(403);
  expect(listApprovalRequests(testOrg.id, { status: "open" }).map((r) => r.id)).toContain(requestId);
  for (const p of [ethics, teamPage]) await p.context().close();
});

/**
 * Regression (app/routes/orgs.$orgSlug.approvals.$requestId.tsx, action, `cancel` intent): the page offers "Cancel
 * request" only to the requester and admins (`canCancel`), but the action calls cancelApprovalRequest for any
 * admin/leadership/ethics/team member, and cancelApprovalRequest checks nobody: anyone can cancel anyone's request.
 */

async function openedByTeam(testOrg: TestOrg) {
  const slug = registerHighRiskModel(testOrg, "Cancel Check");
  const team = member(testOrg, "team");
  for (const to of ["validation", "staging"] as const)
    transitionVersion(testOrg.id, slug, "1.0.0", { to }, team.actor, { mayPromote: false });
  const request = openApprovalRequest(testOrg.id, slug, "1.0.0", { reason: "ready" }, team.actor);
  return { slug, request, url: `/orgs/${testOrg.slug}/approvals/${request.id}` };
}

test("only the requester or an admin may cancel an approval request", async ({ browser, testOrg }) => {
  const { request, url } = await openedByTeam(testOrg);
  for (const role of ["leadership", "ethics"] as const) {
    const other = await pageAs(browser, testOrg, role);
    await other.goto(url);
    await expect(other.locator("summary", { hasText: "Cancel request" })).toHaveCount(0);
    const forged = await other.request.post(url, { form: { intent: "cancel", confirm: "on" } });
    await other.context().close();
    expect(getApprovalRequest(testOrg.id, request.id)?.status, `${role} cancelled the team's request`).toBe("open");
    expect(forged.status()).toBe(403);
  }
});

test("the requester and an admin can cancel an approval request from its page", async ({ page, browser, testOrg, loginAs }) => {
  const first = await openedByTeam(testOrg);
  await loginAs("team");
  await page.goto(first.url);
  // Cancelling asks first: without the tick, nothing happens.
  await page.locator("summary", { hasText: "Cancel request" }).click();
  await page.getByRole("button", { name: "Cancel the request" }).click();
  await expect(page.getByRole("checkbox", { name: "Close this request for good" })).toHaveAccessibleDescription(/Tick the box to confirm/);
  expect(getApprovalRequest(testOrg.id, first.request.id)?.status).toBe("open");
  await page.getByRole("checkbox", { name: "Close this request for good" }).check();
  await page.getByRole("button", { name: "Cancel the request" }).click();
  await expect(page.getByRole("status")).toHaveText("Request cancelled.");
  await expect(page.getByTestId("request-status")).toHaveText("cancelled");
  await expect(page.locator("summary", { hasText: "Cancel request" })).toHaveCount(0);
  // A cancelled request cannot be decided.
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(first.url);
  await expect(ethics.getByRole("form", { name: "Your decision" })).toHaveCount(0);
  expect((await ethics.request.post(first.url, { form: { intent: "decide", decision: "approve" } })).status()).toBe(409);
  await ethics.context().close();

  const second = openApprovalRequest(testOrg.id, first.slug, "1.0.0", {}, member(testOrg, "team").actor);
  const admin = await pageAs(browser, testOrg, "admin");
  await admin.goto(`/orgs/${testOrg.slug}/approvals/${second.id}`);
  await admin.locator("summary", { hasText: "Cancel request" }).click();
  await admin.getByRole("checkbox", { name: "Close this request for good" }).check();
  await admin.getByRole("button", { name: "Cancel the request" }).click();
  await expect(admin.getByTestId("request-status")).toHaveText("cancelled");
  await admin.context().close();
  expect(getApprovalRequest(testOrg.id, second.id)?.status).toBe("cancelled");
});
