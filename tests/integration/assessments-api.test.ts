import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { API, apiClient, expectApiError, expectJson } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { FRAMEWORK, statementsAt, storedAssessment } from "../setup/assessment-fixtures";
import { createTestOrg } from "../setup/test-orgs";

/**
 * The assessment JSON API: the public framework, and for a token of the
 * organisation: start a quarter (never a future one), merge responses,
 * finalise (409 naming the unanswered statements per component unless
 * accepted, 409 with the flags that need a justification), read back,
 * withdraw; scopes and organisations are enforced. What was written is checked straight in the server's database.
 */

const inPlace = (ids: string[]) => ids.map((id) => ({ id, status: "in_place" }));
const RW: ApiScope[] = ["assessment:read", "assessment:write"];
const RO: ApiScope[] = ["assessment:read"];

type ComponentJson = { id: string; score: number; level: number; evidenceLevel: number | null; flags: string[] };
type AssessmentJson = {
  id: number;
  period: string;
  status: string;
  dimensionScore: number;
  level: number;
  band: string;
  components: ComponentJson[];
  questions: Array<{
    questionId: string;
    componentId: string;
    answerLevel: number | null;
    componentLevel: number;
    differs: boolean;
    note: string | null;
  }>;
  evidence: {
    metrics: Record<string, unknown>;
    components: Array<{ componentId: string; level: number | null }>;
    justifications: Record<string, string>;
  };
};

const component = (a: AssessmentJson, id: string) => a.components.find((c) => c.id === id)!;

test("GET /framework is public: five components, statements of levels 2–5, three questions", async ({ request }) => {
  const body = await expectJson(await request.get(`${API}/framework`), 200);
  // The newest built-in version is served (2 since issue #15; same statements as version 1).
  expect(body.version).toBe("2");
  expect(body.components).toHaveLength(5);
  expect(body.components.map((c: { id: string }) => c.id)).toEqual([
    "technical-capability",
    "mlops",
    "lifecycle",
    "production-operations",
    "standards",
  ]);
  for (const c of body.components as Array<{ capabilities: Array<Record<string, unknown>> }>) {
    expect(c.capabilities.length).toBeGreaterThan(0);
    for (const s of c.capabilities) {
      expect(Object.keys(s).sort()).toEqual(["id", "level", "text"]);
      expect([2, 3, 4, 5]).toContain(s.level);
      expect(typeof s.text).toBe("string");
    }
    expect(new Set(c.capabilities.map((s) => s.level))).toEqual(new Set([2, 3, 4, 5]));
  }
  expect(body.questions.map((q: { id: string }) => q.id)).toEqual(["development-capability", "mlops-automation", "production-operations"]);
  await expectApiError(await request.get(`${API}/framework?version=99`), 404, "not_found");
});

