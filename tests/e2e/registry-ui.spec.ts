import type { Locator, Page } from "@playwright/test";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { listApiTokens } from "../../app/modules/auth/api-tokens.server";
import { createIncident, createModel, createVersion, getModelDetail, listModels } from "../../app/modules/registry/registry.server";
import { transitionVersion } from "../../app/modules/governance/transitions.server";
import { test, expect, signInAs } from "./fixtures";
import { API, bearer, expectApiError, expectJson } from "../setup/api-client";
import { fullLineage, uniqueSlug, clearPromotionGates, promoteThroughGovernance, DAY, isoDay, type TestOrg } from "../setup/test-orgs";

// The over-long search (no 500) needs no browser: tests/integration/pages.test.ts.

const SEED_ACTOR = { ...SYSTEM_ACTOR, label: "e2e-seed" };

const productionTile = (page: Page) => page.locator("[data-metric=productionModels] .tile-value");
const field = (page: Page | Locator, label: string) => page.getByLabel(label, { exact: true });
/** Link texts of the first column of the models table, in order. */
const listedModels = (page: Page) => page.locator("table tbody tr td:first-child a");

/** A model with one version (full lineage) promoted to production through governance, written straight into the database. */
async function seedProductionModel(
  org: TestOrg,
  input: { name: string; slug: string; riskTier: "minimal" | "limited" | "high"; ownerTeam?: string; tags?: string[] },
  version = "1.0.0",
) {
  createModel(org.id, input, SEED_ACTOR, "ui");
  createVersion(org.id, input.slug, { version, ...fullLineage }, SEED_ACTOR, "ui");
  for (const to of ["validation", "staging"] as const) {
    transitionVersion(org.id, input.slug, version, { to }, SEED_ACTOR, { mayPromote: false });
  }
  await promoteThroughGovernance(org, input.slug, version);
}

/** A production model "Recovering" whose version 1.0.0 has one open incident, detected an hour after it started. */
async function seedOpenIncident(org: TestOrg, title: string) {
  const slug = uniqueSlug("recovering");
  await seedProductionModel(org, { name: "Recovering", slug, riskTier: "limited" });
  const incident = createIncident(
    org.id,
    slug,
    "1.0.0",
    { title, severity: "sev2", startedAt: new Date("2026-11-20T08:00:00Z"), detectedAt: new Date("2026-11-20T09:00:00Z") },
    SEED_ACTOR,
  );
  return { slug, incident };
}

