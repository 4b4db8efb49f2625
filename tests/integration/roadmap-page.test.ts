/**
 * The roadmap page's HTML as the server sends it (what needs no browser): the burn-up's data
 * table. (Rows in the browser: tests/e2e/roadmap-rows.spec.ts.)
 */
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { API, expectJson, send, type ApiClient } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { ASSESS, finalisedAssessment, P1, ROADMAP, storedItem } from "../setup/roadmap-fixtures";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

type Generated = { id: number; items: Array<{ id: number; dueDate: string }> };

/** A roadmap generated through the API from a finalised assessment, and the client that made it. */
async function generated(apiAs: (orgId: number, scopes: ApiScope[]) => Promise<{ ctx: ApiClient }>, orgId: number, data = {}) {
  const api = await apiAs(orgId, [...ASSESS, ...ROADMAP]);
  const assessment = await finalisedAssessment(api.ctx, P1);
  const roadmap = await expectJson<Generated>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`, { data }), 201);
  return { api, roadmap };
}

/** The text of an HTML fragment: React's text separators dropped, other tags made spaces, spaces collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

test("a new roadmap's burn-up has a data table of its one week", async ({ baseURL, testOrg, apiAs }) => {
  const { roadmap } = await generated(apiAs, testOrg.id);
  const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const reply = await send(baseURL, `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}`, { cookie });
  expect(reply.status).toBe(200);
  const html = reply.text;
  const figure = /<figure class="chart">(.*?)<\/figure>/s.exec(html)?.[1] ?? "";
  expect(figure).toContain('data-chart="Burn-up: done items over time"');
  const table = textOf(/<details>(.*?)<\/details>/s.exec(figure)?.[1] ?? "");
  expect(table).toMatch(new RegExp(`^Data table Week of Done All items \\d{4}-\\d{2}-\\d{2} 0 ${roadmap.items.length}$`));
});

test("leadership moves an item's due date on its page; the team sees no such field and a forged one changes nothing", async ({
  baseURL,
  testOrg,
  apiAs,
}) => {
  const { roadmap } = await generated(apiAs, testOrg.id);
  const item = roadmap.items[0]!;
  const path = `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}/items/${item.id}`;
  const post = (cookie: string, fields: Record<string, string>) =>
    send(baseURL, path, {
      method: "POST",
      cookie,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: baseURL },
      body: new URLSearchParams({ intent: "update", ...fields }).toString(),
    });

  const leader = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
  expect((await send(baseURL, path, { cookie: leader.cookie })).text).toMatch(/<input[^>]*name="dueDate"[^>]*type="date"/);
  expect((await post(leader.cookie, { dueDate: "2031-05-31" })).status).toBe(200);
  expect(storedItem(item.id).dueDate).toBe("2031-05-31");
  const refused = await post(leader.cookie, { dueDate: "2031-02-30" });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain("That date does not exist");
  expect(storedItem(item.id).dueDate).toBe("2031-05-31");

  const team = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const page = (await send(baseURL, path, { cookie: team.cookie })).text;
  expect(page).toContain('aria-label="Work on this item"');
  expect(page).not.toContain('name="dueDate"');
  const forged = await post(team.cookie, { dueDate: "2020-01-31" });
  expect(forged.status).toBeGreaterThanOrEqual(400);
  expect(forged.text).toContain("Only leadership and admins change due dates");
  expect(storedItem(item.id).dueDate).toBe("2031-05-31");
});

test("the page and dashboard speak plainly: status labels, a future start, no default criterion answer, a print note", async ({
  baseURL,
  testOrg,
  apiAs,
}) => {
  const { api, roadmap } = await generated(apiAs, testOrg.id, { startDate: "2099-01-01" });
  await expectJson(await api.ctx.patch(`${API}/roadmap-items/${roadmap.items[0]!.id}`, { data: { ownerEmail: testOrg.emails.team } }), 200);

  const team = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const dashboard = textOf((await send(baseURL, `/orgs/${testOrg.slug}`, { cookie: team.cookie })).text);
  expect(dashboard).toContain("(To do)");
  expect(dashboard).not.toContain("(todo)");

  const leader = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
  const leaderDashboard = textOf((await send(baseURL, `/orgs/${testOrg.slug}`, { cookie: leader.cookie })).text);
  expect(leaderDashboard).toMatch(/starts 1 Jan 2099|starts 2099-01-01/);

  const page = (await send(baseURL, `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}`, { cookie: leader.cookie })).text;
  const selects = [...page.matchAll(/<select name="met"[^>]*>(.*?)<\/select>/gs)];
  expect(selects.length).toBeGreaterThan(0);
  for (const [whole, options] of selects) {
    expect(whole).toContain("required");
    expect(options).toMatch(/<option value="" disabled="" selected="">Met or not\?<\/option>/);
  }

  // The component view lists an item once per component: more rows than a page holds.
  const byComponent = await send(baseURL, `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}?view=component`, { cookie: leader.cookie });
  const note = /<p class="print-only" data-testid="print-page-note">(.*?)<\/p>/s.exec(byComponent.text)?.[1];
  expect(textOf(note ?? "")).toMatch(/^Items 1–25 of \d+: print each page, or export the PDF for all items\.$/);
});
