import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessmentAnswers } from "../../db/schema";
import { test, expect } from "./fixtures";
import { API, expectJson } from "../setup/api-client";
import { quarterOf } from "../../app/utils/quarters";

/**
 * Clicking Save while an autosave is still on its way must not post a second
 * save against the version that autosave is replacing: that is the person's
 * own change, not someone else's, and must never show as a conflict.
 */
test("Save clicked while an autosave is in flight waits for it and never conflicts with it", async ({ page, testOrg, loginAs, apiAs }) => {
  const { ctx } = await apiAs(testOrg.id, ["assessment:write"]);
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period: quarterOf(new Date()) } }), 201);
  await loginAs("leadership");
  const path = `/orgs/${testOrg.slug}/assessments/${id}/components/technical-capability`;
  await page.goto(path);
  await page.waitForLoadState("networkidle");

  // The server answers the first autosave at once, but its answer reaches the page only after a pause.
  let held = 0;
  await page.route(
    (url) => url.pathname.startsWith(path),
    async (route) => {
      if (route.request().method() !== "POST" || held++ > 0) return route.continue();
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.fulfill({ response });
    },
  );
  const question = page.getByRole("group", { name: /AI\/ML Development Capability/ });
  await question.getByRole("radio").nth(2).check();
  await expect(page.getByRole("status").filter({ hasText: "Saving…" })).toBeVisible();
  await question.getByLabel("Note", { exact: true }).fill("Agreed with the platform lead");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await expect(page.getByRole("status").filter({ hasText: /^All changes saved$/ })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText(/someone else saved this/)).toHaveCount(0);
  const answer = () =>
    getDb()
      .select()
      .from(assessmentAnswers)
      .where(and(eq(assessmentAnswers.assessmentId, id), eq(assessmentAnswers.questionId, "development-capability")))
      .get();
  await expect.poll(answer).toMatchObject({ level: 3, note: "Agreed with the platform lead" });
});
