import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { cached } from "../../data-cache.server";
import { assessmentStatements, auditEvents } from "../../../db/schema";
import { AUTOSAVE_RUN_MS, verifyAuditChain, type Actor } from "../audit/audit.server";
import { buildOpenApiDocument } from "../http/openapi";
import { catchDomainError } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";
import { createAssessment, getAssessment } from "./assessments.server";
import { heldBackAnswers, heldBackSummary, parseCaptureForm } from "./capture-schemas";
import { CaptureConflictError, componentVersion, componentVersions, saveResponses } from "./capture.server";

/**
 * Saving captured responses against a real SQLite database: component
 * versions, refusing a save made on a stale page (with both versions), and
 * one audit entry per person per component per 15 minutes of autosaving.
 */

const ALICE: Actor = { type: "user", id: 101, label: "alice@test" };
const BOB: Actor = { type: "user", id: 102, label: "bob@test" };
const PIPELINE: Actor = { type: "token", id: 101, label: "token:pipeline" };
const Q = "2026-Q2";
const T0 = new Date("2026-05-04T09:00:00Z");
const minutesAfter = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function draft() {
  const orgId = insertTestOrg("capture").id;
  return { orgId, id: createAssessment(orgId, { period: Q }, ALICE).id };
}
const savesAudited = (orgId: number) =>
  getDb()
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .all()
    .filter((e) => e.action === "assessment.responses_saved");
const statement = (id: string, status: "none" | "partial" | "in_place", note?: string) => ({
  id,
  status,
  ...(note ? { evidence: { note } } : {}),
});

describe("component versions", () => {
  it("start at 0, and each save that changes a component bumps it (only that component)", () => {
    const { orgId, id } = draft();
    expect(componentVersion(id, "mlops")).toEqual({ version: 0, updatedBy: null, updatedAt: null });
    const first = saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial")], questions: [] }, ALICE, { now: T0 });
    expect(first.versions).toEqual({ mlops: 1 });
    // A statement and a question of two components in one save: both move.
    const second = saveResponses(
      orgId,
      id,
      {
        capabilities: [statement("mlops.l2.1", "in_place"), statement("standards.l2.1", "none")],
        questions: [{ id: "mlops-automation", level: 2 }],
      },
      ALICE,
      { now: minutesAfter(1) },
    );
    expect(second.versions).toEqual({ mlops: 2, standards: 1 });
    expect(componentVersions(id)).toEqual({
      mlops: { version: 2, updatedBy: "alice@test", updatedAt: minutesAfter(1).toISOString() },
      standards: { version: 1, updatedBy: "alice@test", updatedAt: minutesAfter(1).toISOString() },
    });
  });

  it("a save that changes nothing writes nothing: no version, no audit entry, no new 'updated by'", () => {
    const { orgId, id } = draft();
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial", "CI logs")], questions: [] }, ALICE, { now: T0 });
    const events = savesAudited(orgId).length;
    const same = saveResponses(
      orgId,
      id,
      { capabilities: [statement("mlops.l2.1", "partial", "CI logs")], questions: [], versions: { mlops: 1 } },
      BOB,
      { now: minutesAfter(30) },
    );
    expect(same.versions).toEqual({ mlops: 1 });
    expect(savesAudited(orgId)).toHaveLength(events);
    expect(getAssessment(orgId, id)!.statements["mlops.l2.1"]!.updatedBy).toBe("alice@test");
  });

  it("refuses an unknown component in `versions` as invalid", () => {
    const { orgId, id } = draft();
    const error = catchDomainError(() => saveResponses(orgId, id, { capabilities: [], questions: [], versions: { nope: 1 } }, ALICE));
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("versions.nope");
  });
});