test("a team member registers a model and a version, moves it to staging, and leadership promotes it", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.slow();
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}`);
  await expect(productionTile(page)).toHaveText("0");

  await page.getByRole("navigation", { name: "Organisation" }).getByRole("link", { name: "Models" }).click();
  await expect(page.getByRole("heading", { name: "No models registered yet" })).toBeVisible();
  await page.getByRole("link", { name: "Register a model" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/models/new$`));

  // A bad submit: field-level errors, what was typed is kept, nothing is created.
  await field(page, "Slug").fill("Bad Slug!");
  await field(page, "Owner team").fill("credit-ml");
  await page.getByRole("button", { name: "Register model" }).click();
  await expect(field(page, "Name")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "Name")).toHaveAccessibleDescription(/Name is required/);
  await expect(field(page, "Slug")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "Slug")).toHaveAccessibleDescription(/Use lower-case letters, digits and single hyphens/);
  await expect(field(page, "Owner team")).toHaveValue("credit-ml");
  await expect(field(page, "Owner team")).not.toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(new RegExp(`/models/new$`));
  expect(listModels(testOrg.id, { page: 1, pageSize: 25 }).total).toBe(0);

  const slug = uniqueSlug("credit-scorer");
  await field(page, "Name").fill("Credit Scorer");
  await field(page, "Slug").fill(slug);
  await field(page, "Risk tier").selectOption("high");
  await field(page, "Use case").fill("Score consumer credit applications");
  await field(page, "Tags").fill("credit, scoring");
  await page.getByRole("button", { name: "Register model" }).click();
  const modelPath = `/orgs/${testOrg.slug}/models/${slug}`;
  await expect(page).toHaveURL(new RegExp(`${modelPath}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Credit Scorer");
  await expect(page.getByText("high risk").first()).toBeVisible();
  await expect(page.getByText("No versions yet.")).toBeVisible();

  // Register a version: a bad submit first.
  await page.getByRole("link", { name: "Register a version" }).click();
  await field(page, "Version").fill("1.0");
  await field(page, "Metrics").fill("auc=high");
  await page.getByRole("button", { name: "Register version" }).click();
  await expect(field(page, "Version")).toHaveAccessibleDescription(/Use a semantic version such as 1\.4\.0/);
  await expect(field(page, "Metrics")).toHaveAccessibleDescription(/Write metrics as name=number/);
  expect(getModelDetail(testOrg.id, slug)?.model.versions).toEqual([]);

  await field(page, "Version").fill("1.0.0");
  await field(page, "Algorithm").fill("logistic regression");
  await field(page, "Framework").fill("scikit-learn 1.5");
  await field(page, "Code reference (commit)").fill("git:9f8e7d6");
  await field(page, "Training data reference").fill("s3://lake/credit");
  await field(page, "Training data version").fill("2026-10");
  await field(page, "Hyperparameters (JSON)").fill('{"C": 1.0, "penalty": "l2"}');
  await field(page, "Metrics").fill("auc=0.91\naccuracy=0.88");
  await page.getByRole("button", { name: "Register version" }).click();
  const versionPath = `${modelPath}/versions/1.0.0`;
  await expect(page).toHaveURL(new RegExp(`${versionPath}$`));
  await expect(page.getByTestId("lineage")).toHaveText("Complete");
  const lineage = page.getByRole("region", { name: "Lineage" });
  await expect(lineage.getByText("git:9f8e7d6")).toBeVisible();
  await expect(lineage.getByText("s3://lake/credit @ 2026-10")).toBeVisible();
  const metrics = page.getByRole("region", { name: "Metrics" });
  await expect(metrics.getByRole("row", { name: "auc 0.91" })).toBeVisible();
  await expect(metrics.getByRole("row", { name: "accuracy 0.88" })).toBeVisible();
  await expect(metrics.locator("pre")).toContainText('"penalty": "l2"');

  // Team moves it up to staging; production is never offered as a plain move.
  const stage = page.getByRole("region", { name: "Change stage" });
  await expect(stage.getByLabel("Move to").locator("option")).toHaveText(["validation", "retired"]);
  await stage.getByLabel("Move to").selectOption("validation");
  await stage.getByLabel("Reason").fill("offline evaluation passed");
  await stage.getByRole("button", { name: "Move", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("Moved to validation.");
  await expect(stage.getByLabel("Move to").locator("option")).toHaveText(["development", "staging", "retired"]);
  await stage.getByLabel("Move to").selectOption("staging");
  await stage.getByRole("button", { name: "Move", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("Moved to staging.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("staging");
  await expect(stage.getByLabel("Move to").locator("option")).toHaveText(["development", "retired"]);

  // The promotion gates show what is missing; once the card is approved and the bias audit signed off
  // (written by the governance fixtures), they pass.
  const gates = page.getByRole("list", { name: "Gate checks" });
  await expect(gates.locator("[data-check=lineage]")).toHaveAttribute("data-passed", "true");
  await expect(gates.locator("[data-check=model_card]")).toHaveAttribute("data-passed", "false");
  await clearPromotionGates(testOrg, slug, "1.0.0");
  await page.reload();
  for (const check of ["risk_tier", "model_card", "bias_audit", "lineage"]) {
    await expect(gates.locator(`[data-check=${check}]`)).toHaveAttribute("data-passed", "true");
  }

  // The team asks for production; a high-risk model needs ethics and leadership.
  await page.getByLabel("Why promote now?").fill("beats the current scorecard");
  await page.getByRole("button", { name: "Request promotion to production" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/approvals/\\d+$`));
  const approvalUrl = page.url();
  await expect(page.getByTestId("request-status")).toHaveText("open");
  await expect(page.getByText("ethics and leadership").first()).toBeVisible();
  await expect(page.getByRole("form", { name: "Your decision" })).toHaveCount(0);

  const decide = async (role: "ethics" | "leadership", notice: string) => {
    const context = await browser.newContext();
    const other = await context.newPage();
    await signInAs(other, testOrg.emails[role]);
    if (role === "leadership") {
      // Leadership is not offered production as a plain move either.
      await other.goto(versionPath);
      await expect(other.getByRole("region", { name: "Change stage" }).getByLabel("Move to").locator("option")).toHaveText([
        "development",
        "retired",
      ]);
    }
    await other.goto(approvalUrl);
    const form = other.getByRole("form", { name: "Your decision" });
    await form.getByRole("radio", { name: "Approve" }).check();
    // The last approval promotes the version: its box asks first.
    if (role === "leadership") await form.getByRole("checkbox", { name: /promote 1\.0\.0 to production now/ }).check();
    await form.getByRole("button", { name: "Record decision" }).click();
    await expect(other.getByRole("status")).toHaveText(notice);
    await context.close();
  };
  await decide("ethics", "Approval recorded.");
  await page.reload();
  await expect(page.getByTestId("request-status")).toHaveText("open");
  expect(getModelDetail(testOrg.id, slug)?.model.productionVersion).toBeNull();
  // Leadership gives the last approval, which promotes the version.
  await decide("leadership", "Approved: the version is now in production.");
  await page.reload();
  await expect(page.getByTestId("request-status")).toHaveText("approved");
  await page.goto(versionPath);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("production");
  await expect(page.getByText(new RegExp(`staging → production by ${testOrg.emails.leadership.replace(/[.]/g, "\\.")}`))).toBeVisible();

  // The dashboard counts it.
  await page.goto(`/orgs/${testOrg.slug}`);
  await expect(productionTile(page)).toHaveText("1");

  // Which version was in production at the end of a day.
  await page.goto(modelPath);
  await expect(page.locator("dd").filter({ hasText: "1.0.0" }).first()).toBeVisible();
  const today = isoDay(new Date());
  await page.getByLabel("Which version was in production at the end of (UTC)").fill(today);
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByTestId("production-on")).toHaveText(`On ${today}: version 1.0.0 was in production.`);
  const yesterday = isoDay(new Date(Date.now() - DAY));
  await page.getByLabel("Which version was in production at the end of (UTC)").fill(yesterday);
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByTestId("production-on")).toHaveText(`On ${yesterday}: no version was in production.`);
  await expect(page).toHaveURL(new RegExp(`on=${yesterday}`));
  // The stage history lists every move with its actor.
  const history = page.locator("table").filter({ has: page.getByRole("columnheader", { name: "Move" }) });
  await expect(history.getByRole("row")).toHaveCount(5);
  await expect(history.getByRole("row").filter({ hasText: "production" }).filter({ hasText: "Approved through request" })).toContainText(
    testOrg.emails.leadership,
  );
});