test(
  "a pipeline token starts a quarter, merges responses, finalises with a justification and reads it back",
  { timeout: 60_000 },
  async ({ testOrg, apiAs }) => {
    const { ctx } = await apiAs(testOrg.id, RW);
    const period = shiftQuarter(quarterOf(new Date()), -1);

    // Start: 201, then 409 for the same quarter, 422 for a quarter that does not exist.
    const created = await expectJson<AssessmentJson>(await ctx.post(`${API}/assessments`, { data: { period: period.toLowerCase() } }), 201);
    expect(created).toMatchObject({ period, status: "draft", dimensionScore: 1, level: 1 });
    const id = created.id;
    const duplicate = await expectApiError(await ctx.post(`${API}/assessments`, { data: { period } }), 409, "conflict");
    expect(duplicate.issues.map((i) => i.path)).toEqual(["period"]);
    const badPeriod = await expectApiError(await ctx.post(`${API}/assessments`, { data: { period: "2026-Q5" } }), 422, "invalid");
    expect(badPeriod.issues.map((i) => i.path)).toEqual(["period"]);
    // A future quarter (its registry evidence would be an empty window) is invalid on `period`; nothing is created.
    const future = await expectApiError(
      await ctx.post(`${API}/assessments`, { data: { period: shiftQuarter(quarterOf(new Date()), 1) } }),
      422,
      "invalid",
    );
    expect(future.issues.map((i) => i.path)).toEqual(["period"]);
    expect(future.message).toContain("has not started yet");
    await expectApiError(await ctx.post(`${API}/assessments`, { data: { period: "2025-Q3", frameworkVersion: "99" } }), 422, "invalid");

    // PUT merges: level 2 first, level 3 and a question later; the level 2 answers are kept.
    const first = await expectJson<AssessmentJson>(
      await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities: inPlace(statementsAt("production-operations", 2)) } }),
      200,
    );
    expect(component(first, "production-operations")).toMatchObject({ level: 2, score: 2 });
    const second = await expectJson<AssessmentJson>(
      await ctx.put(`${API}/assessments/${id}/responses`, {
        data: {
          capabilities: inPlace(statementsAt("production-operations", 3)),
          questions: [{ id: "production-operations", level: 3, note: "ops review" }],
        },
      }),
      200,
    );
    expect(component(second, "production-operations")).toMatchObject({
      level: 3,
      score: 3,
      evidenceLevel: 1,
      flags: ["not_supported_by_registry_evidence"],
    });
    expect(second.questions.find((q) => q.questionId === "production-operations")).toMatchObject({
      answerLevel: 3,
      componentLevel: 3,
      differs: false,
      note: "ops review",
    });
    expect(Object.keys(storedAssessment(id).statements).sort()).toEqual(
      [...statementsAt("production-operations", 2), ...statementsAt("production-operations", 3)].sort(),
    );

    // Invalid responses: 422 naming the field, and nothing written.
    const unknown = await expectApiError(
      await ctx.put(`${API}/assessments/${id}/responses`, {
        data: {
          capabilities: [
            { id: "mlops.l2.1", status: "in_place" },
            { id: "nope.l2.1", status: "in_place" },
          ],
        },
      }),
      422,
    );
    expect(unknown.issues.map((i) => i.path)).toEqual(["capabilities.1.id"]);
    const noReason = await expectApiError(
      await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities: [{ id: "mlops.l2.1", status: "not_applicable" }] } }),
      422,
    );
    expect(noReason.issues.map((i) => i.path)).toEqual(["capabilities.0.reason"]);
    expect(storedAssessment(id).statements["mlops.l2.1"]).toBeUndefined();

    // Finalise: unanswered statements are a 409 naming the answered counts per component (and any missing
    // justification), unless accepted.
    const justification = "Operations run at level 3; the models are hosted outside the registry until Q1.";
    for (const body of [
      undefined,
      { justifications: { "production-operations": justification } },
      { justifications: {}, acceptUnanswered: false },
    ]) {
      const incomplete = await expectApiError(
        await ctx.post(`${API}/assessments/${id}/finalize`, body ? { data: body } : {}),
        409,
        "conflict",
      );
      expect(incomplete.message).toContain("not in place");
      // The missing justification is named in the same answer, so both are fixed in one go.
      const justified = Boolean(body?.justifications["production-operations"]);
      expect(incomplete.issues).toHaveLength(justified ? 5 : 6);
      if (!justified)
        expect(incomplete.issues.at(-1)).toEqual({ path: "justifications.production-operations", message: expect.any(String) });
      const prodOps = FRAMEWORK.components.find((c) => c.id === "production-operations")!.capabilities.length;
      const answered = statementsAt("production-operations", 2).length + statementsAt("production-operations", 3).length;
      expect(incomplete.issues).toContainEqual({
        path: "answered.production-operations",
        message: `Production Operations: ${answered} of ${prodOps} statements answered`,
      });
      expect(incomplete.issues.find((i) => i.path === "answered.mlops")!.message).toMatch(/^MLOps.*: 0 of \d+ statements answered$/);
    }
    expect(storedAssessment(id).status).toBe("draft");
    // Accepted, the flag still needs its justification: 409 naming the component by name, then 200 with it.
    const refused = await expectApiError(
      await ctx.post(`${API}/assessments/${id}/finalize`, { data: { justifications: {}, acceptUnanswered: true } }),
      409,
      "conflict",
    );
    expect(refused.message).toBe("Justify the levels not supported by registry evidence: Production Operations");
    expect(refused.issues).toEqual([{ path: "justifications.production-operations", message: expect.any(String) }]);
    expect(storedAssessment(id).status).toBe("draft");
    await expectApiError(await ctx.post(`${API}/assessments/${id}/finalize`, { data: { acceptUnanswered: "yes" } }), 422, "invalid");
    const finalized = await expectJson<AssessmentJson>(
      await ctx.post(`${API}/assessments/${id}/finalize`, {
        data: { justifications: { "production-operations": justification }, acceptUnanswered: true },
      }),
      200,
    );
    expect(finalized.status).toBe("finalized");
    expect(finalized.evidence.justifications).toEqual({ "production-operations": justification });
    // Finalised is read-only.
    await expectApiError(
      await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities: inPlace(["mlops.l2.1"]) } }),
      409,
      "conflict",
    );
    await expectApiError(
      await ctx.post(`${API}/assessments/${id}/finalize`, { data: { justifications: {}, acceptUnanswered: true } }),
      409,
      "conflict",
    );

    // Read back: the detail and the list agree.
    const detail = await expectJson<AssessmentJson>(await ctx.get(`${API}/assessments/${id}`), 200);
    for (const key of ["id", "period", "status", "dimensionScore", "level", "band", "components", "questions", "evidence"])
      expect(detail).toHaveProperty(key);
    expect(detail).toMatchObject({ id, period, status: "finalized", level: 1, band: "weak" });
    expect(detail.dimensionScore).toBeCloseTo(1.4, 10);
    expect(detail.components).toHaveLength(5);
    for (const c of detail.components) {
      expect(c).toEqual(
        expect.objectContaining({ id: expect.any(String), score: expect.any(Number), level: expect.any(Number), flags: expect.any(Array) }),
      );
      expect(c).toHaveProperty("evidenceLevel");
    }
    expect(component(detail, "production-operations")).toMatchObject({
      score: 3,
      level: 3,
      evidenceLevel: 1,
      flags: ["not_supported_by_registry_evidence"],
    });
    expect(component(detail, "technical-capability")).toMatchObject({ evidenceLevel: null, flags: [] });
    expect(detail.questions.map((q) => q.questionId)).toEqual(["development-capability", "mlops-automation", "production-operations"]);
    expect(detail.evidence.metrics).toMatchObject({ productionModels: 0 });
    expect(detail.evidence.components.find((e) => e.componentId === "production-operations")!.level).toBe(1);

    const list = await expectJson<{ assessments: AssessmentJson[] }>(await ctx.get(`${API}/assessments`), 200);
    expect(list.assessments).toHaveLength(1);
    expect(list.assessments[0]).toMatchObject({
      id,
      period,
      status: "finalized",
      dimensionScore: detail.dimensionScore,
      level: 1,
      band: "weak",
    });
    expect(list.assessments[0]!.components.map((c) => [c.id, c.score, c.level])).toEqual(
      detail.components.map((c) => [c.id, c.score, c.level]),
    );
  },
);

