import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import {
  auditEvents,
  incidents,
  models,
  modelTags,
  modelVersions,
  monitoringSnapshots,
  organizations,
  serviceLevelObjectives,
  stageTransitions,
  users,
} from "../../../db/schema";
import { DomainError } from "../../utils/errors";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import type { Stage } from "./registry-constants";
import {
  createIncident,
  createModel,
  createVersion,
  findModelBySlug,
  getIncident,
  getModel,
  getModelDetail,
  getVersionDetail,
  listModelFacets,
  listModels,
  recordMonitoringSnapshot,
  removeObjective,
  setObjective,
  updateIncident,
} from "./registry.server";
import { transitionVersion } from "../governance/transitions.server";
import type { ModelCreate, ModelListQuery, ModelVersionCreate } from "./registry-schemas";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";

const SYSTEM: Actor = { type: "system", label: "test" };
const PROMOTE = { mayPromote: true };
const NO_PROMOTE = { mayPromote: false };
const at = (iso: string) => new Date(iso);

let orgCounter = 0;
function newOrg(name = "Org") {
  orgCounter++;
  return getDb()
    .insert(organizations)
    .values({ slug: `org-${orgCounter}`, name: `${name} ${orgCounter}` })
    .returning()
    .get();
}

function auditCount(orgId: number) {
  return getDb().select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()!.n;
}
function auditEventsOf(orgId: number) {
  return getDb()
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .orderBy(auditEvents.id)
    .all()
    .map((e) => ({ ...e, payload: JSON.parse(e.payload) as { before?: any; after?: any; details?: any } }));
}
function modelCount(orgId: number) {
  return getDb().select({ n: count() }).from(models).where(eq(models.orgId, orgId)).get()!.n;
}
function transitionsOf(versionId: number) {
  return getDb().select().from(stageTransitions).where(eq(stageTransitions.versionId, versionId)).orderBy(stageTransitions.id).all();
}
function transitionCount(orgId: number) {
  return getDb().select({ n: count() }).from(stageTransitions).where(eq(stageTransitions.orgId, orgId)).get()!.n;
}
function versionRow(versionId: number) {
  return getDb().select().from(modelVersions).where(eq(modelVersions.id, versionId)).get()!;
}
function productionVersions(modelId: number) {
  return getDb()
    .select({ version: modelVersions.version })
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.stage, "production")))
    .all()
    .map((r) => r.version);
}

function model(orgId: number, input: Partial<ModelCreate> & { name: string }, now?: string) {
  return createModel(orgId, { riskTier: "limited", ...input }, SYSTEM, "ui", now ? { now: at(now) } : {});
}
function version(orgId: number, slug: string, input: ModelVersionCreate, now?: string, channel: "ui" | "api" = "ui") {
  return createVersion(orgId, slug, input, SYSTEM, channel, now ? { now: at(now) } : {}).version;
}
/** Fixture history: promotions load as imported history (the approval flow is tested in governance). */
function move(orgId: number, slug: string, v: string, to: Stage, now?: string) {
  return transitionVersion(orgId, slug, v, { to }, SYSTEM, PROMOTE, { importedHistory: true, ...(now ? { now: at(now) } : {}) });
}
/** Walks a version from development (or wherever it is) forward to `to`, one step a time. */
function walk(orgId: number, slug: string, v: string, path: Stage[], now: string) {
  for (const to of path) move(orgId, slug, v, to, now);
}

const COMPLETE_LINEAGE = {
  codeRef: "git:abc123",
  trainingData: { ref: "s3://data/train.parquet", version: "2026-01" },
  hyperparameters: { lr: 0.01 },
  metrics: { auc: 0.9 },
};

// ---------------------------------------------------------------- createModel

