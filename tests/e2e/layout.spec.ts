/**
 * Every page fits a phone and passes axe: each document route of the built
 * route manifest, at 390×844, as the roles listed in PAGES below (one that can
 * see it, plus the roles for whom the page differs), on the demo data. The
 * document may be no wider than the viewport, and axe-core (every rule, the
 * whole page) may find nothing serious or critical. A new document route
 * without an entry in PAGES fails the first test.
 */
import type { Browser, BrowserContext } from "@playwright/test";
import { test, expect, signInAs, axeFindings } from "./fixtures";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { DEMO_PASSWORD, fullLineage, member } from "../setup/test-orgs";
import {
  DEMO_EMAILS,
  demoRouteParams,
  documentRouteIds,
  loadManifest,
  pageUrl,
  viewersOf,
  type ManifestRoute,
  type Viewer,
} from "../setup/page-urls";

const VIEWPORT = { width: 390, height: 844 };

/** Who looks at each page. The first role is one that can see it; more where the page differs by role. */
const PAGES: Record<string, readonly Viewer[]> = {
  "routes/_index": ["anon"],
  "routes/login": ["anon"],
  "routes/framework._index": ["anon"],
  "routes/framework.scoring": ["anon"],
  "routes/framework.$componentId": ["anon"],
  "routes/account": ["admin"],
  "routes/invitations._index": ["team"],
  "routes/invitations.declined": ["anon"],
  // The demo data has no open invitation link (the probed token names none); tests/e2e/admin.spec.ts checks a real one.
  "routes/invitations.$token": [],
  "routes/forgot-password": ["anon"],
  // No reset link exists in the demo data; tests/integration/password-reset.test.ts opens a real one.
  "routes/reset-password.$token": [],
  // Needs a signed link; tests/integration/notifications.test.ts opens a real one.
  "routes/unsubscribe.$token": [],
  // Single sign-on is off on this server (both answer 404); tests/e2e/sso.spec.ts checks them with a real provider.
  "routes/auth.oidc.callback": [],
  "routes/auth.oidc.link": [],
  "routes/orgs._index": ["admin"],
  "routes/orgs.compare": ["admin"],
  "routes/admin.organizations": ["admin"],
  "routes/admin.frameworks": ["admin"],
  "routes/admin.domains": ["admin"],
  "routes/orgs.$orgSlug._index": ["admin", "leadership", "ethics", "team", "auditor"],
  "routes/orgs.$orgSlug.inbox": ["team", "ethics"],
  "routes/orgs.$orgSlug.reviews": ["ethics", "auditor"],
  "routes/orgs.$orgSlug.audit": ["auditor", "admin"],
  "routes/orgs.$orgSlug.admin._index": ["admin"],
  "routes/orgs.$orgSlug.admin.settings": ["admin"],
  "routes/orgs.$orgSlug.admin.tokens": ["admin"],
  "routes/orgs.$orgSlug.admin.approval-policies": ["admin", "ethics"],
  "routes/orgs.$orgSlug.admin.webhooks._index": ["admin"],
  // The demo data has no webhook endpoint; tests/e2e/webhooks.spec.ts checks a real one's delivery log at 390 px.
  "routes/orgs.$orgSlug.admin.webhooks.$webhookId": [],
  "routes/orgs.$orgSlug.admin.deliveries": ["admin"],
  "routes/orgs.$orgSlug.admin.sso": ["admin"],
  "routes/orgs.$orgSlug.assessments._index": ["leadership", "auditor"],
  "routes/orgs.$orgSlug.assessments.$assessmentId._index": ["leadership", "auditor"],
  "routes/orgs.$orgSlug.assessments.$assessmentId.components.$componentId": ["leadership", "team"],
  "routes/orgs.$orgSlug.assessments.$assessmentId.finalize": ["leadership"],
  "routes/orgs.$orgSlug.roadmaps._index": ["leadership"],
  "routes/orgs.$orgSlug.roadmaps.new": ["leadership"],
  "routes/orgs.$orgSlug.roadmaps.$roadmapId._index": ["leadership", "team"],
  "routes/orgs.$orgSlug.roadmaps.$roadmapId.items.$itemId": ["team", "auditor"],
  "routes/orgs.$orgSlug.models._index": ["team"],
  "routes/orgs.$orgSlug.models.new": ["team"],
  "routes/orgs.$orgSlug.models.$modelSlug._index": ["team"],
  "routes/orgs.$orgSlug.models.$modelSlug.edit": ["team"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.new": ["team"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.$version": ["team", "ethics"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.bias-audits.new": ["team"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card": ["team", "ethics"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card_.compare": ["ethics"],
  "routes/orgs.$orgSlug.models.$modelSlug.versions.$version_.card_.edit": ["team"],
  "routes/orgs.$orgSlug.approvals.$requestId": ["ethics", "team"],
  "routes/orgs.$orgSlug.bias-audits.$biasAuditId": ["ethics", "auditor"],
};

let manifest: Record<string, ManifestRoute>;
let params: Record<string, string>;

test.beforeAll(async () => {
  test.setTimeout(120_000); // importing the server build takes a while on a busy machine
  manifest = await loadManifest(process.env.PORTAL_BUILD_DIR ?? "build");
  params = demoRouteParams(process.env.DATABASE_URL!);
});

test("every document route has an entry, for roles that may see it", () => {
  const routes = documentRouteIds(manifest);
  expect(
    routes.filter((id) => !PAGES[id]),
    "document routes without an entry in PAGES (tests/e2e/layout.spec.ts)",
  ).toEqual([]);
  expect(
    Object.keys(PAGES).filter((id) => !routes.includes(id)),
    "PAGES entries for routes that are not document routes",
  ).toEqual([]);
  const refused = Object.entries(PAGES).flatMap(([id, viewers]) =>
    viewers.filter((v) => !viewersOf(id).includes(v)).map((v) => `${id} as ${v}`),
  );
  expect(refused, "the authorization matrix does not let these see the page").toEqual([]);
});

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;
/** Each viewer signs in once per worker (through the form); its pages open in fresh contexts with that session. */
const sessions = new Map<Viewer, Promise<StorageState>>();
function sessionOf(browser: Browser, viewer: Exclude<Viewer, "anon">): Promise<StorageState> {
  let session = sessions.get(viewer);
  if (!session) {
    session = (async () => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      try {
        await signInAs(await context.newPage(), DEMO_EMAILS[viewer], DEMO_PASSWORD);
        return await context.storageState();
      } finally {
        await context.close();
      }
    })();
    session.catch(() => sessions.delete(viewer));
    sessions.set(viewer, session);
  }
  return session;
}

/** What is wrong with one page as one viewer: too wide, not 200, or serious axe findings. */
async function problemsOf(browser: Browser, routeId: string, viewer: Viewer): Promise<string[]> {
  const storageState = viewer === "anon" ? undefined : await sessionOf(browser, viewer);
  const context = await browser.newContext({ viewport: VIEWPORT, storageState });
  const page = await context.newPage();
  const problems: string[] = [];
  try {
    const url = pageUrl(manifest, routeId, params);
    const response = await page.goto(url);
    if (response?.status() !== 200) return [`${url}: status ${response?.status()}`];
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > VIEWPORT.width) problems.push(`${url}: ${width} px wide at ${VIEWPORT.width} px`);
    for (const finding of await axeFindings(page)) problems.push(`${url}: ${finding}`);
  } finally {
    await context.close();
  }
  return problems;
}

// One test per page and viewer: axe takes seconds on a long page, and single pages spread evenly over the workers.
for (const [routeId, viewers] of Object.entries(PAGES)) {
  for (const viewer of viewers) {
    test(`${routeId.replace(/^routes\//, "")} fits 390 px and passes axe, as ${viewer}`, async ({ browser }) => {
      test.setTimeout(60_000); // axe reads every element of the longest pages
      expect(await problemsOf(browser, routeId, viewer)).toEqual([]);
    });
  }
}

/** The assessment flow's pages, the roadmap list and a bias audit, with every chart's data table opened: where a table would be wider than a phone. */
const WIDE_TABLE_PAGES = [
  "routes/orgs.$orgSlug.assessments._index",
  "routes/orgs.$orgSlug.assessments.$assessmentId._index",
  "routes/orgs.$orgSlug.assessments.$assessmentId.components.$componentId",
  "routes/orgs.$orgSlug.assessments.$assessmentId.finalize",
  "routes/orgs.compare",
  "routes/orgs.$orgSlug.roadmaps._index",
  "routes/orgs.$orgSlug.bias-audits.$biasAuditId",
];

test("on a phone the assessment flow's, roadmap list's and bias audit's tables fit: no table scrolls sideways, and a card's every value is labelled", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: VIEWPORT, storageState: await sessionOf(browser, "leadership") });
  const page = await context.newPage();
  try {
    for (const routeId of WIDE_TABLE_PAGES) {
      const url = pageUrl(manifest, routeId, params);
      expect((await page.goto(url))?.status(), url).toBe(200);
      const found = await page.evaluate(() => {
        for (const details of document.querySelectorAll("main details")) (details as HTMLDetailsElement).open = true;
        return {
          page: document.documentElement.scrollWidth,
          tables: document.querySelectorAll("main table").length,
          scrolling: [...document.querySelectorAll("main .table-wrap")]
            .filter((box) => box.scrollWidth > box.clientWidth)
            .map((box) => `${box.querySelector("th")?.textContent}: ${box.scrollWidth} px in ${box.clientWidth}`),
          unlabelled: [...document.querySelectorAll<HTMLTableCellElement>("main .card-table td:not([data-label])")]
            .filter((td) => td.colSpan === 1)
            .map((td) => td.textContent),
        };
      });
      expect(found.page, `${url}: page width`).toBeLessThanOrEqual(VIEWPORT.width);
      expect(found.scrolling, `${url}: tables scrolling sideways`).toEqual([]);
      expect(found.unlabelled, `${url}: values without their column's name`).toEqual([]);
    }
    // The assessment's components are cards, one per component, each value under its column's name.
    await page.goto(pageUrl(manifest, "routes/orgs.$orgSlug.assessments.$assessmentId._index", params));
    const card = page.getByTestId("component-table").locator("tbody tr").first();
    await expect(card.locator('td[data-label="Registry evidence"]')).toBeVisible();
    expect(await card.locator("td").evaluateAll((cells) => cells.map((td) => getComputedStyle(td, "::before").content))).toEqual([
      '"Answered: "',
      '"Score: "',
      '"Level: "',
      '"Registry evidence: "',
      '"Flag: "',
      '"Responses: "',
    ]);
  } finally {
    await context.close();
  }
});

