import { getDb } from "../../db/client";
import { test, expect, signInAs } from "./fixtures";
import { DEMO_PASSWORD } from "../setup/test-orgs";

// The audit CSV export needs no browser: tests/integration/audit-trail.test.ts.

/**
 * The pages people land on, on the demo organisation (read-only): each role's
 * dashboard answers "what needs me, and where do we stand", and the audit log
 * reads as sentences numbered 1, 2, 3… per organisation.
 */

const RAW_ACTION = /\b[a-z]+_?[a-z]*\.[a-z_]+\b/;

test.describe("the dashboard, per role", () => {
  test("leadership sees the latest finalised score, level, band, change, a radar and the roadmap, then the registry", async ({ page }) => {
    await signInAs(page, "leader@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    const standing = page.getByRole("region", { name: "Where we stand" });
    await expect(standing).toBeVisible();
    await expect(standing.getByTestId("maturity-score")).toHaveText(/^\d\.\d$/);
    await expect(standing).toContainText(/Level \d \w+ · (strong|developing|moderate|weak) band/);
    await expect(standing.getByTestId("maturity-change")).toContainText(/[+−±]\d\.\d since \d{4}-Q\d/);
    // The radar fills its half of the card rather than a thumbnail.
    const radar = standing.locator("canvas[data-chart^='Component scores']");
    await expect(radar).toBeVisible();
    await expect.poll(async () => (await radar.boundingBox())?.width ?? 0).toBeGreaterThan(300);
    await expect(standing.getByTestId("roadmap-progress")).toContainText(/\d+ of \d+ items done · \d+ overdue/);
    await expect(standing.getByRole("progressbar", { name: "Roadmap items done" })).toBeVisible();
    // The registry figures come after the standing.
    const order = await page.evaluate(() => {
      const standingTop = document.getElementById("standing")!.getBoundingClientRect().top;
      const registryTop = document.querySelector("[data-testid=registry-metrics]")!.getBoundingClientRect().top;
      return standingTop < registryTop;
    });
    expect(order).toBe(true);
    await expect(page.getByRole("region", { name: "Waiting for your review" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Audit trail" })).toHaveCount(0);
  });

  test("the score is the latest finalised assessment's, never a draft's or a withdrawn one's", async ({ page }) => {
    const sqlite = getDb().$client;
    const latest = sqlite
      .prepare(
        "select a.period from assessments a join organizations o on o.id = a.org_id where o.slug = 'demo' and a.status = 'finalized' order by a.period desc limit 1",
      )
      .pluck()
      .get() as string;
    await signInAs(page, "admin@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    await expect(page.getByRole("region", { name: "Where we stand" })).toContainText(`${latest} (latest finalised assessment)`);
    // Admins also see the recent activity, in words.
    const activity = page.getByTestId("recent-activity");
    await expect(activity.getByRole("listitem")).toHaveCount(8);
    expect(await activity.textContent()).not.toMatch(RAW_ACTION);
  });

  test("the auditor's reviews page says an auditor decides nothing, and shows no empty queues", async ({ page }) => {
    await signInAs(page, "auditor@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo/reviews");
    await expect(page.locator(".lead")).toContainText("An auditor reads every decision but makes none");
    await expect(page.locator(".lead").getByRole("link", { name: "audit log" })).toHaveAttribute("href", "/orgs/demo/audit");
    await expect(page.getByRole("heading", { level: 2 })).toHaveCount(0);
  });

  test("ethics sees what waits for their review", async ({ page }) => {
    await signInAs(page, "ethics@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    const queue = page.getByRole("region", { name: "Waiting for your review" });
    await expect(queue.getByRole("heading", { name: /^Promotion requests \(1\)$/ })).toBeVisible();
    await expect(queue.getByRole("heading", { name: /^Model cards in review \(1\)$/ })).toBeVisible();
    await expect(queue.getByRole("heading", { name: /^Bias audits to sign off \(1\)$/ })).toBeVisible();
    // Model names, not slugs.
    await expect(queue.getByRole("link", { name: "Customer Churn Predictor 3.0.0" })).toHaveAttribute(
      "href",
      /\/orgs\/demo\/approvals\/\d+$/,
    );
    await expect(queue.getByRole("link", { name: "Résumé Screener 2.0.0" }).first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Where we stand" })).toHaveCount(0);
  });

  test("a team member sees their open items, overdue and due soon", async ({ page }) => {
    await signInAs(page, "team@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    const mine = page.getByRole("region", { name: "Your roadmap items" });
    await expect(mine.getByTestId("my-items-summary")).toContainText(/\d+ overdue · \d+ due in the next 14 days · \d+ open in all/);
    expect(await mine.getByRole("listitem").count()).toBeGreaterThan(0);
    await expect(page.getByRole("region", { name: "Where we stand" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Waiting for your review" })).toHaveCount(0);
  });

  test("an auditor sees the audit chain's state and recent activity", async ({ page }) => {
    await signInAs(page, "auditor@demo.local", DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    const trail = page.getByRole("region", { name: "Audit trail" });
    await expect(trail.getByTestId("chain-state")).toContainText(/Hash chain intact: all \d+ events verified/);
    const activity = page.getByRole("region", { name: "Recent activity" });
    await expect(activity.getByRole("listitem")).toHaveCount(8);
    expect(await activity.textContent()).not.toMatch(RAW_ACTION);
  });
});

test.describe("the audit log", () => {
  test("shows one readable row per event, numbered by the organisation's gapless sequence", async ({ page }) => {
    await signInAs(page, "auditor@demo.local", DEMO_PASSWORD);
    const total = getDb()
      .$client.prepare("select count(*) from audit_events e join organizations o on o.id = e.org_id where o.slug = 'demo'")
      .pluck()
      .get() as number;
    await page.goto("/orgs/demo/audit");
    const rows = page.locator("table tbody tr");
    await expect(rows).toHaveCount(50);
    const numbers = (await rows.locator("td:first-child").allTextContents()).map(Number);
    // Newest first, starting at the number of events, one apart.
    expect(numbers[0]).toBe(total);
    expect(numbers).toEqual(numbers.map((_, i) => total - i));

    // Actions read as words; the identifier waits in the detail view.
    const actions = await rows.locator("td:nth-child(4)").allInnerTexts();
    for (const action of actions) expect(action).not.toMatch(RAW_ACTION);
    const first = rows.first();
    const details = first.locator("details");
    await expect(details.locator("pre")).toBeHidden();
    await details.locator("summary").click();
    await expect(details.locator("pre")).toBeVisible();
    await expect(details.locator("code").first()).toHaveText(RAW_ACTION);

    // Events about a version link to it by the model's name.
    const versionRow = page
      .locator('table tbody tr[data-action="model_version.stage_changed"], table tbody tr[data-action="monitoring.recorded"]')
      .first();
    const link = versionRow.locator("td:nth-child(5) a");
    await expect(link).toHaveAttribute("href", /\/orgs\/demo\/models\/[a-z0-9-]+\/versions\/[\d.]+$/);
    await link.click();
    await expect(page).toHaveURL(/\/versions\//);

    // The next page continues the sequence.
    await page.goto("/orgs/demo/audit");
    await page.getByRole("link", { name: "Older events →" }).click();
    await expect(page.locator("table tbody tr td:first-child").first()).toHaveText(String(total - 50));

    // The demo's history is dated as it happened: months apart, not all at the server's start.
    const oldest = getDb()
      .$client.prepare("select min(e.created_at) from audit_events e join organizations o on o.id = e.org_id where o.slug = 'demo'")
      .pluck()
      .get() as number;
    expect(Date.now() - oldest).toBeGreaterThan(300 * 86_400_000);
  });
});
