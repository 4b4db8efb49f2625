/**
 * Pages checked over HTTP, against the real server: status codes, the error
 * page's heading and what the header offers. (Moved from the Playwright specs:
 * these need the HTML the server sends, not a browser.)
 */
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
