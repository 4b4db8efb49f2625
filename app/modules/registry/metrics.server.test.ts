import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { currentQuarterRange, quarterRange } from "../../utils/quarters";
import type { Actor } from "../audit/audit.server";
import { and, eq } from "drizzle-orm";
import { models, modelVersions, stageTransitions } from "../../../db/schema";
import { computeEvidenceMetrics, computeRegistryMetrics, trailingQuarters } from "./metrics.server";
import type { Channel, Stage } from "./registry-constants";
import { createIncident, createModel, createVersion, recordMonitoringSnapshot, setObjective } from "./registry.server";
import { transitionVersion } from "../governance/transitions.server";
import type { ModelVersionCreate } from "./registry-schemas";
import { insertTestOrg } from "../../../tests/setup/factories";

const SYSTEM: Actor = { type: "system", label: "test" };
const at = (iso: string) => new Date(iso);
const HOURS_PER_AVERAGE_MONTH = (365.25 / 12) * 24;

const newOrg = () => insertTestOrg("metrics-org").id;

const COMPLETE = {
  codeRef: "git:abc",
  trainingData: { ref: "s3://train" },
  hyperparameters: { depth: 4 },
  metrics: { auc: 0.9 },
};

function makeHelpers(orgId: number) {
  return {
    model: (slug: string, now: string) => createModel(orgId, { name: slug, slug, riskTier: "high" }, SYSTEM, "ui", { now: at(now) }),
    version: (slug: string, input: ModelVersionCreate, channel: Channel, now: string) =>
      createVersion(orgId, slug, input, SYSTEM, channel, { now: at(now) }),
    move: (slug: string, version: string, to: Stage, now: string) =>
      transitionVersion(orgId, slug, version, { to }, SYSTEM, { mayPromote: true }, { now: at(now), importedHistory: true }),
    incident: (slug: string, version: string, startedAt: string, detectedAt: string, resolvedAt?: string) =>
      createIncident(
        orgId,
        slug,
        version,
        {
          title: `incident ${startedAt}`,
          severity: "sev2",
          startedAt: at(startedAt),
          detectedAt: at(detectedAt),
          resolvedAt: resolvedAt ? at(resolvedAt) : undefined,
        },
        SYSTEM,
        // Reported once resolved (or when detected): its times have all happened by then.
        { now: at(resolvedAt ?? detectedAt) },
      ),
    objective: (slug: string) => setObjective(orgId, slug, { metric: "auc", comparison: ">=", threshold: 0.8 }, SYSTEM),
    snapshot: (slug: string, version: string, observedAt: string, auc: number) =>
      recordMonitoringSnapshot(orgId, slug, version, { observedAt: at(observedAt), metrics: { auc } }, SYSTEM),
  };
}

describe("computeRegistryMetrics on an empty organisation", () => {
  it("is all zeros and nulls, with one zero entry per month", () => {
    const orgId = newOrg();
    const metrics = computeRegistryMetrics(orgId, quarterRange("2026-Q1"));
    expect(metrics).toEqual({
      window: { from: "2026-01-01T00:00:00.000Z", to: "2026-04-01T00:00:00.000Z" },
      modelsTotal: 0,
      versionsByStage: { development: 0, validation: 0, staging: 0, production: 0, retired: 0 },
      productionModels: 0,
      incidentsInWindow: 0,
      incidentRate: null,
      productionModelsWithIncidentShare: null,
      medianTimeToDetectHours: null,
      medianTimeToRecoverHours: null,
      productionPromotions: 0,
      deploymentsPerMonth: 0,
      promotionsByMonth: [
        { month: "2026-01", count: 0 },
        { month: "2026-02", count: 0 },
        { month: "2026-03", count: 0 },
      ],
      medianLeadTimeHours: null,
      leadTimeBasis: null,
      lineageCompleteShare: null,
      registrations: 0,
      apiRegistrationShare: null,
      sloBreaches: 0,
      approvalGatedShare: null,
      automaticPromotionShare: null,
      approvedCardShare: null,
      passingAuditShare: null,
      medianApprovalDecisionHours: null,
      openApprovalRequests: 0,
    });
  });

  it("defaults to the current quarter", () => {
    const orgId = newOrg();
    const { from, to } = currentQuarterRange();
    const metrics = computeRegistryMetrics(orgId);
    expect(metrics.window).toEqual({ from: from.toISOString(), to: to.toISOString() });
    expect(metrics.promotionsByMonth).toHaveLength(3);
  });
});

