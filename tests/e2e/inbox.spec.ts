import { test, expect, signInAs } from "./fixtures";
import { DEMO_PASSWORD } from "../setup/test-orgs";

// That pages outside an organisation have no inbox needs no browser: tests/integration/pages.test.ts.

test("the header inbox lists the member's overdue and due-this-week items and what waits for review", async ({ page }) => {
  await signInAs(page, "leader@demo.local", DEMO_PASSWORD);
  await page.goto("/orgs/demo");
  const inbox = page.getByTestId("header-inbox");
  await expect(inbox).toBeVisible();
  await inbox.click();
  await expect(page).toHaveURL(/\/orgs\/demo\/inbox$/);
  await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
  for (const id of ["overdue", "week"]) {
    const section = page.locator(`section[aria-labelledby=${id}]`);
    const heading = await section.getByRole("heading").textContent();
    const count = Number(/\((\d+)\)/.exec(heading ?? "")?.[1]);
    await expect(section.getByRole("listitem")).toHaveCount(count);
  }
  // The demo roadmap has overdue items, so the organisation-wide link is there.
  await expect(page.getByRole("link", { name: /All overdue and due-this-week items/ })).toBeVisible();
  await expect(page.getByText(/model card\(s\), \d+ bias audit\(s\), \d+ approval request\(s\)/)).toBeVisible();
});
