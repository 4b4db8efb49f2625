import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { assessments, assessmentStatements, auditEvents, notifications } from "../../../db/schema";
import { createTestOrg, member } from "../../../tests/setup/test-orgs";
import { DomainError } from "../../utils/errors";
import { quarterOf, quarterRange, shiftQuarter } from "../../utils/quarters";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { getFramework } from "../framework/framework";
import { computeEvidenceMetrics, computeRegistryMetrics } from "../registry/metrics.server";
import { createModel, createVersion } from "../registry/registry.server";
import { transitionVersion } from "../governance/transitions.server";
import { StatementResponseSchema, AssessmentResponsesSchema, type AssessmentResponsesInput } from "./assessment-schemas";
import {
  addEvidenceNote,
  assessmentJson,
  createAssessment,
  evidenceWindow,
  finalizeAssessment,
  getAssessment,
  latestFinalizedAssessment,
  latestFinalizedByOrganization,
  frozenScore,
  listAssessments,
  listAssessmentScores,
  openableQuarters,
  previousFinalized,
  requireRoadmapSource,
  submitAssessmentForReview,
  withdrawAssessment,
} from "./assessments.server";
import { saveResponses } from "./capture.server";
import { getFrameworkChoice, updateFrameworkChoice } from "./framework-choice.server";
import { responsesDigest } from "./responses-digest";
import { evidenceLevel } from "./evidence";
import { scoreAssessment, type StatementResponses } from "./scoring";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";

/**
 * Integration tests of the assessment domain module against a real (per-file,
 * migrated, empty) SQLite database: persistence, merging, registry evidence
 * per quarter, finalisation with justifications and snapshots, read-only
 * finalised assessments, and the audit trail.
 */

const LEADER: Actor = { type: "system", label: "leader@test" };
const TEAM: Actor = { type: "system", label: "team@test" };
const REGISTRY: Actor = { type: "system", label: "registry-import" };

const framework = getFramework();
const componentOf = (id: string) => framework.components.find((c) => c.id === id)!;
const statementsAt = (componentId: string, level: number) =>
  componentOf(componentId)
    .capabilities.filter((s) => s.level === level)
    .map((s) => s.id);
const ALL_STATEMENTS = framework.components.flatMap((c) => c.capabilities.map((s) => s.id));

/** Production operations at levels 2 and 3 all in place: the component is assessed at level 3. */
const PROD_OPS_L3: AssessmentResponsesInput = {
  capabilities: [...statementsAt("production-operations", 2), ...statementsAt("production-operations", 3)].map((id) => ({
    id,
    status: "in_place" as const,
  })),
  questions: [],
};

const newOrg = () => insertTestOrg("assess-org").id;

function auditOf(orgId: number) {
  return getDb()
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .orderBy(auditEvents.id)
    .all()
    .map((e) => ({ ...e, payload: JSON.parse(e.payload) as { before?: any; after?: any; details?: any } }));
}
const auditCount = (orgId: number) => getDb().select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()!.n;
const rowOf = (id: number) => getDb().select().from(assessments).where(eq(assessments.id, id)).get()!;

const COMPLETE_LINEAGE = { codeRef: "git:abc", trainingData: { ref: "s3://train" }, hyperparameters: { depth: 4 }, metrics: { auc: 0.9 } };

/** A model whose one version reaches production at `promoted` (history imported with its real dates). */
function productionModel(orgId: number, slug: string, created: Date, promoted: Date) {
  createModel(orgId, { name: `Model ${slug}`, slug, riskTier: "minimal" }, REGISTRY, "ui", { now: created });
  createVersion(orgId, slug, { version: "1.0.0", ...COMPLETE_LINEAGE }, REGISTRY, "api", { now: created });
  for (const to of ["validation", "staging", "production"] as const) {
    transitionVersion(orgId, slug, "1.0.0", { to }, REGISTRY, { mayPromote: true }, { now: promoted, importedHistory: true });
  }
}

const Q1 = "2025-Q1";
const Q2 = "2025-Q2";
const Q3 = "2025-Q3";
const at = (iso: string) => new Date(iso);

describe("createAssessment", () => {
  it("creates a draft on the latest framework version and records who created it", () => {
    const orgId = newOrg();
    const row = createAssessment(orgId, { period: Q2 }, LEADER, { now: at("2025-05-02T10:00:00Z") });
    expect(row).toMatchObject({ orgId, period: Q2, status: "draft", frameworkVersion: framework.version, createdByLabel: "leader@test" });
    expect(row.createdAt.toISOString()).toBe("2025-05-02T10:00:00.000Z");
    const detail = getAssessment(orgId, row.id)!;
    expect(detail).toMatchObject({
      id: row.id,
      period: Q2,
      status: "draft",
      finalizedAt: null,
      finalizedBy: null,
      justifications: {},
      statements: {},
      answers: {},
      notes: [],
    });
    // Nothing answered: every component sits at level 1 with score 1.
    expect(detail.score.dimensionScore).toBe(1);
    expect(detail.score.components.map((c) => c.score)).toEqual([1, 1, 1, 1, 1]);
  });

  it("allows one assessment per organisation and quarter: a second is a conflict on `period` and writes nothing", () => {
    const orgId = newOrg();
    createAssessment(orgId, { period: Q2 }, LEADER);
    const events = auditCount(orgId);
    const error = catchDomain(() => createAssessment(orgId, { period: Q2 }, LEADER));
    expect(error.code).toBe("conflict");
    expect(error.field).toBe("period");
    expect(error.message).toContain(Q2);
    expect(getDb().select({ n: count() }).from(assessments).where(eq(assessments.orgId, orgId)).get()!.n).toBe(1);
    expect(auditCount(orgId)).toBe(events);
    // Another quarter, or the same quarter in another organisation, is fine.
    expect(createAssessment(orgId, { period: Q3 }, LEADER).period).toBe(Q3);
    expect(createAssessment(newOrg(), { period: Q2 }, LEADER).period).toBe(Q2);
  });

  it("refuses an unknown framework version as invalid `frameworkVersion`", () => {
    const orgId = newOrg();
    const error = catchDomain(() => createAssessment(orgId, { period: Q2, frameworkVersion: "99" }, LEADER));
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("frameworkVersion");
    expect(listAssessments(orgId)).toEqual([]);
    expect(auditCount(orgId)).toBe(0);
    // The installed version can be named explicitly.
    expect(createAssessment(orgId, { period: Q2, frameworkVersion: framework.version }, LEADER).frameworkVersion).toBe(framework.version);
  });
});