/**
 * One organisation with a hand-built history (chronological, because a
 * promotion retires whatever is in production when it is written):
 *
 *  alpha  model 2025-10-01; v1.0.0 staging (api, lineage INCOMPLETE) 2025-10-01; production 2025-11-01, still there.
 *  beta   model 2025-10-01; v1.0.0 staging (ui, complete) 2025-10-05; production 2025-11-01; retired 2026-02-15T12:00.
 *  gamma  model 2026-01-02; v1.0.0 staging (api, incomplete) 2026-01-05; production 2026-01-10;
 *                           v2.0.0 staging (ui, complete) 2026-02-01; production 2026-03-01T12:00 (retires v1.0.0).
 *  delta  model 2026-01-03; v1.0.0 staging (api, incomplete) 2026-03-20; production 2026-04-01T00:00 (= end of Q1).
 *  fox    model 2026-01-04; v0.1.0 development (api) 2026-02-10; validation 2026-05-01.
 *  echo   model 2026-04-15; v1.0.0 development (api) 2026-04-15.
 *
 * Incidents (start → detected → resolved):
 *  I4 alpha 2025-12-31T23:00 → 2026-01-01T01:00 → open       (Q4 2025; TTD 2h)
 *  I1 beta  2026-01-20T00:00 → 02:00 → 08:00                 (Q1; TTD 2h, TTR 6h)
 *  I3 fox   2026-02-15T00:00 → 10:00 → open                  (Q1; TTD 10h)
 *  I2 gamma 2026-03-05T00:00 → 04:00 → 2026-03-06T00:00      (Q1; TTD 4h, TTR 20h)
 *  I5 gamma 2026-04-01T00:00 → same → open                   (Q2 — exactly at the Q1 end)
 *
 * Snapshots against "auc >= 0.8":
 *  S4 beta  2025-12-15 0.1 breach (Q4 2025)
 *  S5 alpha 2026-01-01T00:00 0.2 breach (Q1, exactly at its start)
 *  S1 gamma 2026-03-10 0.7 breach (Q1); S2 gamma 2026-03-11 0.9 fine (Q1)
 *  S3 gamma 2026-04-02 0.5 breach (Q2)
 */
