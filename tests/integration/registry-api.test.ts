import { describe } from "vitest";
import { listAuditEvents, SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { setObjective } from "../../app/modules/registry/registry.server";
import { API, apiClient, bearer, expectApiError, expectJson, send, type ApiClient } from "../setup/api-client";
import { expect, portal, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import {
  createTestOrg,
  DAY,
  fullLineage,
  isoDay,
  makeToken,
  PROMOTE,
  promoteThroughGovernance,
  READ,
  revokeToken,
  TEST_PASSWORD,
  uniqueSlug,
  WRITE,
} from "../setup/test-orgs";

/**
 * The registry JSON API against the real server: happy paths, every error
 * status with its envelope, organisation isolation and the audit trail.
 * (Moved from the Playwright suite: it never opens a page.)
 */

/** Registers a model through the API and returns its JSON. */
async function postModel(ctx: ApiClient, body: Record<string, unknown>) {
  return expectJson(await ctx.post(`${API}/models`, { data: body }), 201);
}

/** Registers a version through the API and returns its JSON. */
async function postVersion(ctx: ApiClient, slug: string, body: Record<string, unknown>) {
  return expectJson(await ctx.post(`${API}/models/${slug}/versions`, { data: body }), 201);
}

function transition(ctx: ApiClient, slug: string, version: string, to: string, reason?: string) {
  return ctx.post(`${API}/models/${slug}/versions/${version}/transitions`, { data: reason ? { to, reason } : { to } });
}

/** Walks a development version through validation to staging over the API. */
async function moveToStaging(ctx: ApiClient, slug: string, version: string) {
  for (const to of ["validation", "staging"]) await expectJson(await transition(ctx, slug, version, to), 201);
}

/** Everything the API lets a token see of its organisation's registry, to compare before and after failures. */
async function registrySnapshot(ctx: ApiClient, orgId: number) {
  const list = await expectJson(await ctx.get(`${API}/models?pageSize=100`), 200);
  const models = [];
  for (const m of list.models) {
    const model = await expectJson(await ctx.get(`${API}/models/${m.slug}`), 200);
    models.push(model);
  }
  return { total: list.total, models, auditEvents: listAuditEvents(orgId, {}, { limit: 1000 }).events.length };
}

describe("registry API: happy paths", () => {
  test("registers a model and reads it back, in the list and on its own", async ({ apiAs, testOrg }) => {
    const { ctx, name } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("churn");
    const created = await postModel(ctx, {
      name: "  Churn model  ",
      slug,
      riskTier: "limited",
      ownerTeam: "retention",
      useCase: "Predict churn",
      description: "Monthly churn propensity",
      tags: ["Retention", "churn", "churn"],
    });
    expect(created).toMatchObject({
      slug,
      name: "Churn model",
      riskTier: "limited",
      ownerTeam: "retention",
      useCase: "Predict churn",
      description: "Monthly churn propensity",
      tags: ["churn", "retention"],
      createdVia: "api",
      productionVersion: null,
      latestVersion: null,
      versions: [],
    });
    expect(typeof created.id).toBe("number");
    expect(new Date(created.createdAt).getTime()).toBeGreaterThan(Date.now() - 5 * 60_000);

    // Without a slug one is derived from the name, and made unique.
    const derived = await postModel(ctx, { name: "Fraud Detector!", riskTier: "high" });
    expect(derived.slug).toBe("fraud-detector");
    const again = await postModel(ctx, { name: "Fraud Detector!", riskTier: "minimal" });
    expect(again.slug).toBe("fraud-detector-2");

    const one = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(one).toEqual(created);

    const list = await expectJson(await ctx.get(`${API}/models`), 200);
    expect(list).toMatchObject({ total: 3, page: 1, pageSize: 25 });
    expect(list.models.map((m: { slug: string }) => m.slug)).toEqual([slug, "fraud-detector", "fraud-detector-2"]);
    expect(list.models[0]).toMatchObject({
      slug,
      name: "Churn model",
      riskTier: "limited",
      tags: ["churn", "retention"],
      versionCount: 0,
      openIncidents: 0,
    });

    // Search, filters, sort and paging.
    const slugs = async (query: string) =>
      (await expectJson(await ctx.get(`${API}/models?${query}`), 200)).models.map((m: { slug: string }) => m.slug);
    expect(await slugs("riskTier=high")).toEqual(["fraud-detector"]);
    expect(await slugs("q=CHURN")).toEqual([slug]);
    expect(await slugs("tag=retention")).toEqual([slug]);
    expect(await slugs("team=retention")).toEqual([slug]);
    expect(await slugs("sort=-risk")).toEqual(["fraud-detector", slug, "fraud-detector-2"]);
    expect(await slugs("sort=-name")).toEqual(["fraud-detector", "fraud-detector-2", slug]);
    const page2 = await expectJson(await ctx.get(`${API}/models?pageSize=2&page=2`), 200);
    expect(page2).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.models.map((m: { slug: string }) => m.slug)).toEqual(["fraud-detector-2"]);

    // The token is the actor of the audit event.
    const events = listAuditEvents(testOrg.id, { action: "model.created" }, { limit: 10 }).events;
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.actorLabel === `token:${name}` && e.actorType === "token")).toBe(true);
  });

  test("registers versions and reads them, newest first, with lineage", async ({ apiAs, testOrg }) => {
    const { ctx, name } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("ranker");
    await postModel(ctx, { name: "Ranker", slug, riskTier: "minimal" });

    const v1 = await postVersion(ctx, slug, { version: "1.0.0", ...fullLineage });
    expect(v1).toMatchObject({
      model: slug,
      version: "1.0.0",
      stage: "development",
      algorithm: "gradient boosting",
      framework: "xgboost 2.1",
      hyperparameters: { max_depth: 6, eta: 0.1 },
      trainingData: { ref: "s3://lake/churn", version: "2026-11" },
      codeRef: "git:3f2a9c1",
      artifactUri: "s3://models/churn/1.0.0",
      metrics: { auc: 0.81, accuracy: 0.9 },
      parentVersion: null,
      lineageComplete: true,
      createdBy: `token:${name}`,
      createdVia: "api",
    });

    const v2 = await postVersion(ctx, slug, {
      version: "1.10.0-rc.1",
      stage: "validation",
      parentVersion: "1.0.0",
      metrics: { auc: 0.83 },
    });
    expect(v2).toMatchObject({
      version: "1.10.0-rc.1",
      stage: "validation",
      parentVersion: "1.0.0",
      lineageComplete: false,
      codeRef: null,
      trainingData: null,
      hyperparameters: null,
    });
    const v3 = await postVersion(ctx, slug, { version: "1.9.0" });
    expect(v3).toMatchObject({ stage: "development", metrics: {}, lineageComplete: false });

    const versions = await expectJson(await ctx.get(`${API}/models/${slug}/versions`), 200);
    expect(versions.model).toBe(slug);
    // Semantic order, not registration or string order.
    expect(versions.versions.map((v: { version: string }) => v.version)).toEqual(["1.10.0-rc.1", "1.9.0", "1.0.0"]);

    const one = await expectJson(await ctx.get(`${API}/models/${slug}/versions/1.0.0`), 200);
    expect(one).toEqual(v1);
    const model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.latestVersion).toBe("1.10.0-rc.1");
    expect(model.versions).toHaveLength(3);
    const listed = (await expectJson(await ctx.get(`${API}/models?q=${slug}`), 200)).models[0];
    expect(listed).toMatchObject({ slug, latestVersion: "1.10.0-rc.1", versionCount: 3, productionVersion: null });
  });

  test("promotion walks development → validation → staging → production and retires the previous production version", async ({
    apiAs,
    testOrg,
  }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const slug = uniqueSlug("pricing");
    await postModel(ctx, { name: "Pricing", slug, riskTier: "minimal" });
    await postVersion(ctx, slug, { version: "1.0.0", ...fullLineage });

    const toValidation = await expectJson(await transition(ctx, slug, "1.0.0", "validation", "offline eval done"), 201);
    expect(toValidation).toMatchObject({
      model: slug,
      version: "1.0.0",
      to: "validation",
      reason: "offline eval done",
      retiredVersion: null,
    });
    expect(Date.parse(toValidation.at)).toBeGreaterThan(Date.now() - 5 * 60_000);
    const toStaging = await expectJson(await transition(ctx, slug, "1.0.0", "staging"), 201);
    expect(toStaging).toMatchObject({ to: "staging", reason: "", retiredVersion: null });
    expect((await expectJson(await ctx.get(`${API}/models/${slug}/versions/1.0.0`), 200)).stage).toBe("staging");

    // A plain move to production is refused even with registry:promote: production needs an approved
    // approval request, and the refusal names what is missing. Nothing moves.
    const refused = await expectApiError(await transition(ctx, slug, "1.0.0", "production", "go"), 409, "conflict");
    const missing = refused.issues.map((i) => i.path);
    expect(missing).toContain("model_card");
    expect(missing).toContain("approval");
    expect(missing).not.toContain("lineage");
    expect((await expectJson(await ctx.get(`${API}/models/${slug}/versions/1.0.0`), 200)).stage).toBe("staging");

    // Through governance (approved card, ethics approval) it reaches production.
    const approved = await promoteThroughGovernance(testOrg, slug, "1.0.0");
    expect(approved).toMatchObject({ status: "approved", model: slug, version: "1.0.0" });
    let model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.productionVersion).toBe("1.0.0");
    expect((await expectJson(await ctx.get(`${API}/models/${slug}/versions/1.0.0`), 200)).stage).toBe("production");

    // A second version promoted retires the first.
    await postVersion(ctx, slug, { version: "2.0.0", parentVersion: "1.0.0", ...fullLineage });
    await moveToStaging(ctx, slug, "2.0.0");
    await promoteThroughGovernance(testOrg, slug, "2.0.0");

    model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.productionVersion).toBe("2.0.0");
    expect(model.versions.map((v: { version: string; stage: string }) => [v.version, v.stage])).toEqual([
      ["2.0.0", "production"],
      ["1.0.0", "retired"],
    ]);
    expect((await expectJson(await ctx.get(`${API}/models/${slug}/versions/2.0.0`), 200)).parentVersion).toBe("1.0.0");
    const versions = await expectJson(await ctx.get(`${API}/models/${slug}/versions`), 200);
    expect(versions.versions.filter((v: { stage: string }) => v.stage === "production")).toHaveLength(1);
    const slugsIn = async (stage: string) =>
      (await expectJson(await ctx.get(`${API}/models?stage=${stage}`), 200)).models.map((m: { slug: string }) => m.slug);
    expect(await slugsIn("production")).toEqual([slug]);
    expect(await slugsIn("retired")).toEqual([slug]);
    expect(await slugsIn("staging")).toEqual([]);

    // The retirement is audited, with its reason, in the same step.
    const retired = listAuditEvents(testOrg.id, { action: "model_version.stage_changed" }, { limit: 50 }).events.filter(
      (e) => (e.payload.after as { stage?: string })?.stage === "retired",
    );
    expect(retired).toHaveLength(1);
    expect(retired[0]!.payload).toMatchObject({
      before: { model: slug, version: "1.0.0", stage: "production" },
      after: { model: slug, version: "1.0.0", stage: "retired" },
      details: { reason: "Replaced in production by 2.0.0" },
    });

    // The only way back is to development.
    const back = await expectJson(await transition(ctx, slug, "1.0.0", "development"), 201);
    expect(back).toMatchObject({ to: "development", retiredVersion: null });
  });

  test("incidents are reported, read and updated", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("scorer");
    await postModel(ctx, { name: "Scorer", slug, riskTier: "high" });
    await postVersion(ctx, slug, { version: "0.1.0" });

    const startedAt = new Date(Date.now() - 3 * 3_600_000);
    const detectedAt = new Date(startedAt.getTime() + 2 * 3_600_000);
    const created = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/0.1.0/incidents`, {
        data: {
          title: "Score drift",
          severity: "sev2",
          startedAt: startedAt.toISOString(),
          detectedAt: detectedAt.toISOString(),
          description: "AUC fell",
        },
      }),
      201,
    );
    expect(created).toMatchObject({
      model: slug,
      version: "0.1.0",
      title: "Score drift",
      severity: "sev2",
      status: "open",
      startedAt: startedAt.toISOString(),
      detectedAt: detectedAt.toISOString(),
      resolvedAt: null,
      timeToDetectHours: 2,
      timeToRecoverHours: null,
      description: "AUC fell",
      reviewUrl: null,
    });

    expect(await expectJson(await ctx.get(`${API}/incidents/${created.id}`), 200)).toEqual(created);
    let listed = (await expectJson(await ctx.get(`${API}/models?q=${slug}`), 200)).models[0];
    expect(listed.openIncidents).toBe(1);

    const resolvedAt = new Date(detectedAt.getTime() + 30 * 60_000);
    const updated = await expectJson(
      await ctx.patch(`${API}/incidents/${created.id}`, {
        data: { status: "resolved", resolvedAt: resolvedAt.toISOString(), reviewUrl: "https://wiki.example/pir/1" },
      }),
      200,
    );
    expect(updated).toMatchObject({
      id: created.id,
      model: slug,
      version: "0.1.0",
      title: "Score drift",
      status: "resolved",
      resolvedAt: resolvedAt.toISOString(),
      timeToRecoverHours: 0.5,
      reviewUrl: "https://wiki.example/pir/1",
    });
    expect(await expectJson(await ctx.get(`${API}/incidents/${created.id}`), 200)).toEqual(updated);
    listed = (await expectJson(await ctx.get(`${API}/models?q=${slug}`), 200)).models[0];
    expect(listed.openIncidents).toBe(0);

    // A resolution time alone resolves an open incident.
    const second = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/0.1.0/incidents`, {
        data: { title: "Second", severity: "sev3", startedAt: startedAt.toISOString() },
      }),
      201,
    );
    const resolvedByTime = await expectJson(
      await ctx.patch(`${API}/incidents/${second.id}`, { data: { resolvedAt: detectedAt.toISOString() } }),
      200,
    );
    expect(resolvedByTime).toMatchObject({ status: "resolved", resolvedAt: detectedAt.toISOString(), timeToRecoverHours: 2 });
    // Reopening clears the resolution time.
    const reopened = await expectJson(await ctx.patch(`${API}/incidents/${second.id}`, { data: { status: "open" } }), 200);
    expect(reopened).toMatchObject({ status: "open", resolvedAt: null, timeToRecoverHours: null });
    // A resolution time goes with the status resolved only: an open or mitigated incident has not recovered.
    const mixed = await expectApiError(
      await ctx.patch(`${API}/incidents/${second.id}`, { data: { status: "mitigated", resolvedAt: detectedAt.toISOString() } }),
      422,
    );
    expect(mixed.issues.map((issue) => issue.path)).toEqual(["status"]);
    expect(await expectJson(await ctx.get(`${API}/incidents/${second.id}`), 200)).toEqual(reopened);

    // Reported already resolved: the status follows from resolvedAt.
    const closed = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/0.1.0/incidents`, {
        data: { title: "Blip", severity: "sev4", startedAt: startedAt.toISOString(), resolvedAt: detectedAt.toISOString() },
      }),
      201,
    );
    expect(closed).toMatchObject({ status: "resolved", detectedAt: startedAt.toISOString(), timeToDetectHours: 0, timeToRecoverHours: 2 });
  });

  test("the incident update form ignores 'Resolved at' unless the status chosen is resolved", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("recovering");
    await postModel(ctx, { name: "Recovering", slug, riskTier: "minimal" });
    await postVersion(ctx, slug, { version: "0.1.0" });
    // To the minute, as the form's datetime-local field sends it.
    const startedAt = new Date(Math.floor(Date.now() / 60_000 - 180) * 60_000);
    const incident = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/0.1.0/incidents`, {
        data: { title: "Slow answers", severity: "sev3", startedAt: startedAt.toISOString() },
      }),
      201,
    );
    const { cookie } = await signIn(portal().baseUrl, testOrg.emails.team, TEST_PASSWORD);
    // The form always sends the field (without JavaScript it stays on screen, prefilled with the time the page opened).
    const update = (status: string) =>
      send(portal().baseUrl, `/orgs/${testOrg.slug}/models/${slug}/versions/0.1.0`, {
        method: "POST",
        cookie,
        body: new URLSearchParams({
          intent: "update-incident",
          incidentId: String(incident.id),
          status,
          resolvedAt: new Date(startedAt.getTime() + 3_600_000).toISOString().slice(0, 16),
        }),
      });
    const stored = async () => expectJson(await ctx.get(`${API}/incidents/${incident.id}`), 200);
    for (const status of ["mitigated", "open"]) {
      const reply = await update(status);
      expect(reply.status).toBe(200);
      expect(reply.text).toContain("Incident updated.");
      expect(await stored()).toMatchObject({ status, resolvedAt: null, timeToRecoverHours: null });
    }
    expect((await update("resolved")).status).toBe(200);
    expect(await stored()).toMatchObject({ status: "resolved", timeToRecoverHours: 1 });
  });

  test("monitoring snapshots are checked against the model's objectives", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("monitored");
    await postModel(ctx, { name: "Monitored", slug, riskTier: "limited" });
    await postVersion(ctx, slug, { version: "1.0.0" });
    setObjective(testOrg.id, slug, { metric: "auc", comparison: ">=", threshold: 0.8 }, SYSTEM_ACTOR);
    setObjective(testOrg.id, slug, { metric: "latency_ms", comparison: "<", threshold: 200 }, SYSTEM_ACTOR);

    const push = async (data: Record<string, unknown>) =>
      expectJson(await ctx.post(`${API}/models/${slug}/versions/1.0.0/monitoring`, { data }), 201);

    const observedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const breached = await push({ observedAt, metrics: { auc: 0.75, latency_ms: 120 } });
    expect(breached).toMatchObject({
      model: slug,
      version: "1.0.0",
      observedAt,
      metrics: { auc: 0.75, latency_ms: 120 },
      breaches: ["auc"],
    });
    expect(typeof breached.id).toBe("number");

    expect((await push({ metrics: { auc: 0.85, latency_ms: 250 } })).breaches).toEqual(["latency_ms"]);
    expect((await push({ metrics: { auc: 0.5, latency_ms: 500 } })).breaches.sort()).toEqual(["auc", "latency_ms"]);
    // Exactly on the threshold meets ">="; a metric the objectives do not name is never a breach; a missing one neither.
    expect((await push({ metrics: { auc: 0.8, latency_ms: 199.9 } })).breaches).toEqual([]);
    expect((await push({ metrics: { throughput: 1 } })).breaches).toEqual([]);
    const recent = await push({ metrics: { auc: 0.9 } });
    expect(recent.breaches).toEqual([]);
    expect(Math.abs(Date.parse(recent.observedAt) - Date.now())).toBeLessThan(5 * 60_000);

    const metrics = await expectJson(
      await ctx.get(`${API}/metrics?from=${isoDay(new Date(Date.now() - DAY))}&to=${isoDay(new Date(Date.now() + DAY))}`),
      200,
    );
    expect(metrics.sloBreaches).toBe(3);
  });

  test("GET /metrics reflects production models and incidents in a window containing now", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const from = isoDay(new Date(Date.now() - DAY));
    const to = isoDay(new Date(Date.now() + DAY));
    const windowed = async () => expectJson(await ctx.get(`${API}/metrics?from=${from}&to=${to}`), 200);

    const empty = await windowed();
    expect(empty).toMatchObject({
      window: { from: `${from}T00:00:00.000Z`, to: `${to}T00:00:00.000Z` },
      modelsTotal: 0,
      productionModels: 0,
      versionsByStage: { development: 0, validation: 0, staging: 0, production: 0, retired: 0 },
      incidentsInWindow: 0,
      incidentRate: null,
      productionModelsWithIncidentShare: null,
      medianTimeToDetectHours: null,
      productionPromotions: 0,
      registrations: 0,
      apiRegistrationShare: null,
      sloBreaches: 0,
    });
    for (const key of [
      "modelsTotal",
      "versionsByStage",
      "productionModels",
      "incidentRate",
      "deploymentsPerMonth",
      "promotionsByMonth",
      "medianLeadTimeHours",
      "lineageCompleteShare",
      "medianTimeToRecoverHours",
    ]) {
      expect(empty).toHaveProperty(key);
    }

    const live = uniqueSlug("live");
    const staged = uniqueSlug("staged");
    await postModel(ctx, { name: "Live", slug: live, riskTier: "limited" });
    await postModel(ctx, { name: "Staged", slug: staged, riskTier: "limited" });
    await postVersion(ctx, live, { version: "1.0.0", ...fullLineage });
    await moveToStaging(ctx, live, "1.0.0");
    await promoteThroughGovernance(testOrg, live, "1.0.0");
    await postVersion(ctx, staged, { version: "0.1.0", stage: "staging" });

    let metrics = await windowed();
    expect(metrics).toMatchObject({
      modelsTotal: 2,
      productionModels: 1,
      versionsByStage: { development: 0, validation: 0, staging: 1, production: 1, retired: 0 },
      incidentsInWindow: 0,
      incidentRate: 0,
      productionModelsWithIncidentShare: 0,
      productionPromotions: 1,
      registrations: 2,
      apiRegistrationShare: 1,
      lineageCompleteShare: 1,
    });

    const startedAt = new Date(Date.now() - 2 * 3_600_000);
    await expectJson(
      await ctx.post(`${API}/models/${live}/versions/1.0.0/incidents`, {
        data: {
          title: "Outage",
          severity: "sev1",
          startedAt: startedAt.toISOString(),
          detectedAt: new Date(startedAt.getTime() + 3_600_000).toISOString(),
        },
      }),
      201,
    );
    metrics = await windowed();
    expect(metrics).toMatchObject({
      productionModels: 1,
      incidentsInWindow: 1,
      incidentRate: 1,
      productionModelsWithIncidentShare: 1,
      medianTimeToDetectHours: 1,
    });

    // The default window is the current quarter, which contains now.
    const quarter = await expectJson(await ctx.get(`${API}/metrics`), 200);
    expect(quarter.productionModels).toBe(1);
    expect(Date.parse(quarter.window.from)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(quarter.window.to)).toBeGreaterThan(Date.now());

    // Stages are taken as at the window end: nothing was in production in 2020.
    const past = await expectJson(await ctx.get(`${API}/metrics?from=2020-01-01&to=2020-04-01`), 200);
    expect(past).toMatchObject({ modelsTotal: 0, productionModels: 0, incidentsInWindow: 0 });
  });

  test("the OpenAPI document is public and describes POST /models with a request body", async ({ request }) => {
    const doc = await expectJson(await request.get(`${API}/openapi.json`), 200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers).toEqual([{ url: "/api/v1" }]);
    const post = doc.paths["/models"].post;
    expect(post.requestBody.required).toBe(true);
    const schema = post.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["name", "riskTier"]));
    expect(schema.properties.riskTier.enum).toEqual(["minimal", "limited", "high", "unacceptable"]);
    expect(post.responses).toHaveProperty("201");
    expect(post.responses).toHaveProperty("409");
    expect(post.security).toEqual([{ bearerAuth: ["registry:write"] }]);
    expect(doc.paths["/models"].get).toBeDefined();
    for (const path of [
      "/models/{slug}",
      "/models/{slug}/versions",
      "/models/{slug}/versions/{version}",
      "/models/{slug}/versions/{version}/transitions",
      "/models/{slug}/versions/{version}/incidents",
      "/incidents/{id}",
      "/models/{slug}/versions/{version}/monitoring",
      "/metrics",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths["/incidents/{id}"].patch.requestBody).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });
});

