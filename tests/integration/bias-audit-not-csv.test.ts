/**
 * A bias audit uploaded as a file that is no CSV at all (here a PDF) is
 * refused before its first line is read as a header, through the API and
 * through the upload form sent without JavaScript (and its progress-bar twin),
 * in the words the form says in the browser (`notCsvReason`). Nothing is stored.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents, biasAudits } from "../../db/schema";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { notCsvReason } from "../../app/utils/csv-sample";
import { API, expectApiError, send } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { FAIR_AUDIT_CONFIG, fullLineage, member, TEST_PASSWORD, uniqueSlug, type TestOrg } from "../setup/test-orgs";

/** The beginning of a real PDF: its header, the binary comment line PDF writers add, an object. */
const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n%"),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a]),
  Buffer.from("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nstream\n"),
  Buffer.from([0x78, 0x9c, 0x00, 0xff, 0x10, 0x80, 0x0a]),
]);
const PDF_REASON = notCsvReason(new Uint8Array(PDF), { complete: true })!;

const CONFIG = FAIR_AUDIT_CONFIG;

function seed(org: TestOrg) {
  const team = member(org, "team");
  const slug = uniqueSlug("not-csv");
  createModel(org.id, { name: "Not CSV", slug, riskTier: "high" }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  return slug;
}

const stored = (orgId: number) => ({
  audits: getDb().select().from(biasAudits).where(eq(biasAudits.orgId, orgId)).all().length,
  events: getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).all().length,
});

test("the API refuses a PDF upload: 422 on `file` with the form's words, nothing stored", async ({ testOrg, apiAs }) => {
  expect(PDF_REASON).toMatch(/^This file is a PDF document, not a CSV file\./);
  const slug = seed(testOrg);
  const { ctx } = await apiAs(testOrg.id, ["governance:read", "governance:write"]);
  const before = stored(testOrg.id);
  const error = await expectApiError(
    await ctx.post(`${API}/models/${slug}/versions/1.0.0/bias-audits`, {
      multipart: { config: JSON.stringify(CONFIG), file: { name: "predictions.pdf", mimeType: "application/pdf", buffer: PDF } },
    }),
    422,
    "invalid",
  );
  expect(error.message).toBe(PDF_REASON);
  expect(error.issues).toEqual([{ path: "file", message: PDF_REASON }]);
  // Named as CSV, with an invalid configuration too: both problems are named.
  const both = await expectApiError(
    await ctx.post(`${API}/models/${slug}/versions/1.0.0/bias-audits`, {
      multipart: { config: JSON.stringify({ ...CONFIG, labelColumn: "" }), file: { name: "p.csv", mimeType: "text/csv", buffer: PDF } },
    }),
    422,
    "invalid",
  );
  expect(both.issues).toContainEqual({ path: "file", message: PDF_REASON });
  expect(both.issues.map((i) => i.path)).toContain("config.labelColumn");
  expect(stored(testOrg.id)).toEqual(before);
});

test("the upload form refuses a PDF without JavaScript (and its progress-bar twin), on the file field; nothing stored", async ({
  testOrg,
  baseURL,
}) => {
  const slug = seed(testOrg);
  const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
  const base = `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0/bias-audits`;
  const before = stored(testOrg.id);
  const upload = (path: string) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(PDF)], { type: "application/pdf" }), "predictions.pdf");
    const fields = { groupColumns: "group", labelColumn: "label", positiveLabels: "1", mode: "prediction", predictionColumn: "prediction" };
    for (const [name, value] of Object.entries({ ...fields, positivePredictions: "1", minGroupSize: "1" })) form.append(name, value);
    return send(baseURL, path, { method: "POST", cookie, headers: { origin: baseURL }, body: form });
  };

  const page = await upload(`${base}/new`);
  expect(page.status, page.text.slice(0, 300)).toBe(422);
  expect(page.contentType).toContain("text/html");
  expect(page.text).toContain(PDF_REASON);
  // What was typed comes back, so only the file has to be chosen again.
  expect(page.text).toMatch(/name="labelColumn"[^>]*value="label"|value="label"[^>]*name="labelColumn"/);

  const json = await upload(`${base}/upload`);
  expect(json.status, json.text.slice(0, 300)).toBe(422);
  expect(JSON.parse(json.text)).toEqual({ errors: { file: PDF_REASON } });
  expect(stored(testOrg.id)).toEqual(before);
});