test("model list search, filters and sort links", async ({ page, testOrg, loginAs }) => {
  await seedProductionModel(testOrg, {
    name: "Alpha Fraud",
    slug: "alpha-fraud",
    riskTier: "high",
    ownerTeam: "payments",
    tags: ["fraud"],
  });
  createModel(testOrg.id, { name: "Beta Churn", slug: "beta-churn", riskTier: "limited", ownerTeam: "retention" }, SEED_ACTOR, "ui");
  createVersion(testOrg.id, "beta-churn", { version: "0.1.0" }, SEED_ACTOR, "ui");
  createModel(
    testOrg.id,
    { name: "Gamma Forecast", slug: "gamma-forecast", riskTier: "minimal", useCase: "demand forecasting" },
    SEED_ACTOR,
    "ui",
  );

  await loginAs("team");
  const listPath = `/orgs/${testOrg.slug}/models`;
  await page.goto(listPath);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud", "Beta Churn", "Gamma Forecast"]);
  await expect(page.getByRole("row").filter({ hasText: "Alpha Fraud" })).toContainText("1.0.0");

  const filters = page.getByRole("form", { name: "Search and filter models" });
  await filters.getByLabel("Search").fill("forecast");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=forecast/);
  await expect(listedModels(page)).toHaveText(["Gamma Forecast"]);

  await filters.getByRole("link", { name: "Clear" }).click();
  await expect(page).not.toHaveURL(/q=/);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud", "Beta Churn", "Gamma Forecast"]);

  await page.goto(listPath);
  await filters.getByLabel("Risk tier").selectOption("limited");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/riskTier=limited/);
  await expect(listedModels(page)).toHaveText(["Beta Churn"]);

  await page.goto(listPath);
  await filters.getByLabel("Has a version in").selectOption("production");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/stage=production/);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud"]);
  await expect(filters.getByLabel("Has a version in")).toHaveValue("production");

  await page.goto(listPath);
  await filters.getByLabel("Has a version in").selectOption("development");
  await filters.getByLabel("Team").selectOption("retention");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(listedModels(page)).toHaveText(["Beta Churn"]);

  await page.goto(`${listPath}?riskTier=unacceptable`);
  await expect(page.getByRole("heading", { name: "No models match" })).toBeVisible();
  await page.goto(`${listPath}?tag=fraud`);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud"]);

  // Sorting through the header links.
  await page.goto(listPath);
  const header = (name: string) => page.getByRole("columnheader", { name });
  await expect(header("Model")).toHaveAttribute("aria-sort", "ascending");
  await header("Risk").getByRole("link").click();
  await expect(page).toHaveURL(/sort=risk/);
  await expect(listedModels(page)).toHaveText(["Gamma Forecast", "Beta Churn", "Alpha Fraud"]);
  await expect(header("Risk")).toHaveAttribute("aria-sort", "ascending");
  await expect(header("Model")).toHaveAttribute("aria-sort", "none");
  await header("Risk").getByRole("link").click();
  await expect(page).toHaveURL(/sort=-risk/);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud", "Beta Churn", "Gamma Forecast"]);
  await expect(header("Risk")).toHaveAttribute("aria-sort", "descending");
  await header("Model").getByRole("link").click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud", "Beta Churn", "Gamma Forecast"]);
  await header("Model").getByRole("link").click();
  await expect(page).toHaveURL(/sort=-name/);
  await expect(listedModels(page)).toHaveText(["Gamma Forecast", "Beta Churn", "Alpha Fraud"]);

  // A filter keeps the chosen sort.
  await filters.getByLabel("Risk tier").selectOption("high");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=-name/);
  await expect(listedModels(page)).toHaveText(["Alpha Fraud"]);
});