describe("the framework version of a new assessment", () => {
  const ADMIN: Actor = { type: "system", label: "admin@test" };

  it("is the newest built-in (2) by default, the organisation's choice when set, and the request's when named", () => {
    const orgId = newOrg();
    expect(createAssessment(orgId, { period: Q2 }, LEADER).frameworkVersion).toBe("2");
    expect(updateFrameworkChoice(orgId, { frameworkVersion: "1" }, ADMIN)).toBe("1");
    expect(getFrameworkChoice(orgId)).toMatchObject({ frameworkVersion: "1", nextAssessmentVersion: "1" });
    expect(createAssessment(orgId, { period: Q3 }, LEADER).frameworkVersion).toBe("1");
    expect(createAssessment(orgId, { period: shiftQuarter(Q3, -2), frameworkVersion: "2" }, LEADER).frameworkVersion).toBe("2");
    // Clearing the choice goes back to the newest; the assessments keep their versions.
    expect(updateFrameworkChoice(orgId, { frameworkVersion: "newest" }, ADMIN)).toBe("2");
    expect(listAssessments(orgId).map((a) => a.frameworkVersion)).toEqual(["1", "2", "2"]);
  });

  it("audits each change of the choice and refuses a version that is not installed, writing nothing", () => {
    const orgId = newOrg();
    updateFrameworkChoice(orgId, { frameworkVersion: "1" }, ADMIN);
    const events = auditCount(orgId);
    const error = catchDomain(() => updateFrameworkChoice(orgId, { frameworkVersion: "99" }, ADMIN));
    expect(error).toMatchObject({ code: "invalid", field: "frameworkVersion" });
    expect(getFrameworkChoice(orgId).frameworkVersion).toBe("1");
    expect(auditCount(orgId)).toBe(events);
    const [event] = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "settings.framework_version_updated")))
      .all();
    expect(event).toMatchObject({ actorLabel: "admin@test", entityType: "organization", entityId: String(orgId) });
    expect(JSON.parse(event!.payload)).toMatchObject({ before: { frameworkVersion: null }, after: { frameworkVersion: "1" } });
  });
});

describe("the dimension level on version 1 and version 2", () => {
  // Three components at 4.0 (levels 2–4 in place) and two at 2.0 (level 2 in place): dimension 3.2 → level 3 on both;
  // with one more at 5.0 it is 3.8: level 3 on version 1, level 4 on version 2 (cut-off 3.5).
  const upTo = (componentId: string, level: number) =>
    [2, 3, 4, 5].filter((l) => l <= level).flatMap((l) => statementsAt(componentId, l).map((id) => ({ id, status: "in_place" as const })));
  const RESPONSES: AssessmentResponsesInput = {
    capabilities: [
      ...upTo("technical-capability", 5),
      ...upTo("mlops", 4),
      ...upTo("lifecycle", 4),
      ...upTo("production-operations", 2),
      ...upTo("standards", 4),
    ],
    questions: [],
  };

  it("follows each version's cut-offs, and a finalised assessment keeps the level it was finalised with", () => {
    const orgId = newOrg();
    const [a1, a2] = [
      createAssessment(orgId, { period: Q2, frameworkVersion: "1" }, LEADER),
      createAssessment(orgId, { period: Q3, frameworkVersion: "2" }, LEADER),
    ];
    for (const a of [a1, a2]) saveResponses(orgId, a!.id, RESPONSES, LEADER);
    const [s1, s2] = [getAssessment(orgId, a1!.id)!.score, getAssessment(orgId, a2!.id)!.score];
    expect(s1.dimensionScore).toBeCloseTo(3.8, 12);
    expect(s2.dimensionScore).toBeCloseTo(3.8, 12);
    expect([s1.level, s1.levelName]).toEqual([3, "Defined"]);
    expect([s2.level, s2.levelName]).toEqual([4, "Managed"]);

    const justifications = Object.fromEntries(framework.components.map((c) => [c.id, "Evidenced outside the registry."]));
    finalizeAssessment(orgId, a1!.id, { justifications, acceptUnanswered: true }, LEADER);
    // The snapshot is what is read back, even if the level were computed differently today.
    const row = getDb().select().from(assessments).where(eq(assessments.id, a1!.id)).get()!;
    const doctored = JSON.parse(row.scoreSnapshot!) as { score: { level: number } };
    doctored.score.level = 2;
    getDb()
      .update(assessments)
      .set({ scoreSnapshot: JSON.stringify(doctored) })
      .where(eq(assessments.id, a1!.id))
      .run();
    expect(getAssessment(orgId, a1!.id)!.score.level).toBe(2);
    expect(listAssessments(orgId).find((a) => a.id === a1!.id)!.level).toBe(2);
    expect(listAssessmentScores(orgId).find((a) => a.id === a1!.id)!.level).toBe(2);
  });
});

describe("saveResponses", () => {
  it("merges: a second save updates one statement and keeps the others (and the answers)", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      id,
      {
        capabilities: [
          {
            id: "mlops.l2.1",
            status: "in_place",
            evidence: { note: "CI pipeline", url: "https://ci.example/pipeline", date: "2025-05-01" },
          },
          { id: "mlops.l2.2", status: "partial" },
          { id: "mlops.l3.2", status: "not_applicable", reason: "No batch models" },
        ],
        questions: [{ id: "mlops-automation", level: 2, note: "Manual steps remain" }],
      },
      LEADER,
    );
    saveResponses(
      orgId,
      id,
      { capabilities: [{ id: "mlops.l2.2", status: "in_place" }], questions: [{ id: "development-capability", level: 3 }] },
      TEAM,
    );

    const detail = getAssessment(orgId, id)!;
    expect(Object.keys(detail.statements).sort()).toEqual(["mlops.l2.1", "mlops.l2.2", "mlops.l3.2"]);
    expect(detail.statements["mlops.l2.1"]).toMatchObject({
      status: "in_place",
      reason: null,
      evidence: { note: "CI pipeline", url: "https://ci.example/pipeline", date: "2025-05-01" },
      updatedBy: "leader@test",
    });
    expect(detail.statements["mlops.l2.2"]).toMatchObject({ status: "in_place", updatedBy: "team@test" });
    expect(detail.statements["mlops.l3.2"]).toMatchObject({ status: "not_applicable", reason: "No batch models" });
    expect(detail.answers).toEqual({
      "mlops-automation": { level: 2, note: "Manual steps remain" },
      "development-capability": { level: 3, note: null },
    });
    // One row per statement, never duplicated by the upsert.
    expect(getDb().select({ n: count() }).from(assessmentStatements).where(eq(assessmentStatements.assessmentId, id)).get()!.n).toBe(3);
  });

  it("refuses an unknown statement id as invalid `capabilities.N.id`, writing nothing of the batch", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    const events = auditCount(orgId);
    const error = catchDomain(() =>
      saveResponses(
        orgId,
        id,
        {
          capabilities: [
            { id: "mlops.l2.1", status: "in_place" },
            { id: "mlops.l9.9", status: "in_place" },
          ],
          questions: [],
        },
        LEADER,
      ),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("capabilities.1.id");
    expect(error.message).toContain("mlops.l9.9");
    expect(getAssessment(orgId, id)!.statements).toEqual({});
    expect(auditCount(orgId)).toBe(events);

    const question = catchDomain(() =>
      saveResponses(orgId, id, { capabilities: [], questions: [{ id: "not-a-question", level: 2 }] }, LEADER),
    );
    expect(question.code).toBe("invalid");
    expect(question.field).toBe("questions.0.id");
    expect(getAssessment(orgId, id)!.answers).toEqual({});
  });

  it("the schema refuses 'not applicable' without a reason (at `reason`) and accepts it with one", () => {
    const bare = StatementResponseSchema.safeParse({ id: "mlops.l2.1", status: "not_applicable" });
    expect(bare.success).toBe(false);
    expect(bare.error!.issues.map((i) => i.path.join("."))).toEqual(["reason"]);
    expect(StatementResponseSchema.safeParse({ id: "mlops.l2.1", status: "not_applicable", reason: "   " }).success).toBe(false);
    expect(StatementResponseSchema.safeParse({ id: "mlops.l2.1", status: "not_applicable", reason: "No GPUs in scope" }).success).toBe(
      true,
    );
    expect(StatementResponseSchema.safeParse({ id: "mlops.l2.1", status: "in_place" }).success).toBe(true);
    expect(StatementResponseSchema.safeParse({ id: "mlops.l2.1", status: "maybe" }).success).toBe(false);

    // Inside the request body the issue points at the statement.
    const body = AssessmentResponsesSchema.safeParse({
      capabilities: [
        { id: "mlops.l2.1", status: "in_place" },
        { id: "mlops.l2.2", status: "not_applicable" },
      ],
    });
    expect(body.success).toBe(false);
    expect(body.error!.issues.map((i) => i.path.join("."))).toEqual(["capabilities.1.reason"]);
  });

  it("is scoped to the organisation: another organisation's assessment is not found", () => {
    const orgId = newOrg();
    const other = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    const error = catchDomain(() =>
      saveResponses(other, id, { capabilities: [{ id: "mlops.l2.1", status: "in_place" }], questions: [] }, LEADER),
    );
    expect(error.code).toBe("not_found");
    expect(getAssessment(other, id)).toBeNull();
    expect(getAssessment(orgId, id)!.statements).toEqual({});
  });
});

