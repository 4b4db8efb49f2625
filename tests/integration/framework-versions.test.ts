/**
 * Framework versions as data (issue #15, §5), against the real server: a site
 * administrator uploads a version (an invalid file first: field-level errors,
 * nothing saved), previews the draft, publishes it; an organisation admin
 * chooses it; assessments are scored against v2 and the upload, and the trend
 * continues for the component the upload maps and breaks for the one it does
 * not; the API serves the upload to a token and a member, not anonymously;
 * schema.json validates the built-in v2.
 */
import fs from "node:fs";
import Ajv from "ajv";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessments, auditEvents, frameworkVersions, users } from "../../db/schema";
import { API, expectApiError, expectJson, send, type Reply } from "../setup/api-client";
import { expect, portal, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { createTestOrg, TEST_PASSWORD } from "../setup/test-orgs";

const base = () => portal().baseUrl;
const v2Text = fs.readFileSync(new URL("../../content/technology-operations/v2.json", import.meta.url), "utf8");

type Json = Record<string, any>;

/** T&O v2 as version `version`: "mlops" becomes "ml-platform" (mapped by `replaces`), "standards" becomes "data-standards" (not mapped). */
function upload(version: string, change: (raw: Json) => void = () => {}): string {
  const raw: Json = { ...JSON.parse(v2Text), version };
  const renamed: Record<string, string> = { mlops: "ml-platform", standards: "data-standards" };
  const rename = (id: string) => renamed[id] ?? id;
  for (const c of raw.components) {
    if (c.id === "mlops") c.name = "ML platform";
    if (c.id === "standards") c.name = "Data standards";
    c.id = rename(c.id);
  }
  for (const q of raw.questions) q.componentId = rename(q.componentId);
  for (const r of raw.evidenceRules) r.componentId = rename(r.componentId);
  for (const r of raw.roadmaps) for (const w of r.workstreams) for (const i of w.items) i.components = i.components.map(rename);
  raw.replaces = { version: "2", components: [{ id: "ml-platform", replaces: "mlops" }] };
  change(raw);
  return JSON.stringify(raw, null, 2);
}

function multipart(fields: Record<string, string>, file?: { name: string; text: string }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set("file", new Blob([file.text], { type: "application/json" }), file.name);
  return form;
}

const post = (cookie: string | undefined, urlPath: string, body: FormData | URLSearchParams): Promise<Reply> =>
  send(base(), urlPath, { method: "POST", cookie, body });

/** The rows of the trend chart's data table: series → its values per quarter ("—" for a gap). */
function trendTable(html: string): Record<string, string[]> {
  const table = html.slice(html.indexOf('<th scope="col">Series</th>'));
  const rows: Record<string, string[]> = {};
  for (const m of table.slice(0, table.indexOf("</table>")).matchAll(/<tr><th scope="row">([^<]+)<\/th>(.*?)<\/tr>/g)) {
    rows[m[1]!.replace(/&amp;/g, "&")] = [...m[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]!);
  }
  return rows;
}

const statementIds = (frameworkText: string, level: number) =>
  (JSON.parse(frameworkText).components as Json[]).flatMap((c) =>
    (c.capabilities as Json[]).filter((s) => s.level === level).map((s) => s.id as string),
  );

test("a site admin uploads, previews and publishes a version; an organisation assesses against it and compares across versions", async ({
  testOrg,
  apiAs,
  request,
}) => {
  const siteOrg = await createTestOrg("site");
  getDb().update(users).set({ isSiteAdmin: true }).where(eq(users.email, siteOrg.emails.admin)).run();
  const site = await signIn(base(), siteOrg.emails.admin, TEST_PASSWORD);
  const stored = () => getDb().select().from(frameworkVersions).all();

  // An invalid file: every problem at its path, nothing saved.
  const invalid = upload("30", (raw) => {
    raw.components[2].indicators.pop();
    delete raw.name;
  });
  const refused = await post(site.cookie, "/admin/frameworks", multipart({ intent: "upload" }, { name: "v30.json", text: invalid }));
  expect(refused.status).toBe(422);
  expect(refused.text).toContain("components[2].indicators: must have 5 items");
  expect(refused.text).toContain("name: is required");
  const crossRef = await post(
    site.cookie,
    "/admin/frameworks",
    multipart({ intent: "upload", content: upload("30", (raw) => (raw.questions[0].componentId = "nowhere")) }),
  );
  expect(crossRef.status).toBe(422);
  expect(crossRef.text).toContain("questions[0].componentId: names component &quot;nowhere&quot;, which this version does not have");
  expect(stored()).toEqual([]);

  // A valid file: a draft, previewed as the framework pages show it.
  const saved = await post(site.cookie, "/admin/frameworks", multipart({ intent: "upload" }, { name: "v30.json", text: upload("30") }));
  expect(saved.status).toBe(302);
  const [draft] = stored();
  expect(draft).toMatchObject({ version: "30", status: "draft", frameworkId: "technology-operations" });
  expect(saved.location).toBe(`/admin/frameworks?preview=${draft!.id}#preview`);
  const preview = await send(base(), saved.location!, { cookie: site.cookie });
  expect(preview.status).toBe(200);
  expect(preview.text).toContain("Preview of the draft of");
  expect(preview.text).toContain("Five capability components");
  expect(preview.text).toContain("ML platform");
  const componentPreview = await send(base(), `/admin/frameworks?preview=${draft!.id}&component=ml-platform`, { cookie: site.cookie });
  expect(componentPreview.status).toBe(200);
  expect(componentPreview.text).toContain("What must be in place at each level");

  // A draft is nobody's to use yet.
  const reader = await apiAs(testOrg.id, ["assessment:read", "assessment:write"]);
  await expectApiError(await reader.ctx.get(`${API}/framework?version=30`), 404, "not_found");

  // Publishing asks for confirmation, then the version can never change.
  const unconfirmed = await post(
    site.cookie,
    "/admin/frameworks",
    new URLSearchParams({ intent: "publish", versionId: String(draft!.id) }),
  );
  expect(unconfirmed.status).toBe(400);
  expect(unconfirmed.text).toContain("published versions can never be changed");
  expect(stored()[0]!.status).toBe("draft");
  const published = await post(
    site.cookie,
    "/admin/frameworks",
    new URLSearchParams({ intent: "publish", versionId: String(draft!.id), confirm: "on" }),
  );
  expect(published.status).toBe(200);
  expect(stored()[0]).toMatchObject({ status: "published", publishedByLabel: siteOrg.emails.admin });
  const deleteAfter = await post(site.cookie, "/admin/frameworks", new URLSearchParams({ intent: "delete", versionId: String(draft!.id) }));
  expect(deleteAfter.status).toBe(409);
  expect(stored()).toHaveLength(1);
  const events = getDb()
    .select({ action: auditEvents.action, actor: auditEvents.actorLabel })
    .from(auditEvents)
    .where(and(isNull(auditEvents.orgId), eq(auditEvents.entityType, "framework_version")))
    .all();
  expect(events).toEqual([
    { action: "framework_version.uploaded", actor: siteOrg.emails.admin },
    { action: "framework_version.published", actor: siteOrg.emails.admin },
  ]);

  // The organisation's admin chooses it for the next assessment.
  const orgAdmin = await signIn(base(), testOrg.emails.admin, TEST_PASSWORD);
  const settings = await send(base(), `/orgs/${testOrg.slug}/admin/settings`, { cookie: orgAdmin.cookie });
  expect(settings.text).toContain("Version 30: Technology &amp; Operations, uploaded");
  const chosen = await post(
    orgAdmin.cookie,
    `/orgs/${testOrg.slug}/admin/settings`,
    new URLSearchParams({ intent: "framework", frameworkVersion: "30" }),
  );
  expect(chosen.status).toBe(200);

  // 2025-Q1 on v2 (named in the request), 2025-Q2 on the upload (the organisation's choice), both scored and finalised.
  const score = async (body: Json, frameworkText: string, justify: string[]) => {
    const created = await expectJson(await reader.ctx.post(`${API}/assessments`, { data: body }), 201);
    await expectJson(
      await reader.ctx.put(`${API}/assessments/${created.id}/responses`, {
        data: { capabilities: statementIds(frameworkText, 2).map((id) => ({ id, status: "in_place" })) },
      }),
      200,
    );
    const justifications = Object.fromEntries(justify.map((id) => [id, "Assessed by hand for this test"]));
    return expectJson(
      await reader.ctx.post(`${API}/assessments/${created.id}/finalize`, { data: { justifications, acceptUnanswered: true } }),
      200,
    );
  };
  const v2Ids = ["technical-capability", "mlops", "lifecycle", "production-operations", "standards"];
  const v30Ids = ["technical-capability", "ml-platform", "lifecycle", "production-operations", "data-standards"];
  const first = await score({ period: "2025-Q1", frameworkVersion: "2" }, v2Text, v2Ids);
  const second = await score({ period: "2025-Q2" }, upload("30"), v30Ids);
  expect(first.frameworkVersion).toBe("2");
  expect(second.frameworkVersion).toBe("30");
  expect(second.components.map((c: Json) => c.id)).toEqual(v30Ids);
  expect(second.components.find((c: Json) => c.id === "ml-platform").score).toBeGreaterThan(1);
  // An explicit version in the request wins over the organisation's choice.
  const explicit = await expectJson(
    await reader.ctx.post(`${API}/assessments`, { data: { period: "2025-Q3", frameworkVersion: "30" } }),
    201,
  );
  expect(explicit.frameworkVersion).toBe("30");
  expect(getDb().select({ v: assessments.frameworkVersion }).from(assessments).where(eq(assessments.id, first.id)).get()!.v).toBe("2");

  // The trend: the mapped component continues, the unmapped one breaks (a gap on each side), never a joined line.
  const list = await send(base(), `/orgs/${testOrg.slug}/assessments`, { cookie: orgAdmin.cookie });
  const trend = trendTable(list.text);
  const [q1, q2] = [first, second].map((a) => (n: string) => a.components.find((c: Json) => c.id === n).score.toFixed(1));
  expect(trend["ML platform"]).toEqual([q1!("mlops"), q2!("ml-platform"), expect.any(String)]);
  expect(trend["ML platform"]!.slice(0, 2)).not.toContain("—");
  expect(trend["Data standards"]!.slice(0, 2)).toEqual(["—", q2!("data-standards")]);
  const oldStandards = "Technical Standards & Best Practices";
  expect(trend[oldStandards]!.slice(0, 2)).toEqual([q1!("standards"), "—"]);
  // The assessment page says which components cannot be compared with the previous quarter.
  const page = await send(base(), `/orgs/${testOrg.slug}/assessments/${second.id}`, { cookie: orgAdmin.cookie });
  expect(page.text).toContain('data-testid="not-comparable"');
  expect(page.text).toContain("Not comparable with it (the versions do not map them): Data standards.");

  // A roadmap generated from the upload's assessment names its components as the upload does.
  const { ctx: planner } = await apiAs(testOrg.id, ["roadmap:read", "roadmap:write"]);
  const roadmap = await expectJson(await planner.post(`${API}/assessments/${second.id}/roadmap`, { data: {} }), 201);
  const byComponent = await send(base(), `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}?view=component`, { cookie: orgAdmin.cookie });
  expect(byComponent.status).toBe(200);
  expect(byComponent.text).toContain("ML platform");
  expect(byComponent.text).toContain("Data standards");
  const renamedItem = roadmap.items.find((i: Json) => i.components.includes("data-standards"));
  const itemPage = await send(base(), `/orgs/${testOrg.slug}/roadmaps/${roadmap.id}/items/${renamedItem.id}`, { cookie: orgAdmin.cookie });
  expect(itemPage.text).toContain("Data standards");

  // The API: the upload to a token and to a signed-in member, with its replaces; 404 to anyone else, as if it did not exist.
  const served = await expectJson(await reader.ctx.get(`${API}/framework?version=30`), 200);
  expect(served.replaces).toEqual({ version: "2", components: [{ id: "ml-platform", replaces: "mlops" }], capabilities: [] });
  expect(served.levelCutoffs.cutoffs).toHaveLength(4);
  await expectApiError(await request.get(`${API}/framework?version=30`), 404, "not_found");
  const asMember = await send(base(), `${API}/framework?version=30`, { cookie: orgAdmin.cookie });
  expect(asMember.status).toBe(200);
  expect((await send(base(), "/framework?version=30")).status).toBe(404);
  expect((await send(base(), "/framework?version=30", { cookie: orgAdmin.cookie })).status).toBe(200);
  // How scores work lists it for members only.
  expect((await send(base(), "/framework/scoring")).text).not.toContain("version=30");
  expect((await send(base(), "/framework/scoring", { cookie: orgAdmin.cookie })).text).toContain("version=30");
  const builtIn = await expectJson(await request.get(`${API}/framework?version=2`), 200);
  expect(builtIn.levelCutoffs.cutoffs.map((c: Json) => c.minScore)).toEqual([2, 3, 3.5, 4.5]);
  // What a missing registry figure means for the evidence level, as the README says the endpoint answers.
  expect(builtIn.evidencePolicy).toEqual(JSON.parse(v2Text).evidencePolicy);
});

test("schema.json is the JSON Schema of a framework version: it validates the built-in v2", async () => {
  const reply = await send(base(), `${API}/framework/schema.json`);
  expect(reply.status).toBe(200);
  const schema = JSON.parse(reply.text);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  expect(validate(JSON.parse(v2Text)), JSON.stringify(validate.errors)).toBe(true);
  expect(validate({ ...JSON.parse(v2Text), components: [] })).toBe(false);
});