describe("conflicts", () => {
  it("someone else's save since you loaded refuses yours, lists both versions per differing statement, and writes nothing", () => {
    const { orgId, id } = draft();
    saveResponses(
      orgId,
      id,
      { capabilities: [statement("mlops.l2.1", "partial"), statement("mlops.l2.2", "none")], questions: [] },
      ALICE,
      { now: T0 },
    );
    // Alice and Bob both load version 1. Bob saves first.
    saveResponses(
      orgId,
      id,
      {
        capabilities: [statement("mlops.l2.1", "in_place", "Bob's pipeline")],
        questions: [{ id: "mlops-automation", level: 3 }],
        versions: { mlops: 1 },
      },
      BOB,
      {
        now: minutesAfter(1),
      },
    );
    const rows = getDb().select().from(assessmentStatements).where(eq(assessmentStatements.assessmentId, id)).all();
    const events = getDb().select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()!.n;

    const error = catchDomainError(() =>
      saveResponses(
        orgId,
        id,
        // Alice's page still shows l2.1 as "partial"; she changes l2.2 and answers the question.
        {
          capabilities: [statement("mlops.l2.1", "partial"), statement("mlops.l2.2", "in_place", "Alice's evidence")],
          questions: [{ id: "mlops-automation", level: 2, note: "Manual" }],
          versions: { mlops: 1 },
        },
        ALICE,
        { now: minutesAfter(2) },
      ),
    );
    expect(error).toBeInstanceOf(CaptureConflictError);
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("MLOps Maturity");
    expect(error.message).toContain("bob@test");
    expect(error.issues).toEqual([{ path: "versions.mlops", message: expect.stringContaining("version 2") }]);
    const [conflict] = (error as CaptureConflictError).conflicts;
    expect(conflict).toMatchObject({
      componentId: "mlops",
      componentName: "MLOps Maturity",
      yourVersion: 1,
      currentVersion: 2,
      updatedBy: "bob@test",
      updatedAt: minutesAfter(1).toISOString(),
    });
    expect(conflict!.differences).toEqual([
      {
        kind: "statement",
        id: "mlops.l2.1",
        label: expect.any(String),
        theirs: { status: "in_place", reason: null, note: "Bob's pipeline", url: null, date: null },
        yours: { status: "partial", reason: null, note: null, url: null, date: null },
      },
      {
        kind: "statement",
        id: "mlops.l2.2",
        label: expect.any(String),
        theirs: { status: "none", reason: null, note: null, url: null, date: null },
        yours: { status: "in_place", reason: null, note: "Alice's evidence", url: null, date: null },
      },
      {
        kind: "question",
        id: "mlops-automation",
        label: expect.stringMatching(/^Q\d+: /),
        theirs: { level: 3, note: null },
        yours: { level: 2, note: "Manual" },
      },
    ]);
    // The statement's text, not its id, names it.
    expect(conflict!.differences[0]!.label).not.toContain("mlops.l2.1");
    // Nothing written: rows, version and audit trail unchanged.
    expect(getDb().select().from(assessmentStatements).where(eq(assessmentStatements.assessmentId, id)).all()).toEqual(rows);
    expect(componentVersion(id, "mlops").version).toBe(2);
    expect(getDb().select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()!.n).toBe(events);

    // "Keep mine": the same save against the version she was shown goes through.
    const kept = saveResponses(
      orgId,
      id,
      {
        capabilities: [statement("mlops.l2.1", "partial"), statement("mlops.l2.2", "in_place", "Alice's evidence")],
        questions: [],
        versions: { mlops: 2 },
      },
      ALICE,
      {
        now: minutesAfter(3),
      },
    );
    expect(kept.versions.mlops).toBe(3);
    expect(getAssessment(orgId, id)!.statements["mlops.l2.1"]).toMatchObject({
      status: "partial",
      evidence: { note: null },
      updatedBy: "alice@test",
    });
  });

  it("the same person saving again with the version each save returned never conflicts with themselves", () => {
    const { orgId, id } = draft();
    let version = componentVersion(id, "lifecycle").version;
    for (const [i, status] of (["none", "partial", "in_place", "partial"] as const).entries()) {
      version = saveResponses(
        orgId,
        id,
        { capabilities: [statement("lifecycle.l2.1", status, `note ${i}`)], questions: [], versions: { lifecycle: version } },
        ALICE,
        { now: minutesAfter(i) },
      ).versions.lifecycle!;
    }
    expect(version).toBe(4);
    expect(getAssessment(orgId, id)!.statements["lifecycle.l2.1"]).toMatchObject({ status: "partial", evidence: { note: "note 3" } });
  });

  it("does not refuse when the other save touched only other components, or when yours matches what is stored", () => {
    const { orgId, id } = draft();
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial")], questions: [] }, ALICE, { now: T0 });
    saveResponses(orgId, id, { capabilities: [statement("standards.l2.1", "in_place")], questions: [] }, BOB, { now: minutesAfter(1) });
    // Alice's page of MLOps is still current (version 1), whatever happened to Standards.
    expect(
      saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "in_place")], questions: [], versions: { mlops: 1 } }, ALICE, {
        now: minutesAfter(2),
      }).versions.mlops,
    ).toBe(2);
    // Bob saved MLOps too, to what Alice also sends now: nothing differs, nothing to refuse.
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.2", "none")], questions: [] }, BOB, { now: minutesAfter(3) });
    expect(
      saveResponses(orgId, id, { capabilities: [statement("mlops.l2.2", "none")], questions: [], versions: { mlops: 2 } }, ALICE).versions
        .mlops,
    ).toBe(3);
  });

  it("without `versions` (older API clients) saves merge as before, without conflict checks", () => {
    const { orgId, id } = draft();
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial")], questions: [] }, BOB);
    expect(saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "in_place")], questions: [] }, ALICE).versions.mlops).toBe(2);
  });
});