describe("getAssessment", () => {
  it("scores exactly as scoreAssessment does on the same responses", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    const statuses = ["in_place", "partial", "none", "not_applicable", "in_place", "in_place"] as const;
    // A deterministic mix across every component, leaving some statements unanswered.
    const capabilities = ALL_STATEMENTS.filter((_, i) => i % 7 !== 3).map((sid, i) => {
      const status = statuses[i % statuses.length]!;
      return status === "not_applicable" ? { id: sid, status, reason: "Out of scope" } : { id: sid, status };
    });
    saveResponses(orgId, id, { capabilities, questions: [] }, LEADER);

    const responses: StatementResponses = Object.fromEntries(capabilities.map((c) => [c.id, { status: c.status }]));
    const expected = scoreAssessment(framework, responses);
    const detail = getAssessment(orgId, id)!;
    expect(detail.score).toEqual(expected);
    expect(detail.score.dimensionScore).toBeGreaterThan(1);
    expect(listAssessments(orgId)[0]!.dimensionScore).toBe(expected.dimensionScore);
    expect(assessmentJson(detail).dimensionScore).toBe(expected.dimensionScore);
  });
});

describe("registry evidence", () => {
  it("uses the registry metrics of the assessment's own quarter", () => {
    const orgId = newOrg();
    // One model reaches production in the middle of Q2 2025.
    productionModel(orgId, "churn", at("2025-04-10T09:00:00Z"), at("2025-05-01T09:00:00Z"));

    const q1 = createAssessment(orgId, { period: Q1 }, LEADER);
    const q2 = createAssessment(orgId, { period: Q2 }, LEADER);
    for (const a of [q1, q2]) saveResponses(orgId, a.id, PROD_OPS_L3, LEADER);

    const before = getAssessment(orgId, q1.id)!;
    expect(before.metrics.window).toEqual({ from: "2025-01-01T00:00:00.000Z", to: "2025-04-01T00:00:00.000Z" });
    expect(before.metrics.productionModels).toBe(0);
    expect(before.evidence.find((e) => e.componentId === "production-operations")!.level).toBe(1);

    const during = getAssessment(orgId, q2.id)!;
    expect(during.metrics).toEqual(computeEvidenceMetrics(orgId, quarterRange(Q2)));
    expect(during.metrics.productionModels).toBe(1);
    const prodOps = during.evidence.find((e) => e.componentId === "production-operations")!;
    expect(prodOps.level).toBe(2);
    // The level 2 rule holds; level 3 needs five production models.
    expect(prodOps.rules.find((r) => r.level === 2 && r.metric === "productionModels")).toMatchObject({ actual: 1, holds: true });
    expect(prodOps.rules.find((r) => r.level === 3 && r.metric === "productionModels")).toMatchObject({ actual: 1, holds: false });
    // Components without rules have no registry evidence (null), never a level.
    expect(during.evidence.find((e) => e.componentId === "technical-capability")!.level).toBeNull();
    expect(during.evidence.find((e) => e.componentId === "standards")!.level).toBeNull();
  });

  it("flags a component assessed at level 3 whose registry evidence is level 2, and only that one", () => {
    const orgId = newOrg();
    productionModel(orgId, "fraud", at("2025-04-10T09:00:00Z"), at("2025-05-01T09:00:00Z"));
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(orgId, id, PROD_OPS_L3, LEADER);

    const detail = getAssessment(orgId, id)!;
    const component = detail.score.components.find((c) => c.componentId === "production-operations")!;
    expect(component.level).toBe(3);
    expect(detail.flags.find((f) => f.componentId === "production-operations")).toEqual({
      componentId: "production-operations",
      achievedLevel: 3,
      evidenceLevel: 2,
      unsupported: true,
      unevidenced: false,
    });
    expect(detail.flags.filter((f) => f.unsupported).map((f) => f.componentId)).toEqual(["production-operations"]);
    const json = assessmentJson(detail).components.find((c) => c.id === "production-operations")!;
    expect(json).toMatchObject({ level: 3, evidenceLevel: 2, flags: ["not_supported_by_registry_evidence"] });

    // At level 2 the registry supports the claim: no flag.
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("production-operations", 3).map((sid) => ({ id: sid, status: "none" as const })), questions: [] },
      LEADER,
    );
    const lowered = getAssessment(orgId, id)!;
    expect(lowered.flags.find((f) => f.componentId === "production-operations")).toMatchObject({
      achievedLevel: 2,
      evidenceLevel: 2,
      unsupported: false,
    });
  });
});

