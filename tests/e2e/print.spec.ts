/**
 * Printed pages (app/styles/app.css, `@media print`): under print media, on the demo data, the pages people print
 * show no navigation, no buttons or forms that act, and every table fits the paper: no table wider than its box, no
 * box that scrolls or clips, no text cut short with an ellipsis. The roadmap prints each item's status and evidence
 * that only its form shows on a screen.
 */
import { test, expect, signInAs } from "./fixtures";
import { DEMO_PASSWORD } from "../setup/test-orgs";
import { DEMO_EMAILS, demoRouteParams } from "../setup/page-urls";

test("printed pages drop the navigation and forms, and every table fits the paper", async ({ page }) => {
  const { orgSlug, assessmentId, biasAuditId, roadmapId } = demoRouteParams(process.env.DATABASE_URL!);
  const org = `/orgs/${orgSlug}`;
  const roadmap = `${org}/roadmaps/${roadmapId}`;
  const pages = [org, `${org}/assessments/${assessmentId}`, `${org}/models`, `${org}/bias-audits/${biasAuditId}`, roadmap, `${org}/audit`];
  await signInAs(page, DEMO_EMAILS.admin, DEMO_PASSWORD);
  await page.emulateMedia({ media: "print" });
  const problems: string[] = [];
  for (const url of pages) {
    await page.goto(url);
    const found = await page.evaluate(() => {
      const shown = (element: Element) => (element as HTMLElement).offsetParent !== null || getComputedStyle(element).position === "fixed";
      const out: string[] = [];
      for (const selector of [".topbar", "nav.org-nav", ".footer", "button:not(.text-button)", "form:not(.print-keep)", ".button"]) {
        const visible = Array.from(document.querySelectorAll(selector)).filter(shown);
        if (visible.length) out.push(`${selector} printed: ${visible[0]?.textContent?.trim().slice(0, 40)}`);
      }
      const main = document.querySelector("main")!;
      const right = main.getBoundingClientRect().right + 0.5;
      for (const table of Array.from(main.querySelectorAll("table")).filter(shown)) {
        const heading = table.querySelector("th")?.textContent?.trim();
        if (table.scrollWidth > table.clientWidth)
          out.push(`table "${heading}": ${table.scrollWidth} px of content in ${table.clientWidth}`);
        if (table.getBoundingClientRect().right > right) out.push(`table "${heading}" runs past the page`);
      }
      for (const element of Array.from(main.querySelectorAll("*")).filter(shown) as HTMLElement[]) {
        const style = getComputedStyle(element);
        if (element.closest(".visually-hidden")) continue;
        if (style.overflowX !== "visible" && element.scrollWidth > element.clientWidth)
          out.push(`${element.className || element.tagName} clips its content`);
        if (style.textOverflow === "ellipsis") out.push(`${element.className || element.tagName} cuts its text with an ellipsis`);
      }
      return out;
    });
    problems.push(...found.map((problem) => `${url}: ${problem}`));
  }
  expect(problems).toEqual([]);
  // The roadmap prints an item's status as text instead of its form's select.
  await page.goto(roadmap);
  await expect(page.locator("[data-item] .print-only").first()).toBeVisible();
});
