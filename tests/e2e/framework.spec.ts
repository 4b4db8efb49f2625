import { test, expect } from "./fixtures";

// An unknown component's 404 needs no browser: tests/integration/pages.test.ts.

const COMPONENTS = [
  "AI/ML Technical Capability",
  "MLOps Maturity",
  "Model Lifecycle Management",
  "Production Operations",
  "Technical Standards & Best Practices",
];

test("anyone can read the framework with all five components", async ({ page }) => {
  await page.goto("/framework");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Technology & Operations");
  const cards = page.getByTestId("framework-component");
  await expect(cards).toHaveCount(5);
  for (const name of COMPONENTS) {
    await expect(cards.getByRole("link", { name })).toBeVisible();
  }
  for (const level of ["Initial", "Developing", "Defined", "Managed", "Optimizing"]) {
    await expect(page.getByRole("heading", { level: 3, name: new RegExp(level) })).toBeVisible();
  }
  await expect(page.getByText(/Level 1 → 2/)).toBeVisible();
});

test("each component page lists its indicators and statements per level", async ({ page }) => {
  await page.goto("/framework");
  for (const name of COMPONENTS) {
    await page.getByTestId("framework-component").getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(6);
    for (const level of ["Developing", "Defined", "Managed", "Optimizing"]) {
      await expect(page.getByRole("heading", { level: 3, name: new RegExp(level) })).toBeVisible();
    }
    await page.getByRole("link", { name: "← Framework" }).click();
  }
});