describe("finalizeAssessment", () => {
  function flaggedDraft() {
    const orgId = newOrg();
    productionModel(orgId, "pricing", at("2025-04-10T09:00:00Z"), at("2025-05-01T09:00:00Z"));
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(orgId, id, PROD_OPS_L3, LEADER);
    return { orgId, id };
  }

  it("without a justification for a flagged component: a conflict naming `justifications.<component>`, and nothing changes", () => {
    const { orgId, id } = flaggedDraft();
    const events = auditCount(orgId);
    const before = rowOf(id);
    const attempts: Array<Record<string, string>> = [{}, { "production-operations": "   " }, { standards: "Not the flagged one" }];
    for (const justifications of attempts) {
      const error = catchDomain(() => finalizeAssessment(orgId, id, { justifications, acceptUnanswered: true }, LEADER));
      expect(error.code).toBe("conflict");
      // People read component names, never ids.
      expect(error.message).toBe("Justify the levels not supported by registry evidence: Production Operations");
      expect(error.issues).toEqual([{ path: "justifications.production-operations", message: expect.stringMatching(/level 3.*level 2/) }]);
    }
    expect(rowOf(id)).toEqual(before);
    expect(rowOf(id)).toMatchObject({
      status: "draft",
      finalizedAt: null,
      finalizedByLabel: null,
      metricsSnapshot: null,
      scoreSnapshot: null,
      justifications: "{}",
    });
    expect(auditCount(orgId)).toBe(events);
    expect(getAssessment(orgId, id)!.status).toBe("draft");
  });

  it("with the justification: finalised, metrics snapshotted, and later registry changes no longer move it", () => {
    const { orgId, id } = flaggedDraft();
    const now = at("2025-07-05T12:00:00Z");
    const live = getAssessment(orgId, id)!;
    const finalized = finalizeAssessment(
      orgId,
      id,
      {
        justifications: { "production-operations": "Four more models went live in early July.", standards: "Dropped: not flagged" },
        acceptUnanswered: true,
      },
      LEADER,
      { now },
    );
    expect(finalized).toMatchObject({ status: "finalized", finalizedAt: now.toISOString(), finalizedBy: "leader@test" });
    // Only justifications of flagged components are kept.
    expect(finalized.justifications).toEqual({ "production-operations": "Four more models went live in early July." });

    const row = rowOf(id);
    expect(row.status).toBe("finalized");
    expect(JSON.parse(row.metricsSnapshot!)).toEqual(live.metrics);
    expect(JSON.parse(row.scoreSnapshot!)).toMatchObject({ score: { dimensionScore: live.score.dimensionScore }, flags: live.flags });

    // Four more production models appear in the registry for Q2 (imported history).
    for (const slug of ["m2", "m3", "m4", "m5"]) productionModel(orgId, slug, at("2025-04-20T09:00:00Z"), at("2025-06-01T09:00:00Z"));
    const liveNow = computeRegistryMetrics(orgId, quarterRange(Q2));
    // The change is real: evaluated live, the registry would now support level 3 and lift the flag.
    expect(liveNow.productionModels).toBe(5);
    expect(evidenceLevel(framework, "production-operations", liveNow).level).toBe(3);

    const after = getAssessment(orgId, id)!;
    expect(after.metrics).toEqual(live.metrics);
    expect(after.metrics.productionModels).toBe(1);
    expect(after.evidence).toEqual(live.evidence);
    expect(after.flags).toEqual(live.flags);
    expect(after.score).toEqual(live.score);
    expect(assessmentJson(after).components.find((c) => c.id === "production-operations")!.evidenceLevel).toBe(2);
  });

  it("finalises straight away when nothing is flagged, storing no justifications", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("standards", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    const done = finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER);
    expect(done.status).toBe("finalized");
    expect(done.justifications).toEqual({});
    expect(done.flags.some((f) => f.unsupported)).toBe(false);
  });

  it("a finalised assessment is read-only: responses, notes, review and a second finalisation are conflicts", () => {
    const { orgId, id } = flaggedDraft();
    finalizeAssessment(orgId, id, { justifications: { "production-operations": "Justified." }, acceptUnanswered: true }, LEADER);
    const events = auditCount(orgId);
    const before = getAssessment(orgId, id)!;

    const attempts = [
      () => saveResponses(orgId, id, { capabilities: [{ id: "mlops.l2.1", status: "in_place" }], questions: [] }, LEADER),
      () => addEvidenceNote(orgId, id, { statementId: "mlops.l2.1", body: "Too late" }, TEAM),
      () => finalizeAssessment(orgId, id, { justifications: { "production-operations": "Again" }, acceptUnanswered: true }, LEADER),
      () => submitAssessmentForReview(orgId, id, LEADER),
    ];
    for (const attempt of attempts) expect(catchDomain(attempt).code).toBe("conflict");

    expect(getAssessment(orgId, id)).toEqual(before);
    expect(auditCount(orgId)).toBe(events);
  });
});