describe("createModel", () => {
  it("derives the slug from the name and suffixes -2, -3 on collisions", () => {
    const org = newOrg();
    const first = model(org.id, { name: "Credit Risk Scorer" });
    const second = model(org.id, { name: "Credit Risk Scorer" });
    const third = model(org.id, { name: "credit risk  scorer!" });
    expect([first.slug, second.slug, third.slug]).toEqual(["credit-risk-scorer", "credit-risk-scorer-2", "credit-risk-scorer-3"]);
    expect(modelCount(org.id)).toBe(3);
  });

  it("stores the fields, tags, channel and owner, and records model.created", () => {
    const org = newOrg();
    const user = getDb()
      .insert(users)
      .values({ email: `owner${org.id}@example.com`, name: "Owner", passwordHash: "x" })
      .returning()
      .get();
    const actor: Actor = { type: "user", id: user.id, label: "owner@example.com" };
    const created = createModel(
      org.id,
      { name: "Churn", riskTier: "high", ownerTeam: "growth", useCase: "retention", tags: ["b", "a"] },
      actor,
      "api",
      { now: at("2026-02-01T00:00:00Z") },
    );
    expect(created).toMatchObject({
      orgId: org.id,
      slug: "churn",
      name: "Churn",
      riskTier: "high",
      ownerTeam: "growth",
      useCase: "retention",
      description: "",
      businessOwner: "",
      ownerUserId: user.id,
      createdVia: "api",
    });
    expect(created.createdAt).toEqual(at("2026-02-01T00:00:00Z"));
    expect(created.updatedAt).toEqual(at("2026-02-01T00:00:00Z"));
    const tags = getDb()
      .select({ tag: modelTags.tag })
      .from(modelTags)
      .where(eq(modelTags.modelId, created.id))
      .orderBy(modelTags.tag)
      .all();
    expect(tags.map((t) => t.tag)).toEqual(["a", "b"]);
    const events = auditEventsOf(org.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "model.created",
      entityType: "model",
      entityId: String(created.id),
      actorType: "user",
      actorId: user.id,
    });
    expect(events[0]!.payload.after).toMatchObject({ slug: "churn", riskTier: "high", tags: ["b", "a"] });
    expect(events[0]!.payload.details).toEqual({ via: "api" });
    expect(getModel(org.id, "churn")?.tags).toEqual(["a", "b"]);
  });

  it("explicit duplicate slug → conflict on slug, and nothing is written", () => {
    const org = newOrg();
    model(org.id, { name: "Fraud", slug: "fraud" });
    const modelsBefore = modelCount(org.id);
    const eventsBefore = auditCount(org.id);
    const tagsBefore = getDb().select({ n: count() }).from(modelTags).get()!.n;
    const error = catchDomain(() => model(org.id, { name: "Other", slug: "fraud", tags: ["x"] }));
    expect(error.code).toBe("conflict");
    expect(error.field).toBe("slug");
    expect(error.message).toContain("fraud");
    expect(modelCount(org.id)).toBe(modelsBefore);
    expect(auditCount(org.id)).toBe(eventsBefore);
    expect(getDb().select({ n: count() }).from(modelTags).get()!.n).toBe(tagsBefore);
    expect(findModelBySlug(org.id, "fraud")?.name).toBe("Fraud");
  });

  it("suffixes a long derived slug within 64 characters", () => {
    const org = newOrg();
    const name = "x".repeat(70);
    expect(model(org.id, { name }).slug).toBe("x".repeat(64));
    const second = model(org.id, { name }).slug;
    expect(second).toBe(`${"x".repeat(60)}-2`);
    expect(second.length).toBeLessThanOrEqual(64);
  });

  // Regression (registry.server.ts uniqueSlug): the base is cut to 60 characters
  // before "-n" is appended, without trimming a hyphen left at the cut. When
  // character 60 of the derived slug is a hyphen, the second model gets
  // "…a--2", which breaks the slug format SlugSchema enforces everywhere else
  // (/^[a-z0-9]+(?:-[a-z0-9]+)*$/). Fix: `${base.slice(0, 60).replace(/-+$/, "")}-${n}`.
  it("a suffixed slug still matches the slug format when the cut lands on a hyphen", () => {
    const org = newOrg();
    const name = `${"a".repeat(59)} bbbbbbbb`; // slug: 59 × a, "-", b…; char 60 is the hyphen
    model(org.id, { name });
    const second = model(org.id, { name }).slug;
    expect(second).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("the same slug is fine in another organisation", () => {
    const a = newOrg();
    const b = newOrg();
    model(a.id, { name: "Shared", slug: "shared" });
    expect(model(b.id, { name: "Shared", slug: "shared" }).slug).toBe("shared");
  });
});

// ---------------------------------------------------------------- createVersion

describe("createVersion", () => {
  let orgId: number;
  beforeEach(() => {
    orgId = newOrg().id;
    model(orgId, { name: "Scorer", slug: "scorer" }, "2026-01-01T00:00:00Z");
    model(orgId, { name: "Other", slug: "other" }, "2026-01-01T00:00:00Z");
  });

  it("stores the version with numeric semver parts, a registration transition and an audit event", () => {
    const eventsBefore = auditCount(orgId);
    const { model: m, version: v } = createVersion(
      orgId,
      "scorer",
      { version: "1.10.2-rc.1", stage: "validation", algorithm: "xgboost", ...COMPLETE_LINEAGE },
      { type: "token", id: 77, label: "token:ci" },
      "api",
      { now: at("2026-01-05T12:00:00Z") },
    );
    expect(m.slug).toBe("scorer");
    expect(v).toMatchObject({
      version: "1.10.2-rc.1",
      major: 1,
      minor: 10,
      patch: 2,
      stage: "validation",
      lineageComplete: true,
      createdVia: "api",
      createdByType: "token",
      createdById: 77,
      createdByLabel: "token:ci",
    });
    expect(v.createdAt).toEqual(at("2026-01-05T12:00:00Z"));
    expect(v.stageChangedAt).toEqual(at("2026-01-05T12:00:00Z"));
    expect(JSON.parse(v.hyperparameters!)).toEqual({ lr: 0.01 });
    expect(JSON.parse(v.metrics)).toEqual({ auc: 0.9 });
    expect(v.trainingDataRef).toBe("s3://data/train.parquet");
    expect(v.trainingDataVersion).toBe("2026-01");

    const transitions = transitionsOf(v.id);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({
      fromStage: null,
      toStage: "validation",
      reason: "registered",
      actorType: "token",
      actorId: 77,
      modelId: m.id,
    });
    expect(transitions[0]!.createdAt).toEqual(at("2026-01-05T12:00:00Z"));

    expect(auditCount(orgId)).toBe(eventsBefore + 1);
    const event = auditEventsOf(orgId).at(-1)!;
    expect(event).toMatchObject({ action: "model_version.created", entityType: "model_version", entityId: String(v.id) });
    expect(event.payload.after).toMatchObject({
      model: "scorer",
      version: "1.10.2-rc.1",
      stage: "validation",
      lineageComplete: true,
      parentVersion: null,
    });
    expect(event.payload.details).toEqual({ via: "api" });

    // The model's updatedAt follows its latest change.
    expect(findModelBySlug(orgId, "scorer")!.updatedAt).toEqual(at("2026-01-05T12:00:00Z"));
  });

  it("defaults to development, and lineage is incomplete when any part is missing", () => {
    const v = version(orgId, "scorer", { version: "0.1.0", codeRef: "git:1", metrics: { auc: 0.5 } });
    expect(v.stage).toBe("development");
    expect(v.lineageComplete).toBe(false);
    expect(v.createdVia).toBe("ui");
    expect(transitionsOf(v.id)[0]).toMatchObject({ fromStage: null, toStage: "development" });
    const { hyperparameters: _h, ...withoutHyper } = COMPLETE_LINEAGE;
    expect(version(orgId, "scorer", { version: "0.2.0", ...withoutHyper }).lineageComplete).toBe(false);
    expect(version(orgId, "scorer", { version: "0.3.0", ...COMPLETE_LINEAGE }).lineageComplete).toBe(true);
  });

  it("resolves the parent version within the same model", () => {
    version(orgId, "scorer", { version: "3.0.0" });
    const child = version(orgId, "scorer", { version: "3.1.0", parentVersion: "3.0.0" });
    const parentId = versionRow(child.parentVersionId!).id;
    expect(versionRow(parentId).version).toBe("3.0.0");
    expect(getModel(orgId, "scorer")!.versions.find((x) => x.version === "3.1.0")!.parentVersion).toBe("3.0.0");
  });

  it("duplicate version → conflict on version, nothing written", () => {
    version(orgId, "scorer", { version: "4.0.0" });
    const events = auditCount(orgId);
    const transitions = transitionCount(orgId);
    const versions = getDb().select({ n: count() }).from(modelVersions).get()!.n;
    const error = catchDomain(() => version(orgId, "scorer", { version: "4.0.0" }));
    expect(error).toMatchObject({ code: "conflict", field: "version" });
    expect(auditCount(orgId)).toBe(events);
    expect(transitionCount(orgId)).toBe(transitions);
    expect(getDb().select({ n: count() }).from(modelVersions).get()!.n).toBe(versions);
  });

  it("the same version label is fine on another model", () => {
    expect(version(orgId, "other", { version: "4.0.0" }).version).toBe("4.0.0");
  });

  it("unknown parent version → invalid on parentVersion, nothing written", () => {
    const events = auditCount(orgId);
    const error = catchDomain(() => version(orgId, "scorer", { version: "5.0.0", parentVersion: "9.9.9" }));
    expect(error).toMatchObject({ code: "invalid", field: "parentVersion" });
    expect(auditCount(orgId)).toBe(events);
    expect(getModel(orgId, "scorer")!.versions.some((v) => v.version === "5.0.0")).toBe(false);
  });

  it("a parent from another model is not found", () => {
    version(orgId, "other", { version: "6.0.0" });
    expect(catchDomain(() => version(orgId, "scorer", { version: "6.1.0", parentVersion: "6.0.0" }))).toMatchObject({
      code: "invalid",
      field: "parentVersion",
    });
  });

  it("unknown model → not_found", () => {
    expect(catchDomain(() => version(orgId, "no-such-model", { version: "1.0.0" })).code).toBe("not_found");
  });

  it("a non-semver label is refused even if it bypasses the schema", () => {
    expect(catchDomain(() => version(orgId, "scorer", { version: "1.0" }))).toMatchObject({ code: "invalid", field: "version" });
  });
});

// ---------------------------------------------------------------- transitionVersion

describe("transitionVersion", () => {
  it("an illegal move → conflict on `to`, nothing written", () => {
    const org = newOrg();
    model(org.id, { name: "M", slug: "m" }, "2026-01-01T00:00:00Z");
    const v = version(org.id, "m", { version: "1.0.0" }, "2026-01-01T00:00:00Z");
    const events = auditCount(org.id);
    const transitions = transitionCount(org.id);
    const error = catchDomain(() => move(org.id, "m", "1.0.0", "staging", "2026-01-02T00:00:00Z"));
    expect(error.code).toBe("conflict");
    expect(error.field).toBe("to");
    expect(versionRow(v.id).stage).toBe("development");
    expect(versionRow(v.id).stageChangedAt).toEqual(at("2026-01-01T00:00:00Z"));
    expect(transitionCount(org.id)).toBe(transitions);
    expect(auditCount(org.id)).toBe(events);
    expect(findModelBySlug(org.id, "m")!.updatedAt).toEqual(at("2026-01-01T00:00:00Z"));
    // Same stage is refused as well.
    expect(catchDomain(() => move(org.id, "m", "1.0.0", "development")).code).toBe("conflict");
  });

  it("to production without mayPromote → forbidden, nothing written (not even the retirement of the current one)", () => {
    const org = newOrg();
    model(org.id, { name: "M", slug: "m" }, "2026-01-01T00:00:00Z");
    const v1 = version(org.id, "m", { version: "1.0.0", stage: "staging" }, "2026-01-01T00:00:00Z");
    move(org.id, "m", "1.0.0", "production", "2026-01-02T00:00:00Z");
    const v2 = version(org.id, "m", { version: "2.0.0", stage: "staging" }, "2026-01-03T00:00:00Z");
    const events = auditCount(org.id);
    const transitions = transitionCount(org.id);
    const error = catchDomain(() =>
      transitionVersion(org.id, "m", "2.0.0", { to: "production" }, SYSTEM, NO_PROMOTE, { now: at("2026-01-04T00:00:00Z") }),
    );
    expect(error.code).toBe("forbidden");
    expect(error.field).toBe("to");
    expect(versionRow(v1.id).stage).toBe("production");
    expect(versionRow(v2.id).stage).toBe("staging");
    expect(transitionCount(org.id)).toBe(transitions);
    expect(auditCount(org.id)).toBe(events);
  });

  it("non-production moves need no promotion right", () => {
    const org = newOrg();
    model(org.id, { name: "M", slug: "m" });
    version(org.id, "m", { version: "1.0.0" });
    const result = transitionVersion(org.id, "m", "1.0.0", { to: "validation", reason: "ready" }, SYSTEM, NO_PROMOTE);
    expect(result.version.stage).toBe("validation");
    expect(result.replaced).toBeNull();
  });

  it("promotion retires the previous production version in the same transaction", () => {
    const org = newOrg();
    const m = model(org.id, { name: "M", slug: "m" }, "2026-01-01T00:00:00Z");
    const v1 = version(org.id, "m", { version: "1.0.0" }, "2026-01-01T00:00:00Z");
    walk(org.id, "m", "1.0.0", ["validation", "staging", "production"], "2026-01-02T00:00:00Z");
    expect(productionVersions(m.id)).toEqual(["1.0.0"]);

    const v2 = version(org.id, "m", { version: "1.1.0", stage: "staging" }, "2026-01-05T00:00:00Z");
    const eventsBefore = auditCount(org.id);
    const transitionsBefore = transitionCount(org.id);
    const result = transitionVersion(org.id, "m", "1.1.0", { to: "production", reason: "better AUC" }, SYSTEM, PROMOTE, {
      now: at("2026-01-06T00:00:00Z"),
      importedHistory: true,
    });
    expect(result.replaced).toBe("1.0.0");
    expect(result.version.stage).toBe("production");

    expect(productionVersions(m.id)).toEqual(["1.1.0"]);
    expect(versionRow(v1.id).stage).toBe("retired");
    expect(versionRow(v1.id).stageChangedAt).toEqual(at("2026-01-06T00:00:00Z"));
    expect(versionRow(v2.id).stageChangedAt).toEqual(at("2026-01-06T00:00:00Z"));

    expect(transitionCount(org.id)).toBe(transitionsBefore + 2);
    expect(transitionsOf(v1.id).at(-1)).toMatchObject({
      fromStage: "production",
      toStage: "retired",
      reason: "Replaced in production by 1.1.0",
    });
    expect(transitionsOf(v2.id).at(-1)).toMatchObject({ fromStage: "staging", toStage: "production", reason: "better AUC" });

    expect(auditCount(org.id)).toBe(eventsBefore + 2);
    const [retire, promote] = auditEventsOf(org.id).slice(-2);
    expect(retire).toMatchObject({ action: "model_version.stage_changed", entityId: String(v1.id) });
    expect(retire!.payload.before).toEqual({ model: "m", version: "1.0.0", stage: "production" });
    expect(retire!.payload.after).toEqual({ model: "m", version: "1.0.0", stage: "retired" });
    expect(promote).toMatchObject({ action: "model_version.stage_changed", entityId: String(v2.id) });
    expect(promote!.payload.before).toEqual({ model: "m", version: "1.1.0", stage: "staging" });
    expect(promote!.payload.after).toEqual({ model: "m", version: "1.1.0", stage: "production" });
    expect(promote!.payload.details).toEqual({ reason: "better AUC" });

    expect(findModelBySlug(org.id, "m")!.updatedAt).toEqual(at("2026-01-06T00:00:00Z"));
    expect(getModel(org.id, "m")!.productionVersion).toBe("1.1.0");
  });

  it("moving back to development works, from production and from retired", () => {
    const org = newOrg();
    const m = model(org.id, { name: "M", slug: "m" });
    version(org.id, "m", { version: "1.0.0", stage: "staging" });
    move(org.id, "m", "1.0.0", "production");
    const back = move(org.id, "m", "1.0.0", "development");
    expect(back.version.stage).toBe("development");
    expect(back.replaced).toBeNull();
    expect(productionVersions(m.id)).toEqual([]);
    move(org.id, "m", "1.0.0", "retired");
    expect(move(org.id, "m", "1.0.0", "development").version.stage).toBe("development");
    const stages = getVersionDetail(org.id, "m", "1.0.0")!.transitions.map((t) => `${t.fromStage}->${t.toStage}`);
    // newest first
    expect(stages).toEqual([
      "retired->development",
      "development->retired",
      "production->development",
      "staging->production",
      "null->staging",
    ]);
  });

  it("unknown version → not_found", () => {
    const org = newOrg();
    model(org.id, { name: "M", slug: "m" });
    expect(catchDomain(() => move(org.id, "m", "9.9.9", "validation")).code).toBe("not_found");
  });
});

// ---------------------------------------------------------------- incidents

describe("incidents", () => {
  let orgId: number;
  beforeEach(() => {
    orgId = newOrg().id;
    model(orgId, { name: "M", slug: "m" }, "2026-01-01T00:00:00Z");
    version(orgId, "m", { version: "1.0.0" }, "2026-01-01T00:00:00Z");
  });

  it("createIncident defaults: open, detected when started; hours are derived", () => {
    const incident = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Drift", severity: "sev3", startedAt: at("2026-03-01T00:00:00Z") },
      SYSTEM,
    );
    expect(incident).toMatchObject({
      model: "m",
      version: "1.0.0",
      status: "open",
      startedAt: "2026-03-01T00:00:00.000Z",
      detectedAt: "2026-03-01T00:00:00.000Z",
      resolvedAt: null,
      timeToDetectHours: 0,
      timeToRecoverHours: null,
      reviewUrl: null,
    });
    const event = auditEventsOf(orgId).at(-1)!;
    expect(event).toMatchObject({ action: "incident.created", entityType: "incident", entityId: String(incident.id) });
    expect(event.payload.after).toMatchObject({ id: incident.id, status: "open", title: "Drift" });
  });

  it("a given resolvedAt makes it resolved; status resolved without a time uses `now`", () => {
    const withTime = createIncident(
      orgId,
      "m",
      "1.0.0",
      {
        title: "Outage",
        severity: "sev1",
        startedAt: at("2026-03-01T00:00:00Z"),
        detectedAt: at("2026-03-01T01:30:00Z"),
        resolvedAt: at("2026-03-01T05:30:00Z"),
      },
      SYSTEM,
    );
    expect(withTime).toMatchObject({ status: "resolved", timeToDetectHours: 1.5, timeToRecoverHours: 4 });
    const byStatus = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Outage 2", severity: "sev2", status: "resolved", startedAt: at("2026-03-02T00:00:00Z") },
      SYSTEM,
      { now: at("2026-03-02T06:00:00Z") },
    );
    expect(byStatus.resolvedAt).toBe("2026-03-02T06:00:00.000Z");
    expect(byStatus.timeToRecoverHours).toBe(6);
  });

  it("createIncident refuses resolution before detection, nothing written", () => {
    const events = auditCount(orgId);
    const rows = getDb().select({ n: count() }).from(incidents).get()!.n;
    const error = catchDomain(() =>
      createIncident(
        orgId,
        "m",
        "1.0.0",
        // Started two minutes "ahead" (within clock skew), resolved now: resolution would precede detection.
        { title: "Bad", severity: "sev4", status: "resolved", startedAt: at("2026-03-04T00:02:00Z") },
        SYSTEM,
        { now: at("2026-03-04T00:00:00Z") },
      ),
    );
    expect(error).toMatchObject({ code: "invalid", field: "resolvedAt" });
    expect(auditCount(orgId)).toBe(events);
    expect(getDb().select({ n: count() }).from(incidents).get()!.n).toBe(rows);
  });

  it("createIncident on an unknown version → not_found", () => {
    expect(
      catchDomain(() =>
        createIncident(orgId, "m", "2.0.0", { title: "x y z", severity: "sev4", startedAt: at("2026-03-01T00:00:00Z") }, SYSTEM),
      ).code,
    ).toBe("not_found");
  });

  it("refuses incident times that have not come yet, on report and on update, and stores nothing", () => {
    const now = at("2026-04-01T12:00:00Z");
    const report = (times: { startedAt: string; detectedAt?: string; resolvedAt?: string }) => () =>
      createIncident(
        orgId,
        "m",
        "1.0.0",
        {
          title: "Future",
          severity: "sev3",
          startedAt: at(times.startedAt),
          detectedAt: times.detectedAt ? at(times.detectedAt) : undefined,
          resolvedAt: times.resolvedAt ? at(times.resolvedAt) : undefined,
        },
        SYSTEM,
        { now },
      );
    const count = () => getDb().select().from(incidents).all().length;
    const before = count();
    expect(catchDomain(report({ startedAt: "2099-12-03T10:00:00Z" }))).toMatchObject({ code: "invalid", field: "startedAt" });
    expect(catchDomain(report({ startedAt: "2026-04-01T11:00:00Z", detectedAt: "2026-04-02T00:00:00Z" })).field).toBe("detectedAt");
    expect(catchDomain(report({ startedAt: "2026-04-01T11:00:00Z", resolvedAt: "2026-04-01T13:00:00Z" })).field).toBe("resolvedAt");
    expect(count()).toBe(before);
    const created = report({ startedAt: "2026-04-01T11:00:00Z", detectedAt: "2026-04-01T12:04:00Z" })();
    expect(catchDomain(() => updateIncident(orgId, created.id, { resolvedAt: new Date(Date.now() + 3_600_000) }, SYSTEM)).field).toBe(
      "resolvedAt",
    );
    expect(getIncident(orgId, created.id)!.status).toBe("open");
  });

  it("updateIncident: resolving sets resolvedAt, with an audit event carrying before and after", () => {
    const created = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Latency", severity: "sev2", startedAt: at("2026-04-01T00:00:00Z"), detectedAt: at("2026-04-01T02:00:00Z") },
      SYSTEM,
    );
    const t0 = Date.now();
    const updated = updateIncident(orgId, created.id, { status: "resolved" }, SYSTEM);
    const t1 = Date.now();
    expect(updated.status).toBe("resolved");
    expect(updated.model).toBe("m");
    expect(updated.version).toBe("1.0.0");
    const resolvedAt = Date.parse(updated.resolvedAt!);
    expect(resolvedAt).toBeGreaterThanOrEqual(t0);
    expect(resolvedAt).toBeLessThanOrEqual(t1);
    const event = auditEventsOf(orgId).at(-1)!;
    expect(event).toMatchObject({ action: "incident.updated", entityType: "incident", entityId: String(created.id) });
    expect(event.payload.before).toMatchObject({ status: "open", resolvedAt: null });
    expect(event.payload.after).toMatchObject({ status: "resolved", resolvedAt: updated.resolvedAt });

    // An explicit resolution time wins; re-opening clears it.
    const explicit = updateIncident(orgId, created.id, { resolvedAt: at("2026-04-01T06:00:00Z") }, SYSTEM);
    expect(explicit.resolvedAt).toBe("2026-04-01T06:00:00.000Z");
    expect(explicit.timeToRecoverHours).toBe(4);
    const reopened = updateIncident(orgId, created.id, { status: "open" }, SYSTEM);
    expect(reopened.resolvedAt).toBeNull();
    expect(getIncident(orgId, created.id)!.status).toBe("open");
  });

  // Regression (registry.server.ts updateIncident): createIncident infers
  // status "resolved" from a resolvedAt, but updateIncident keeps the old status
  // (`input.status ?? before.status`). PATCH {resolvedAt} on an open incident
  // leaves status "open" with a resolution time: listModels counts it as an open
  // incident while computeRegistryMetrics counts it in time-to-recover.
  // Fix: `const status = input.status ?? (input.resolvedAt ? "resolved" : before.status);`
  it("setting resolvedAt alone on an open incident resolves it, like createIncident does", () => {
    const created = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Half-resolved", severity: "sev3", startedAt: at("2026-04-10T00:00:00Z") },
      SYSTEM,
    );
    const updated = updateIncident(orgId, created.id, { resolvedAt: at("2026-04-10T05:00:00Z") }, SYSTEM);
    expect(updated.resolvedAt).toBe("2026-04-10T05:00:00.000Z");
    expect(updated.status).toBe("resolved");
  });

  it("updateIncident refuses resolvedAt before detectedAt and detectedAt before startedAt, nothing written", () => {
    const created = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Skew", severity: "sev3", startedAt: at("2026-05-01T00:00:00Z"), detectedAt: at("2026-05-01T03:00:00Z") },
      SYSTEM,
    );
    const events = auditCount(orgId);
    expect(catchDomain(() => updateIncident(orgId, created.id, { resolvedAt: at("2026-05-01T02:00:00Z") }, SYSTEM))).toMatchObject({
      code: "invalid",
      field: "resolvedAt",
    });
    expect(catchDomain(() => updateIncident(orgId, created.id, { detectedAt: at("2026-04-30T00:00:00Z") }, SYSTEM))).toMatchObject({
      code: "invalid",
      field: "detectedAt",
    });
    expect(auditCount(orgId)).toBe(events);
    expect(getIncident(orgId, created.id)).toMatchObject({ status: "open", resolvedAt: null, detectedAt: "2026-05-01T03:00:00.000Z" });
  });

  it("updateIncident refuses a resolution time with a status other than resolved, as createIncident does", () => {
    const created = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Mitigated only", severity: "sev3", startedAt: at("2026-05-02T00:00:00Z") },
      SYSTEM,
    );
    const events = auditCount(orgId);
    expect(
      catchDomain(() => updateIncident(orgId, created.id, { status: "mitigated", resolvedAt: at("2026-05-02T04:00:00Z") }, SYSTEM)),
    ).toMatchObject({ code: "invalid", field: "status" });
    expect(auditCount(orgId)).toBe(events);
    expect(getIncident(orgId, created.id)).toMatchObject({ status: "open", resolvedAt: null });
  });

  it("another organisation cannot read or update the incident", () => {
    const created = createIncident(
      orgId,
      "m",
      "1.0.0",
      { title: "Private", severity: "sev4", startedAt: at("2026-06-01T00:00:00Z") },
      SYSTEM,
    );
    const other = newOrg();
    expect(getIncident(other.id, created.id)).toBeNull();
    expect(catchDomain(() => updateIncident(other.id, created.id, { status: "resolved" }, SYSTEM)).code).toBe("not_found");
    expect(getIncident(orgId, created.id)!.status).toBe("open");
    expect(auditCount(other.id)).toBe(0);
  });

  it("getIncident of an unknown id → null", () => {
    expect(getIncident(orgId, 999_999)).toBeNull();
  });
});

