import type { Browser, Page } from "@playwright/test";
import { CARD_SECTIONS, type CardSectionId } from "../../app/modules/governance/governance-constants";
import { getVersionCards } from "../../app/modules/governance/model-cards.server";
import { createModel, createVersion, getVersionDetail } from "../../app/modules/registry/registry.server";
import { test, expect, signInAs } from "./fixtures";
import { member, fullLineage, uniqueSlug, type TestOrg } from "../setup/test-orgs";

/**
 * Model card text is Markdown written by users: it must reach the page as
 * text (never as HTML), links only for http(s)/mailto, with rel=noopener.
 */

const SCRIPT = "<script>window.__xss=1</script>";
const IMG = `<img src=x onerror="window.__xss=2">`;
const JS_LINK = "[click](javascript:window.__xss=3)";
const OK_LINK = "[ok](https://example.com)";
const PAYLOAD: Partial<Record<CardSectionId, string>> = {
  modelDetails: `Built by the risk team. ${SCRIPT}`,
  intendedUse: IMG,
  outOfScopeUses: `Do not ${JS_LINK} here.`,
  factors: `See ${OK_LINK} for details.`,
  metrics: "AUC **0.81**",
};
const sections = (overrides: Partial<Record<CardSectionId, string>> = {}) =>
  Object.fromEntries(CARD_SECTIONS.map((s) => [s.id, overrides[s.id] ?? PAYLOAD[s.id] ?? `${s.title} text.`])) as Record<
    CardSectionId,
    string
  >;

/**
 * Regression (app/routes): `…versions.$version.tsx` is the parent route of `…$version.card.tsx` (and `card.tsx` of
 * `card.edit`/`card.compare`) but renders no <Outlet />, so the card page, its editor and the revision
 * comparison show the version page instead. Their actions still run when posted to.
 */

async function pageAs(browser: Browser, org: TestOrg, role: "team" | "ethics" | "auditor"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, org.emails[role]);
  return page;
}