describe("computeRegistryMetrics on a known history", () => {
  let orgId: number;
  let otherOrgId: number;

  // A history of its own for every test: one of them moves a version on afterwards.
  beforeEach(() => {
    orgId = newOrg();
    const h = makeHelpers(orgId);
    h.model("alpha", "2025-10-01T00:00:00Z");
    h.model("beta", "2025-10-01T00:00:00Z");
    h.version("alpha", { version: "1.0.0", stage: "staging", codeRef: "git:a" }, "api", "2025-10-01T00:00:00Z");
    h.version("beta", { version: "1.0.0", stage: "staging", ...COMPLETE }, "ui", "2025-10-05T00:00:00Z");
    h.objective("alpha");
    h.objective("beta");
    h.move("alpha", "1.0.0", "production", "2025-11-01T00:00:00Z");
    h.move("beta", "1.0.0", "production", "2025-11-01T00:00:00Z");
    h.snapshot("beta", "1.0.0", "2025-12-15T00:00:00Z", 0.1); // S4
    h.incident("alpha", "1.0.0", "2025-12-31T23:00:00Z", "2026-01-01T01:00:00Z"); // I4
    h.snapshot("alpha", "1.0.0", "2026-01-01T00:00:00Z", 0.2); // S5
    h.model("gamma", "2026-01-02T00:00:00Z");
    h.model("delta", "2026-01-03T00:00:00Z");
    h.model("fox", "2026-01-04T00:00:00Z");
    h.version("gamma", { version: "1.0.0", stage: "staging" }, "api", "2026-01-05T00:00:00Z");
    h.objective("gamma");
    h.move("gamma", "1.0.0", "production", "2026-01-10T00:00:00Z");
    h.incident("beta", "1.0.0", "2026-01-20T00:00:00Z", "2026-01-20T02:00:00Z", "2026-01-20T08:00:00Z"); // I1
    h.version("gamma", { version: "2.0.0", stage: "staging", ...COMPLETE }, "ui", "2026-02-01T00:00:00Z");
    h.version("fox", { version: "0.1.0" }, "api", "2026-02-10T00:00:00Z");
    h.incident("fox", "0.1.0", "2026-02-15T00:00:00Z", "2026-02-15T10:00:00Z"); // I3
    h.move("beta", "1.0.0", "retired", "2026-02-15T12:00:00Z");
    h.move("gamma", "2.0.0", "production", "2026-03-01T12:00:00Z");
    h.incident("gamma", "2.0.0", "2026-03-05T00:00:00Z", "2026-03-05T04:00:00Z", "2026-03-06T00:00:00Z"); // I2
    h.snapshot("gamma", "2.0.0", "2026-03-10T00:00:00Z", 0.7); // S1
    h.snapshot("gamma", "2.0.0", "2026-03-11T00:00:00Z", 0.9); // S2
    h.version("delta", { version: "1.0.0", stage: "staging" }, "api", "2026-03-20T00:00:00Z");
    h.move("delta", "1.0.0", "production", "2026-04-01T00:00:00Z");
    h.incident("gamma", "2.0.0", "2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z"); // I5
    h.snapshot("gamma", "2.0.0", "2026-04-02T00:00:00Z", 0.5); // S3
    h.model("echo", "2026-04-15T00:00:00Z");
    h.version("echo", { version: "1.0.0" }, "api", "2026-04-15T00:00:00Z");
    h.move("fox", "0.1.0", "validation", "2026-05-01T00:00:00Z");

    // A second organisation with activity in every window; none of it may leak.
    otherOrgId = newOrg();
    const o = makeHelpers(otherOrgId);
    o.model("alpha", "2025-10-01T00:00:00Z");
    o.version("alpha", { version: "1.0.0", stage: "staging", ...COMPLETE }, "api", "2025-10-02T00:00:00Z");
    o.move("alpha", "1.0.0", "production", "2025-12-01T00:00:00Z");
    o.model("other", "2026-01-15T00:00:00Z");
    o.version("other", { version: "1.0.0", stage: "staging", ...COMPLETE }, "api", "2026-01-16T00:00:00Z");
    o.move("other", "1.0.0", "production", "2026-02-01T00:00:00Z");
    o.version("other", { version: "1.1.0", stage: "staging" }, "ui", "2026-02-02T00:00:00Z");
    o.move("other", "1.1.0", "production", "2026-03-15T00:00:00Z");
    o.incident("other", "1.1.0", "2026-03-20T00:00:00Z", "2026-03-20T01:00:00Z", "2026-03-20T02:00:00Z");
    o.objective("other");
    o.snapshot("other", "1.1.0", "2026-03-21T00:00:00Z", 0.1);
    o.version("other", { version: "1.2.0", stage: "staging" }, "api", "2026-05-01T00:00:00Z");
    o.move("other", "1.2.0", "production", "2026-05-02T00:00:00Z");
  });

  it("Q1 2026: every figure", () => {
    const m = computeRegistryMetrics(orgId, quarterRange("2026-Q1"));
    expect(m.window).toEqual({ from: "2026-01-01T00:00:00.000Z", to: "2026-04-01T00:00:00.000Z" });
    // alpha, beta, gamma, delta, fox; echo was created after the window.
    expect(m.modelsTotal).toBe(5);
    // As at Apr 1 (exclusive): fox dev; delta still staging (its promotion is AT the end); alpha + gamma 2.0.0 in
    // production; beta (retired in the window) and gamma 1.0.0 (replaced) retired.
    expect(m.versionsByStage).toEqual({ development: 1, validation: 0, staging: 1, production: 2, retired: 2 });
    // alpha (promoted before the window, still there) and gamma; not beta (retired inside), not delta (promoted at the end).
    expect(m.productionModels).toBe(2);
    // I1, I3, I2; not I4 (started before) nor I5 (started at the end).
    expect(m.incidentsInWindow).toBe(3);
    expect(m.incidentRate).toBe(3 / 2);
    // Of alpha and gamma, only gamma had an incident start in the window (alpha's I4 started before).
    expect(m.productionModelsWithIncidentShare).toBe(1 / 2);
    // TTD 2, 10, 4 → 4; TTR 6, 20 (I3 unresolved) → 13.
    expect(m.medianTimeToDetectHours).toBe(4);
    expect(m.medianTimeToRecoverHours).toBe(13);
    // gamma 1.0.0 on Jan 10 and gamma 2.0.0 on Mar 1.
    expect(m.productionPromotions).toBe(2);
    expect(m.promotionsByMonth).toEqual([
      { month: "2026-01", count: 1 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 1 },
    ]);
    // Q1 2026 is 90 days = 90 / 30.4375 average months.
    expect(m.deploymentsPerMonth).toBeCloseTo(2 / (90 / 30.4375), 12);
    expect(m.deploymentsPerMonth).toBeCloseTo(0.676388888889, 10);
    // Lead times: 5 days = 120 h; 28 days 12 h = 684 h → median 402.
    expect(m.medianLeadTimeHours).toBe(402);
    // Production at the end: alpha 1.0.0 (incomplete), gamma 2.0.0 (complete).
    expect(m.lineageCompleteShare).toBe(1 / 2);
    // Created in the window: gamma 1.0.0 (api), gamma 2.0.0 (ui), fox 0.1.0 (api), delta 1.0.0 (api).
    expect(m.registrations).toBe(4);
    expect(m.apiRegistrationShare).toBe(3 / 4);
    // S5 (at the start, included) and S1; S2 met its objective; S3 and S4 are outside.
    expect(m.sloBreaches).toBe(2);
  });

  it("Q4 2025: the figures of the earlier quarter", () => {
    const m = computeRegistryMetrics(orgId, quarterRange("2025-Q4"));
    expect(m.modelsTotal).toBe(2);
    expect(m.versionsByStage).toEqual({ development: 0, validation: 0, staging: 0, production: 2, retired: 0 });
    expect(m.productionModels).toBe(2);
    expect(m.incidentsInWindow).toBe(1); // I4
    expect(m.incidentRate).toBe(1 / 2);
    expect(m.productionModelsWithIncidentShare).toBe(1 / 2);
    expect(m.medianTimeToDetectHours).toBe(2);
    expect(m.medianTimeToRecoverHours).toBeNull(); // I4 is unresolved
    expect(m.productionPromotions).toBe(2);
    expect(m.promotionsByMonth).toEqual([
      { month: "2025-10", count: 0 },
      { month: "2025-11", count: 2 },
      { month: "2025-12", count: 0 },
    ]);
    // Q4 has 92 days.
    expect(m.deploymentsPerMonth).toBeCloseTo(2 / (92 / 30.4375), 12);
    // alpha: Oct 1 → Nov 1 = 744 h; beta: Oct 5 → Nov 1 = 648 h.
    expect(m.medianLeadTimeHours).toBe(696);
    expect(m.lineageCompleteShare).toBe(1 / 2);
    expect(m.registrations).toBe(2);
    expect(m.apiRegistrationShare).toBe(1 / 2);
    // S4 only; S5 is exactly at this window's end.
    expect(m.sloBreaches).toBe(1);
  });

  it("Q2 2026: a promotion exactly at the window start is inside; later stage moves show", () => {
    const m = computeRegistryMetrics(orgId, quarterRange("2026-Q2"));
    expect(m.modelsTotal).toBe(6);
    // fox moved to validation on May 1; echo's version is new; delta now in production.
    expect(m.versionsByStage).toEqual({ development: 1, validation: 1, staging: 0, production: 3, retired: 2 });
    expect(m.productionModels).toBe(3);
    expect(m.incidentsInWindow).toBe(1); // I5, started exactly at the start
    expect(m.incidentRate).toBeCloseTo(1 / 3, 12);
    expect(m.productionModelsWithIncidentShare).toBeCloseTo(1 / 3, 12);
    expect(m.medianTimeToDetectHours).toBe(0);
    expect(m.medianTimeToRecoverHours).toBeNull();
    expect(m.productionPromotions).toBe(1);
    expect(m.promotionsByMonth).toEqual([
      { month: "2026-04", count: 1 },
      { month: "2026-05", count: 0 },
      { month: "2026-06", count: 0 },
    ]);
    expect(m.deploymentsPerMonth).toBeCloseTo(1 / (91 / 30.4375), 12);
    expect(m.medianLeadTimeHours).toBe(12 * 24); // delta: Mar 20 → Apr 1
    // alpha (incomplete), gamma 2.0.0 (complete), delta (incomplete).
    expect(m.lineageCompleteShare).toBeCloseTo(1 / 3, 12);
    expect(m.registrations).toBe(1);
    expect(m.apiRegistrationShare).toBe(1);
    expect(m.sloBreaches).toBe(1); // S3
  });

  it("a window ending exactly at a promotion excludes it, and stages are as just before that instant", () => {
    const m = computeRegistryMetrics(orgId, { from: at("2026-01-01T00:00:00Z"), to: at("2026-03-01T12:00:00Z") });
    expect(m.productionPromotions).toBe(1);
    // March overlaps the window by 12 hours, so it is listed.
    expect(m.promotionsByMonth).toEqual([
      { month: "2026-01", count: 1 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 0 },
    ]);
    // gamma 1.0.0 is still in production; 2.0.0 still in staging; beta retired on Feb 15.
    expect(m.versionsByStage).toEqual({ development: 1, validation: 0, staging: 1, production: 2, retired: 1 });
    expect(m.productionModels).toBe(2);
    // Both production versions (alpha 1.0.0, gamma 1.0.0) are incomplete: a share of 0, not null.
    expect(m.lineageCompleteShare).toBe(0);
    expect(m.incidentsInWindow).toBe(2); // I1, I3
    expect(m.incidentRate).toBe(1);
    // Neither alpha nor gamma had an incident in the window (I1 is beta's, I3 fox's).
    expect(m.productionModelsWithIncidentShare).toBe(0);
    expect(m.medianLeadTimeHours).toBe(120);
    // 59.5 days.
    expect(m.deploymentsPerMonth).toBeCloseTo(1 / ((59.5 * 24) / HOURS_PER_AVERAGE_MONTH), 12);
  });

  it("a window starting exactly at that promotion includes it", () => {
    const m = computeRegistryMetrics(orgId, { from: at("2026-03-01T12:00:00Z"), to: at("2026-03-01T13:00:00Z") });
    expect(m.productionPromotions).toBe(1);
    expect(m.promotionsByMonth).toEqual([{ month: "2026-03", count: 1 }]);
    expect(m.versionsByStage).toEqual({ development: 1, validation: 0, staging: 0, production: 2, retired: 2 });
    expect(m.medianLeadTimeHours).toBe(684);
    // One promotion in one hour = 1 / (1 / 730.5) per month.
    expect(m.deploymentsPerMonth).toBeCloseTo(HOURS_PER_AVERAGE_MONTH, 9);
  });

  it("a window before any data is empty (a model created exactly at the end is not counted)", () => {
    const m = computeRegistryMetrics(orgId, quarterRange("2025-Q3"));
    expect(m).toMatchObject({
      modelsTotal: 0,
      versionsByStage: { development: 0, validation: 0, staging: 0, production: 0, retired: 0 },
      productionModels: 0,
      incidentsInWindow: 0,
      incidentRate: null,
      productionModelsWithIncidentShare: null,
      medianTimeToDetectHours: null,
      medianTimeToRecoverHours: null,
      productionPromotions: 0,
      deploymentsPerMonth: 0,
      promotionsByMonth: [
        { month: "2025-07", count: 0 },
        { month: "2025-08", count: 0 },
        { month: "2025-09", count: 0 },
      ],
      medianLeadTimeHours: null,
      lineageCompleteShare: null,
      registrations: 0,
      apiRegistrationShare: null,
      sloBreaches: 0,
    });
  });

  it("versionsByStage is 'as at to': the same quarter gives the same answer after later moves", () => {
    const before = computeRegistryMetrics(orgId, quarterRange("2026-Q1"));
    // A later change (fox to staging in June) does not alter Q1, only Q2.
    makeHelpers(orgId).move("fox", "0.1.0", "staging", "2026-06-01T00:00:00Z");
    const after = computeRegistryMetrics(orgId, quarterRange("2026-Q1"));
    expect(after).toEqual(before);
    expect(after.versionsByStage.development).toBe(1);
    expect(computeRegistryMetrics(orgId, quarterRange("2026-Q2")).versionsByStage).toEqual({
      development: 1,
      validation: 0,
      staging: 1,
      production: 3,
      retired: 2,
    });
  });

  it("gives the same figures inside a transaction", () => {
    for (const window of [quarterRange("2026-Q1"), quarterRange("2026-Q2")]) {
      const outside = computeRegistryMetrics(orgId, window);
      expect(getDb().transaction((tx) => computeRegistryMetrics(orgId, window, tx))).toEqual(outside);
    }
  });

  it("the other organisation's data never leaks in, and its own figures are its own", () => {
    const other = computeRegistryMetrics(otherOrgId, quarterRange("2026-Q1"));
    expect(other).toMatchObject({
      modelsTotal: 2,
      versionsByStage: { development: 0, validation: 0, staging: 0, production: 2, retired: 1 },
      productionModels: 2,
      incidentsInWindow: 1,
      incidentRate: 1 / 2,
      productionModelsWithIncidentShare: 1 / 2,
      medianTimeToDetectHours: 1,
      medianTimeToRecoverHours: 1,
      productionPromotions: 2,
      // other 1.0.0: Jan 16 → Feb 1 = 384 h; other 1.1.0: Feb 2 → Mar 15 = 984 h.
      medianLeadTimeHours: (384 + 984) / 2,
      lineageCompleteShare: 1 / 2,
      registrations: 2,
      apiRegistrationShare: 1 / 2,
      sloBreaches: 1,
    });
    expect(other.promotionsByMonth).toEqual([
      { month: "2026-01", count: 0 },
      { month: "2026-02", count: 1 },
      { month: "2026-03", count: 1 },
    ]);
    // The main organisation's Q1 figures are unchanged by the other organisation (see the Q1 test).
    const mine = computeRegistryMetrics(orgId, quarterRange("2026-Q1"));
    expect([mine.modelsTotal, mine.productionPromotions, mine.incidentsInWindow, mine.registrations, mine.sloBreaches]).toEqual([
      5, 2, 3, 4, 2,
    ]);
  });
});