// ---------------------------------------------------------------- monitoring and objectives

describe("monitoring and objectives", () => {
  let orgId: number;
  let modelId: number;
  beforeEach(() => {
    orgId = newOrg().id;
    modelId = model(orgId, { name: "M", slug: "m" }).id;
    version(orgId, "m", { version: "1.0.0" });
  });

  it("flags breaches against the model's objectives; missing metrics are not breaches", () => {
    setObjective(orgId, "m", { metric: "auc", comparison: ">=", threshold: 0.8 }, SYSTEM);
    setObjective(orgId, "m", { metric: "latency_ms", comparison: "<=", threshold: 200 }, SYSTEM);
    setObjective(orgId, "m", { metric: "drift", comparison: "<", threshold: 0.2 }, SYSTEM);

    const ok = recordMonitoringSnapshot(orgId, "m", "1.0.0", { metrics: { auc: 0.8, latency_ms: 200 } }, SYSTEM, {
      now: at("2026-02-01T00:00:00Z"),
    });
    expect(ok.breaches).toEqual([]);
    expect(ok.observedAt).toBe("2026-02-01T00:00:00.000Z");

    const bad = recordMonitoringSnapshot(
      orgId,
      "m",
      "1.0.0",
      { observedAt: at("2026-02-02T00:00:00Z"), metrics: { auc: 0.79, latency_ms: 250, drift: 0.1, other: 1 } },
      SYSTEM,
    );
    expect([...bad.breaches].sort()).toEqual(["auc", "latency_ms"]);
    const row = getDb().select().from(monitoringSnapshots).where(eq(monitoringSnapshots.id, bad.id)).get()!;
    expect(row.breachCount).toBe(2);
    expect(JSON.parse(row.breaches).sort()).toEqual(["auc", "latency_ms"]);
    expect(row.observedAt).toEqual(at("2026-02-02T00:00:00Z"));

    const event = auditEventsOf(orgId).at(-1)!;
    expect(event).toMatchObject({ action: "monitoring.recorded", entityType: "monitoring_snapshot", entityId: String(bad.id) });

    const detail = getModelDetail(orgId, "m")!;
    expect(detail.objectives).toEqual([
      { metric: "auc", comparison: ">=", threshold: 0.8 },
      { metric: "drift", comparison: "<", threshold: 0.2 },
      { metric: "latency_ms", comparison: "<=", threshold: 200 },
    ]);
    expect(detail.monitoring.map((s) => [s.observedAt, s.breaches.length])).toEqual([
      ["2026-02-01T00:00:00.000Z", 0],
      ["2026-02-02T00:00:00.000Z", 2],
    ]);
  });

  it("setObjective on an existing metric replaces it (one row), with before in the audit event", () => {
    setObjective(orgId, "m", { metric: "auc", comparison: ">=", threshold: 0.8 }, SYSTEM);
    setObjective(orgId, "m", { metric: "auc", comparison: ">", threshold: 0.85 }, SYSTEM);
    const rows = getDb().select().from(serviceLevelObjectives).where(eq(serviceLevelObjectives.modelId, modelId)).all();
    expect(rows.filter((r) => r.metric === "auc")).toEqual([expect.objectContaining({ comparison: ">", threshold: 0.85 })]);
    const event = auditEventsOf(orgId).at(-1)!;
    expect(event.action).toBe("objective.set");
    expect(event.payload.before).toEqual({ metric: "auc", comparison: ">=", threshold: 0.8 });
    expect(event.payload.after).toEqual({ model: "m", metric: "auc", comparison: ">", threshold: 0.85 });
    const snap = recordMonitoringSnapshot(orgId, "m", "1.0.0", { metrics: { auc: 0.85 } }, SYSTEM);
    expect(snap.breaches).toEqual(["auc"]);
  });

  it("refuses a snapshot observed in the future, beyond a few minutes of clock skew, and stores nothing", () => {
    const now = at("2026-02-01T12:00:00Z");
    const snapshot = (observedAt: string) => () =>
      recordMonitoringSnapshot(orgId, "m", "1.0.0", { observedAt: at(observedAt), metrics: { auc: 0.8 } }, SYSTEM, { now });
    const before = getDb().select().from(monitoringSnapshots).all().length;
    const refused = catchDomain(snapshot("2099-12-01T10:00:00Z"));
    expect(refused).toMatchObject({ code: "invalid", field: "observedAt" });
    expect(catchDomain(snapshot("2026-02-01T12:06:00Z")).field).toBe("observedAt");
    expect(getDb().select().from(monitoringSnapshots).all()).toHaveLength(before);
    expect(snapshot("2026-02-01T12:04:00Z")().observedAt).toBe("2026-02-01T12:04:00.000Z");
  });

  it("removeObjective removes it; later snapshots are no longer checked against it", () => {
    setObjective(orgId, "m", { metric: "latency_ms", comparison: "<=", threshold: 200 }, SYSTEM);
    removeObjective(orgId, "m", "latency_ms", SYSTEM);
    expect(auditEventsOf(orgId).at(-1)!.action).toBe("objective.removed");
    expect(recordMonitoringSnapshot(orgId, "m", "1.0.0", { metrics: { latency_ms: 10_000 } }, SYSTEM).breaches).toEqual([]);
  });

  it("removeObjective of an unknown metric → not_found, nothing written", () => {
    const events = auditCount(orgId);
    expect(catchDomain(() => removeObjective(orgId, "m", "nope", SYSTEM)).code).toBe("not_found");
    expect(auditCount(orgId)).toBe(events);
  });

  it("objectives of one model do not apply to another", () => {
    setObjective(orgId, "m", { metric: "auc", comparison: ">=", threshold: 0.8 }, SYSTEM);
    setObjective(orgId, "m", { metric: "drift", comparison: "<", threshold: 0.2 }, SYSTEM);
    model(orgId, { name: "N", slug: "n" });
    version(orgId, "n", { version: "1.0.0" });
    expect(recordMonitoringSnapshot(orgId, "m", "1.0.0", { metrics: { auc: 0.1, drift: 5 } }, SYSTEM).breaches.sort()).toEqual([
      "auc",
      "drift",
    ]);
    expect(recordMonitoringSnapshot(orgId, "n", "1.0.0", { metrics: { auc: 0.1, drift: 5 } }, SYSTEM).breaches).toEqual([]);
  });
});

