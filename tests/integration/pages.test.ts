/**
 * Pages checked over HTTP, against the real server: status codes, the error
 * page's heading and what the header offers. (Moved from the Playwright specs:
 * these need the HTML the server sends, not a browser.)
 */
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createIncident, createModel, createVersion } from "../../app/modules/registry/registry.server";
import { send } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { createTestOrg, member, TEST_PASSWORD } from "../setup/test-orgs";
import { createAssessment } from "../../app/modules/assessment/assessments.server";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";

const heading = (html: string) => /<h1\b[^>]*>(.*?)<\/h1>/s.exec(html)?.[1];
const hasInbox = (html: string) => html.includes('data-testid="header-inbox"');

test("an unknown framework component is a 404 with the Not found page", async ({ baseURL }) => {
  const reply = await send(baseURL, "/framework/not-a-component");
  expect(reply.status).toBe(404);
  expect(heading(reply.text)).toBe("Not found");
});

test("a member of another organisation gets 404, a member without the role 403", async ({ baseURL, testOrg }) => {
  const other = await createTestOrg("other");
  const admin = await signIn(baseURL, testOrg.emails.admin, TEST_PASSWORD);
  const foreign = await send(baseURL, `/orgs/${other.slug}`, { cookie: admin.cookie });
  expect(foreign.status).toBe(404);
  expect(heading(foreign.text)).toBe("Not found");
  expect((await send(baseURL, "/orgs/no-such-org", { cookie: admin.cookie })).status).toBe(404);

  const team = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const refused = await send(baseURL, `/orgs/${testOrg.slug}/admin`, { cookie: team.cookie });
  expect(refused.status).toBe(403);
  expect(heading(refused.text)).toBe("Not allowed");
});

test("a search longer than the limit does not crash the model list", async ({ baseURL, testOrg }) => {
  // Regression: the loader of app/routes/orgs.$orgSlug.models._index.tsx called ModelListQuerySchema.parse(),
  // which throws on q > 100 (team > 80, tag > 40) characters, so the page answered 500.
  const { cookie } = await signIn(baseURL, testOrg.emails.auditor, TEST_PASSWORD);
  const reply = await send(baseURL, `/orgs/${testOrg.slug}/models?q=${"a".repeat(101)}`, { cookie });
  expect(reply.status).toBeLessThan(500);
  expect(heading(reply.text)).toBe("Models");
  // The page ignores bad filter and page values (the API refuses them with 422).
  const lenient = await send(baseURL, `/orgs/${testOrg.slug}/models?stage=bogus&riskTier=nope&page=0&pageSize=101`, { cookie });
  expect(lenient.status).toBe(200);
  expect(heading(lenient.text)).toBe("Models");
});

test("the header inbox is on organisation pages only", async ({ baseURL, testOrg }) => {
  const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const orgPage = await send(baseURL, `/orgs/${testOrg.slug}`, { cookie });
  expect(orgPage.status).toBe(200);
  expect(hasInbox(orgPage.text)).toBe(true);
  for (const path of ["/framework", "/account"]) {
    const reply = await send(baseURL, path, { cookie });
    expect(reply.status, path).toBe(200);
    expect(hasInbox(reply.text), path).toBe(false);
  }
});

test("with every quarter it may open taken, the assessment list says why there is nothing to start", async ({ baseURL, testOrg }) => {
  const { cookie } = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
  const list = () => send(baseURL, `/orgs/${testOrg.slug}/assessments`, { cookie });
  expect((await list()).text).toContain("Start assessment");
  const current = quarterOf(new Date());
  for (let back = 0; back <= 4; back++)
    createAssessment(testOrg.id, { period: shiftQuarter(current, -back) }, member(testOrg, "leadership").actor);
  const full = (await list()).text.replaceAll("<!-- -->", "");
  expect(full).not.toContain("Start assessment");
  expect(full).toContain(`The current quarter (${current}) and the four before it each have an assessment`);
  expect(full).toContain(`${shiftQuarter(current, 1)} opens on`);
});

/** The page's pagination as text: tags dropped, React's text separators and spaces folded. */
const paginationText = (html: string) =>
  /<nav class="pagination"[^>]*>(.*?)<\/nav>/s
    .exec(html)?.[1]
    ?.replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ")
    .trim();

test("a page past the end of a list says there is none, links to the last, and shows the last page's rows", async ({
  baseURL,
  testOrg,
}) => {
  for (const name of ["Alpha", "Bravo", "Charlie", "Delta"]) createModel(testOrg.id, { name, riskTier: "limited" }, SYSTEM_ACTOR, "api");
  const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const path = `/orgs/${testOrg.slug}/models?riskTier=limited&sort=name&pageSize=2`;
  const past = await send(baseURL, `${path}&page=9`, { cookie });
  expect(past.status).toBe(200);
  expect(paginationText(past.text)).toBe("There is no page 9; the list has 2 pages. Go to the last page 3–4 of 4 ← Previous Page 2 of 2");
  const link = (page: number) => `href="${path.replaceAll("&", "&amp;")}&amp;page=${page}"`;
  expect(past.text).toContain(`${link(2)}>Go to the last page`);
  expect(past.text).toContain(`${link(1)}>← Previous`);
  expect(past.text).not.toContain("No models match");
  expect(past.text).toMatch(/>Charlie<.*>Delta</s);
  // A page within the list says nothing of the kind.
  expect(paginationText((await send(baseURL, `${path}&page=2`, { cookie })).text)).toBe("3–4 of 4 ← Previous Page 2 of 2");

  // A list that hides its pagination on one page (the inbox) still says so when asked for a page past it.
  const model = createModel(testOrg.id, { name: "Paged inbox", riskTier: "minimal", ownerEmail: testOrg.emails.team }, SYSTEM_ACTOR, "api");
  createVersion(testOrg.id, model.slug, { version: "1.0.0" }, SYSTEM_ACTOR, "api");
  createIncident(testOrg.id, model.slug, "1.0.0", { title: "Outage", severity: "sev3", startedAt: new Date() }, SYSTEM_ACTOR);
  const inbox = `/orgs/${testOrg.slug}/inbox`;
  expect(paginationText((await send(baseURL, inbox, { cookie })).text)).toBeUndefined();
  expect(paginationText((await send(baseURL, `${inbox}?page=3`, { cookie })).text)).toBe(
    "There is no page 3; the list has one page. Go to the last page 1–1 of 1 Page 1 of 1",
  );
});