test("on a phone the header folds into a menu that opens without JavaScript, and badges stay round", async ({ browser }) => {
  const context = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await signInAs(page, DEMO_EMAILS.ethics, DEMO_PASSWORD);
    await page.goto("/orgs/demo/reviews");
    const signOut = page.getByRole("button", { name: "Sign out" });
    await expect(signOut).toBeHidden();
    // The button carries the inbox count beside its word when there is one.
    await page.locator("label.topbar-menu-button").click();
    await expect(signOut).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Framework" })).toBeVisible();
    // The demo has reviews waiting for ethics: the badge is a circle, not an oval.
    const badge = page
      .getByRole("navigation", { name: "Organisation" })
      .getByRole("link", { name: /Reviews/ })
      .locator(".count-badge");
    const box = (await badge.boundingBox())!;
    expect(Math.abs(box.width - box.height), `badge ${box.width}×${box.height}`).toBeLessThanOrEqual(1);
  } finally {
    await context.close();
  }
});

test("the organisation navigation marks the open section and moves between sections without reloading the page", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signInAs(page, DEMO_EMAILS.admin, DEMO_PASSWORD);
    await page.goto("/orgs/demo");
    const nav = page.getByRole("navigation", { name: "Organisation" });
    await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    // A mark on the window survives only an in-app navigation, not a new document.
    await page.evaluate(() => Object.assign(window, { stillHere: true }));
    await nav.getByRole("link", { name: "Models" }).click();
    await expect(page).toHaveURL(/\/orgs\/demo\/models$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Models/);
    await expect(nav.getByRole("link", { name: "Models" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current", "page");
    await page.getByRole("link", { name: "Framework" }).first().click();
    await expect(page).toHaveURL(/\/framework$/);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  } finally {
    await context.close();
  }
});

/** The contrast ratio of two `rgb(…)` colours (WCAG's relative luminance). */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, bl] = (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

test("the focus ring stands out (3:1) on a white card, on the grey page and on the dark top bar", async ({ page }) => {
  await signInAs(page, DEMO_EMAILS.team, DEMO_PASSWORD);
  await page.goto("/orgs/demo/models/new");
  // Focus from the keyboard first: later focus() calls then show the ring as a Tab would.
  await page.keyboard.press("Tab");
  const targets = {
    "white card": page.getByLabel("Name", { exact: true }),
    "grey page": page.getByRole("navigation", { name: "Organisation" }).getByRole("link", { name: "Models" }),
    "dark top bar": page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Framework" }),
  };
  for (const [where, target] of Object.entries(targets)) {
    await target.focus();
    const { ring, width, behind } = await target.evaluate((element) => {
      const style = getComputedStyle(element);
      // What the ring is drawn on: the nearest ancestor with a background of its own.
      let background = "rgba(0, 0, 0, 0)";
      for (let at = element.parentElement; at && /rgba\(0, 0, 0, 0\)|transparent/.test(background); at = at.parentElement) {
        background = getComputedStyle(at).backgroundColor;
      }
      return { ring: element.matches(":focus-visible") ? style.outlineColor : "none", width: style.outlineWidth, behind: background };
    });
    expect(ring, `${where}: the focused element shows no ring`).not.toBe("none");
    expect(width, where).toBe("3px");
    expect(contrast(ring, behind), `${where}: ring ${ring} on ${behind}`).toBeGreaterThanOrEqual(3);
  }
});

test("a key-value list breaks a long value without spaces rather than widen a phone's page", async ({ page, testOrg, loginAs }) => {
  const team = member(testOrg, "team");
  // A content hash: nowhere a line may break on its own.
  const artifactUri = `s3://models/${"9f86d081884c7d65".repeat(4)}/model.bin`;
  createModel(testOrg.id, { name: "Long addresses", slug: "long-addresses", riskTier: "minimal" }, team.actor, "ui");
  createVersion(testOrg.id, "long-addresses", { version: "1.0.0", ...fullLineage, artifactUri }, team.actor, "ui");
  await loginAs("team");
  await page.setViewportSize(VIEWPORT);
  await page.goto(`/orgs/${testOrg.slug}/models/long-addresses/versions/1.0.0`);
  const value = page.getByRole("region", { name: "Lineage" }).getByText(artifactUri);
  await expect(value).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORT.width);
  // Broken over lines inside its column, not cut off by it.
  expect(await value.evaluate((dd) => dd.scrollWidth <= dd.clientWidth && dd.getClientRects().length > 0 && dd.clientHeight > 40)).toBe(
    true,
  );
});