// ---------------------------------------------------------------- listModels

describe("listModels", () => {
  let orgId: number;
  let otherOrgId: number;
  const q = (query: Partial<ModelListQuery>) => listModels(orgId, { page: 1, pageSize: 25, ...query });
  const names = (query: Partial<ModelListQuery>) => q(query).models.map((m) => m.name);

  beforeAll(() => {
    orgId = newOrg().id;
    // 1. Alpha: versions 1.9.0 (production), 1.10.0 (staging), 1.2.0 (development, created last).
    model(
      orgId,
      { name: "Alpha Fraud Detector", riskTier: "high", ownerTeam: "risk", tags: ["fraud", "nlp"], description: "Detects card fraud" },
      "2026-01-01T00:00:00Z",
    );
    // 2. Beta: one development version.
    model(
      orgId,
      { name: "Beta Churn", riskTier: "minimal", ownerTeam: "growth", tags: ["churn"], useCase: "Predict 100% of churners" },
      "2026-01-02T00:00:00Z",
    );
    // 3. Gamma_Vision (slug unrelated to the name): 2.0.0 retired by 3.0.0 in production.
    model(
      orgId,
      { name: "Gamma_Vision", slug: "cv-edge", riskTier: "limited", ownerTeam: "vision", tags: ["vision", "nlp"] },
      "2026-01-03T00:00:00Z",
    );
    // 4. Data Vault: decoy for the `%` and `_` wildcards.
    model(
      orgId,
      { name: "Data Vault", riskTier: "unacceptable", ownerTeam: "risk", description: "Serves 100 users" },
      "2026-01-04T00:00:00Z",
    );
    // 5. Echo: no versions at all.
    model(orgId, { name: "Echo Ranker", riskTier: "high", ownerTeam: "growth" }, "2026-01-05T00:00:00Z");

    version(orgId, "cv-edge", { version: "2.0.0", stage: "staging" }, "2026-01-06T00:00:00Z");
    move(orgId, "cv-edge", "2.0.0", "production", "2026-01-07T00:00:00Z");
    version(orgId, "cv-edge", { version: "3.0.0", stage: "staging" }, "2026-01-08T00:00:00Z");
    version(orgId, "data-vault", { version: "0.9.0" }, "2026-01-09T10:00:00Z");
    version(orgId, "data-vault", { version: "0.10.0", stage: "validation" }, "2026-01-09T11:00:00Z");
    version(orgId, "alpha-fraud-detector", { version: "1.9.0", stage: "staging" }, "2026-01-10T00:00:00Z");
    move(orgId, "alpha-fraud-detector", "1.9.0", "production", "2026-01-11T00:00:00Z");
    version(orgId, "alpha-fraud-detector", { version: "1.10.0", stage: "staging" }, "2026-01-12T00:00:00Z");
    version(orgId, "alpha-fraud-detector", { version: "1.2.0" }, "2026-01-13T00:00:00Z");
    version(orgId, "beta-churn", { version: "0.1.0" }, "2026-01-14T00:00:00Z");
    move(orgId, "cv-edge", "3.0.0", "production", "2026-01-15T00:00:00Z");

    const inc = (slug: string, v: string, status: "open" | "mitigated" | "resolved") =>
      createIncident(
        orgId,
        slug,
        v,
        { title: `incident ${status}`, severity: "sev3", status, startedAt: at("2026-01-20T00:00:00Z") },
        SYSTEM,
        {
          now: at("2026-01-21T00:00:00Z"),
        },
      );
    inc("alpha-fraud-detector", "1.9.0", "open");
    inc("alpha-fraud-detector", "1.9.0", "resolved");
    inc("cv-edge", "3.0.0", "open");
    inc("cv-edge", "3.0.0", "mitigated");
    inc("cv-edge", "2.0.0", "resolved");

    // Another organisation with a look-alike model that must never show up.
    otherOrgId = newOrg().id;
    model(otherOrgId, { name: "Alpha Fraud Detector", riskTier: "high", ownerTeam: "risk", tags: ["fraud"] });
    version(otherOrgId, "alpha-fraud-detector", { version: "9.0.0", stage: "staging" });
    move(otherOrgId, "alpha-fraud-detector", "9.0.0", "production");
  });

  it("per-row production/latest version, version count and open incidents are right for each model", () => {
    const result = q({});
    expect(result.total).toBe(5);
    const rows = Object.fromEntries(
      result.models.map((m) => [
        m.slug,
        { production: m.productionVersion, latest: m.latestVersion, versions: m.versionCount, open: m.openIncidents },
      ]),
    );
    expect(rows).toEqual({
      "alpha-fraud-detector": { production: "1.9.0", latest: "1.10.0", versions: 3, open: 1 },
      "beta-churn": { production: null, latest: "0.1.0", versions: 1, open: 0 },
      "cv-edge": { production: "3.0.0", latest: "3.0.0", versions: 2, open: 2 },
      "data-vault": { production: null, latest: "0.10.0", versions: 2, open: 0 },
      "echo-ranker": { production: null, latest: null, versions: 0, open: 0 },
    });
  });

  it("rows carry tags (sorted) and ISO dates", () => {
    const alpha = q({ q: "alpha" }).models[0]!;
    expect(alpha.tags).toEqual(["fraud", "nlp"]);
    expect(alpha.createdAt).toBe("2026-01-01T00:00:00.000Z");
    expect(alpha.updatedAt).toBe("2026-01-13T00:00:00.000Z");
    expect(q({ q: "echo" }).models[0]!.tags).toEqual([]);
  });

  it("search is case-insensitive over name, slug, description and use case", () => {
    expect(names({ q: "FRAUD" })).toEqual(["Alpha Fraud Detector"]);
    expect(names({ q: "Card" })).toEqual(["Alpha Fraud Detector"]); // description only
    expect(names({ q: "CHURNERS" })).toEqual(["Beta Churn"]); // use case only
    expect(names({ q: "CV-EDGE" })).toEqual(["Gamma_Vision"]); // slug only
    expect(names({ q: "r" })).toEqual(["Alpha Fraud Detector", "Beta Churn", "Data Vault", "Echo Ranker"]);
    expect(q({ q: "no such thing" })).toMatchObject({ total: 0, models: [] });
  });

  it("`%` and `_` in the search are literal characters, not LIKE wildcards", () => {
    // Unescaped, "100%" would also match "Serves 100 users" and "a_v" would match "data vault".
    expect(names({ q: "100%" })).toEqual(["Beta Churn"]);
    expect(names({ q: "%" })).toEqual(["Beta Churn"]);
    expect(names({ q: "a_v" })).toEqual(["Gamma_Vision"]);
    expect(names({ q: "_" })).toEqual(["Gamma_Vision"]);
    expect(q({ q: "\\" }).total).toBe(0);
  });

  it("filters by current stage", () => {
    expect(names({ stage: "production" })).toEqual(["Alpha Fraud Detector", "Gamma_Vision"]);
    expect(names({ stage: "staging" })).toEqual(["Alpha Fraud Detector"]);
    expect(names({ stage: "development" })).toEqual(["Alpha Fraud Detector", "Beta Churn", "Data Vault"]);
    expect(names({ stage: "validation" })).toEqual(["Data Vault"]);
    expect(names({ stage: "retired" })).toEqual(["Gamma_Vision"]);
  });

  it("filters by risk tier, team and tag, and combines filters", () => {
    expect(names({ riskTier: "high" })).toEqual(["Alpha Fraud Detector", "Echo Ranker"]);
    expect(names({ team: "risk" })).toEqual(["Alpha Fraud Detector", "Data Vault"]);
    expect(names({ tag: "nlp" })).toEqual(["Alpha Fraud Detector", "Gamma_Vision"]);
    expect(names({ tag: "vision" })).toEqual(["Gamma_Vision"]);
    expect(names({ team: "growth", riskTier: "high" })).toEqual(["Echo Ranker"]);
    expect(names({ tag: "nlp", stage: "retired" })).toEqual(["Gamma_Vision"]);
    expect(q({ team: "risk", stage: "validation", q: "vault" })).toMatchObject({ total: 1 });
    expect(q({ riskTier: "minimal", tag: "nlp" }).total).toBe(0);
  });

  it("sorts by name, risk and last update", () => {
    expect(names({ sort: "name" })).toEqual(["Alpha Fraud Detector", "Beta Churn", "Data Vault", "Echo Ranker", "Gamma_Vision"]);
    expect(names({ sort: "-name" })).toEqual(["Gamma_Vision", "Echo Ranker", "Data Vault", "Beta Churn", "Alpha Fraud Detector"]);
    // minimal < limited < high < unacceptable; ties by name.
    expect(names({ sort: "risk" })).toEqual(["Beta Churn", "Gamma_Vision", "Alpha Fraud Detector", "Echo Ranker", "Data Vault"]);
    expect(names({ sort: "-risk" })).toEqual(["Data Vault", "Alpha Fraud Detector", "Echo Ranker", "Gamma_Vision", "Beta Churn"]);
    // updatedAt follows the last version/transition: Echo 01-05, Data Vault 01-09, Alpha 01-13, Beta 01-14, Gamma 01-15.
    expect(names({ sort: "updated" })).toEqual(["Echo Ranker", "Data Vault", "Alpha Fraud Detector", "Beta Churn", "Gamma_Vision"]);
    expect(names({ sort: "-updated" })).toEqual(["Gamma_Vision", "Beta Churn", "Alpha Fraud Detector", "Data Vault", "Echo Ranker"]);
  });

  it("paginates with a total over all pages", () => {
    const page1 = q({ sort: "name", pageSize: 2, page: 1 });
    const page2 = q({ sort: "name", pageSize: 2, page: 2 });
    const page3 = q({ sort: "name", pageSize: 2, page: 3 });
    const page4 = q({ sort: "name", pageSize: 2, page: 4 });
    expect([page1.total, page2.total, page3.total, page4.total]).toEqual([5, 5, 5, 5]);
    expect(page1.models.map((m) => m.name)).toEqual(["Alpha Fraud Detector", "Beta Churn"]);
    expect(page2.models.map((m) => m.name)).toEqual(["Data Vault", "Echo Ranker"]);
    expect(page2).toMatchObject({ page: 2, pageSize: 2 });
    expect(page3.models.map((m) => m.name)).toEqual(["Gamma_Vision"]);
    expect(page4.models).toEqual([]);
    // Filters apply to the total too.
    expect(q({ riskTier: "high", pageSize: 1, page: 2 })).toMatchObject({
      total: 2,
      models: [expect.objectContaining({ name: "Echo Ranker" })],
    });
  });

  it("facets list the organisation's teams and tags", () => {
    expect(listModelFacets(orgId)).toEqual({ teams: ["growth", "risk", "vision"], tags: ["churn", "fraud", "nlp", "vision"] });
  });

  it("never shows another organisation's models", () => {
    const other = listModels(otherOrgId, { page: 1, pageSize: 25 });
    expect(other.total).toBe(1);
    expect(other.models[0]).toMatchObject({ productionVersion: "9.0.0", latestVersion: "9.0.0", versionCount: 1, openIncidents: 0 });
    expect(q({ q: "alpha" }).models).toHaveLength(1);
    expect(q({ q: "alpha" }).models[0]!.productionVersion).toBe("1.9.0");
  });

  it("getModel lists versions newest first by semantic version", () => {
    const alpha = getModel(orgId, "alpha-fraud-detector")!;
    expect(alpha.versions.map((v) => v.version)).toEqual(["1.10.0", "1.9.0", "1.2.0"]);
    expect(alpha.latestVersion).toBe("1.10.0");
    expect(alpha.productionVersion).toBe("1.9.0");
  });

  it("getModelDetail derives the production intervals from the transitions", () => {
    const detail = getModelDetail(orgId, "cv-edge")!;
    expect(detail.productionIntervals).toEqual([
      { versionId: expect.any(Number), version: "2.0.0", from: "2026-01-07T00:00:00.000Z", to: "2026-01-15T00:00:00.000Z" },
      { versionId: expect.any(Number), version: "3.0.0", from: "2026-01-15T00:00:00.000Z", to: null },
    ]);
    expect(detail.transitions.map((t) => `${t.version}:${t.fromStage}->${t.toStage}`)).toEqual([
      "2.0.0:null->staging",
      "2.0.0:staging->production",
      "3.0.0:null->staging",
      "2.0.0:production->retired",
      "3.0.0:staging->production",
    ]);
    expect(detail.incidents).toHaveLength(3);
    expect(detail.incidents.filter((i) => i.version === "3.0.0")).toHaveLength(2);
  });

  // Regression (registry.server.ts listModels, latestVersion subquery): it orders by
  // major, minor, patch, id and ignores the pre-release, so when "2.0.0-rc.1"
  // is registered after "2.0.0" (e.g. back-filled by an import) the list says
  // the latest is the release candidate, while getModel()/listVersions (which
  // use compareSemver) say 2.0.0. Fix: add a pre-release column (or a
  // "is_release" flag: prerelease IS NULL sorts after) to the ORDER BY, e.g.
  // `order by v.major desc, v.minor desc, v.patch desc, (v.version not like '%-%') desc, ...`
  // — careful, build metadata may also contain '-'; storing the pre-release is cleaner.
  it("latestVersion in the list agrees with getModel when a pre-release is registered after its release", () => {
    const org = newOrg();
    model(org.id, { name: "Z", slug: "z" });
    version(org.id, "z", { version: "2.0.0" });
    version(org.id, "z", { version: "2.0.0-rc.1" });
    expect(getModel(org.id, "z")!.latestVersion).toBe("2.0.0");
    expect(listModels(org.id, { page: 1, pageSize: 25 }).models[0]!.latestVersion).toBe("2.0.0");
  });
});

