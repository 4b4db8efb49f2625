import { verifyAuditChain } from "../../app/modules/audit/audit.server";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { listVersionBiasAudits, signOffBiasAudit } from "../../app/modules/governance/bias-audits.server";
import { emptySections } from "../../app/modules/governance/model-card";
import { saveModelCard } from "../../app/modules/governance/model-cards.server";
import { createModel, createVersion, getVersionDetail } from "../../app/modules/registry/registry.server";
import { transitionVersion } from "../../app/modules/governance/transitions.server";
import { decideApprovalRequest, openApprovalRequest } from "../../app/modules/governance/approvals.server";
import { describe } from "vitest";
import { API, apiClient, expectApiError, expectJson } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import {
  clearPromotionGates,
  createTestOrg,
  fullLineage,
  member,
  PROMOTE,
  TEST_PASSWORD,
  uniqueSlug,
  type TestOrg,
} from "../setup/test-orgs";

/**
 * The governance endpoints of the JSON API: bias audits (JSON rows or a CSV
 * upload), approval requests, model cards and audit-chain verification, with
 * scopes and organisation isolation.
 */

const GOV: ApiScope[] = ["governance:read", "governance:write"];

/** A high-risk model with version 1.0.0 (full lineage) in staging. */
function seed(org: TestOrg) {
  const team = member(org, "team");
  const slug = uniqueSlug("gov-api");
  createModel(org.id, { name: "Gov API", slug, riskTier: "high" }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  return { slug, base: `${API}/models/${slug}/versions/1.0.0` };
}

const CONFIG = {
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
  minGroupSize: 5,
};

/**
 * Hand-computed:
 *   a: tp 4, fn 1, fp 1, tn 4 → selection 0.5, TPR 0.8, FPR 0.2, FNR 0.2
 *   b: tp 3, fn 2, fp 1, tn 4 → selection 0.4, TPR 0.6, FPR 0.2, FNR 0.4
 *   demographic parity difference 0.1, ratio 0.8, equal opportunity difference 0.2 (> 0.1: fails).
 */
function rowsOf(group: string, c: { tp: number; fn: number; fp: number; tn: number }) {
  const make = (n: number, label: number, prediction: number) => Array.from({ length: n }, () => ({ group, label, prediction }));
  return [...make(c.tp, 1, 1), ...make(c.fn, 1, 0), ...make(c.fp, 0, 1), ...make(c.tn, 0, 0)];
}
const ROWS = [...rowsOf("a", { tp: 4, fn: 1, fp: 1, tn: 4 }), ...rowsOf("b", { tp: 3, fn: 2, fp: 1, tn: 4 })];
const csvOf = (rows: Array<Record<string, string | number>>) =>
  Buffer.from(["group,label,prediction", ...rows.map((r) => `${r.group},${r.label},${r.prediction}`)].join("\n") + "\n");

type Group = {
  group: string;
  n: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  selectionRate: number;
  truePositiveRate: number;
  falsePositiveRate: number;
  falseNegativeRate: number;
};

describe("bias audits over the API", () => {
  test("JSON {config, rows} → 201 with counts, rates, disparities and the verdict", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const audit = await expectJson<{
      id: number;
      groups: Group[];
      disparities: Record<string, { value: number; passed: boolean; maxGroup: string; minGroup: string }>;
      passed: boolean;
      [k: string]: unknown;
    }>(await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    expect(typeof audit.id).toBe("number");
    expect(audit).toMatchObject({
      model: slug,
      version: "1.0.0",
      status: "pending",
      preset: "org-default",
      rows: 20,
      skipped: 0,
      source: "api-json",
      passed: false,
    });
    const [a, b] = audit.groups;
    expect(a).toMatchObject({ group: "a", n: 10, tp: 4, fp: 1, tn: 4, fn: 1 });
    expect(a!.selectionRate).toBeCloseTo(0.5);
    expect(a!.truePositiveRate).toBeCloseTo(0.8);
    expect(a!.falsePositiveRate).toBeCloseTo(0.2);
    expect(a!.falseNegativeRate).toBeCloseTo(0.2);
    expect(b).toMatchObject({ group: "b", n: 10, tp: 3, fp: 1, tn: 4, fn: 2 });
    expect(b!.selectionRate).toBeCloseTo(0.4);
    expect(b!.truePositiveRate).toBeCloseTo(0.6);
    expect(b!.falseNegativeRate).toBeCloseTo(0.4);
    expect(Object.keys(audit.disparities).sort()).toEqual(
      [
        "demographicParityDifference",
        "demographicParityRatio",
        "equalOpportunityDifference",
        "equalizedOddsDifference",
        "falsePositiveRateDifference",
      ].sort(),
    );
    expect(audit.disparities.demographicParityDifference!.value).toBeCloseTo(0.1);
    expect(audit.disparities.demographicParityRatio!.value).toBeCloseTo(0.8);
    expect(audit.disparities.equalOpportunityDifference).toMatchObject({ maxGroup: "a", minGroup: "b", passed: false });
    expect(audit.disparities.equalOpportunityDifference!.value).toBeCloseTo(0.2);

    // GET /bias-audits/:id returns the stored audit.
    const { ctx: reader } = await apiAs(testOrg.id, ["governance:read"]);
    const stored = await expectJson(await reader.get(`${API}/bias-audits/${audit.id}`), 200);
    expect(stored).toMatchObject({
      id: audit.id,
      model: slug,
      version: "1.0.0",
      status: "pending",
      passed: false,
      rows: 20,
      groups: audit.groups,
      disparities: audit.disparities,
    });
    expect(stored.config).toMatchObject(CONFIG);
  });

  test("multipart with a CSV `file` and a `config` JSON field → 201", async ({ testOrg, apiAs }) => {
    const { base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const audit = await expectJson(
      await ctx.post(`${base}/bias-audits`, {
        multipart: {
          config: JSON.stringify({ ...CONFIG, preset: "eeoc-four-fifths" }),
          file: { name: "predictions.csv", mimeType: "text/csv", buffer: csvOf(ROWS) },
        },
      }),
      201,
    );
    expect(audit).toMatchObject({
      rows: 20,
      source: "api-csv",
      fileName: "predictions.csv",
      preset: "eeoc-four-fifths",
      status: "pending",
    });
    expect(audit.groups.map((g: Group) => [g.group, g.n, g.tp, g.fp, g.tn, g.fn])).toEqual([
      ["a", 10, 4, 1, 4, 1],
      ["b", 10, 3, 1, 4, 2],
    ]);
    expect(await expectJson(await ctx.get(`${API}/bias-audits/${audit.id}`), 200)).toMatchObject({
      id: audit.id,
      fileName: "predictions.csv",
    });
  });

  test("an audit sent by a token has no runner to exclude: an ethics member signs it off; accepting it (failed) needs a rationale", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const { base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const audit = await expectJson(await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    expect(audit).toMatchObject({ passed: false, status: "pending", modelName: "Gov API", riskAcceptance: null });
    const { cookie } = await signIn(baseURL, testOrg.emails.ethics, TEST_PASSWORD);
    const ethics = apiClient(baseURL, { headers: { cookie } });
    const url = `/orgs/${testOrg.slug}/bias-audits/${audit.id}`;
    const withoutRationale = await ethics.post(url, { form: { decision: "accept" } });
    expect(withoutRationale.status()).toBe(422);
    expect(await withoutRationale.text()).toContain("write the rationale");
    // The portal's form asks for the tick that accepting a failed audit's risk needs.
    const unticked = await ethics.post(url, { form: { decision: "accept", comment: "Pilot only, human review" } });
    expect(unticked.status()).toBe(422);
    expect(await unticked.text()).toContain("accepting the risk cannot be undone");
    expect((await ethics.post(url, { form: { decision: "accept", comment: "Pilot only, human review", confirm: "on" } })).status()).toBe(
      200,
    );
    const stored = await expectJson(await ctx.get(`${API}/bias-audits/${audit.id}`), 200);
    expect(stored).toMatchObject({
      status: "accepted",
      signoff: { by: testOrg.emails.ethics, decision: "accept", comment: "Pilot only, human review" },
      riskAcceptance: { auditId: audit.id, by: testOrg.emails.ethics, rationale: "Pilot only, human review" },
    });
    // High risk: the accepted failed audit is shown on the request's gate check but does not satisfy it.
    const opened = await expectJson(await ctx.post(`${base}/approval-requests`, { data: { reason: "try" } }), 201);
    expect(opened.checks.find((c: { id: string }) => c.id === "bias_audit")).toMatchObject({
      passed: false,
      riskAcceptance: { auditId: audit.id, counts: false },
    });
  });

  test("an audit with too few groups large enough to compare fails, and its page says why", async ({ testOrg, apiAs, baseURL }) => {
    const { base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const rows = rowsOf("a", { tp: 4, fn: 1, fp: 1, tn: 4 });
    const audit = await expectJson<{ id: number; passed: boolean }>(
      await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows } }),
      201,
    );
    expect(audit.passed).toBe(false);
    const { cookie } = await signIn(baseURL, testOrg.emails.ethics, TEST_PASSWORD);
    const page = await (await apiClient(baseURL, { headers: { cookie } }).get(`/orgs/${testOrg.slug}/bias-audits/${audit.id}`)).text();
    expect(page).toContain("failed: too few groups to compare");
    expect(page).toContain("This audit could compare no groups");
    // An audit that compared groups and failed keeps the plain verdict.
    const compared = await expectJson<{ id: number }>(await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    const other = await (await apiClient(baseURL, { headers: { cookie } }).get(`/orgs/${testOrg.slug}/bias-audits/${compared.id}`)).text();
    expect(other).toMatch(/data-testid="audit-result">failed</);
  });

  test("a CSV upload to a version that does not exist is 404, and the server stays up", async ({ testOrg, apiAs, baseURL }) => {
    const { slug } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    for (let i = 0; i < 3; i++) {
      const reply = await ctx.post(`${API}/models/${slug}/versions/9.9.9/bias-audits`, {
        multipart: { config: JSON.stringify(CONFIG), file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) } },
      });
      await expectApiError(reply, 404, "not_found");
    }
    expect((await apiClient(baseURL).get("/healthz")).status()).toBe(200);
  });

  test("a positive prediction that never occurs is refused as bad configuration, naming the values seen, in the API and the form", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const url = `${base}/bias-audits`;
    const wrong = { ...CONFIG, positivePredictions: ["yes"] };
    const seen = 'No row is predicted positive: "yes" never occurs in "prediction"; the values seen are "1", "0"';

    const json = await expectApiError(await ctx.post(url, { data: { config: wrong, rows: ROWS } }), 422, "invalid");
    expect(json.issues).toEqual([{ path: "config.positivePredictions", message: seen }]);
    const csv = await expectApiError(
      await ctx.post(url, {
        multipart: { config: JSON.stringify(wrong), file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) } },
      }),
      422,
      "invalid",
    );
    expect(csv.issues).toEqual([{ path: "config.positivePredictions", message: seen }]);

    // The upload form (its progress-bar twin answers JSON) puts the message on the field.
    const { cookie } = await signIn(baseURL, testOrg.emails.team, TEST_PASSWORD);
    const form = await apiClient(baseURL, { headers: { cookie } }).post(
      `/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0/bias-audits/upload`,
      {
        multipart: {
          // The form's fields: the same configuration, lists as comma-separated text.
          ...Object.fromEntries(Object.entries(wrong).map(([key, value]) => [key, Array.isArray(value) ? value.join(",") : String(value)])),
          mode: "prediction",
          file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) },
        },
      },
    );
    expect(form.status()).toBe(422);
    expect(await form.json()).toEqual({ errors: { positivePredictions: seen } });
    expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toEqual([]);
  });

  test("an audit that cannot measure a rule (nobody reaches the score threshold) is stored as failed, saying why", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const { base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const rows = ROWS.map((r) => ({ group: r.group, label: r.label, score: r.prediction * 0.4 }));
    const config = {
      groupColumns: ["group"],
      labelColumn: "label",
      positiveLabels: ["1"],
      scoreColumn: "score",
      threshold: 0.5,
      minGroupSize: 5,
    };
    const audit = await expectJson<{
      id: number;
      passed: boolean;
      warnings: string[];
      disparities: Record<string, { value: number | null }>;
    }>(await ctx.post(`${base}/bias-audits`, { data: { config, rows } }), 201);
    expect(audit.passed).toBe(false);
    expect(audit.disparities.demographicParityDifference!.value).toBe(0);
    expect(audit.disparities.demographicParityRatio!.value).toBeNull();
    expect(audit.warnings).toContain(
      "Demographic parity ratio could not be measured: no group compared is predicted positive, so there is no highest selection rate to divide by; the audit cannot pass.",
    );
    const { cookie } = await signIn(baseURL, testOrg.emails.ethics, TEST_PASSWORD);
    const html = await (await apiClient(baseURL, { headers: { cookie } }).get(`/orgs/${testOrg.slug}/bias-audits/${audit.id}`)).text();
    const page = html.replaceAll("<!-- -->", "");
    expect(page).toContain("failed: not every rule could be measured");
    expect(page).toContain("This audit could not measure demographic parity ratio");
    // Equal rates name no highest and lowest group.
    expect(page).toContain('<td colSpan="2">All groups equal</td>');
    expect(page).toContain('<td colSpan="2">Every group 0</td>');
    expect(page).not.toMatch(/>n\/a</);
  });

  test("bad configurations → 422 with an issue naming the problem; nothing is stored", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const url = `${base}/bias-audits`;

    const unknown = await expectApiError(
      await ctx.post(url, { data: { config: { ...CONFIG, groupColumns: ["race"] }, rows: ROWS } }),
      422,
      "invalid",
    );
    expect(unknown.issues).toEqual([{ path: "config.groupColumns", message: expect.stringContaining('Unknown column "race"') }]);

    // A misspelt setting is refused, not dropped: the audit would run on the default it falls back to.
    const misspelt = await expectApiError(
      await ctx.post(url, { data: { config: { ...CONFIG, minGroupSze: 1 }, rows: ROWS } }),
      422,
      "invalid",
    );
    expect(misspelt.issues).toEqual([
      { path: "config.minGroupSze", message: expect.stringContaining("Unknown field; the fields here are") },
    ]);

    const noPositives = await expectApiError(
      await ctx.post(url, { data: { config: { ...CONFIG, positiveLabels: ["yes"] }, rows: ROWS } }),
      422,
      "invalid",
    );
    expect(noPositives.issues[0]).toMatchObject({
      path: "config.positiveLabels",
      message: expect.stringMatching(/No row has a positive label/),
    });

    const scoreConfig = { groupColumns: ["group"], labelColumn: "label", positiveLabels: ["1"], scoreColumn: "score", threshold: 0.5 };
    const nonNumeric = await expectApiError(
      await ctx.post(url, {
        data: {
          config: scoreConfig,
          rows: [
            { group: "a", label: 1, score: 0.9 },
            { group: "b", label: 0, score: "high" },
          ],
        },
      }),
      422,
      "invalid",
    );
    expect(nonNumeric.issues[0]!.path).toBe("config.scoreColumn");
    expect(nonNumeric.issues[0]!.message).toMatch(/^Row \d+: .*"high".*not a number/);

    // The same through a CSV upload names the file's row (the header is row 1).
    const csvScore = await expectApiError(
      await ctx.post(url, {
        multipart: {
          config: JSON.stringify(scoreConfig),
          file: { name: "s.csv", mimeType: "text/csv", buffer: Buffer.from("group,label,score\na,1,0.9\nb,0,high\n") },
        },
      }),
      422,
      "invalid",
    );
    expect(csvScore.issues[0]).toMatchObject({ path: "config.scoreColumn", message: expect.stringMatching(/^Row 3: /) });

    const csvUnknown = await expectApiError(
      await ctx.post(url, {
        multipart: {
          config: JSON.stringify({ ...CONFIG, labelColumn: "outcome" }),
          file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) },
        },
      }),
      422,
      "invalid",
    );
    expect(csvUnknown.issues[0]).toMatchObject({ path: "config.labelColumn", message: expect.stringContaining('"outcome"') });

    // Schema errors name the field too.
    const missing = await expectApiError(
      await ctx.post(url, { data: { config: { groupColumns: ["group"] }, rows: ROWS } }),
      422,
      "invalid",
    );
    expect(missing.issues.map((i) => i.path)).toContain("config.labelColumn");
    const badPreset = await expectApiError(
      await ctx.post(url, {
        multipart: {
          config: JSON.stringify({ ...CONFIG, preset: "lenient" }),
          file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) },
        },
      }),
      422,
      "invalid",
    );
    expect(badPreset.issues.map((i) => i.path)).toContain("config.preset");
    await expectApiError(
      await ctx.post(url, { multipart: { config: "{not json", file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) } } }),
      400,
      "malformed_json",
    );
    const noFile = await expectApiError(await ctx.post(url, { multipart: { config: JSON.stringify(CONFIG) } }), 422, "invalid");
    expect(noFile.issues).toEqual([{ path: "file", message: "Missing" }]);
    // A missing config part is a field error too (it was 400 "Not valid JSON"), and so are both parts missing.
    const csvFile = { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) };
    const noConfig = await expectApiError(await ctx.post(url, { multipart: { file: csvFile } }), 422, "invalid");
    expect(noConfig.issues).toEqual([{ path: "config", message: "Missing" }]);
    const neither = await expectApiError(await ctx.post(url, { multipart: { note: "no parts" } }), 422, "invalid");
    expect(neither.issues).toEqual([
      { path: "config", message: "Missing" },
      { path: "file", message: "Missing" },
    ]);
    await expectApiError(await ctx.post(url, { data: { config: CONFIG, rows: [] } }), 422, "invalid");

    expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toEqual([]);
  });

  test("a body of another media type → 415 naming the two it takes, whatever its size; nothing is stored", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const url = `${base}/bias-audits`;
    const csv = csvOf(ROWS).toString();
    // The large one used to be 413 "JSON bodies are limited to 1000000 bytes", the small one 400 malformed_json.
    for (const [data, type] of [
      [csv, "text/csv"],
      [csv.repeat(Math.ceil(1_500_000 / csv.length)), "text/csv"],
      [JSON.stringify({ config: CONFIG, rows: ROWS }), "text/plain"],
    ] as const) {
      const refused = await expectApiError(await ctx.post(url, { data, headers: { "content-type": type } }), 415, "unsupported_media_type");
      expect(refused.message).toMatch(/application\/json .*multipart\/form-data/);
    }
    expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toEqual([]);
    // JSON without a Content-Type is still read as JSON.
    await expectJson(await ctx.post(url, { data: new TextEncoder().encode(JSON.stringify({ config: CONFIG, rows: ROWS })) }), 201);
  });

  test("JSON rows are bounded: a row of too many columns or too many rows → 422 naming the limit and the CSV upload; nothing is stored", async ({
    testOrg,
    apiAs,
  }) => {
    // Issue 14: one row of 5,000 extra keys and 40,000 empty rows held a worker for 45 s (keys × rows), then answered 201.
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const url = `${base}/bias-audits`;
    const wide = { ...ROWS[0]!, ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`extra${i}`, 0])) };
    const tooWide = await expectApiError(await ctx.post(url, { data: { config: CONFIG, rows: [wide, ...ROWS.slice(1)] } }), 422, "invalid");
    expect(tooWide.issues).toEqual([{ path: "rows.0", message: expect.stringMatching(/at most 100 columns.*CSV/) }]);

    const tooMany = await expectApiError(
      await ctx.post(url, { data: { config: CONFIG, rows: Array.from({ length: 200_001 }, () => ({})) } }),
      422,
      "invalid",
    );
    expect(tooMany.issues).toEqual([{ path: "rows", message: "Send at most 200,000 rows as JSON; upload larger sets as CSV" }]);
    expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toEqual([]);
  });

  test("scopes: governance:write to submit, governance:read to read", async ({ testOrg, apiAs, request }) => {
    const { base } = seed(testOrg);
    const { ctx: writer } = await apiAs(testOrg.id, GOV);
    const audit = await expectJson(await writer.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);

    const { ctx: readOnly } = await apiAs(testOrg.id, ["governance:read"]);
    const refused = await expectApiError(
      await readOnly.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }),
      403,
      "forbidden",
    );
    expect(refused.message).toContain("governance:write");
    await expectApiError(
      await readOnly.post(`${base}/bias-audits`, {
        multipart: { config: JSON.stringify(CONFIG), file: { name: "p.csv", mimeType: "text/csv", buffer: csvOf(ROWS) } },
      }),
      403,
      "forbidden",
    );
    await expectApiError(await readOnly.post(`${base}/approval-requests`, { data: { reason: "x" } }), 403, "forbidden");

    const { ctx: registry } = await apiAs(testOrg.id, ["registry:read", "registry:write", "registry:promote"]);
    await expectApiError(await registry.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 403, "forbidden");
    const noRead = await expectApiError(await registry.get(`${API}/bias-audits/${audit.id}`), 403, "forbidden");
    expect(noRead.message).toContain("governance:read");
    await expectApiError(await registry.get(`${base}/model-card`), 403, "forbidden");

    await expectApiError(await request.get(`${API}/bias-audits/${audit.id}`), 401, "unauthorized");
    await expectApiError(await request.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 401, "unauthorized");
  });
});

