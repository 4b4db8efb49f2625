/**
 * Submitting twice does not do it twice (issue #14, §8), the JSON API half,
 * against the real server: POSTs honour `Idempotency-Key` (the same key and
 * body → the first answer replayed; another body → 422; while the first still
 * runs → 409), and roadmap generation is serialised per assessment.
 */
import { eq } from "drizzle-orm";
import { describe } from "vitest";
import { getDb } from "../../db/client";
import { biasAudits, models, roadmaps } from "../../db/schema";
import { createModel, createVersion } from "../../app/modules/registry/registry.server";
import { API, expectApiError, expectJson, send } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { ASSESS, finalisedAssessment, P1, ROADMAP } from "../setup/roadmap-fixtures";
import { fullLineage, member } from "../setup/test-orgs";

const REGISTRY = ["registry:read", "registry:write"] as const;

const modelsOf = (orgId: number) => getDb().select().from(models).where(eq(models.orgId, orgId)).all();
const roadmapsOf = (orgId: number) => getDb().select().from(roadmaps).where(eq(roadmaps.orgId, orgId)).all();

describe("API creates and Idempotency-Key", () => {
  test("20 concurrent createModel posts with one key make one model; every answer is that model; a later repeat is replayed", async ({
    testOrg,
    apiAs,
  }) => {
    const { ctx } = await apiAs(testOrg.id, [...REGISTRY]);
    // No slug: each create derives one from the name (double-submit-model, -2, -3 … before the fix).
    const body = { name: "Double submit model", riskTier: "limited" };
    const headers = { "Idempotency-Key": "create-double-submit-1" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => ctx.post(`${API}/models`, { data: body, headers })));
    expect(modelsOf(testOrg.id).map((m) => m.slug)).toEqual(["double-submit-model"]);
    const statuses = answers.map((a) => a.status());
    // Each answer is the created model (201, the first or its replay), or 409 for one that came while the first still ran.
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(","),
    ).toBe(true);
    const created = await Promise.all(answers.filter((a) => a.status() === 201).map((a) => a.json()));
    expect(created.length).toBeGreaterThan(0);
    for (const answer of created) expect(answer).toEqual(created[0]);

    const replay = await ctx.post(`${API}/models`, { data: body, headers });
    expect(replay.status()).toBe(201);
    expect(replay.headers()["idempotent-replayed"]).toBe("true");
    expect(await replay.json()).toEqual(created[0]);
    expect(modelsOf(testOrg.id)).toHaveLength(1);
  });

  test("the same key with another body → 422; another token's same key is its own; no key creates as before", async ({
    testOrg,
    apiAs,
  }) => {
    const first = await apiAs(testOrg.id, [...REGISTRY]);
    const second = await apiAs(testOrg.id, [...REGISTRY]);
    const headers = { "Idempotency-Key": "same-key" };
    await expectJson(await first.ctx.post(`${API}/models`, { data: { name: "Key one", riskTier: "limited" }, headers }), 201);
    const reused = await expectApiError(
      await first.ctx.post(`${API}/models`, { data: { name: "Key two", riskTier: "limited" }, headers }),
      422,
      "idempotency_key_reused",
    );
    expect(reused.message).toMatch(/Idempotency-Key/);
    await expectJson(await second.ctx.post(`${API}/models`, { data: { name: "Key two", riskTier: "limited" }, headers }), 201);
    await expectJson(await first.ctx.post(`${API}/models`, { data: { name: "No key", riskTier: "limited" } }), 201);
    expect(
      modelsOf(testOrg.id)
        .map((m) => m.name)
        .sort(),
    ).toEqual(["Key one", "Key two", "No key"]);
    // A refusal is not kept: the same key may be used again once the request is put right.
    const headersB = { "Idempotency-Key": "after-refusal" };
    await expectApiError(await first.ctx.post(`${API}/models`, { data: { name: "", riskTier: "limited" }, headers: headersB }), 422);
    await expectJson(await first.ctx.post(`${API}/models`, { data: { name: "Put right", riskTier: "limited" }, headers: headersB }), 201);
    // A key that is not a short printable text is refused.
    await expectApiError(
      await first.ctx.post(`${API}/models`, {
        data: { name: "Bad key", riskTier: "limited" },
        headers: { "Idempotency-Key": "x".repeat(300) },
      }),
      400,
    );
  });

  test("the same key while the first request is still running → 409, and nothing is created twice", async ({ testOrg, apiAs, baseURL }) => {
    const { token, ctx } = await apiAs(testOrg.id, [...REGISTRY]);
    const body = new TextEncoder().encode(JSON.stringify({ name: "Slow upload", riskTier: "limited" }));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first request's body arrives in two parts; the second request comes between them.
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(body.slice(0, 5));
        await held;
        controller.enqueue(body.slice(5));
        controller.close();
      },
    });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "slow-one" };
    const first = send(baseURL, `${API}/models`, { method: "POST", headers, body: stream, duplex: "half" });
    await new Promise((r) => setTimeout(r, 300));
    await expectApiError(
      await ctx.post(`${API}/models`, { data: { name: "Slow upload", riskTier: "limited" }, headers: { "Idempotency-Key": "slow-one" } }),
      409,
      "idempotency_key_in_use",
    );
    release();
    expect((await first).status).toBe(201);
    expect(modelsOf(testOrg.id).map((m) => m.name)).toEqual(["Slow upload"]);
  });

  test("roadmap generation is serialised per assessment: 20 at once make one roadmap, with or without a key", async ({
    testOrg,
    apiAs,
  }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const url = `${API}/assessments/${assessment.id}/roadmap`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.ctx.post(url, { data: { startDate: "2027-01-01" } })));
    expect(answers.filter((a) => a.status() === 201)).toHaveLength(1);
    for (const a of answers.filter((a) => a.status() !== 201)) await expectApiError(a, 409, "conflict");
    expect(roadmapsOf(testOrg.id)).toHaveLength(1);

    const keyed = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.ctx.post(url, { data: { replacesRoadmapId: roadmapsOf(testOrg.id)[0]!.id }, headers: { "Idempotency-Key": "regen" } }),
      ),
    );
    expect(keyed.every((a) => a.status() === 201 || a.status() === 409)).toBe(true);
    expect(roadmapsOf(testOrg.id)).toHaveLength(2);
  });

  test("a multipart bias-audit upload sent again with the same key (another boundary) is replayed, not run twice", async ({
    testOrg,
    apiAs,
  }) => {
    const team = member(testOrg, "team");
    createModel(testOrg.id, { name: "Upload twice", slug: "upload-twice", riskTier: "limited" }, team.actor, "ui");
    createVersion(testOrg.id, "upload-twice", { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
    const { ctx } = await apiAs(testOrg.id, ["governance:read", "governance:write"]);
    const config = {
      groupColumns: ["group"],
      labelColumn: "label",
      positiveLabels: ["1"],
      predictionColumn: "prediction",
      positivePredictions: ["1"],
      minGroupSize: 1,
    };
    const csv = ["group,label,prediction", "a,1,1", "a,0,0", "b,1,0", "b,0,0"].join("\n") + "\n";
    const upload = (body: string) =>
      ctx.post(`${API}/models/upload-twice/versions/1.0.0/bias-audits`, {
        // FormData picks a new boundary for each request.
        multipart: { config: JSON.stringify(config), file: { name: "p.csv", mimeType: "text/csv", buffer: Buffer.from(body) } },
        headers: { "Idempotency-Key": "upload-1" },
      });
    const first = await expectJson<{ id: number }>(await upload(csv), 201);
    const again = await upload(csv);
    expect(again.status()).toBe(201);
    expect(again.headers()["idempotent-replayed"]).toBe("true");
    expect((await again.json()).id).toBe(first.id);
    await expectApiError(await upload(csv.replace("b,1,0", "b,1,1")), 422, "idempotency_key_reused");
    const audits = getDb().select().from(biasAudits).where(eq(biasAudits.orgId, testOrg.id)).all();
    expect(audits.map((a) => a.id)).toEqual([first.id]);
  });
});