// ---------------------------------------------------------------- isolation

describe("cross-organisation isolation", () => {
  it("org B cannot see or change org A's models", () => {
    const a = newOrg();
    const b = newOrg();
    model(a.id, { name: "Secret", slug: "secret" });
    version(a.id, "secret", { version: "1.0.0", stage: "staging" });
    const eventsB = auditCount(b.id);
    const eventsA = auditCount(a.id);

    expect(findModelBySlug(b.id, "secret")).toBeUndefined();
    expect(getModel(b.id, "secret")).toBeNull();
    expect(getModelDetail(b.id, "secret")).toBeNull();
    expect(getVersionDetail(b.id, "secret", "1.0.0")).toBeNull();
    expect(listModels(b.id, { page: 1, pageSize: 25 }).total).toBe(0);

    expect(catchDomain(() => version(b.id, "secret", { version: "2.0.0" })).code).toBe("not_found");
    expect(catchDomain(() => move(b.id, "secret", "1.0.0", "production")).code).toBe("not_found");
    expect(
      catchDomain(() =>
        createIncident(b.id, "secret", "1.0.0", { title: "x y z", severity: "sev1", startedAt: at("2026-01-01T00:00:00Z") }, SYSTEM),
      ).code,
    ).toBe("not_found");
    expect(catchDomain(() => recordMonitoringSnapshot(b.id, "secret", "1.0.0", { metrics: { a: 1 } }, SYSTEM)).code).toBe("not_found");
    expect(catchDomain(() => setObjective(b.id, "secret", { metric: "a", comparison: ">", threshold: 1 }, SYSTEM)).code).toBe("not_found");
    expect(catchDomain(() => removeObjective(b.id, "secret", "a", SYSTEM)).code).toBe("not_found");

    // Nothing changed on either side.
    expect(auditCount(b.id)).toBe(eventsB);
    expect(auditCount(a.id)).toBe(eventsA);
    expect(getModel(a.id, "secret")!.versions.map((v) => [v.version, v.stage])).toEqual([["1.0.0", "staging"]]);
  });
});