describe("lead time from the commit (issue #15)", () => {
  it("runs from committedAt when given, from registration otherwise, and says which", () => {
    const orgId = newOrg();
    const h = makeHelpers(orgId);
    h.model("lt", "2026-01-01T00:00:00Z");
    // Committed 48 h before registration, promoted 24 h after it: 72 h from the commit.
    h.version("lt", { version: "1.0.0", stage: "staging", committedAt: at("2026-01-08T00:00:00Z") }, "api", "2026-01-10T00:00:00Z");
    h.move("lt", "1.0.0", "production", "2026-01-11T00:00:00Z");
    const january = { from: at("2026-01-01T00:00:00Z"), to: at("2026-02-01T00:00:00Z") };
    expect(computeRegistryMetrics(orgId, january)).toMatchObject({ medianLeadTimeHours: 72, leadTimeBasis: "commit" });

    // Without a commit time: 24 h from registration.
    h.version("lt", { version: "2.0.0", stage: "staging" }, "api", "2026-02-10T00:00:00Z");
    h.move("lt", "2.0.0", "production", "2026-02-11T00:00:00Z");
    const february = { from: at("2026-02-01T00:00:00Z"), to: at("2026-03-01T00:00:00Z") };
    expect(computeRegistryMetrics(orgId, february)).toMatchObject({ medianLeadTimeHours: 24, leadTimeBasis: "registration" });

    // Both in one window: median of 72 and 24, basis mixed.
    const both = { from: at("2026-01-01T00:00:00Z"), to: at("2026-03-01T00:00:00Z") };
    expect(computeRegistryMetrics(orgId, both)).toMatchObject({ medianLeadTimeHours: 48, leadTimeBasis: "mixed" });
  });

  it("refuses a commit time after the registration as invalid `committedAt`", () => {
    const orgId = newOrg();
    const h = makeHelpers(orgId);
    h.model("late", "2026-01-01T00:00:00Z");
    expect(() => h.version("late", { version: "1.0.0", committedAt: at("2026-01-10T00:00:01Z") }, "api", "2026-01-10T00:00:00Z")).toThrow(
      expect.objectContaining({ code: "invalid", field: "committedAt" }),
    );
    // Exactly at registration is fine.
    expect(
      h.version("late", { version: "1.0.0", committedAt: at("2026-01-10T00:00:00Z") }, "api", "2026-01-10T00:00:00Z").version.committedAt,
    ).toEqual(at("2026-01-10T00:00:00Z"));
  });
});