test("the incident form keeps a browser draft until it is submitted, and never creates anything mid-typing", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const slug = uniqueSlug("drafted");
  await seedProductionModel(testOrg, { name: "Drafted", slug, riskTier: "limited" });
  await loginAs("team");
  const versionPath = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`;
  await page.goto(versionPath);
  const report = page.getByRole("region", { name: "Report an incident" });
  await field(report, "Title").fill("Drift in scores");
  await field(report, "Description").fill("Scores moved after the data refresh");
  await page.reload();
  await expect(field(report, "Title")).toHaveValue("Drift in scores");
  await expect(field(report, "Description")).toHaveValue("Scores moved after the data refresh");
  await expect(report.getByText(/Restored the draft you typed/)).toBeVisible();
  expect(getModelDetail(testOrg.id, slug)?.incidents).toEqual([]);

  await field(report, "Started at (UTC, required)").fill("2026-11-20T08:00");
  await report.getByRole("button", { name: "Report incident" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident reported: Drift in scores.");
  expect(getModelDetail(testOrg.id, slug)?.incidents).toHaveLength(1);
  // The form is empty for the next report, and no draft comes back.
  await expect(field(report, "Title")).toHaveValue("");
  await page.reload();
  await expect(field(report, "Title")).toHaveValue("");
});

test("an incident reported on the version page appears on the model page; objectives are listed", async ({ page, testOrg, loginAs }) => {
  const slug = uniqueSlug("watched");
  await seedProductionModel(testOrg, { name: "Watched", slug, riskTier: "limited" });
  await loginAs("team");
  const modelPath = `/orgs/${testOrg.slug}/models/${slug}`;

  await page.goto(`${modelPath}/versions/1.0.0`);
  await expect(page.getByText("No incidents reported for this version.")).toBeVisible();
  const report = page.getByRole("region", { name: "Report an incident" });
  // A bad report first: field errors, nothing created.
  await report.getByRole("button", { name: "Report incident" }).click();
  await expect(field(report, "Title")).toHaveAccessibleDescription(/Title is required/);
  await expect(field(report, "Started at (UTC, required)")).toHaveAccessibleDescription("Enter when the incident started");
  expect(getModelDetail(testOrg.id, slug)?.incidents).toEqual([]);

  await field(report, "Title").fill("Latency spike");
  await field(report, "Severity").selectOption("sev2");
  await field(report, "Started at (UTC, required)").fill("2026-11-20T08:00");
  await field(report, "Detected at (UTC)").fill("2026-11-20T09:30");
  await field(report, "Description").fill("p99 latency above 2 s");
  await report.getByRole("button", { name: "Report incident" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident reported: Latency spike.");
  const article = page.getByRole("article").filter({ hasText: "Latency spike" });
  await expect(article).toContainText("sev2");
  await expect(article).toContainText("open");
  await expect(article).toContainText("2026-11-20 08:00 UTC");
  await expect(article).toContainText("time to detect 1.5 h");

  await page.goto(modelPath);
  const row = page.getByRole("row").filter({ hasText: "Latency spike" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("sev2");
  await expect(row).toContainText("open");
  await expect(row).toContainText("2026-11-20 08:00 UTC");
  await expect(row).toContainText("1.5 h");
  await expect(row.getByRole("link", { name: "1.0.0" })).toHaveAttribute("href", `${modelPath}/versions/1.0.0#incidents`);

  // Objectives: a bad one is refused with field errors, a good one is listed.
  await expect(page.getByText("No objectives set.")).toBeVisible();
  const objective = page.getByRole("form", { name: "Set an objective" });
  await objective.getByLabel("Metric").fill("1-bad name");
  await objective.getByLabel("Threshold").fill("high");
  await objective.getByRole("button", { name: "Save objective" }).click();
  await expect(objective.getByText("Metric names start with a letter")).toBeVisible();
  await expect(objective.getByText("Threshold must be a number")).toBeVisible();
  await expect(page.getByText("No objectives set.")).toBeVisible();

  await objective.getByLabel("Metric").fill("p99_latency_ms");
  await objective.getByLabel("Must be").selectOption("<=");
  await objective.getByLabel("Threshold").fill("2000");
  await objective.getByRole("button", { name: "Save objective" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "p99_latency_ms <= 2000" })).toBeVisible();
  await expect(page.getByText("No objectives set.")).toHaveCount(0);
  expect(getModelDetail(testOrg.id, slug)?.objectives).toEqual([{ metric: "p99_latency_ms", comparison: "<=", threshold: 2000 }]);
});