describe("registry API: errors", () => {
  test("401 without a token, with a garbage token and with a revoked token", async ({ request, baseURL, testOrg }) => {
    const slug = uniqueSlug("guarded");
    const writer = makeToken(testOrg.id, WRITE);
    const ctx = apiClient(baseURL, { headers: bearer(writer.token) });
    await postModel(ctx, { name: "Guarded", slug, riskTier: "minimal" });

    // No Authorization header at all.
    for (const path of ["/models", `/models/${slug}`, `/models/${slug}/versions`, "/metrics", "/incidents/1"]) {
      await expectApiError(await request.get(`${API}${path}`), 401, "unauthorized");
    }
    await expectApiError(await request.post(`${API}/models`, { data: { name: "Sneaky", riskTier: "minimal" } }), 401, "unauthorized");
    await expectApiError(await request.post(`${API}/models/${slug}/versions`, { data: { version: "1.0.0" } }), 401, "unauthorized");
    await expectApiError(await request.patch(`${API}/incidents/1`, { data: { status: "resolved" } }), 401, "unauthorized");

    // Garbage: wrong scheme, wrong prefix, right prefix but unknown.
    for (const header of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer garbage",
      "Bearer amp_not-a-real-token",
      `Bearer ${writer.token}x`,
      writer.token,
    ]) {
      await expectApiError(await request.get(`${API}/models`, { headers: { Authorization: header } }), 401, "unauthorized");
    }
    await expectApiError(
      await request.post(`${API}/models`, {
        headers: { Authorization: "Bearer amp_not-a-real-token" },
        data: { name: "Sneaky", riskTier: "minimal" },
      }),
      401,
    );

    // Revoked: worked a moment ago, 401 from now on, for reads and writes.
    await expectJson(await ctx.get(`${API}/models`), 200);
    revokeToken(testOrg.id, writer.id);
    await expectApiError(await ctx.get(`${API}/models`), 401, "unauthorized");
    await expectApiError(await ctx.post(`${API}/models`, { data: { name: "After revoke", riskTier: "minimal" } }), 401, "unauthorized");

    // None of the refused writes happened.
    const reader = makeToken(testOrg.id, READ);
    const check = await request.get(`${API}/models`, { headers: bearer(reader.token) });
    const list = await expectJson(check, 200);
    expect(list.models.map((m: { slug: string }) => m.slug)).toEqual([slug]);
    expect(
      (await expectJson(await request.get(`${API}/models/${slug}/versions`, { headers: bearer(reader.token) }), 200)).versions,
    ).toEqual([]);
  });

  test("403 when the token lacks the scope: read-only tokens writing, write tokens promoting", async ({ apiAs, testOrg }) => {
    const writer = await apiAs(testOrg.id, WRITE);
    const reader = await apiAs(testOrg.id, READ);
    const writeOnly = await apiAs(testOrg.id, ["registry:write"]);
    const unrelated = await apiAs(testOrg.id, ["audit:read", "governance:read"]);
    const slug = uniqueSlug("scoped");
    await postModel(writer.ctx, { name: "Scoped", slug, riskTier: "limited" });
    await postVersion(writer.ctx, slug, { version: "1.0.0", stage: "staging" });
    const incident = await expectJson(
      await writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Glitch", severity: "sev3", startedAt: new Date().toISOString() },
      }),
      201,
    );

    const forbidden = async (response: Parameters<typeof expectApiError>[0], scope: string) => {
      const error = await expectApiError(response, 403, "forbidden");
      expect(error.message).toContain(scope);
    };
    await forbidden(await reader.ctx.post(`${API}/models`, { data: { name: "Nope", riskTier: "minimal" } }), "registry:write");
    await forbidden(await reader.ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0" } }), "registry:write");
    await forbidden(
      await reader.ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: { to: "development" } }),
      "registry:write",
    );
    await forbidden(
      await reader.ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Nope", severity: "sev3", startedAt: new Date().toISOString() },
      }),
      "registry:write",
    );
    await forbidden(
      await reader.ctx.post(`${API}/models/${slug}/versions/1.0.0/monitoring`, { data: { metrics: { auc: 1 } } }),
      "registry:write",
    );
    await forbidden(await reader.ctx.patch(`${API}/incidents/${incident.id}`, { data: { status: "resolved" } }), "registry:write");
    await forbidden(await writeOnly.ctx.get(`${API}/models`), "registry:read");
    await forbidden(await writeOnly.ctx.get(`${API}/metrics`), "registry:read");
    await forbidden(await unrelated.ctx.get(`${API}/models/${slug}`), "registry:read");

    // A write token may move stages but not promote to production.
    const refused = await expectApiError(await transition(writer.ctx, slug, "1.0.0", "production"), 403, "forbidden");
    expect(refused.message).toMatch(/registry:promote/);
    expect(refused.issues).toEqual([{ path: "to", message: refused.message }]);

    const model = await expectJson(await reader.ctx.get(`${API}/models/${slug}`), 200);
    expect(model.versions.map((v: { version: string; stage: string }) => [v.version, v.stage])).toEqual([["1.0.0", "staging"]]);
    expect(model.productionVersion).toBeNull();
    expect((await expectJson(await reader.ctx.get(`${API}/incidents/${incident.id}`), 200)).status).toBe("open");
    expect(listAuditEvents(testOrg.id, { action: "model_version.stage_changed" }, { limit: 10 }).events).toHaveLength(0);

    // With the promote scope the scope check passes, and the promotion gates answer instead.
    const promoter = await apiAs(testOrg.id, PROMOTE);
    await expectApiError(await transition(promoter.ctx, slug, "1.0.0", "production"), 409, "conflict");
    expect((await expectJson(await reader.ctx.get(`${API}/models/${slug}/versions/1.0.0`), 200)).stage).toBe("staging");
  });

  test("404 for unknown models, versions, incidents and API paths", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const slug = uniqueSlug("known");
    await postModel(ctx, { name: "Known", slug, riskTier: "limited" });
    await postVersion(ctx, slug, { version: "1.0.0" });

    await expectApiError(await ctx.get(`${API}/models/no-such-model`), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/models/no-such-model/versions`), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/models/no-such-model/versions/1.0.0`), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/models/${slug}/versions/9.9.9`), 404, "not_found");
    await expectApiError(await ctx.post(`${API}/models/no-such-model/versions`, { data: { version: "1.0.0" } }), 404, "not_found");
    await expectApiError(await transition(ctx, slug, "9.9.9", "validation"), 404, "not_found");
    await expectApiError(await transition(ctx, "no-such-model", "1.0.0", "validation"), 404, "not_found");
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions/9.9.9/incidents`, {
        data: { title: "Ghost", severity: "sev3", startedAt: new Date().toISOString() },
      }),
      404,
      "not_found",
    );
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions/9.9.9/monitoring`, { data: { metrics: { auc: 1 } } }),
      404,
      "not_found",
    );
    await expectApiError(await ctx.get(`${API}/incidents/999999999`), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/incidents/not-a-number`), 404, "not_found");
    await expectApiError(await ctx.patch(`${API}/incidents/999999999`, { data: { status: "resolved" } }), 404, "not_found");
    await expectApiError(await ctx.get(`${API}/no-such-endpoint`), 404, "not_found");

    // Unsupported methods are refused in the same envelope.
    const wrongMethod = await ctx.delete(`${API}/models/${slug}`);
    await expectApiError(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers()["allow"]).toBe("GET");

    const model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.versions.map((v: { stage: string }) => v.stage)).toEqual(["development"]);
    expect((await expectJson(await ctx.get(`${API}/models`), 200)).total).toBe(1);
  });

  test("409 for a duplicate slug, a duplicate version and illegal stage transitions", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const slug = uniqueSlug("dup");
    const original = await postModel(ctx, { name: "Original", slug, riskTier: "limited" });

    const dupSlug = await expectApiError(
      await ctx.post(`${API}/models`, { data: { name: "Copy", slug, riskTier: "high" } }),
      409,
      "conflict",
    );
    expect(dupSlug.issues.map((i) => i.path)).toEqual(["slug"]);
    // Slugs are case-insensitive: the upper-case spelling is the same slug.
    await expectApiError(
      await ctx.post(`${API}/models`, { data: { name: "Copy", slug: slug.toUpperCase(), riskTier: "high" } }),
      409,
      "conflict",
    );

    await postVersion(ctx, slug, { version: "1.0.0" });
    const dupVersion = await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "1.0.0", metrics: { auc: 0.5 } } }),
      409,
      "conflict",
    );
    expect(dupVersion.issues.map((i) => i.path)).toEqual(["version"]);

    const skip = await expectApiError(await transition(ctx, slug, "1.0.0", "production"), 409, "conflict");
    expect(skip.issues.map((i) => i.path)).toEqual(["to"]);
    expect(skip.message).toContain("development");
    await expectApiError(await transition(ctx, slug, "1.0.0", "staging"), 409, "conflict");
    await expectApiError(await transition(ctx, slug, "1.0.0", "development"), 409, "conflict");
    await expectJson(await transition(ctx, slug, "1.0.0", "retired"), 201);
    await expectApiError(await transition(ctx, slug, "1.0.0", "production"), 409, "conflict");
    await expectApiError(await transition(ctx, slug, "1.0.0", "validation"), 409, "conflict");

    const model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model).toMatchObject({ name: "Original", riskTier: "limited", productionVersion: null });
    expect(model.updatedAt >= original.updatedAt).toBe(true);
    expect(model.versions).toHaveLength(1);
    expect(model.versions[0]).toMatchObject({ version: "1.0.0", stage: "retired", metrics: {} });
    expect((await expectJson(await ctx.get(`${API}/models`), 200)).total).toBe(1);
  });

  test("400 for malformed JSON bodies", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const slug = uniqueSlug("body");
    await postModel(ctx, { name: "Body", slug, riskTier: "limited" });
    await postVersion(ctx, slug, { version: "1.0.0" });
    const incident = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Glitch", severity: "sev3", startedAt: new Date().toISOString() },
      }),
      201,
    );
    const json = { "Content-Type": "application/json" };
    for (const body of ['{"name": "Broken", "riskTier": ', "not json at all", "[1, 2]", "null", '"a string"', "42", ""]) {
      await expectApiError(await ctx.post(`${API}/models`, { data: body, headers: json }), 400, "malformed_json");
    }
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions`, { data: '{"version": "2.0.0"', headers: json }),
      400,
      "malformed_json",
    );
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: "{to: staging}", headers: json }),
      400,
      "malformed_json",
    );
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/monitoring`, { data: "{", headers: json }),
      400,
      "malformed_json",
    );
    await expectApiError(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, { data: "}", headers: json }),
      400,
      "malformed_json",
    );
    await expectApiError(
      await ctx.patch(`${API}/incidents/${incident.id}`, { data: "{status: resolved}", headers: json }),
      400,
      "malformed_json",
    );

    expect((await expectJson(await ctx.get(`${API}/models`), 200)).total).toBe(1);
    const model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.versions.map((v: { version: string; stage: string }) => [v.version, v.stage])).toEqual([["1.0.0", "development"]]);
    expect((await expectJson(await ctx.get(`${API}/incidents/${incident.id}`), 200)).status).toBe("open");
  });

  test("413 for a body over the limit, and nothing is written", async ({ baseURL, testOrg }) => {
    const writer = makeToken(testOrg.id, WRITE);
    // A context of its own: the refused upload is not read to the end.
    const big = apiClient(baseURL, { headers: bearer(writer.token) });
    await expectApiError(
      await big.post(`${API}/models`, { data: { name: "Huge", riskTier: "minimal", description: "y".repeat(1_100_000) } }),
      413,
      "payload_too_large",
    );
    const check = apiClient(baseURL, { headers: bearer(writer.token) });
    expect((await expectJson(await check.get(`${API}/models`), 200)).total).toBe(0);
  });

  test("422 for invalid values, with issues naming the field", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, PROMOTE);
    const slug = uniqueSlug("valid");
    await postModel(ctx, { name: "Valid", slug, riskTier: "limited" });
    await postVersion(ctx, slug, { version: "1.0.0" });

    const paths = async (response: Parameters<typeof expectApiError>[0]) =>
      (await expectApiError(response, 422, "invalid")).issues.map((i) => i.path);

    // Models.
    expect(await paths(await ctx.post(`${API}/models`, { data: { name: "Risky", riskTier: "extreme" } }))).toEqual(["riskTier"]);
    expect(await paths(await ctx.post(`${API}/models`, { data: { name: "Risky" } }))).toEqual(["riskTier"]);
    expect(await paths(await ctx.post(`${API}/models`, { data: { riskTier: "high" } }))).toEqual(["name"]);
    expect(await paths(await ctx.post(`${API}/models`, { data: { name: "Sluggy", slug: "Not a slug!", riskTier: "high" } }))).toEqual([
      "slug",
    ]);
    expect(
      await paths(await ctx.post(`${API}/models`, { data: { name: "Tagged", riskTier: "high", tags: ["ok", "no<script>"] } })),
    ).toEqual(["tags.1"]);
    // A key the body does not take is refused, not dropped: a misspelt optional field would otherwise go unnoticed.
    expect(await paths(await ctx.post(`${API}/models`, { data: { name: "Extra", riskTier: "high", bogus: 1 } }))).toEqual(["bogus"]);
    expect(
      await paths(await ctx.post(`${API}/models`, { data: { name: "Extra", riskTier: "high", ownerEmial: "owner@example.com" } })),
    ).toEqual(["ownerEmial"]);
    expect(
      await paths(
        await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", trainingData: { ref: "s3://x", rev: 2 } } }),
      ),
    ).toEqual(["trainingData.rev"]);
    const riskIssue = (await expectApiError(await ctx.post(`${API}/models`, { data: { name: "Risky", riskTier: "extreme" } }), 422))
      .issues[0]!;
    expect(riskIssue.message).toContain("minimal, limited, high, unacceptable");
    // A name too short says how long it must be (it said "Name is required" to a one-character name).
    expect((await expectApiError(await ctx.post(`${API}/models`, { data: { name: "x", riskTier: "high" } }), 422)).issues).toEqual([
      { path: "name", message: "Name needs at least 2 characters" },
    ]);

    // Versions.
    for (const version of ["1.0", "v1.0.0", "01.0.0", "1.0.0.0", "latest", ""]) {
      expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version } })), version).toEqual(["version"]);
    }
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", metrics: { auc: "high" } } }))).toEqual(
      ["metrics.auc"],
    );
    expect(
      await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", metrics: { auc: 0.9, f1: null } } })),
    ).toEqual(["metrics.f1"]);
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", metrics: [0.9] } }))).toEqual([
      "metrics",
    ]);
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", stage: "production" } }))).toEqual([
      "stage",
    ]);
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", hyperparameters: [1, 2] } }))).toEqual([
      "hyperparameters",
    ]);
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", parentVersion: "9.9.9" } }))).toEqual([
      "parentVersion",
    ]);

    // Transitions, incidents, monitoring, metrics.
    expect(await paths(await transition(ctx, slug, "1.0.0", "nowhere"))).toEqual(["to"]);
    expect(await paths(await ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: {} }))).toEqual(["to"]);
    const incidentsUrl = `${API}/models/${slug}/versions/1.0.0/incidents`;
    expect(
      await paths(await ctx.post(incidentsUrl, { data: { title: "Bad", severity: "sev9", startedAt: new Date().toISOString() } })),
    ).toEqual(["severity"]);
    expect(await paths(await ctx.post(incidentsUrl, { data: { title: "No start", severity: "sev3" } }))).toEqual(["startedAt"]);
    expect(
      await paths(await ctx.post(incidentsUrl, { data: { title: "Bad date", severity: "sev3", startedAt: "yesterday-ish" } })),
    ).toEqual(["startedAt"]);
    expect(
      await paths(
        await ctx.post(incidentsUrl, {
          data: { title: "Backwards", severity: "sev3", startedAt: "2026-05-01T10:00:00Z", detectedAt: "2026-05-01T09:00:00Z" },
        }),
      ),
    ).toEqual(["detectedAt"]);
    expect(
      await paths(
        await ctx.post(incidentsUrl, {
          data: { title: "Resolved early", severity: "sev3", startedAt: "2026-05-01T10:00:00Z", resolvedAt: "2026-05-01T09:00:00Z" },
        }),
      ),
    ).toEqual(["resolvedAt"]);
    const monitoringUrl = `${API}/models/${slug}/versions/1.0.0/monitoring`;
    expect(await paths(await ctx.post(monitoringUrl, { data: { metrics: { latency: "slow" } } }))).toEqual(["metrics.latency"]);
    expect(await paths(await ctx.post(monitoringUrl, { data: { metrics: {} } }))).toEqual(["metrics"]);
    expect(await paths(await ctx.post(monitoringUrl, { data: {} }))).toEqual(["metrics"]);
    expect(await paths(await ctx.get(`${API}/metrics?from=2026-02-01&to=2026-01-01`))).toEqual(["to"]);
    expect(await paths(await ctx.get(`${API}/metrics?from=not-a-date`))).toEqual(["from"]);

    // The model list's query: a bad filter or page is refused, not ignored (it used to list every model).
    for (const query of ["stage=bogus", "riskTier=nope", "sort=popular", "page=0", "page=abc", "pageSize=101", "pageSize=2.5"]) {
      expect(await paths(await ctx.get(`${API}/models?${query}`)), query).toEqual([query.split("=")[0]]);
    }
    expect(await expectApiError(await ctx.get(`${API}/models?pageSize=101`), 422, "invalid")).toMatchObject({
      message: "The query has invalid values",
      issues: [{ path: "pageSize", message: "Use a whole number from 1 to 100" }],
    });

    // Nothing of the above was written.
    expect((await expectJson(await ctx.get(`${API}/models`), 200)).models.map((m: { slug: string }) => m.slug)).toEqual([slug]);
    const model = await expectJson(await ctx.get(`${API}/models/${slug}`), 200);
    expect(model.versions.map((v: { version: string; stage: string }) => [v.version, v.stage])).toEqual([["1.0.0", "development"]]);
    expect(listAuditEvents(testOrg.id, { action: "incident.created" }, { limit: 10 }).events).toHaveLength(0);
    expect(listAuditEvents(testOrg.id, { action: "monitoring.recorded" }, { limit: 10 }).events).toHaveLength(0);
  });

  test("422 for incident updates that make no sense, and nothing changes", async ({ apiAs, testOrg }) => {
    const { ctx } = await apiAs(testOrg.id, WRITE);
    const slug = uniqueSlug("patch");
    await postModel(ctx, { name: "Patch", slug, riskTier: "limited" });
    await postVersion(ctx, slug, { version: "1.0.0" });
    const startedAt = "2026-05-01T10:00:00.000Z";
    const incident = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Glitch", severity: "sev3", startedAt, detectedAt: "2026-05-01T11:00:00.000Z" },
      }),
      201,
    );
    const url = `${API}/incidents/${incident.id}`;
    await expectApiError(await ctx.patch(url, { data: {} }), 422, "invalid");
    expect((await expectApiError(await ctx.patch(url, { data: { status: "closed" } }), 422)).issues.map((i) => i.path)).toEqual(["status"]);
    expect(
      (await expectApiError(await ctx.patch(url, { data: { detectedAt: "2026-05-01T09:00:00Z" } }), 422)).issues.map((i) => i.path),
    ).toEqual(["detectedAt"]);
    expect(
      (await expectApiError(await ctx.patch(url, { data: { resolvedAt: "2026-05-01T10:30:00Z" } }), 422)).issues.map((i) => i.path),
    ).toEqual(["resolvedAt"]);
    expect(
      (await expectApiError(await ctx.patch(url, { data: { reviewUrl: "javascript:alert(1)" } }), 422)).issues.map((i) => i.path),
    ).toEqual(["reviewUrl"]);
    expect(await expectJson(await ctx.get(url), 200)).toEqual(incident);
    expect(listAuditEvents(testOrg.id, { action: "incident.updated" }, { limit: 10 }).events).toHaveLength(0);
  });

  test("nothing is written when a request fails", async ({ apiAs, testOrg }) => {
    const writer = await apiAs(testOrg.id, WRITE);
    const promoter = await apiAs(testOrg.id, PROMOTE);
    const reader = await apiAs(testOrg.id, READ);
    const slug = uniqueSlug("steady");
    await postModel(writer.ctx, { name: "Steady", slug, riskTier: "limited", tags: ["a"] });
    await postVersion(writer.ctx, slug, { version: "1.0.0", stage: "staging", ...fullLineage });
    const incident = await expectJson(
      await writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Glitch", severity: "sev3", startedAt: "2026-05-01T10:00:00Z" },
      }),
      201,
    );
    const before = await registrySnapshot(reader.ctx, testOrg.id);
    const incidentBefore = await expectJson(await reader.ctx.get(`${API}/incidents/${incident.id}`), 200);
    const json = { "Content-Type": "application/json" };

    const failures: [Promise<Parameters<typeof expectApiError>[0]>, number][] = [
      [writer.ctx.post(`${API}/models`, { data: "{", headers: json }), 400],
      [writer.ctx.post(`${API}/models`, { data: { name: "Second", riskTier: "bogus", tags: ["x"] } }), 422],
      [writer.ctx.post(`${API}/models`, { data: { name: "Same slug", slug, riskTier: "high", tags: ["b"] } }), 409],
      [reader.ctx.post(`${API}/models`, { data: { name: "Reader's", riskTier: "high" } }), 403],
      [writer.ctx.post(`${API}/models/${slug}/versions`, { data: { version: "1.0.0", ...fullLineage } }), 409],
      [writer.ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0", ...fullLineage } }), 422],
      [writer.ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", metrics: { auc: "0.9" } } }), 422],
      [writer.ctx.post(`${API}/models/${slug}/versions`, { data: { version: "2.0.0", parentVersion: "0.9.0" } }), 422],
      [writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: { to: "production" } }), 403],
      [promoter.ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: { to: "validation" } }), 409],
      [promoter.ctx.post(`${API}/models/${slug}/versions/1.0.0/transitions`, { data: { to: "staging" } }), 409],
      [
        writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
          data: { title: "x", severity: "sev3", startedAt: "2026-05-01T10:00:00Z" },
        }),
        422,
      ],
      [
        writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
          data: { title: "Backwards", severity: "sev3", startedAt: "2026-05-01T10:00:00Z", resolvedAt: "2026-04-01T10:00:00Z" },
        }),
        422,
      ],
      [writer.ctx.post(`${API}/models/${slug}/versions/1.0.0/monitoring`, { data: { metrics: { auc: 0.9, bad: "x" } } }), 422],
      [writer.ctx.patch(`${API}/incidents/${incident.id}`, { data: { status: "resolved", detectedAt: "2026-04-01T00:00:00Z" } }), 422],
      [writer.ctx.patch(`${API}/incidents/${incident.id}`, { data: "{", headers: json }), 400],
      [reader.ctx.patch(`${API}/incidents/${incident.id}`, { data: { status: "resolved" } }), 403],
    ];
    for (const [response, status] of failures) await expectApiError(await response, status);

    const after = await registrySnapshot(reader.ctx, testOrg.id);
    expect(after).toEqual(before);
    expect(await expectJson(await reader.ctx.get(`${API}/incidents/${incident.id}`), 200)).toEqual(incidentBefore);
    const metrics = await expectJson(await reader.ctx.get(`${API}/metrics?from=2026-01-01&to=2100-01-01`), 200);
    expect(metrics).toMatchObject({ modelsTotal: 1, productionModels: 0, registrations: 1, sloBreaches: 0, incidentsInWindow: 1 });
  });
});