describe("review, evidence notes, listing and the audit trail", () => {
  it("submitAssessmentForReview only moves a draft; responses can still change in review and it can be finalised", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    submitAssessmentForReview(orgId, id, LEADER);
    expect(getAssessment(orgId, id)!.status).toBe("in_review");

    const again = catchDomain(() => submitAssessmentForReview(orgId, id, LEADER));
    expect(again.code).toBe("conflict");
    expect(again.message).toContain("in review");

    saveResponses(orgId, id, { capabilities: [{ id: "standards.l2.1", status: "in_place" }], questions: [] }, LEADER);
    expect(getAssessment(orgId, id)!.statements["standards.l2.1"]!.status).toBe("in_place");
    expect(finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER).status).toBe("finalized");
    expect(catchDomain(() => submitAssessmentForReview(orgId, id, LEADER)).code).toBe("conflict");
    expect(catchDomain(() => submitAssessmentForReview(newOrg(), id, LEADER)).code).toBe("not_found");
  });

  it("addEvidenceNote adds a note to a statement without changing its status; unknown statements are invalid", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(orgId, id, { capabilities: [{ id: "lifecycle.l2.1", status: "partial" }], questions: [] }, LEADER);
    const note = addEvidenceNote(
      orgId,
      id,
      { statementId: "lifecycle.l2.1", body: "Registry export attached", url: "https://wiki.example/registry" },
      TEAM,
    );
    addEvidenceNote(orgId, id, { statementId: "lifecycle.l2.2", body: "Second note" }, TEAM);

    const detail = getAssessment(orgId, id)!;
    expect(detail.notes).toEqual([
      {
        id: note.id,
        statementId: "lifecycle.l2.1",
        author: "team@test",
        body: "Registry export attached",
        url: "https://wiki.example/registry",
        at: expect.any(String),
      },
      {
        id: expect.any(Number),
        statementId: "lifecycle.l2.2",
        author: "team@test",
        body: "Second note",
        url: null,
        at: expect.any(String),
      },
    ]);
    expect(detail.statements["lifecycle.l2.1"]!.status).toBe("partial");
    expect(detail.statements["lifecycle.l2.2"]).toBeUndefined();

    const error = catchDomain(() => addEvidenceNote(orgId, id, { statementId: "lifecycle.l9.1", body: "x" }, TEAM));
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("statementId");
    expect(catchDomain(() => addEvidenceNote(newOrg(), id, { statementId: "lifecycle.l2.1", body: "x" }, TEAM)).code).toBe("not_found");
    expect(getAssessment(orgId, id)!.notes).toHaveLength(2);
  });

  it("listAssessments returns every quarter newest first with its score; finalised ones come from their snapshot", () => {
    const orgId = newOrg();
    const q1 = createAssessment(orgId, { period: Q1 }, LEADER);
    saveResponses(
      orgId,
      q1.id,
      { capabilities: statementsAt("standards", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    finalizeAssessment(orgId, q1.id, { justifications: {}, acceptUnanswered: true }, LEADER);
    const q3 = createAssessment(orgId, { period: Q3 }, LEADER);
    const q2 = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      q2.id,
      { capabilities: statementsAt("mlops", 2).map((sid) => ({ id: sid, status: "partial" as const })), questions: [] },
      LEADER,
    );
    createAssessment(newOrg(), { period: "2025-Q4" }, LEADER); // another organisation's

    const list = listAssessments(orgId);
    expect(list.map((a) => [a.period, a.status])).toEqual([
      [Q3, "draft"],
      [Q2, "draft"],
      [Q1, "finalized"],
    ]);
    for (const [item, id] of [
      [list[0]!, q3.id],
      [list[1]!, q2.id],
      [list[2]!, q1.id],
    ] as const) {
      const detail = getAssessment(orgId, id)!;
      expect(item.id).toBe(id);
      expect(item.dimensionScore).toBe(detail.score.dimensionScore);
      expect(item.level).toBe(detail.score.level);
      expect(item.band).toBe(detail.score.band);
      expect(item.components.map((c) => [c.componentId, c.score, c.level])).toEqual(
        detail.score.components.map((c) => [c.componentId, c.score, c.level]),
      );
    }
    // standards level 2 fully in place: (1+1+1+1+2)/5 = 1.2; mlops level 2 half covered: (1+1.5+1+1+1)/5 = 1.1
    expect(list[2]!.dimensionScore).toBeCloseTo(1.2, 10);
    expect(list[1]!.dimensionScore).toBeCloseTo(1.1, 10);
    expect(list[2]!.finalizedAt).not.toBeNull();
    expect(previousFinalized(orgId, Q3)).toMatchObject({ id: q1.id, period: Q1 });
    expect(previousFinalized(orgId, Q1)).toBeNull();
    // The scores alone: the same list without the frozen evidence.
    expect(listAssessmentScores(orgId)).toEqual(
      list.map((a) => ({
        ...a,
        components: a.components.map(({ componentId, name, score, level }) => ({ componentId, name, score, level })),
      })),
    );
  });

  it("frozenScore reads the score of a snapshot as parsing it whole does", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q1 }, LEADER);
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("lifecycle", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER);
    const snapshot = getDb().select({ text: assessments.scoreSnapshot }).from(assessments).where(eq(assessments.id, id)).get()!.text!;
    const whole = JSON.parse(snapshot) as { score: unknown; evidence: unknown; flags: unknown };
    expect(snapshot.indexOf(',"evidence":')).toBeGreaterThan(0);
    expect(frozenScore(snapshot)).toEqual(whole.score);
    // Written in another order, or without evidence, it is parsed whole.
    expect(frozenScore(JSON.stringify({ evidence: whole.evidence, score: whole.score }))).toEqual(whole.score);
    expect(frozenScore(JSON.stringify({ score: whole.score }))).toEqual(whole.score);
  });

  it("records an audit event for each mutation, in order, and the organisation's chain verifies", () => {
    const orgId = newOrg();
    productionModel(orgId, "audited", at("2025-04-10T09:00:00Z"), at("2025-05-01T09:00:00Z"));
    const registryEvents = auditCount(orgId);
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      id,
      { capabilities: [{ id: "mlops.l2.1", status: "partial" }], questions: [{ id: "mlops-automation", level: 2 }] },
      LEADER,
    );
    saveResponses(
      orgId,
      id,
      { ...PROD_OPS_L3, capabilities: [...PROD_OPS_L3.capabilities, { id: "mlops.l2.1", status: "in_place" }] },
      LEADER,
    );
    addEvidenceNote(orgId, id, { statementId: "mlops.l2.1", body: "Pipeline run log" }, TEAM);
    submitAssessmentForReview(orgId, id, LEADER);
    // Refusals write nothing to the trail.
    expect(() => finalizeAssessment(orgId, id, { justifications: {} }, LEADER)).toThrow(DomainError);
    finalizeAssessment(
      orgId,
      id,
      { justifications: { "production-operations": "Justified in the board pack." }, acceptUnanswered: true },
      LEADER,
    );

    const events = auditOf(orgId).slice(registryEvents);
    expect(events.map((e) => e.action)).toEqual([
      "assessment.created",
      "assessment.responses_saved",
      "assessment.responses_saved",
      "assessment.evidence_added",
      "assessment.submitted",
      "assessment.finalized",
    ]);
    for (const e of events) {
      expect(e.entityType).toBe("assessment");
      expect(e.entityId).toBe(String(id));
    }
    expect(events.map((e) => e.actorLabel)).toEqual([
      "leader@test",
      "leader@test",
      "leader@test",
      "team@test",
      "leader@test",
      "leader@test",
    ]);
    expect(events[0]!.payload.after).toEqual({ period: Q2, frameworkVersion: framework.version });
    expect(events[1]!.payload.before).toEqual({ capabilities: { "mlops.l2.1": null }, questions: { "mlops-automation": null } });
    expect(events[1]!.payload.after).toEqual({ capabilities: { "mlops.l2.1": "partial" }, questions: { "mlops-automation": 2 } });
    expect(events[2]!.payload.before.capabilities["mlops.l2.1"]).toBe("partial");
    expect(events[2]!.payload.after.capabilities["mlops.l2.1"]).toBe("in_place");
    expect(events[3]!.payload.after).toMatchObject({ statementId: "mlops.l2.1", body: "Pipeline run log" });
    expect(events[4]!.payload).toMatchObject({ before: { status: "draft" }, after: { status: "in_review" } });
    expect(events[5]!.payload.before).toEqual({ status: "in_review" });
    expect(events[5]!.payload.after).toMatchObject({
      status: "finalized",
      level: getAssessment(orgId, id)!.score.level,
      justifications: { "production-operations": "Justified in the board pack." },
    });

    expect(verifyAuditChain(orgId)).toEqual({ ok: true, events: registryEvents + 6 });
  });

  it("queries stay inside the organisation (no cross-organisation rows)", () => {
    const a = newOrg();
    const b = newOrg();
    const ida = createAssessment(a, { period: Q2 }, LEADER).id;
    createAssessment(b, { period: Q2 }, LEADER);
    expect(listAssessments(b).map((x) => x.id)).not.toContain(ida);
    expect(
      getDb()
        .select()
        .from(assessments)
        .where(and(eq(assessments.orgId, b), eq(assessments.id, ida)))
        .get(),
    ).toBeUndefined();
  });
});