test("'Skip to content' leads past the organisation's navigation to the page's own content", async ({ page }) => {
  await signInAs(page, DEMO_EMAILS.team, DEMO_PASSWORD);
  const skipThenTab = async (path: string) => {
    await page.goto(path);
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
  };
  await skipThenTab("/orgs/demo/models");
  await expect(page.getByRole("link", { name: "Register a model" })).toBeFocused();
  // A page without the organisation's navigation: the first thing to focus in <main>.
  await skipThenTab("/framework");
  expect(await page.evaluate(() => document.activeElement?.closest("main") !== null)).toBe(true);
});

test("on a phone with JavaScript the menu is a disclosure button; Escape closes it and gives focus back", async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  await signInAs(page, DEMO_EMAILS.ethics, DEMO_PASSWORD);
  await page.goto("/orgs/demo/reviews");
  const menu = page.getByRole("button", { name: /^Menu/ });
  const signOut = page.getByRole("button", { name: "Sign out" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("banner").getByRole("checkbox")).toHaveCount(0);
  await expect(signOut).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(signOut).toBeVisible();
  // Into the menu from the keyboard, then Escape: closed, and focus is on the button again.
  await page.keyboard.press("Tab");
  await expect(page.locator("#topbar-menu :focus")).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(signOut).toBeHidden();
  await expect(menu).toBeFocused();
  // Enter opens it again; the next page starts with it closed.
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Framework" }).click();
  await expect(page).toHaveURL(/\/framework$/);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});