describe("audit coalescing", () => {
  it("consecutive saves by one person on one component within 15 minutes are one entry (the first)", () => {
    const { orgId, id } = draft();
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial")], questions: [] }, ALICE, { now: T0 });
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial", "typing")], questions: [] }, ALICE, {
      now: minutesAfter(5),
    });
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "in_place", "typing more")], questions: [] }, ALICE, {
      now: minutesAfter(14),
    });
    const events = savesAudited(orgId);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      after: { capabilities: { "mlops.l2.1": "partial" } },
      details: { versions: { mlops: 1 } },
    });
    // The rows hold the latest save all the same.
    expect(getAssessment(orgId, id)!.statements["mlops.l2.1"]).toMatchObject({ status: "in_place", evidence: { note: "typing more" } });
  });

  it("15 minutes after the audited save, a save by someone else, or a new component, records a new entry", () => {
    const { orgId, id } = draft();
    const save = (actor: Actor, minutes: number, status: "none" | "partial" | "in_place", statementId = "mlops.l2.1") => {
      saveResponses(orgId, id, { capabilities: [statement(statementId, status)], questions: [] }, actor, { now: minutesAfter(minutes) });
    };
    save(ALICE, 0, "partial"); // audited (first)
    save(ALICE, 10, "in_place"); // coalesced
    save(ALICE, 15, "none"); // audited: 15 minutes after the audited save
    save(BOB, 16, "partial"); // audited: someone else
    save(ALICE, 17, "in_place"); // audited: Bob saved in between
    save(ALICE, 18, "partial", "standards.l2.1"); // audited: another component
    save(ALICE, 19, "none", "standards.l2.1"); // coalesced
    expect(savesAudited(orgId).map((e) => JSON.parse(e.payload).after.capabilities)).toEqual([
      { "mlops.l2.1": "partial" },
      { "mlops.l2.1": "none" },
      { "mlops.l2.1": "partial" },
      { "mlops.l2.1": "in_place" },
      { "standards.l2.1": "partial" },
    ]);
    expect(savesAudited(orgId).map((e) => e.actorLabel)).toEqual(["alice@test", "alice@test", "bob@test", "alice@test", "alice@test"]);
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });

  it("API tokens and system actors are audited on every save (only signed-in people coalesce)", () => {
    const { orgId, id } = draft();
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "partial")], questions: [] }, PIPELINE, { now: T0 });
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "in_place")], questions: [] }, PIPELINE, { now: minutesAfter(1) });
    // A user whose id equals the token's id is someone else.
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "none")], questions: [] }, ALICE, { now: minutesAfter(2) });
    expect(savesAudited(orgId).map((e) => e.actorLabel)).toEqual(["token:pipeline", "token:pipeline", "alice@test"]);
    expect(AUTOSAVE_RUN_MS).toBe(15 * 60_000);
  });
});