// ---------------------------------------------------------------- audit chain

describe("audit chain", () => {
  it("a sequence of registry operations leaves a valid chain with one event per change", () => {
    const org = newOrg();
    model(org.id, { name: "Chain", slug: "chain", tags: ["t"] }); // 1
    version(org.id, "chain", { version: "1.0.0", stage: "staging" }); // 2
    move(org.id, "chain", "1.0.0", "production"); // 3
    version(org.id, "chain", { version: "1.1.0", stage: "staging" }); // 4
    move(org.id, "chain", "1.1.0", "production"); // 5 (retire 1.0.0) + 6 (promote 1.1.0)
    const incident = createIncident(
      org.id,
      "chain",
      "1.1.0",
      { title: "Alert", severity: "sev2", startedAt: at("2026-03-01T00:00:00Z") },
      SYSTEM,
    ); // 7
    updateIncident(org.id, incident.id, { status: "resolved" }, SYSTEM); // 8
    setObjective(org.id, "chain", { metric: "auc", comparison: ">=", threshold: 0.7 }, SYSTEM); // 9
    recordMonitoringSnapshot(org.id, "chain", "1.1.0", { metrics: { auc: 0.6 } }, SYSTEM); // 10
    removeObjective(org.id, "chain", "auc", SYSTEM); // 11
    // Refused operations add nothing.
    expect(() => model(org.id, { name: "Dup", slug: "chain" })).toThrow(DomainError);
    expect(() => move(org.id, "chain", "1.0.0", "production")).toThrow(DomainError);
    expect(() => version(org.id, "chain", { version: "1.1.0" })).toThrow(DomainError);

    expect(verifyAuditChain(org.id)).toEqual({ ok: true, events: 11 });
    expect(auditEventsOf(org.id).map((e) => e.action)).toEqual([
      "model.created",
      "model_version.created",
      "model_version.stage_changed",
      "model_version.created",
      "model_version.stage_changed",
      "model_version.stage_changed",
      "incident.created",
      "incident.updated",
      "objective.set",
      "monitoring.recorded",
      "objective.removed",
    ]);
  });
});