test("the incident update form shows its errors on the fields, takes when it was resolved, and can reopen it", async ({
  page,
  testOrg,
  loginAs,
}) => {
  const { slug, incident } = await seedOpenIncident(testOrg, "Stale features");
  const stored = () => getModelDetail(testOrg.id, slug)!.incidents[0]!;
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`);
  const form = page.getByRole("form", { name: `Update incident #${incident.id}` });
  // "Resolved at" offers now (UTC, to the minute).
  await expect(field(form, "Resolved at (UTC)")).toHaveValue(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);

  // A review link that is not http(s): refused on the field, what was typed stays, nothing changes.
  await field(form, "Status").selectOption("mitigated");
  await field(form, "Review link").fill("javascript:alert(1)");
  await form.getByRole("button", { name: `Update incident #${incident.id}` }).click();
  await expect(field(form, "Review link")).toHaveAttribute("aria-invalid", "true");
  await expect(field(form, "Review link")).toHaveAccessibleDescription("Use an http(s) address");
  await expect(field(form, "Review link")).toHaveValue("javascript:alert(1)");
  await expect(field(form, "Status")).toHaveValue("mitigated");
  expect(stored()).toMatchObject({ status: "open", reviewUrl: null });

  // Resolved before it was detected: refused on "Resolved at".
  await field(form, "Review link").fill("https://wiki.example/pir/7");
  await field(form, "Status").selectOption("resolved");
  await field(form, "Resolved at (UTC)").fill("2026-11-20T08:30");
  await form.getByRole("button", { name: `Update incident #${incident.id}` }).click();
  await expect(field(form, "Resolved at (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(field(form, "Resolved at (UTC)")).toHaveAccessibleDescription(/Resolution cannot precede detection/);
  await expect(field(form, "Resolved at (UTC)")).toHaveValue("2026-11-20T08:30");
  expect(stored()).toMatchObject({ status: "open", resolvedAt: null });

  // When it really ended counts, not when the form was sent.
  await field(form, "Resolved at (UTC)").fill("2026-11-20T11:30");
  await form.getByRole("button", { name: `Update incident #${incident.id}` }).click();
  await expect(page.getByRole("status")).toHaveText("Incident updated.");
  const article = page.getByRole("article").filter({ hasText: "Stale features" });
  await expect(article).toContainText("time to recover 2.5 h");
  expect(stored()).toMatchObject({ status: "resolved", resolvedAt: "2026-11-20T11:30:00.000Z", reviewUrl: "https://wiki.example/pir/7" });

  // Resolved by mistake: reopening clears the resolution time.
  await expect(form).toHaveCount(0);
  await article.getByRole("button", { name: `Reopen incident #${incident.id}` }).click();
  await expect(page.getByRole("status")).toHaveText("Incident updated.");
  await expect(form).toBeVisible();
  expect(stored()).toMatchObject({ status: "open", resolvedAt: null });
});

test("'Resolved at' shows only while the status chosen is resolved; without JavaScript it stays, saying when it counts", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  const { slug, incident } = await seedOpenIncident(testOrg, "Slow answers");
  const url = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`;
  const formOf = (p: Page) => p.getByRole("form", { name: `Update incident #${incident.id}` });

  await loginAs("team");
  await page.goto(url);
  const form = formOf(page);
  const resolvedAt = field(form, "Resolved at (UTC)");
  await expect(resolvedAt).toBeHidden();
  await field(form, "Status").selectOption("resolved");
  await expect(resolvedAt).toBeVisible();
  await expect(resolvedAt).toBeEnabled();
  await expect(resolvedAt).toHaveAccessibleDescription(/^When it really ended; not before detection/);
  await field(form, "Status").selectOption("mitigated");
  await expect(resolvedAt).toBeHidden();
  // Hidden, it is not sent: the update saves the status alone.
  await expect(resolvedAt).toBeDisabled();
  await form.getByRole("button", { name: `Update incident #${incident.id}` }).click();
  await expect(page.getByRole("status")).toHaveText("Incident updated.");
  expect(getModelDetail(testOrg.id, slug)!.incidents[0]).toMatchObject({ status: "mitigated", resolvedAt: null });
  await expect(resolvedAt).toBeHidden();

  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const plain = await context.newPage();
    await loginAs("team", plain);
    await plain.goto(url);
    const always = field(formOf(plain), "Resolved at (UTC)");
    await expect(field(formOf(plain), "Status")).toHaveValue("mitigated");
    await expect(always).toBeVisible();
    await expect(always).toHaveAccessibleDescription(/^Used only when the status is resolved: when it really ended/);
  } finally {
    await context.close();
  }
});