describe("registry API: isolation and audit", () => {
  test("a token sees and touches only its own organisation's registry", async ({ apiAs, testOrg }) => {
    const orgB = await createTestOrg("iso");
    const a = await apiAs(testOrg.id, PROMOTE);
    const b = await apiAs(orgB.id, PROMOTE);

    const shared = uniqueSlug("shared");
    const onlyB = uniqueSlug("only-b");
    await postModel(b.ctx, { name: "B's shared", slug: shared, riskTier: "high" });
    await postModel(b.ctx, { name: "B's own", slug: onlyB, riskTier: "high" });
    await postVersion(b.ctx, onlyB, { version: "1.0.0", stage: "staging" });
    const incidentB = await expectJson(
      await b.ctx.post(`${API}/models/${onlyB}/versions/1.0.0/incidents`, {
        data: { title: "B's incident", severity: "sev2", startedAt: new Date().toISOString() },
      }),
      201,
    );
    const bBefore = await registrySnapshot(b.ctx, orgB.id);

    // The same slug is free in another organisation.
    const mine = await postModel(a.ctx, { name: "A's shared", slug: shared, riskTier: "minimal" });
    expect(mine).toMatchObject({ slug: shared, name: "A's shared", versions: [] });

    await expectApiError(await a.ctx.get(`${API}/models/${onlyB}`), 404, "not_found");
    await expectApiError(await a.ctx.get(`${API}/models/${onlyB}/versions`), 404, "not_found");
    await expectApiError(await a.ctx.get(`${API}/models/${onlyB}/versions/1.0.0`), 404, "not_found");
    await expectApiError(await a.ctx.post(`${API}/models/${onlyB}/versions`, { data: { version: "2.0.0" } }), 404, "not_found");
    await expectApiError(await transition(a.ctx, onlyB, "1.0.0", "production"), 404, "not_found");
    await expectApiError(
      await a.ctx.post(`${API}/models/${onlyB}/versions/1.0.0/incidents`, {
        data: { title: "Not mine", severity: "sev1", startedAt: new Date().toISOString() },
      }),
      404,
      "not_found",
    );
    await expectApiError(
      await a.ctx.post(`${API}/models/${onlyB}/versions/1.0.0/monitoring`, { data: { metrics: { auc: 0.1 } } }),
      404,
      "not_found",
    );
    await expectApiError(await a.ctx.get(`${API}/incidents/${incidentB.id}`), 404, "not_found");
    await expectApiError(
      await a.ctx.patch(`${API}/incidents/${incidentB.id}`, { data: { status: "resolved", title: "Hijacked" } }),
      404,
      "not_found",
    );

    // A's list and A's shared slug are A's only.
    const listA = await expectJson(await a.ctx.get(`${API}/models?pageSize=100`), 200);
    expect(listA.total).toBe(1);
    expect(listA.models.map((m: { slug: string; name: string }) => [m.slug, m.name])).toEqual([[shared, "A's shared"]]);
    expect((await expectJson(await a.ctx.get(`${API}/models?q=only-b`), 200)).total).toBe(0);
    expect((await expectJson(await a.ctx.get(`${API}/models/${shared}`), 200)).name).toBe("A's shared");
    const metricsA = await expectJson(await a.ctx.get(`${API}/metrics?from=2026-01-01&to=2100-01-01`), 200);
    expect(metricsA).toMatchObject({ modelsTotal: 1, incidentsInWindow: 0, versionsByStage: { staging: 0 } });

    // B's registry is exactly as it was, and B still sees its own.
    expect(await registrySnapshot(b.ctx, orgB.id)).toEqual(bBefore);
    expect(await expectJson(await b.ctx.get(`${API}/incidents/${incidentB.id}`), 200)).toMatchObject({
      title: "B's incident",
      status: "open",
    });
    expect((await expectJson(await b.ctx.get(`${API}/models/${shared}`), 200)).name).toBe("B's shared");
    expect(listAuditEvents(orgB.id, { actor: `token:${a.name}` }, { limit: 10 }).events).toHaveLength(0);
  });

  test("actions by tokens appear in the audit log with the token as actor", async ({ apiAs, testOrg, baseURL }) => {
    const name = `pipeline-${Date.now().toString(36)}`;
    const { ctx, id } = await apiAs(testOrg.id, PROMOTE, name);
    const slug = uniqueSlug("audited");
    const model = await postModel(ctx, { name: "Audited", slug, riskTier: "limited" });
    const version = await postVersion(ctx, slug, { version: "1.0.0", ...fullLineage });
    await moveToStaging(ctx, slug, "1.0.0");
    const incident = await expectJson(
      await ctx.post(`${API}/models/${slug}/versions/1.0.0/incidents`, {
        data: { title: "Audited incident", severity: "sev3", startedAt: new Date().toISOString() },
      }),
      201,
    );
    await expectJson(await ctx.patch(`${API}/incidents/${incident.id}`, { data: { status: "mitigated" } }), 200);
    await expectJson(await ctx.post(`${API}/models/${slug}/versions/1.0.0/monitoring`, { data: { metrics: { auc: 0.8 } } }), 201);

    const events = listAuditEvents(testOrg.id, { actor: `token:${name}` }, { limit: 50 }).events;
    expect(events.map((e) => e.action).reverse()).toEqual([
      "model.created",
      "model_version.created",
      "model_version.stage_changed",
      "model_version.stage_changed",
      "incident.created",
      "incident.updated",
      "monitoring.recorded",
    ]);
    for (const event of events) expect(event).toMatchObject({ actorType: "token", actorId: id, actorLabel: `token:${name}` });
    const created = events.find((e) => e.action === "model.created")!;
    expect(created).toMatchObject({ entityType: "model", entityId: String(model.id) });
    expect(created.payload).toMatchObject({ after: { slug, name: "Audited" }, details: { via: "api" } });
    expect(events.find((e) => e.action === "model_version.created")).toMatchObject({
      entityType: "model_version",
      entityId: String(version.id),
    });

    // The auditor sees the same through the audit page.
    const { cookie } = await signIn(baseURL, testOrg.emails.auditor, TEST_PASSWORD);
    const page = await send(baseURL, `/orgs/${testOrg.slug}/audit?actor=${encodeURIComponent(`token:${name}`)}`, { cookie });
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/<tr[\s>][\s\S]*?<\/tr>/g)].map((m) => m[0]).filter((row) => textOf(row).includes(`token:${name}`));
    const withText = (text: string) => rows.filter((row) => textOf(row).includes(text));
    expect(rows).toHaveLength(7);
    expect(withText("model.created")).toHaveLength(1);
    expect(withText("model_version.stage_changed")).toHaveLength(2);
    expect(withText("monitoring.recorded")).toHaveLength(1);
    expect(rows[0]).toMatch(/>\s*token\s*</);
  });
});

/** The text of an HTML fragment, as a browser shows it (tags dropped, entities decoded). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
