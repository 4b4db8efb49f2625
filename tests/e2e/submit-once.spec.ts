/**
 * Submitting twice does not do it twice (issue #14, §8), in a real browser:
 * the submit button is disabled while the post is under way, so a double
 * click sends one post. (Without JavaScript the form's one-time token does
 * the job on the server: tests/integration/submit-once.test.ts.)
 */
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { models } from "../../db/schema";
import { expect, test } from "./fixtures";

const modelsOf = (orgId: number) => getDb().select().from(models).where(eq(models.orgId, orgId)).all();

test("the register button is disabled while its post is under way; a double click registers one model", async ({
  page,
  testOrg,
  loginAs,
}) => {
  await loginAs("team");
  const path = `/orgs/${testOrg.slug}/models/new`;
  await page.goto(path);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname === path,
    async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    },
  );
  await page.getByLabel("Name").fill("Clicked twice");
  const button = page.getByRole("button", { name: "Register model" });
  await button.dblclick();
  await expect(button).toBeDisabled();
  release();
  await expect(page).toHaveURL(`/orgs/${testOrg.slug}/models/clicked-twice`);
  expect(modelsOf(testOrg.id).map((m) => m.slug)).toEqual(["clicked-twice"]);
});