/**
 * The trailing-year incident rate, by hand (window 2026-Q2, so the quarters 2025-Q3 … 2026-Q2):
 *
 *  able    model 2025-07-01; v1.0.0 staging 2025-07-05, production 2025-11-01; v2.0.0 (complete lineage) 2026-05-05,
 *                            production 2026-05-15 (retires v1.0.0: able counts once).
 *  baker   model 2025-10-01; v1.0.0 staging 2025-10-02, production 2025-10-15, retired 2026-02-10.
 *  charlie model 2026-01-02; v1.0.0 staging 2026-01-05, production 2026-03-01; promoted again 2026-06-10 by an
 *                            automatic approval policy (a transition row written directly).
 *  dog     model 2026-04-01; v1.0.0 staging 2026-04-02 (incomplete lineage), production 2026-05-01.
 *
 *  Production models at each quarter's end: 2025-Q3 (Oct 1) none, so the quarter and its incident (able,
 *  2025-08-10) are left out; 2025-Q4 able + baker = 2; 2026-Q1 able + charlie = 2; 2026-Q2 able + charlie + dog = 3.
 *  Incidents: 2025-Q4 baker 2025-12-01; 2026-Q1 none; 2026-Q2 charlie 2026-04-20, dog 2026-06-01.
 *  Rate = (1 + 0 + 2) / (2 + 2 + 3) = 3/7, where the quarter's own rate is 2/3.
 */