describe("approval requests, model cards and the audit chain over the API", () => {
  test("a newer failed audit nobody accepted blocks the gate the older passing audit opened, and the request's page says which", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const { slug, base } = seed(testOrg);
    await clearPromotionGates(testOrg, slug, "1.0.0");
    const { ctx } = await apiAs(testOrg.id, GOV);
    const opened = await expectJson<{ id: number; checks: Array<{ id: string; passed: boolean }> }>(
      await ctx.post(`${base}/approval-requests`, { data: { reason: "release" } }),
      201,
    );
    expect(opened.checks.every((c) => c.passed)).toBe(true);
    // A newer audit of the same version fails (ROWS: the equal opportunity difference is 0.2) and waits for sign-off.
    const failed = await expectJson<{ id: number; passed: boolean }>(
      await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }),
      201,
    );
    expect(failed.passed).toBe(false);
    const checkOf = async () =>
      (await expectJson<{ checks: Array<{ id: string }> }>(await ctx.get(`${API}/approval-requests/${opened.id}`), 200)).checks.find(
        (c) => c.id === "bias_audit",
      );
    expect(await checkOf()).toMatchObject({
      passed: false,
      blockingAudit: { auditId: failed.id, status: "pending" },
      detail: expect.stringContaining(`Audit #${failed.id}, run after audit #`),
    });
    const { cookie } = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
    const page = (
      await (await apiClient(baseURL, { headers: { cookie } }).get(`/orgs/${testOrg.slug}/approvals/${opened.id}`)).text()
    ).replaceAll("<!-- -->", "");
    expect(page).toContain(`A newer bias audit of this version, #${failed.id}, failed and is waiting for sign-off`);
    expect(page).toContain(`href="/orgs/${testOrg.slug}/bias-audits/${failed.id}"`);

    // Rejected, it still blocks; accepted as a risk (with a rationale), the older passing audit counts again.
    signOffBiasAudit(testOrg.id, failed.id, { decision: "reject", comment: "Fix the model" }, member(testOrg, "ethics").actor);
    expect(await checkOf()).toMatchObject({ passed: false, blockingAudit: { auditId: failed.id, status: "rejected" } });
    const second = await expectJson<{ id: number }>(await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    signOffBiasAudit(testOrg.id, second.id, { decision: "accept", comment: "Gap understood; monitored" }, member(testOrg, "ethics").actor);
    expect(await checkOf()).toMatchObject({ passed: true, riskAcceptance: { auditId: second.id, counts: false } });
  });

  test("the Reviews list and badge hold only requests the member can decide; the requester's page says why they cannot", async ({
    testOrg,
    baseURL,
  }) => {
    const { slug } = seed(testOrg);
    await clearPromotionGates(testOrg, slug, "1.0.0");
    const request = openApprovalRequest(testOrg.id, slug, "1.0.0", { reason: "ready" }, member(testOrg, "team").actor);
    const pageAs = async (role: "team" | "ethics" | "leadership", path: string) => {
      const { cookie } = await signIn(baseURL, testOrg.emails[role], TEST_PASSWORD);
      return (await (await apiClient(baseURL, { headers: { cookie } }).get(path)).text()).replaceAll("<!-- -->", "");
    };
    const reviews = `/orgs/${testOrg.slug}/reviews`;
    expect(await pageAs("team", `/orgs/${testOrg.slug}/approvals/${request.id}`)).toContain(
      "You opened this request, so others decide it (four-eyes rule).",
    );
    expect(await pageAs("team", reviews)).toContain("Promotion requests waiting (0)");
    const before = await pageAs("ethics", reviews);
    expect(before).toContain("Promotion requests waiting (1)");
    expect(before).toMatch(/aria-label="1 waiting for you"/);
    const ethics = member(testOrg, "ethics");
    decideApprovalRequest(testOrg.id, request.id, { decision: "approve" }, { userId: ethics.userId, label: ethics.label, role: "ethics" });
    const after = await pageAs("ethics", reviews);
    expect(after).toContain("Promotion requests waiting (0)");
    expect(after).not.toMatch(/waiting for you"/);
    expect(await pageAs("ethics", `/orgs/${testOrg.slug}/approvals/${request.id}`)).toContain("You have already decided on this request.");
    expect(await pageAs("leadership", reviews)).toContain("Promotion requests waiting (1)");
  });

  test("POST approval-requests → 201 with the gate checks; GET returns it; a second one conflicts", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx, name } = await apiAs(testOrg.id, GOV);
    const opened = await expectJson(await ctx.post(`${base}/approval-requests`, { data: { reason: "nightly pipeline" } }), 201);
    expect(opened).toMatchObject({
      model: slug,
      version: "1.0.0",
      status: "open",
      reason: "nightly pipeline",
      requiredRoles: ["ethics", "leadership"],
      pendingRoles: ["ethics", "leadership"],
      decisions: [],
      decidedAt: null,
    });
    expect(opened.requestedBy).toContain(name);
    expect(opened.checks.map((c: { id: string }) => c.id)).toEqual(["risk_tier", "model_card", "bias_audit", "lineage"]);
    const byId = Object.fromEntries(opened.checks.map((c: { id: string; passed: boolean; required: boolean }) => [c.id, c]));
    expect(byId.risk_tier).toMatchObject({ passed: true, required: true });
    expect(byId.lineage).toMatchObject({ passed: true, required: true });
    expect(byId.model_card).toMatchObject({ passed: false, required: true });
    expect(byId.bias_audit).toMatchObject({ passed: false, required: true });

    const fetched = await expectJson(await ctx.get(`${API}/approval-requests/${opened.id}`), 200);
    expect(fetched).toMatchObject({ id: opened.id, status: "open", checks: opened.checks, requiredRoles: ["ethics", "leadership"] });

    const again = await expectApiError(await ctx.post(`${base}/approval-requests`, { data: {} }), 409, "conflict");
    expect(again.message).toContain(`#${opened.id}`);
    await expectApiError(await ctx.get(`${API}/approval-requests/999999999`), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/approval-requests/abc`), 404, "not_found");
  });

  test("approval requests: only for staging versions, never for unacceptable risk", async ({ testOrg, apiAs }) => {
    const team = member(testOrg, "team");
    const { ctx } = await apiAs(testOrg.id, GOV);
    const dev = uniqueSlug("dev-only");
    createModel(testOrg.id, { name: "Dev only", slug: dev, riskTier: "minimal" }, team.actor, "ui");
    createVersion(testOrg.id, dev, { version: "0.1.0", ...fullLineage }, team.actor, "ui");
    const notStaging = await expectApiError(await ctx.post(`${API}/models/${dev}/versions/0.1.0/approval-requests`), 409, "conflict");
    expect(notStaging.message).toMatch(/staging/);

    const banned = uniqueSlug("social-scoring");
    createModel(testOrg.id, { name: "Social scoring", slug: banned, riskTier: "unacceptable" }, team.actor, "ui");
    createVersion(testOrg.id, banned, { version: "1.0.0", ...fullLineage }, team.actor, "ui");
    for (const to of ["validation", "staging"] as const)
      transitionVersion(testOrg.id, banned, "1.0.0", { to }, team.actor, { mayPromote: false });
    const refused = await expectApiError(
      await ctx.post(`${API}/models/${banned}/versions/1.0.0/approval-requests`, { data: {} }),
      409,
      "conflict",
    );
    expect(refused.issues.map((i) => i.path)).toContain("risk_tier");

    await expectApiError(await ctx.post(`${API}/models/no-such-model/versions/1.0.0/approval-requests`, { data: {} }), 404, "not_found");
  });

  test("GET model-card: 404 without a card, then the latest revision", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, ["governance:read"]);
    await expectApiError(await ctx.get(`${base}/model-card`), 404, "not_found");
    const team = member(testOrg, "team");
    saveModelCard(
      testOrg.id,
      slug,
      "1.0.0",
      { ...emptySections(), modelDetails: "<script>alert(1)</script>", intendedUse: "Credit decisions" },
      team.actor,
    );
    const card = await expectJson(await ctx.get(`${base}/model-card`), 200);
    expect(card).toMatchObject({ model: slug, version: "1.0.0", revision: 1, status: "draft", completeness: { filled: 2, total: 10 } });
    expect(card.sections.modelDetails).toBe("<script>alert(1)</script>");
    expect(card.sections.intendedUse).toBe("Credit decisions");
    expect(Object.keys(card.sections)).toHaveLength(10);
    expect(card).not.toHaveProperty("comments");
    await expectApiError(await ctx.get(`${API}/models/${slug}/versions/9.9.9/model-card`), 404, "not_found");
  });

  test("GET audit/verify: {ok: true, events} with audit:read, 403 without", async ({ testOrg, apiAs, request }) => {
    const { base } = seed(testOrg);
    const { ctx: writer } = await apiAs(testOrg.id, GOV);
    await expectJson(await writer.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    await expectJson(await writer.post(`${base}/approval-requests`, { data: {} }), 201);

    const { ctx: auditor } = await apiAs(testOrg.id, ["audit:read"]);
    const result = await expectJson(await auditor.get(`${API}/audit/verify`), 200);
    const expected = verifyAuditChain(testOrg.id);
    expect(expected.ok).toBe(true);
    expect(result).toMatchObject({ ok: true, events: expected.events });
    expect(result.events).toBeGreaterThan(5);

    const denied = await expectApiError(await writer.get(`${API}/audit/verify`), 403, "forbidden");
    expect(denied.message).toContain("audit:read");
    await expectApiError(await request.get(`${API}/audit/verify`), 401, "unauthorized");
    await expectApiError(await auditor.post(`${API}/audit/verify`), 405, "method_not_allowed");
  });

  test("cross-organisation isolation: another organisation's token gets 404", async ({ testOrg, apiAs }) => {
    const { slug, base } = seed(testOrg);
    const { ctx } = await apiAs(testOrg.id, GOV);
    const audit = await expectJson(await ctx.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 201);
    const request = await expectJson(await ctx.post(`${base}/approval-requests`, { data: {} }), 201);
    saveModelCard(testOrg.id, slug, "1.0.0", { ...emptySections(), modelDetails: "Ours" }, member(testOrg, "team").actor);
    await expectJson(await ctx.get(`${base}/model-card`), 200);

    const other = await createTestOrg("gov-iso");
    const { ctx: outsider } = await apiAs(other.id, [...GOV, "audit:read", "registry:read"]);
    await expectApiError(await outsider.get(`${API}/bias-audits/${audit.id}`), 404, "not_found");
    await expectApiError(await outsider.get(`${API}/approval-requests/${request.id}`), 404, "not_found");
    await expectApiError(await outsider.get(`${base}/model-card`), 404, "not_found");
    await expectApiError(await outsider.post(`${base}/bias-audits`, { data: { config: CONFIG, rows: ROWS } }), 404, "not_found");
    await expectApiError(await outsider.post(`${base}/approval-requests`, { data: {} }), 404, "not_found");
    // Its own chain only.
    const verify = await expectJson(await outsider.get(`${API}/audit/verify`), 200);
    expect(verify).toMatchObject({ ok: true, events: verifyAuditChain(other.id).events });
    expect(listVersionBiasAudits(testOrg.id, getVersionDetail(testOrg.id, slug, "1.0.0")!.version.id)).toHaveLength(1);
  });

  test("a direct transition to production through the API is refused with 409 and the failing checks", async ({ testOrg, apiAs }) => {
    const { slug } = seed(testOrg); // high risk, full lineage, in staging
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const url = `${API}/models/${slug}/versions/1.0.0/transitions`;

    const refused = await expectApiError(await ctx.post(url, { data: { to: "production", reason: "ship it" } }), 409, "conflict");
    expect(refused.issues.map((i) => i.path)).toEqual(["model_card", "bias_audit", "approval"]);
    expect(refused.issues.find((i) => i.path === "model_card")!.message).toContain("No model card yet");
    expect(refused.message).toContain("approved approval request");

    // With every gate cleared, only the missing approval is left.
    await clearPromotionGates(testOrg, slug, "1.0.0");
    const stillRefused = await expectApiError(await ctx.post(url, { data: { to: "production" } }), 409, "conflict");
    expect(stillRefused.issues.map((i) => i.path)).toEqual(["approval"]);
    expect(getVersionDetail(testOrg.id, slug, "1.0.0")?.version.stage).toBe("staging");

    // Without registry:promote the refusal is a 403.
    const { ctx: writer } = await apiAs(testOrg.id, ["registry:read", "registry:write"]);
    await expectApiError(await writer.post(url, { data: { to: "production" } }), 403, "forbidden");
    expect(getVersionDetail(testOrg.id, slug, "1.0.0")?.version.stage).toBe("staging");
  });
});