test("scopes and organisations: read-only tokens cannot write, other organisations get 404", async ({ testOrg, apiAs, baseURL }) => {
  const { ctx: writer } = await apiAs(testOrg.id, RW);
  const { ctx: reader } = await apiAs(testOrg.id, RO);
  const period = shiftQuarter(quarterOf(new Date()), -2);
  const { id } = await expectJson<AssessmentJson>(await writer.post(`${API}/assessments`, { data: { period } }), 201);

  // Read-only: reads work, every write is 403 and writes nothing.
  await expectJson(await reader.get(`${API}/assessments/${id}`), 200);
  await expectApiError(await reader.post(`${API}/assessments`, { data: { period: shiftQuarter(period, -1) } }), 403, "forbidden");
  await expectApiError(
    await reader.put(`${API}/assessments/${id}/responses`, { data: { capabilities: inPlace(["mlops.l2.1"]) } }),
    403,
    "forbidden",
  );
  await expectApiError(await reader.post(`${API}/assessments/${id}/finalize`, { data: { justifications: {} } }), 403, "forbidden");
  expect(storedAssessment(id)).toMatchObject({ status: "draft", statements: {} });

  // A write-only token cannot read.
  const { ctx: writeOnly } = await apiAs(testOrg.id, ["assessment:write"]);
  await expectApiError(await writeOnly.get(`${API}/assessments`), 403, "forbidden");

  // Another organisation's token: 404 for this organisation's assessment, and its own list is empty.
  const other = await createTestOrg("other");
  const { ctx: stranger } = await apiAs(other.id, RW);
  await expectApiError(await stranger.get(`${API}/assessments/${id}`), 404, "not_found");
  await expectApiError(
    await stranger.put(`${API}/assessments/${id}/responses`, { data: { capabilities: inPlace(["mlops.l2.1"]) } }),
    404,
    "not_found",
  );
  await expectApiError(await stranger.post(`${API}/assessments/${id}/finalize`, { data: { justifications: {} } }), 404, "not_found");
  expect((await expectJson<{ assessments: unknown[] }>(await stranger.get(`${API}/assessments`), 200)).assessments).toEqual([]);
  expect(storedAssessment(id)).toMatchObject({ status: "draft", statements: {} });

  // No token at all: 401.
  const anonymous = apiClient(baseURL);
  await expectApiError(await anonymous.get(`${API}/assessments`), 401, "unauthorized");
  await expectApiError(await writer.get(`${API}/assessments/not-a-number`), 404, "not_found");
});

