/**
 * The roadmap page's HTML as the server sends it (what needs no browser): the burn-up's data
 * table. (Rows in the browser: tests/e2e/roadmap-rows.spec.ts.)
 */
import { API, expectJson, send } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { ASSESS, finalisedAssessment, P1, ROADMAP } from "../setup/roadmap-fixtures";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

/** The text of an HTML fragment, tags dropped and spaces collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

test("a new roadmap's burn-up has a data table of its one week", async ({ baseURL, testOrg, apiAs }) => {
  const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const roadmap = await expectJson<{ id: number; items: unknown[] }>(
    await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`),
    201,
  );
  const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const reply = await send(baseURL, `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}`, { cookie });
  expect(reply.status).toBe(200);
  const html = reply.text;
  const figure = /<figure class="chart">(.*?)<\/figure>/s.exec(html)?.[1] ?? "";
  expect(figure).toContain('data-chart="Burn-up: done items over time"');
  const table = textOf(/<details>(.*?)<\/details>/s.exec(figure)?.[1] ?? "");
  expect(table).toMatch(new RegExp(`^Data table Week of Done All items \\d{4}-\\d{2}-\\d{2} 0 ${roadmap.items.length}$`));
});