test("Clear empties the search and filter fields as well as the list's filters", async ({ page, testOrg, loginAs }) => {
  // Regression: app/routes/orgs.$orgSlug.models._index.tsx renders the search box and the filter selects
  // uncontrolled (defaultValue) and never remounts them, so after the client-side navigation of "Clear"
  // they still show the old values, and the next "Apply" silently re-applies them.
  createModel(testOrg.id, { name: "Gamma Forecast", slug: "gamma-forecast", riskTier: "minimal" }, SEED_ACTOR, "ui");
  createModel(testOrg.id, { name: "Beta Churn", slug: "beta-churn", riskTier: "limited" }, SEED_ACTOR, "ui");
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/models`);
  await page.waitForLoadState("networkidle");
  const filters = page.getByRole("form", { name: "Search and filter models" });
  await filters.getByLabel("Search").fill("forecast");
  await filters.getByLabel("Risk tier").selectOption("minimal");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(listedModels(page)).toHaveText(["Gamma Forecast"]);
  await filters.getByRole("link", { name: "Clear" }).click();
  await expect(listedModels(page)).toHaveText(["Beta Churn", "Gamma Forecast"]);
  await expect(filters.getByLabel("Search")).toHaveValue("", { timeout: 3_000 });
  await expect(filters.getByLabel("Risk tier")).toHaveValue("");
});

test("an objective without a threshold is refused, not saved as 0", async ({ page, testOrg, loginAs }) => {
  // Regression: ObjectiveSchema (app/modules/registry/registry-schemas.ts) uses z.coerce.number for `threshold`,
  // and Number("") is 0, so an empty Threshold field silently saves "metric >= 0".
  const slug = uniqueSlug("threshold");
  createModel(testOrg.id, { name: "Threshold", slug, riskTier: "limited" }, SEED_ACTOR, "ui");
  await loginAs("team");
  await page.goto(`/orgs/${testOrg.slug}/models/${slug}`);
  const objective = page.getByRole("form", { name: "Set an objective" });
  await objective.getByLabel("Metric").fill("auc");
  await objective.getByRole("button", { name: "Save objective" }).click();
  await expect(objective.getByLabel("Threshold")).toHaveAttribute("aria-invalid", "true", { timeout: 5_000 });
  expect(getModelDetail(testOrg.id, slug)?.objectives).toEqual([]);
});

test("the auditor can read the registry but not change it", async ({ page, testOrg, loginAs }) => {
  const slug = uniqueSlug("readonly");
  await seedProductionModel(testOrg, { name: "Read Only", slug, riskTier: "high" });
  await loginAs("auditor");
  const listPath = `/orgs/${testOrg.slug}/models`;
  await page.goto(listPath);
  await expect(listedModels(page)).toHaveText(["Read Only"]);
  await expect(page.getByRole("link", { name: "Register a model" })).toHaveCount(0);

  const response = await page.goto(`${listPath}/new`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Register model" })).toHaveCount(0);

  await page.goto(`${listPath}/${slug}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Read Only");
  await expect(page.getByRole("link", { name: "Register a version" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Edit details" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Set an objective" })).toHaveCount(0);
  expect((await page.goto(`${listPath}/${slug}/versions/new`))?.status()).toBe(403);

  await page.goto(`${listPath}/${slug}/versions/1.0.0`);
  await expect(page.getByRole("region", { name: "Change stage" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Report an incident" })).toHaveCount(0);
  // Posting the form by hand is refused too, and changes nothing.
  const posted = await page.request.post(`${listPath}/${slug}/versions/1.0.0`, { form: { intent: "transition", to: "retired" } });
  expect(posted.status()).toBe(403);
  const createdModel = await page.request.post(`${listPath}/new`, { form: { name: "Sneaky", riskTier: "minimal" } });
  expect(createdModel.status()).toBe(403);
  const detail = getModelDetail(testOrg.id, slug)!;
  expect(detail.model.versions.map((v) => v.stage)).toEqual(["production"]);
  expect(getModelDetail(testOrg.id, "sneaky")).toBeNull();
});

test("an admin creates an API token in the UI, uses it, revokes it, and the API then answers 401", async ({
  page,
  request,
  testOrg,
  loginAs,
}) => {
  await loginAs("admin");
  const tokensPath = `/orgs/${testOrg.slug}/admin/tokens`;
  await page.goto(tokensPath);
  await expect(page.getByText("No tokens yet.")).toBeVisible();
  const form = page.getByRole("region", { name: "Create a token" });

  // No scope chosen: refused, nothing created.
  await form.getByLabel("Name", { exact: true }).fill("ui-pipeline");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.locator("#scopes-error")).toBeVisible();
  // (The message reads "Required"; see the separate expected-failure test below.)
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(listApiTokens(testOrg.id)).toEqual([]);

  await form.getByLabel("Name", { exact: true }).fill("ui-pipeline");
  await form.getByRole("checkbox", { name: /^registry:read / }).check();
  await form.getByRole("checkbox", { name: /^registry:write / }).check();
  await form.getByRole("button", { name: "Create token" }).click();
  const secretLocator = page.getByTestId("new-token");
  await expect(secretLocator).toHaveText(/^amp_\S+$/);
  const secret = (await secretLocator.textContent())!.trim();
  const row = page.getByRole("row").filter({ hasText: "ui-pipeline" });
  await expect(row).toContainText(`${secret.slice(0, 12)}…`);
  await expect(row).toContainText("registry:read");
  await expect(row).toContainText(testOrg.emails.admin);
  await expect(row.getByRole("cell").nth(5)).toHaveText("Active");
  // The form starts again empty: a second click cannot make the same token twice.
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue("");
  await expect(form.getByRole("checkbox", { checked: true })).toHaveCount(0);
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByText("Name the token after what uses it")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "ui-pipeline" })).toHaveCount(1);

  // It works against the API, for this organisation.
  const list = await expectJson(await request.get(`${API}/models`, { headers: bearer(secret) }), 200);
  expect(list).toMatchObject({ total: 0, models: [] });
  const created = await expectJson(
    await request.post(`${API}/models`, { headers: bearer(secret), data: { name: "Via UI token", riskTier: "minimal" } }),
    201,
  );
  expect(created.slug).toBe("via-ui-token");

  // Shown once: a later visit shows only the prefix, and the last use.
  await page.goto(tokensPath);
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);
  const reloadedRow = page.getByRole("row").filter({ hasText: "ui-pipeline" });
  await expect(reloadedRow).toContainText(`${secret.slice(0, 12)}…`);
  await expect(reloadedRow.getByRole("cell").nth(4)).toContainText("UTC");

  await reloadedRow.getByText("Revoke…").click();
  await reloadedRow.getByRole("checkbox", { name: "Revoke ui-pipeline for good" }).check();
  await reloadedRow.getByRole("button", { name: "Revoke ui-pipeline" }).click();
  await expect(page.getByRole("status")).toHaveText("Token ui-pipeline revoked: every request with it is refused from now on.");
  await expect(page.getByRole("row").filter({ hasText: "ui-pipeline" }).getByRole("cell").nth(5)).toContainText("Revoked");
  await expect(page.getByRole("button", { name: "Revoke ui-pipeline" })).toHaveCount(0);

  await expectApiError(await request.get(`${API}/models`, { headers: bearer(secret) }), 401, "unauthorized");
  await expectApiError(
    await request.post(`${API}/models`, { headers: bearer(secret), data: { name: "After revoke", riskTier: "minimal" } }),
    401,
    "unauthorized",
  );
  expect(getModelDetail(testOrg.id, "after-revoke")).toBeNull();

  // Both steps are in the audit log under the admin's name.
  await page.goto(`/orgs/${testOrg.slug}/audit?entityType=api_token`);
  await expect(page.getByRole("row").filter({ hasText: "api_token.created" })).toContainText(testOrg.emails.admin);
  await expect(page.getByRole("row").filter({ hasText: "api_token.revoked" })).toContainText(testOrg.emails.admin);
});

test("creating a token without a scope explains that a scope is needed", async ({ page, testOrg, loginAs }) => {
  // Regression: ApiTokenCreateSchema (app/modules/auth/auth-schemas.ts) does not turn a missing `scopes` field
  // (no checkbox ticked, so the form sends none) into [], so zod answers "Required" instead of the
  // schema's own "Choose at least one scope".
  await loginAs("admin");
  await page.goto(`/orgs/${testOrg.slug}/admin/tokens`);
  const form = page.getByRole("region", { name: "Create a token" });
  await form.getByLabel("Name", { exact: true }).fill("no-scope");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.locator("#scopes-error")).toHaveText("Choose at least one scope", { timeout: 5_000 });
});