/** Every statement of the framework answered ("none" unless given), so finalising needs no acceptance. */
function everyStatement(overrides: Record<string, "in_place" | "partial" | "none"> = {}): AssessmentResponsesInput {
  return { capabilities: ALL_STATEMENTS.map((sid) => ({ id: sid, status: overrides[sid] ?? ("none" as const) })), questions: [] };
}
const standardsL2 = () => Object.fromEntries(statementsAt("standards", 2).map((sid) => [sid, "in_place" as const]));

describe("which quarters can be opened", () => {
  const now = at("2026-11-15T12:00:00Z"); // in 2026-Q4

  it("the current quarter and past ones, never a future quarter (invalid on `period`, nothing written)", () => {
    const orgId = newOrg();
    for (const period of ["2027-Q1", "2030-Q4"]) {
      const error = catchDomain(() => createAssessment(orgId, { period }, LEADER, { now }));
      expect(error.code).toBe("invalid");
      expect(error.field).toBe("period");
      expect(error.message).toBe(`${period} has not started yet: open the current quarter (2026-Q4) or an earlier one`);
    }
    expect(listAssessments(orgId)).toEqual([]);
    expect(auditCount(orgId)).toBe(0);
    expect(createAssessment(orgId, { period: "2026-Q4" }, LEADER, { now }).period).toBe("2026-Q4");
    expect(createAssessment(orgId, { period: "2024-Q2" }, LEADER, { now }).period).toBe("2024-Q2");
    // A duplicate of a past quarter is still a conflict.
    expect(catchDomain(() => createAssessment(orgId, { period: "2024-Q2" }, LEADER, { now })).code).toBe("conflict");
  });

  it("openableQuarters offers the current quarter and the four before it, newest first, without those taken", () => {
    const orgId = newOrg();
    expect(openableQuarters(orgId, now)).toEqual(["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]);
    createAssessment(orgId, { period: "2026-Q4" }, LEADER, { now });
    createAssessment(orgId, { period: "2026-Q2" }, LEADER, { now });
    expect(openableQuarters(orgId, now)).toEqual(["2026-Q3", "2026-Q1", "2025-Q4"]);
    expect(openableQuarters(orgId, now).every((p) => p <= quarterOf(now))).toBe(true);
  });
});

describe("registry evidence of the current quarter", () => {
  it("covers the quarter so far, never the future part of it", () => {
    const now = at("2026-11-15T12:00:00Z");
    expect(evidenceWindow("2026-Q4", now)).toEqual({ from: at("2026-10-01T00:00:00Z"), to: now });
    expect(evidenceWindow("2026-Q3", now)).toEqual(quarterRange("2026-Q3"));
    // A quarter that has not begun gets an empty window at its start, never one reaching into the future.
    expect(evidenceWindow("2027-Q1", now)).toEqual({ from: at("2027-01-01T00:00:00Z"), to: at("2027-01-01T00:00:00Z") });
  });

  it("an assessment of the current quarter is evidenced up to now and says so; a past one is not 'so far'", () => {
    const orgId = newOrg();
    const current = quarterOf(new Date());
    const before = Date.now();
    const live = getAssessment(orgId, createAssessment(orgId, { period: current }, LEADER).id)!;
    const to = Date.parse(live.metrics.window.to);
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(live.evidenceSoFar).toBe(true);
    const past = getAssessment(orgId, createAssessment(orgId, { period: shiftQuarter(current, -1) }, LEADER).id)!;
    expect(past.evidenceSoFar).toBe(false);
    expect(past.metrics.window.to).toBe(quarterRange(shiftQuarter(current, -1)).to.toISOString());
  });
});

describe("finalising with unanswered statements", () => {
  it("is a conflict on `acceptUnanswered` naming the answered counts per component by name, and writes nothing", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("standards", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    const events = auditCount(orgId);
    const before = rowOf(id);
    for (const input of [{ justifications: {} }, { justifications: {}, acceptUnanswered: false }]) {
      const error = catchDomain(() => finalizeAssessment(orgId, id, input, LEADER));
      expect(error.code).toBe("conflict");
      expect(error.field).toBe("acceptUnanswered");
      expect(error.message).toContain('count as "not in place"');
      expect(error.message).toContain(
        `Technical Standards & Best Practices: ${statementsAt("standards", 2).length} of ${componentOf("standards").capabilities.length} answered`,
      );
      expect(error.issues).toEqual(
        framework.components.map((c) => ({
          path: `answered.${c.id}`,
          message: `${c.name}: ${c.id === "standards" ? statementsAt("standards", 2).length : 0} of ${c.capabilities.length} statements answered`,
        })),
      );
    }
    expect(rowOf(id)).toEqual(before);
    expect(auditCount(orgId)).toBe(events);

    const done = finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER);
    expect(done.status).toBe("finalized");
    expect(auditOf(orgId).at(-1)!.payload.after).toMatchObject({ status: "finalized", acceptedUnanswered: true });
  });

  it("refuses a justification for a component the framework does not have, naming it, and writes nothing", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    const before = rowOf(id);
    const error = catchDomain(() =>
      finalizeAssessment(orgId, id, { justifications: { mlops: "CI evidence", bogus: "x" }, acceptUnanswered: true }, LEADER),
    );
    expect(error.code).toBe("invalid");
    expect(error.issues).toEqual([{ path: "justifications.bogus", message: 'Unknown component "bogus"' }]);
    expect(rowOf(id)).toEqual(before);
  });

  it("a fully answered assessment needs no acceptance", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(orgId, id, everyStatement(standardsL2()), LEADER);
    expect(getAssessment(orgId, id)!.answered.every((c) => c.answered === c.total)).toBe(true);
    expect(finalizeAssessment(orgId, id, { justifications: {} }, LEADER).status).toBe("finalized");
    expect(auditOf(orgId).at(-1)!.payload.after).not.toHaveProperty("acceptedUnanswered");
  });
});