test("withdraw: a finalised assessment with a reason (200), frees its quarter and leaves the list's finalised ones; 409 when not finalised, 422 without a reason, 403 without the scope", async ({
  testOrg,
  apiAs,
}) => {
  const { ctx } = await apiAs(testOrg.id, RW);
  const period = shiftQuarter(quarterOf(new Date()), -3);
  const { id } = await expectJson<AssessmentJson>(await ctx.post(`${API}/assessments`, { data: { period } }), 201);

  // A draft cannot be withdrawn.
  const draft = await expectApiError(
    await ctx.post(`${API}/assessments/${id}/withdraw`, { data: { reason: "Wrong quarter" } }),
    409,
    "conflict",
  );
  expect(draft.message).toContain("Only a finalised assessment can be withdrawn");
  await expectJson(await ctx.post(`${API}/assessments/${id}/finalize`, { data: { acceptUnanswered: true } }), 200);

  // No reason, an empty one, or no write scope: refused, nothing changes.
  const empty = await expectApiError(await ctx.post(`${API}/assessments/${id}/withdraw`, { data: { reason: "   " } }), 422, "invalid");
  expect(empty.issues.map((i) => i.path)).toEqual(["reason"]);
  await expectApiError(await ctx.post(`${API}/assessments/${id}/withdraw`, { data: {} }), 422, "invalid");
  const { ctx: reader } = await apiAs(testOrg.id, RO);
  await expectApiError(
    await reader.post(`${API}/assessments/${id}/withdraw`, { data: { reason: "Not mine to withdraw" } }),
    403,
    "forbidden",
  );
  const other = await createTestOrg("other");
  const { ctx: stranger } = await apiAs(other.id, RW);
  await expectApiError(await stranger.post(`${API}/assessments/${id}/withdraw`, { data: { reason: "Not yours" } }), 404, "not_found");
  expect(storedAssessment(id).status).toBe("finalized");

  const reason = "Answered against the wrong business unit";
  const withdrawn = await expectJson<AssessmentJson & { withdrawnAt: string; withdrawnBy: string; withdrawnReason: string }>(
    await ctx.post(`${API}/assessments/${id}/withdraw`, { data: { reason: `  ${reason} ` } }),
    200,
  );
  expect(withdrawn).toMatchObject({
    id,
    period,
    status: "withdrawn",
    withdrawnReason: reason,
    withdrawnBy: expect.stringContaining("token:"),
  });
  expect(Date.parse(withdrawn.withdrawnAt)).not.toBeNaN();
  expect(storedAssessment(id).status).toBe("withdrawn");
  // Still readable; withdrawing again is a conflict.
  expect(await expectJson<AssessmentJson>(await ctx.get(`${API}/assessments/${id}`), 200)).toMatchObject({
    status: "withdrawn",
    withdrawnReason: reason,
  });
  await expectApiError(await ctx.post(`${API}/assessments/${id}/withdraw`, { data: { reason } }), 409, "conflict");
  // It is read-only, cannot be planned from, and its quarter is free again.
  await expectApiError(
    await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities: inPlace(["mlops.l2.1"]) } }),
    409,
    "conflict",
  );
  const { ctx: planner } = await apiAs(testOrg.id, ["roadmap:write"]);
  await expectApiError(await planner.post(`${API}/assessments/${id}/roadmap`), 409, "conflict");
  const again = await expectJson<AssessmentJson>(await ctx.post(`${API}/assessments`, { data: { period } }), 201);
  expect(again.id).not.toBe(id);
  const list = await expectJson<{ assessments: AssessmentJson[] }>(await ctx.get(`${API}/assessments`), 200);
  expect(list.assessments.map((a) => [a.id, a.status])).toEqual(
    expect.arrayContaining([
      [id, "withdrawn"],
      [again.id, "draft"],
    ]),
  );
});