describe("computeEvidenceMetrics: the trailing year and the measures of practice", () => {
  let orgId: number;

  beforeAll(() => {
    orgId = newOrg();
    const h = makeHelpers(orgId);
    h.model("able", "2025-07-01T00:00:00Z");
    h.version("able", { version: "1.0.0", stage: "staging" }, "api", "2025-07-05T00:00:00Z");
    h.incident("able", "1.0.0", "2025-08-10T00:00:00Z", "2025-08-10T01:00:00Z");
    h.model("baker", "2025-10-01T00:00:00Z");
    h.version("baker", { version: "1.0.0", stage: "staging" }, "api", "2025-10-02T00:00:00Z");
    h.move("baker", "1.0.0", "production", "2025-10-15T00:00:00Z");
    h.move("able", "1.0.0", "production", "2025-11-01T00:00:00Z");
    h.incident("baker", "1.0.0", "2025-12-01T00:00:00Z", "2025-12-01T01:00:00Z");
    h.model("charlie", "2026-01-02T00:00:00Z");
    h.version("charlie", { version: "1.0.0", stage: "staging" }, "api", "2026-01-05T00:00:00Z");
    h.move("baker", "1.0.0", "retired", "2026-02-10T00:00:00Z");
    h.move("charlie", "1.0.0", "production", "2026-03-01T00:00:00Z");
    h.model("dog", "2026-04-01T00:00:00Z");
    h.version("dog", { version: "1.0.0", stage: "staging" }, "api", "2026-04-02T00:00:00Z");
    h.objective("charlie");
    h.incident("charlie", "1.0.0", "2026-04-20T00:00:00Z", "2026-04-20T02:00:00Z");
    h.move("dog", "1.0.0", "production", "2026-05-01T00:00:00Z");
    h.version("able", { version: "2.0.0", stage: "staging", ...COMPLETE }, "api", "2026-05-05T00:00:00Z");
    h.move("able", "2.0.0", "production", "2026-05-15T00:00:00Z");
    h.incident("dog", "1.0.0", "2026-06-01T00:00:00Z", "2026-06-01T03:00:00Z");
    h.snapshot("charlie", "1.0.0", "2026-04-03T00:00:00Z", 0.9);
    h.snapshot("charlie", "1.0.0", "2026-04-04T00:00:00Z", 0.5); // the one breach
    h.snapshot("charlie", "1.0.0", "2026-04-05T00:00:00Z", 0.95);
    h.snapshot("charlie", "1.0.0", "2026-04-06T00:00:00Z", 0.85);
    // The approval-policy helper writes these; here the row is written directly.
    const model = getDb()
      .select()
      .from(models)
      .where(and(eq(models.orgId, orgId), eq(models.slug, "charlie")))
      .get()!;
    const charlie = getDb()
      .select()
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, "1.0.0")))
      .get()!;
    getDb()
      .insert(stageTransitions)
      .values({
        orgId,
        modelId: charlie.modelId,
        versionId: charlie.id,
        fromStage: "staging",
        toStage: "production",
        actorType: "system",
        actorLabel: "pipeline",
        approvalPolicyId: 1,
        createdAt: at("2026-06-10T00:00:00Z"),
      })
      .run();
  });

  it("pools incidents over the production models at each of four quarter ends, leaving out quarters without any", () => {
    const m = computeEvidenceMetrics(orgId, quarterRange("2026-Q2"));
    expect(m.productionModels).toBe(3);
    expect(m.incidentRate).toBe(2 / 3);
    expect(m.incidentRateTrailingYear).toBe(3 / 7);
    // 2025-Q2 and 2025-Q3 had no production models; 2025-Q4 two with one incident; 2026-Q1 two with none.
    expect(computeEvidenceMetrics(orgId, quarterRange("2026-Q1")).incidentRateTrailingYear).toBe(1 / 4);
    // No quarter of the year had a production model: not evidenced.
    expect(computeEvidenceMetrics(orgId, quarterRange("2025-Q3")).incidentRateTrailingYear).toBeNull();
  });

  it("counts a quarter still running at the window's end", () => {
    const m = computeEvidenceMetrics(orgId, { from: at("2026-04-01T00:00:00Z"), to: at("2026-04-25T00:00:00Z") });
    // 2025-Q4 2 models/1 incident, 2026-Q1 2/0, 2026-Q2 so far (Apr 25) able + charlie with charlie's incident.
    expect(m.incidentRateTrailingYear).toBe(2 / 6);
  });

  it("lineage over every registered version, the automatic-promotion share and the SLO breach share", () => {
    const m = computeEvidenceMetrics(orgId, quarterRange("2026-Q2"));
    // Registered in Q2: dog 1.0.0 (incomplete) and able 2.0.0 (complete).
    expect(m.registeredLineageCompleteShare).toBe(1 / 2);
    // Promotions in Q2: dog, able 2.0.0 (people) and charlie's by policy.
    expect(m.productionPromotions).toBe(3);
    expect(m.automaticPromotionShare).toBe(1 / 3);
    expect(m.sloBreachShare).toBe(1 / 4);
    // Nothing to divide by in 2025-Q3: no promotions, no snapshots.
    const q3 = computeEvidenceMetrics(orgId, quarterRange("2025-Q3"));
    expect([q3.automaticPromotionShare, q3.sloBreachShare]).toEqual([null, null]);
    expect(q3.registeredLineageCompleteShare).toBe(0);
  });
});

describe("computeEvidenceMetrics on an empty organisation", () => {
  it("adds the evidence-only figures to every registry figure, null with nothing to divide by", () => {
    const orgId = newOrg();
    const window = quarterRange("2026-Q1");
    expect(computeEvidenceMetrics(orgId, window)).toEqual({
      ...computeRegistryMetrics(orgId, window),
      incidentRateTrailingYear: null,
      registeredLineageCompleteShare: null,
      sloBreachShare: null,
    });
  });
});

describe("trailingQuarters", () => {
  it("is the window's quarter and the three before it, the last cut at the window's end", () => {
    const iso = (qs: Array<{ from: Date; to: Date }>) =>
      qs.map((q) => [q.from.toISOString().slice(0, 10), q.to.toISOString().slice(0, 10)]);
    expect(iso(trailingQuarters(at("2026-04-01T00:00:00Z")))).toEqual([
      ["2025-04-01", "2025-07-01"],
      ["2025-07-01", "2025-10-01"],
      ["2025-10-01", "2026-01-01"],
      ["2026-01-01", "2026-04-01"],
    ]);
    expect(iso(trailingQuarters(at("2026-05-20T00:00:00Z"))).at(-1)).toEqual(["2026-04-01", "2026-05-20"]);
  });
});