describe("the trail proves what was submitted and finalised", () => {
  it("submission and finalisation record the digest of every response and the answered counts", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(
      orgId,
      id,
      {
        capabilities: [
          { id: "mlops.l2.1", status: "in_place", evidence: { note: "CI", url: "https://ci.example/run" } },
          { id: "standards.l2.1", status: "partial" },
        ],
        questions: [{ id: "mlops-automation", level: 2, note: "Manual steps" }],
      },
      LEADER,
    );
    submitAssessmentForReview(orgId, id, LEADER);
    const submitted = auditOf(orgId).at(-1)!;
    expect(submitted.action).toBe("assessment.submitted");
    const stored = () => {
      const statements = Object.fromEntries(
        getDb()
          .select()
          .from(assessmentStatements)
          .where(eq(assessmentStatements.assessmentId, id))
          .all()
          .map((r) => [r.statementId, r]),
      );
      const detail = getAssessment(orgId, id)!;
      return responsesDigest(statements, detail.answers);
    };
    expect(submitted.payload.after).toEqual({
      status: "in_review",
      responsesDigest: stored(),
      answered: {
        statements: 2,
        statementsTotal: ALL_STATEMENTS.length,
        questions: 1,
        questionsTotal: framework.questions.length,
        components: Object.fromEntries(
          framework.components.map((c) => [
            c.id,
            { answered: ["mlops", "standards"].includes(c.id) ? 1 : 0, total: c.capabilities.length },
          ]),
        ),
      },
    });

    // A change in review changes the digest that finalisation records.
    saveResponses(orgId, id, { capabilities: [{ id: "standards.l2.1", status: "in_place" }], questions: [] }, LEADER);
    finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER);
    const finalized = auditOf(orgId).at(-1)!;
    expect(finalized.action).toBe("assessment.finalized");
    expect(finalized.payload.after.responsesDigest).toBe(stored());
    expect(finalized.payload.after.responsesDigest).not.toBe(submitted.payload.after.responsesDigest);
    expect(finalized.payload.after.answered).toMatchObject({ statements: 2, questions: 1 });
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });
});

describe("strengths and gaps", () => {
  it("an empty assessment lists no strengths and no gaps; answered components give them", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2 }, LEADER);
    expect(getAssessment(orgId, id)).toMatchObject({ strengths: [], gaps: [] });
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("mlops", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    const detail = getAssessment(orgId, id)!;
    expect(detail.strengths.map((c) => c.componentId)).toEqual(["mlops"]);
    expect(new Set(detail.gaps.map((g) => g.componentId))).toEqual(new Set(["mlops"]));
  });
});

describe("withdrawAssessment", () => {
  /** Q1 and Q2 finalised (Q2 higher), Q3 a draft. */
  function history() {
    const orgId = newOrg();
    const q1 = createAssessment(orgId, { period: Q1 }, LEADER);
    saveResponses(orgId, q1.id, everyStatement(), LEADER);
    finalizeAssessment(orgId, q1.id, { justifications: {} }, LEADER);
    const q2 = createAssessment(orgId, { period: Q2 }, LEADER);
    saveResponses(orgId, q2.id, everyStatement(standardsL2()), LEADER);
    finalizeAssessment(orgId, q2.id, { justifications: {} }, LEADER);
    const q3 = createAssessment(orgId, { period: Q3 }, LEADER);
    return { orgId, q1: q1.id, q2: q2.id, q3: q3.id };
  }

  it("only a finalised assessment, only with a reason; refusals write nothing", () => {
    const { orgId, q2, q3 } = history();
    const events = auditCount(orgId);
    const draft = catchDomain(() => withdrawAssessment(orgId, q3, { reason: "Wrong quarter" }, LEADER));
    expect(draft.code).toBe("conflict");
    expect(draft.message).toBe("Only a finalised assessment can be withdrawn; this one is draft");
    for (const reason of ["", "   "]) {
      const error = catchDomain(() => withdrawAssessment(orgId, q2, { reason }, LEADER));
      expect(error.code).toBe("invalid");
      expect(error.field).toBe("reason");
    }
    expect(catchDomain(() => withdrawAssessment(newOrg(), q2, { reason: "Not yours" }, LEADER)).code).toBe("not_found");
    expect(rowOf(q2).status).toBe("finalized");
    expect(auditCount(orgId)).toBe(events);
  });

  it("marks it withdrawn (who, when, why), audited in the same transaction; it stays readable and read-only", () => {
    const { orgId, q2 } = history();
    const before = getAssessment(orgId, q2)!;
    const now = at("2025-08-01T09:30:00Z");
    const withdrawn = withdrawAssessment(orgId, q2, { reason: " Scored against the wrong business unit " }, LEADER, { now });
    expect(withdrawn).toMatchObject({
      status: "withdrawn",
      withdrawnAt: now.toISOString(),
      withdrawnBy: "leader@test",
      withdrawnReason: "Scored against the wrong business unit",
      finalizedAt: before.finalizedAt,
    });
    // Readable as it was finalised: the same scores and frozen figures.
    expect(withdrawn.score).toEqual(before.score);
    expect(withdrawn.metrics).toEqual(before.metrics);
    expect(assessmentJson(withdrawn)).toMatchObject({
      status: "withdrawn",
      withdrawnReason: "Scored against the wrong business unit",
      withdrawnBy: "leader@test",
    });
    const event = auditOf(orgId).at(-1)!;
    expect(event).toMatchObject({
      action: "assessment.withdrawn",
      entityType: "assessment",
      entityId: String(q2),
      actorLabel: "leader@test",
    });
    expect(event.payload).toMatchObject({
      before: { status: "finalized" },
      after: { status: "withdrawn", period: Q2, reason: "Scored against the wrong business unit" },
    });
    expect(verifyAuditChain(orgId).ok).toBe(true);

    const events = auditCount(orgId);
    for (const attempt of [
      () => saveResponses(orgId, q2, { capabilities: [{ id: "mlops.l2.1", status: "in_place" }], questions: [] }, LEADER),
      () => addEvidenceNote(orgId, q2, { statementId: "mlops.l2.1", body: "Too late" }, TEAM),
      () => finalizeAssessment(orgId, q2, { justifications: {}, acceptUnanswered: true }, LEADER),
      () => submitAssessmentForReview(orgId, q2, LEADER),
      () => withdrawAssessment(orgId, q2, { reason: "Again" }, LEADER),
    ]) {
      expect(catchDomain(attempt).code).toBe("conflict");
    }
    expect(auditCount(orgId)).toBe(events);
  });

  it("leaves trends, deltas, comparisons, the latest-finalised lookup and roadmap generation, and frees its quarter", () => {
    const { orgId, q1, q2, q3 } = history();
    expect(latestFinalizedAssessment(orgId)!.id).toBe(q2);
    expect(previousFinalized(orgId, Q3)!.id).toBe(q2);
    expect(() => requireRoadmapSource(getAssessment(orgId, q2)!)).not.toThrow();

    withdrawAssessment(orgId, q2, { reason: "Duplicate of the board's own review" }, LEADER);
    expect(latestFinalizedAssessment(orgId)!.id).toBe(q1);
    expect(previousFinalized(orgId, Q3)!.id).toBe(q1);
    const [compared] = latestFinalizedByOrganization([{ id: orgId, slug: "assess-org", name: "Assess org" }]);
    expect(compared!.latest!.id).toBe(q1);
    // Still listed, as withdrawn (the page marks it); never counted as finalised.
    expect(listAssessments(orgId).map((a) => [a.id, a.status])).toEqual([
      [q3, "draft"],
      [q2, "withdrawn"],
      [q1, "finalized"],
    ]);
    const refusal = catchDomain(() => requireRoadmapSource(getAssessment(orgId, q2)!));
    expect(refusal.code).toBe("conflict");
    expect(refusal.message).toContain("withdrawn");
    expect(catchDomain(() => requireRoadmapSource(getAssessment(orgId, q3)!)).code).toBe("conflict");

    // The quarter is free again: a new assessment of Q2 can be opened.
    expect(openableQuarters(orgId, at("2025-08-01T00:00:00Z"))).toContain(Q2);
    const again = createAssessment(orgId, { period: Q2 }, LEADER);
    expect(again.id).not.toBe(q2);
    expect(catchDomain(() => createAssessment(orgId, { period: Q2 }, LEADER)).code).toBe("conflict");

    // With the only finalised one withdrawn too, there is none.
    withdrawAssessment(orgId, q1, { reason: "Test data" }, LEADER);
    expect(latestFinalizedAssessment(orgId)).toBeNull();
    expect(previousFinalized(orgId, Q3)).toBeNull();
  });
});