function seedVersion(org: TestOrg) {
  const team = member(org, "team");
  const slug = uniqueSlug("xss-model");
  createModel(org.id, { name: "XSS Probe", slug, riskTier: "limited", tags: ["probe", "security"] }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", ...fullLineage }, team.actor, "ui");
  return { slug, base: `/orgs/${org.slug}/models/${slug}/versions/1.0.0` };
}
const cardsOf = (org: TestOrg, slug: string) => getVersionCards(org.id, getVersionDetail(org.id, slug, "1.0.0")!.version.id);

/** Checks a page that renders card Markdown: text shown literally, nothing executed, only safe links. */
async function expectSafeMarkdown(page: Page) {
  const markdown = page.locator(".markdown");
  await expect(markdown.first()).toBeVisible();
  await expect(page.getByText(SCRIPT, { exact: false }).first()).toBeVisible();
  await expect(page.getByText(IMG).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  await expect(markdown.locator("script")).toHaveCount(0);
  await expect(markdown.locator("img")).toHaveCount(0);
  await expect(page.locator("img[onerror], [onerror]")).toHaveCount(0);
  // The javascript: link is plain text.
  await expect(markdown.getByText("click").first()).toBeVisible();
  await expect(markdown.locator("a", { hasText: "click" })).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);
  // The https link is a link with rel noopener.
  const ok = markdown.getByRole("link", { name: "ok", exact: true }).first();
  await expect(ok).toHaveAttribute("href", "https://example.com");
  await expect(ok).toHaveAttribute("rel", /\bnoopener\b/);
  await markdown.getByText("click").first().click();
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
}

test("the card page and the revision comparison render hostile Markdown as text", async ({ page, browser, testOrg, loginAs }) => {
  test.slow();
  const { slug, base } = seedVersion(testOrg);
  await loginAs("team");

  // Written through the editor.
  await page.goto(`${base}/card/edit`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Model card: XSS Probe");
  await expect(page.getByRole("button", { name: "Save card" })).toBeVisible();
  for (const section of CARD_SECTIONS) await page.getByLabel(section.title, { exact: true }).fill(sections()[section.id]);
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/card$`));
  await expect(page.getByTestId("card-status")).toHaveText("Draft");
  await expectSafeMarkdown(page);
  await expect(page.getByText("0.81").first()).toBeVisible();
  await expect(page.locator(".markdown strong", { hasText: "0.81" })).toHaveCount(1);

  // Submit, ethics approves, and an edit starts revision 2.
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByTestId("card-status")).toHaveText("In review");
  const ethics = await pageAs(browser, testOrg, "ethics");
  await ethics.goto(`${base}/card`);
  await expectSafeMarkdown(ethics);
  await ethics.getByRole("form", { name: "Review decision" }).getByLabel("Approve the card").check();
  await ethics.getByRole("button", { name: "Continue" }).click();
  await ethics.getByRole("button", { name: "Approve revision 1" }).click();
  await expect(ethics.getByTestId("card-status")).toHaveText("Approved");
  await ethics.context().close();

  await page.goto(`${base}/card`);
  await page.getByRole("link", { name: "Start a new revision" }).click();
  await expect(
    page.getByText("Revision 1 is approved and stays as it is; your first change starts revision 2, and later changes go to it."),
  ).toBeVisible();
  await page.getByLabel("Metrics", { exact: true }).fill("AUC **0.84** after retraining");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/card$`));
  await expect(page.getByText(/Revision 2 · /)).toBeVisible();
  await expect(page.getByText("Revision 1: Approved")).toBeVisible();
  await expect(page.getByText("Revision 2: Draft")).toBeVisible();
  expect(cardsOf(testOrg, slug).map((c) => [c.revision, c.status])).toEqual([
    [2, "draft"],
    [1, "approved"],
  ]);

  await page.getByRole("link", { name: "Compare revisions" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/card/compare`));
  await expect(page.getByRole("columnheader", { name: "Revision 1" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Revision 2" })).toBeVisible();
  const metricsRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /Metrics/ }) });
  await expect(metricsRow).toContainText("changed");
  await expect(metricsRow).toContainText("0.81");
  await expect(metricsRow).toContainText("0.84");
  await expectSafeMarkdown(page);
});

test("hostile card text is stored verbatim, exported safely, and revisions follow approval", async ({
  page,
  browser,
  testOrg,
  loginAs,
}) => {
  test.slow();
  const { slug, base } = seedVersion(testOrg);
  await loginAs("team");

  // The editor's action, posted as the form would post it.
  const saved = await page.request.post(`${base}/card/edit`, { form: sections(), maxRedirects: 0 });
  expect(saved.status()).toBe(302);
  expect(saved.headers().location).toBe(`${base}/card`);
  const [card] = cardsOf(testOrg, slug);
  expect(card).toMatchObject({ revision: 1, status: "draft" });
  expect(card!.sections.modelDetails).toBe(PAYLOAD.modelDetails);
  expect(card!.sections.intendedUse).toBe(IMG);
  expect(card!.sections.outOfScopeUses).toBe(PAYLOAD.outOfScopeUses);

  // Markdown export: YAML front matter, then the text as written.
  const md = await page.request.get(`${base}/card.md`);
  expect(md.status()).toBe(200);
  expect(md.headers()["content-type"]).toContain("text/markdown");
  expect(md.headers()["content-disposition"]).toContain(`${slug}-1.0.0-model-card.md`);
  const text = await md.text();
  expect(text.startsWith("---\n")).toBe(true);
  const frontEnd = text.indexOf("\n---\n", 4);
  expect(frontEnd).toBeGreaterThan(0);
  const front = text.slice(4, frontEnd);
  expect(front).toContain('model_name: "XSS Probe"');
  expect(front).toContain(`model_id: "${slug}@1.0.0"`);
  expect(front).toMatch(/tags:\n {2}- "probe"\n {2}- "security"/);
  expect(front).toContain('risk_tier: "limited"');
  expect(front).toContain("card_revision: 1");
  expect(front).toContain('card_status: "draft"');
  const body = text.slice(frontEnd + 5);
  expect(body.split("\n").filter((l) => l.startsWith("## "))).toEqual(CARD_SECTIONS.map((s) => `## ${s.title}`));
  // Raw HTML is carried as escaped text and the javascript: link keeps only its words (issue #14), as on the page.
  expect(body).not.toContain(SCRIPT);
  expect(body).not.toMatch(/(?<!\\)<(script|img)/);
  expect(body).not.toMatch(/javascript:/i);
  expect(body).toContain("\\<script\\>window.\\_\\_xss=1\\</script\\>");
  expect(body).toContain("Do not click here.");
  expect(body).toContain("See [ok](https://example.com) for details.");

  // PDF export.
  const pdf = await page.request.get(`${base}/card.pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toContain("application/pdf");
  const bytes = await pdf.body();
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("%PDF");
  expect(bytes.length).toBeGreaterThan(1000);

  // The audit log shows the card's text as text.
  const auditor = await pageAs(browser, testOrg, "auditor");
  await auditor.goto(`/orgs/${testOrg.slug}/audit?action=model_card.created`);
  const row = auditor.locator("table tbody tr").first();
  await expect(row).toContainText("window.__xss=1");
  await expect(row).toContainText('onerror=\\"window.__xss=2\\"');
  await expect(auditor.locator("main script:not([nonce])")).toHaveCount(0);
  await expect(auditor.locator("img")).toHaveCount(0);
  expect(await auditor.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  await auditor.context().close();

  // Submit (team) and approve (ethics) through the card page's action.
  const cardId = String(card!.id);
  expect((await page.request.post(`${base}/card`, { form: { intent: "submit", cardId } })).status()).toBe(200);
  const ethics = await pageAs(browser, testOrg, "ethics");
  // Changes requested need a comment.
  expect((await ethics.request.post(`${base}/card`, { form: { intent: "review", cardId, decision: "request_changes" } })).status()).toBe(
    422,
  );
  expect((await ethics.request.post(`${base}/card`, { form: { intent: "review", cardId, decision: "approve" } })).status()).toBe(200);
  await ethics.context().close();
  expect(cardsOf(testOrg, slug)[0]).toMatchObject({ revision: 1, status: "approved" });

  // Editing after approval starts revision 2; revision 1 stays as it was.
  const edited = await page.request.post(`${base}/card/edit`, {
    form: sections({ metrics: "AUC **0.84** after retraining" }),
    maxRedirects: 0,
  });
  expect(edited.status()).toBe(302);
  const [r2, r1] = cardsOf(testOrg, slug);
  expect([r2!.revision, r2!.status, r1!.revision, r1!.status]).toEqual([2, "draft", 1, "approved"]);
  expect(r1!.sections).toEqual(card!.sections);
  expect(r2!.sections.metrics).toBe("AUC **0.84** after retraining");
  const md2 = await (await page.request.get(`${base}/card.md`)).text();
  expect(md2).toContain("card_revision: 2");
  expect(md2).toContain('card_status: "draft"');
  // The export writes the sanitised tree back as Markdown: the same text, with the dot escaped.
  expect(md2).toContain("AUC **0\\.84** after retraining");
});