describe("parseCaptureForm", () => {
  it("keeps text typed without a status as an error on the status, instead of dropping it", () => {
    const { data, errors } = parseCaptureForm({
      "s.mlops.l2.1.status": "",
      "s.mlops.l2.1.note": "Typed before choosing",
      "s.mlops.l2.2.status": "in_place",
      "s.mlops.l2.2.url": "https://ci.example",
      "s.mlops.l2.3.note": "",
      "q.mlops-automation.note": "A note without a level",
      version: "3",
    });
    expect(errors).toEqual({
      "s.mlops.l2.1.status": expect.stringContaining("Choose a status"),
      "q.mlops-automation.level": expect.stringContaining("Choose a level"),
    });
    expect(data.capabilities).toEqual([{ id: "mlops.l2.2", status: "in_place", evidence: { url: "https://ci.example" } }]);
  });

  it("puts each refusal on its field: a missing reason, a bad link", () => {
    const { errors } = parseCaptureForm({
      "s.mlops.l2.1.status": "not_applicable",
      "s.mlops.l2.2.status": "partial",
      "s.mlops.l2.2.url": "ci.example",
    });
    expect(errors).toEqual({ "s.mlops.l2.1.reason": "Say why this does not apply", "s.mlops.l2.2.url": expect.any(String) });
  });
});

describe("PUT /assessments/{id}/responses in the OpenAPI document", () => {
  it("documents the optional `versions` map and what a stale one does", () => {
    const doc = buildOpenApiDocument() as unknown as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: any }> } }>>;
    };
    const schema = doc.paths["/assessments/{id}/responses"]!.put!.requestBody.content["application/json"]!.schema;
    expect(schema.properties.versions).toMatchObject({ type: "object", additionalProperties: { type: "integer", minimum: 0 } });
    expect(schema.properties.versions.description).toContain("409");
    expect(schema.required ?? []).not.toContain("versions");
  });
});

describe("the cached assessment list", () => {
  it("follows an autosave that rides on an earlier audit entry (no new event, yet the list's draft score moves)", () => {
    const { orgId, id } = draft();
    const mlopsScore = () =>
      cached
        .assessmentList(orgId)
        .find((a) => a.id === id)!
        .components.find((c) => c.componentId === "mlops")!.score;
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "none")], questions: [] }, ALICE, { now: T0 });
    const before = mlopsScore();
    const audited = savesAudited(orgId).length;
    saveResponses(orgId, id, { capabilities: [statement("mlops.l2.1", "in_place")], questions: [] }, ALICE, { now: minutesAfter(1) });
    expect(savesAudited(orgId)).toHaveLength(audited);
    expect(mlopsScore()).toBeGreaterThan(before);
  });
});

describe("answers held back by a save", () => {
  it("are the statements and questions with a field error, once each, in the page's order", () => {
    const { errors } = parseCaptureForm({
      "s.a.status": "not_applicable",
      "s.a.reason": "",
      "s.b.status": "in_place",
      "s.c.status": "",
      "s.c.note": "typed before a status",
      "q.x.level": "",
      "q.x.note": "a note without a level",
    });
    expect(heldBackAnswers(errors)).toEqual(["s.a", "s.c", "q.x"]);
    expect(heldBackAnswers({ "s.tech.l2.1.reason": "Say why", "s.tech.l2.1.date": "Future" })).toEqual(["s.tech.l2.1"]);
    expect(heldBackSummary(1)).toBe("1 answer needs fixing before it can be saved; the rest is saved");
    expect(heldBackSummary(3)).toBe("3 answers need fixing before they can be saved; the rest is saved");
  });
});