describe("finalising without any registry evidence (framework version 2)", () => {
  /** MLOps at levels 2 and 3 all in place: the component is assessed at level 3. */
  const MLOPS_L3: AssessmentResponsesInput = {
    capabilities: [...statementsAt("mlops", 2), ...statementsAt("mlops", 3)].map((id) => ({ id, status: "in_place" as const })),
    questions: [],
  };

  it("an empty registry cannot carry a level 3 MLOps rating: a justification is asked for, like an unsupported level", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2, frameworkVersion: "2" }, LEADER);
    saveResponses(orgId, id, MLOPS_L3, LEADER);
    const draft = getAssessment(orgId, id)!;
    expect(draft.frameworkVersion).toBe("2");
    const mlops = draft.evidence.find((e) => e.componentId === "mlops")!;
    // No promotions: every MLOps rule is "not evidenced", none failed, and the component has no evidence level.
    expect(mlops).toMatchObject({ level: null, noEvidence: true });
    expect(mlops.rules.map((r) => r.state)).toEqual(mlops.rules.map(() => "not-evidenced"));
    expect(draft.flags.find((f) => f.componentId === "mlops")).toMatchObject({ unsupported: false, unevidenced: true });
    expect(assessmentJson(draft).components.find((c) => c.id === "mlops")!.flags).toEqual(["no_registry_evidence"]);

    const error = catchDomain(() => finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER));
    expect(error.code).toBe("conflict");
    expect(error.message).toBe("Justify the levels not supported by registry evidence: MLOps Maturity");
    expect(error.issues).toEqual([{ path: "justifications.mlops", message: expect.stringMatching(/level 3 has no registry evidence/) }]);
    expect(rowOf(id).status).toBe("draft");

    const done = finalizeAssessment(
      orgId,
      id,
      { justifications: { mlops: "Deployments run in the vendor's platform; the registry is fed from Q3." }, acceptUnanswered: true },
      LEADER,
    );
    expect(done.status).toBe("finalized");
    expect(done.justifications).toEqual({ mlops: "Deployments run in the vendor's platform; the registry is fed from Q3." });
    expect(JSON.parse(rowOf(id).scoreSnapshot!).flags.find((f: { componentId: string }) => f.componentId === "mlops")).toMatchObject({
      unevidenced: true,
    });
  });

  it("level 2 without evidence needs nothing", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2, frameworkVersion: "2" }, LEADER);
    saveResponses(
      orgId,
      id,
      { capabilities: statementsAt("mlops", 2).map((sid) => ({ id: sid, status: "in_place" as const })), questions: [] },
      LEADER,
    );
    expect(finalizeAssessment(orgId, id, { justifications: {}, acceptUnanswered: true }, LEADER).status).toBe("finalized");
  });
});

describe("a version 1 assessment finalised before rules had states", () => {
  it("reads its evidence and flags from the snapshot, as they were evaluated then", () => {
    const orgId = newOrg();
    const { id } = createAssessment(orgId, { period: Q2, frameworkVersion: "1" }, LEADER);
    saveResponses(
      orgId,
      id,
      {
        capabilities: [...statementsAt("mlops", 2), ...statementsAt("mlops", 3)].map((sid) => ({ id: sid, status: "in_place" as const })),
        questions: [],
      },
      LEADER,
    );
    // Version 1 reads a missing figure as failed: MLOps at level 3 is above its evidence (level 1).
    const finalized = finalizeAssessment(orgId, id, { justifications: { mlops: "Justified." }, acceptUnanswered: true }, LEADER);
    const mlops = finalized.evidence.find((e) => e.componentId === "mlops")!;
    expect(mlops.level).toBe(1);
    expect(finalized.flags.find((f) => f.componentId === "mlops")).toMatchObject({
      evidenceLevel: 1,
      unsupported: true,
      unevidenced: false,
    });

    // Rewrite the snapshot as finalisation wrote it before this change: no states, windows or no-evidence marks.
    const snapshot = JSON.parse(rowOf(id).scoreSnapshot!) as {
      evidence: Array<{ noEvidence?: boolean; rules: Array<{ state?: string; window?: string }> }>;
      flags: Array<{ unevidenced?: boolean }>;
    };
    for (const e of snapshot.evidence) {
      delete e.noEvidence;
      for (const r of e.rules) {
        delete r.state;
        delete r.window;
      }
    }
    for (const f of snapshot.flags) delete f.unevidenced;
    getDb()
      .update(assessments)
      .set({ scoreSnapshot: JSON.stringify(snapshot) })
      .where(eq(assessments.id, id))
      .run();

    const read = getAssessment(orgId, id)!;
    expect(read.evidence).toEqual(finalized.evidence);
    expect(read.flags).toEqual(finalized.flags);
    expect(read.evidence.find((e) => e.componentId === "mlops")!.rules.map((r) => [r.holds, r.state])).toEqual(
      mlops.rules.map(() => [false, "fails"]),
    );
  });
});

describe("notifications", () => {
  it("tells leadership and admins (not the one acting) when an assessment goes to review and when it is withdrawn", async () => {
    const org = await createTestOrg("assess-notify");
    const leader = member(org, "leadership");
    const admin = member(org, "admin");
    const toldOf = (type: string) =>
      getDb()
        .select({ userId: notifications.userId, title: notifications.title, path: notifications.path })
        .from(notifications)
        .where(and(eq(notifications.orgId, org.id), eq(notifications.eventType, type as never)))
        .all();
    const { id } = createAssessment(org.id, { period: Q1 }, leader.actor);
    saveResponses(org.id, id, everyStatement(), leader.actor);
    submitAssessmentForReview(org.id, id, leader.actor);
    expect(toldOf("assessment.submitted")).toEqual([
      { userId: admin.userId, title: `Assessment ${Q1} is ready for review`, path: `/orgs/${org.slug}/assessments/${id}` },
    ]);
    finalizeAssessment(org.id, id, { justifications: {} }, leader.actor);
    withdrawAssessment(org.id, id, { reason: "Scored against the wrong scope" }, admin.actor);
    expect(toldOf("assessment.withdrawn").map((n) => n.userId)).toEqual([leader.userId]);
  });
});
