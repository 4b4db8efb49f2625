import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import {
  assessments,
  auditEvents,
  memberships,
  notificationPreferences,
  notifications,
  orgSettings,
  outboxMessages,
  roadmapCriteria,
  roadmapItems,
  roadmaps,
  users,
} from "../../../db/schema";
import { createAssessment, finalizeAssessment } from "../assessment/assessments.server";
import { saveResponses } from "../assessment/capture.server";
import type { AssessmentResponsesInput } from "../assessment/assessment-schemas";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { getFramework } from "../framework/framework";
import { createModel, createVersion } from "../registry/registry.server";
import { transitionVersion } from "../governance/transitions.server";
import { sendWeeklyDigests } from "../notifications/digest.server";
import { notify } from "../notifications/notifications.server";
import { defaultStartDate, dueDate as monthEnd, generateRoadmap } from "./generate";
import {
  assignableMembers,
  bulkAssignItems,
  burnUp,
  commentOnItem,
  dueCounts,
  dueItemsByOwner,
  dueLists,
  generateRoadmapFromAssessment,
  getRoadmap,
  getRoadmapItem,
  getRoadmapView,
  listRoadmaps,
  myOpenRoadmapItems,
  myRoadmapItems,
  previewRoadmapGeneration,
  roadmapJson,
  roadmapSummaryForAssessment,
  sourceWithdrawnSentence,
  tickCriterion,
  updateRoadmapItem,
} from "./roadmaps.server";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";

/**
 * The roadmap domain module against a real (per-file, migrated, empty) SQLite
 * database: generation from finalised assessments, regeneration (carry, close,
 * history), item work, bulk assignment, success criteria evaluated live,
 * due-date views, the burn-up, isolation between organisations and the audit
 * trail.
 */

const LEADER: Actor = { type: "system", label: "leader@test" };
const framework = getFramework();
const COMPONENT_IDS = framework.components.map((c) => c.id);
const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const daysFromToday = (n: number) => isoDay(new Date(Date.now() + n * DAY));

let counter = 0;
const newOrg = () => insertTestOrg("roadmap-org").id;

/** A user who is a member of the organisation, with an actor to act as them. */
function addMember(orgId: number, name: string, role: "admin" | "leadership" | "team" | "ethics" | "auditor" = "team") {
  counter++;
  const email = `${name}.${counter}@roadmap.test`;
  const user = getDb()
    .insert(users)
    .values({ email, name: `${name} ${counter}`, passwordHash: "x" })
    .returning()
    .get();
  getDb().insert(memberships).values({ orgId, userId: user.id, role }).run();
  const actor: Actor = { type: "user", id: user.id, label: email };
  return { id: user.id, email, actor };
}

/** Every statement of levels 2..level in place for each component (level 1 = nothing). */
function responsesFor(levels: Partial<Record<string, number>>): AssessmentResponsesInput {
  return {
    capabilities: framework.components.flatMap((c) =>
      c.capabilities.filter((s) => s.level <= (levels[c.id] ?? 1)).map((s) => ({ id: s.id, status: "in_place" as const })),
    ),
    questions: [],
  };
}
const allLevels = (level: number) => Object.fromEntries(COMPONENT_IDS.map((id) => [id, level]));
const JUSTIFY_ALL = {
  justifications: Object.fromEntries(COMPONENT_IDS.map((id) => [id, "Justified by the test suite"])),
  acceptUnanswered: true,
};

function draftAssessment(orgId: number, period: string, levels: Partial<Record<string, number>> = {}) {
  const a = createAssessment(orgId, { period }, LEADER);
  const responses = responsesFor(levels);
  if (responses.capabilities.length) saveResponses(orgId, a.id, responses, LEADER);
  return a.id;
}

function finalised(orgId: number, period: string, levels: Partial<Record<string, number>> = {}) {
  const id = draftAssessment(orgId, period, levels);
  return finalizeAssessment(orgId, id, JUSTIFY_ALL, LEADER);
}

const itemsOf = (roadmapId: number) => getDb().select().from(roadmapItems).where(eq(roadmapItems.roadmapId, roadmapId)).all();
const itemByKey = (roadmapId: number, key: string) =>
  getDb()
    .select()
    .from(roadmapItems)
    .where(and(eq(roadmapItems.roadmapId, roadmapId), eq(roadmapItems.itemKey, key)))
    .get()!;
const roadmapRow = (id: number) => getDb().select().from(roadmaps).where(eq(roadmaps.id, id)).get()!;
function auditOf(orgId: number, action?: string) {
  return getDb()
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .orderBy(auditEvents.id)
    .all()
    .filter((e) => !action || e.action === action)
    .map((e) => ({ ...e, payload: JSON.parse(e.payload) as { before?: any; after?: any } }));
}

/** An organisation with a finalised level-1 assessment and its roadmap (1 → 2). */
function orgWithRoadmap(options: { period?: string; startDate?: string } = {}) {
  const orgId = newOrg();
  const assessment = finalised(orgId, options.period ?? "2025-Q1");
  const roadmapId = generateRoadmapFromAssessment(orgId, assessment.id, { startDate: options.startDate }, LEADER);
  return { orgId, assessmentId: assessment.id, roadmapId, roadmap: getRoadmap(orgId, roadmapId)! };
}

// ---------------------------------------------------------------- generation

describe("generateRoadmapFromAssessment", () => {
  it("refuses a draft assessment with a conflict, and writes nothing", () => {
    const orgId = newOrg();
    const id = draftAssessment(orgId, "2025-Q1");
    const error = catchDomain(() => generateRoadmapFromAssessment(orgId, id, {}, LEADER));
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/finalised/);
    expect(listRoadmaps(orgId)).toEqual([]);
    expect(auditOf(orgId, "roadmap.generated")).toEqual([]);
  });

  it("refuses an unknown assessment with not_found", () => {
    const orgId = newOrg();
    expect(catchDomain(() => generateRoadmapFromAssessment(orgId, 999_999, {}, LEADER)).code).toBe("not_found");
  });

  it("refuses a level-5 assessment as invalid: there is nothing to generate", () => {
    const orgId = newOrg();
    const assessment = finalised(orgId, "2025-Q1", allLevels(5));
    expect(assessment.score.level).toBe(5);
    const error = catchDomain(() => generateRoadmapFromAssessment(orgId, assessment.id, {}, LEADER));
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("assessmentId");
    expect(error.message).toMatch(/level 5/i);
    expect(error.message).toMatch(/no next level/i);
    expect(listRoadmaps(orgId)).toEqual([]);
  });

  it("creates the roadmap, one row per generated item, the success criteria and a roadmap.generated event", () => {
    const orgId = newOrg();
    const assessment = finalised(orgId, "2025-Q1");
    expect(assessment.score.level).toBe(1);
    const expected = generateRoadmap(framework, {
      period: "2025-Q1",
      finalizedAt: assessment.finalizedAt,
      level: 1,
      components: assessment.score.components.map((c) => ({ componentId: c.componentId, level: c.level, score: c.score })),
    })!;

    const roadmapId = generateRoadmapFromAssessment(orgId, assessment.id, {}, LEADER);
    const roadmap = getRoadmap(orgId, roadmapId)!;

    expect(roadmap.status).toBe("active");
    expect(roadmap.transition).toEqual({ from: 1, to: 2 });
    expect(roadmap.assessmentId).toBe(assessment.id);
    expect(roadmap.assessmentPeriod).toBe("2025-Q1");
    // The first day of the quarter after the one it was finalised in (today's): never before it was finalised.
    expect(roadmap.startDate).toBe(defaultStartDate("2025-Q1", assessment.finalizedAt));
    expect(roadmap.startDate > assessment.finalizedAt!.slice(0, 10)).toBe(true);
    expect(roadmap.title).toBe(expected.title);
    expect(roadmap.createdBy).toBe(LEADER.label);
    expect(roadmap.supersededById).toBeNull();
    expect(roadmap.workstreams.map((w) => w.key)).toEqual(expected.workstreams.map((w) => w.key));

    expect(itemsOf(roadmapId)).toHaveLength(expected.items.length);
    expect(roadmap.items).toHaveLength(expected.items.length);
    expect(roadmap.items.map((i) => [i.key, i.priority, i.dueDate, i.workstreamKey])).toEqual(
      expected.items.map((i) => [i.key, i.priority, i.dueDate, i.workstreamKey]),
    );
    for (const item of roadmap.items) {
      expect(item.status).toBe("todo");
      expect(item.owner).toBeNull();
      expect(item.completedAt).toBeNull();
      expect(item.carried).toBe(false);
    }

    expect(roadmap.successCriteria.map((c) => c.key)).toEqual(expected.successCriteria.map((c) => c.key));
    expect(roadmap.successCriteria.map((c) => c.automatic)).toEqual(expected.successCriteria.map((c) => c.check !== null));
    const stored = getDb().select().from(roadmapCriteria).where(eq(roadmapCriteria.roadmapId, roadmapId)).all();
    expect(stored).toHaveLength(expected.successCriteria.length);

    const events = auditOf(orgId, "roadmap.generated");
    expect(events).toHaveLength(1);
    expect(events[0]!.entityType).toBe("roadmap");
    expect(events[0]!.entityId).toBe(String(roadmapId));
    expect(events[0]!.actorLabel).toBe(LEADER.label);
    expect(events[0]!.payload.after).toMatchObject({
      assessment: "2025-Q1",
      transition: { from: 1, to: 2 },
      items: expected.items.length,
      carried: 0,
      closed: [],
    });

    expect(listRoadmaps(orgId)).toEqual([
      expect.objectContaining({ id: roadmapId, status: "active", total: expected.items.length, done: 0, period: "2025-Q1" }),
    ]);
  });

  it("uses an explicit start date for the due dates", () => {
    const { roadmap } = orgWithRoadmap({ startDate: "2027-01-01" });
    expect(roadmap.startDate).toBe("2027-01-01");
    const codeQuality = roadmap.items.filter((i) => i.workstreamKey === "1-2.code-quality");
    expect(codeQuality.length).toBeGreaterThan(0);
    for (const item of codeQuality) expect(item.dueDate).toBe("2027-02-28"); // months 1–2
  });

  describe("regeneration from a newer finalised assessment", () => {
    /**
     * R1 (1 → 2) from an all-level-1 2025-Q1 assessment. Then 2025-Q2 puts
     * four components at level 3 and mlops at level 1: dimension level 2, so
     * R2 is 2 → 3 plus the catch-up 1 → 2 items tagged with mlops.
     */
    function regenerate() {
      const orgId = newOrg();
      const team = addMember(orgId, "team");
      const q1 = finalised(orgId, "2025-Q1");
      const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
      const key = (k: string) => itemByKey(r1, k);

      updateRoadmapItem(
        orgId,
        key("1-2.mlops-pipeline.1").id,
        { status: "in_progress", ownerEmail: team.email, team: "Platform", evidence: "PR #12" },
        team.actor,
      );
      updateRoadmapItem(orgId, key("1-2.mlops-pipeline.2").id, { status: "done", evidence: "Pipeline green" }, team.actor);
      updateRoadmapItem(orgId, key("1-2.mlops-pipeline.3").id, { status: "blocked", evidence: "Waiting for runners" }, team.actor);
      updateRoadmapItem(orgId, key("1-2.code-quality.3").id, { status: "in_progress", ownerEmail: team.email }, team.actor);
      updateRoadmapItem(orgId, key("1-2.code-quality.1").id, { status: "done", evidence: "Delivered" }, team.actor);

      const q2 = finalised(orgId, "2025-Q2", {
        "technical-capability": 3,
        lifecycle: 3,
        "production-operations": 3,
        standards: 3,
        mlops: 1,
      });
      expect(q2.score.level).toBe(2);
      const r2 = generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
      return { orgId, team, r1, r2, q2 };
    }

    it("supersedes the previous roadmap and keeps it as history", () => {
      const { orgId, r1, r2 } = regenerate();
      expect(roadmapRow(r1).status).toBe("superseded");
      expect(roadmapRow(r1).supersededById).toBe(r2);
      expect(roadmapRow(r2).status).toBe("active");
      expect(getRoadmap(orgId, r2)!.transition).toEqual({ from: 2, to: 3 });
      const list = listRoadmaps(orgId);
      expect(list.map((r) => [r.id, r.status])).toEqual([
        [r2, "active"],
        [r1, "superseded"],
      ]);
      // The old roadmap still has all its items.
      expect(itemsOf(r1)).toHaveLength(24);
    });

    it("carries unfinished items that are needed again, once each, with status, owner, team and evidence", () => {
      const { orgId, team, r1, r2 } = regenerate();
      const items = itemsOf(r2);
      const keys = items.map((i) => i.itemKey);
      expect(new Set(keys).size).toBe(keys.length);

      const carried = itemByKey(r2, "1-2.mlops-pipeline.1");
      expect(carried.status).toBe("in_progress");
      expect(carried.ownerUserId).toBe(team.id);
      expect(carried.team).toBe("Platform");
      expect(carried.evidence).toBe("PR #12");
      expect(carried.carriedFromItemId).toBe(itemByKey(r1, "1-2.mlops-pipeline.1").id);
      expect(carried.catchUp).toBe(true);

      const blocked = itemByKey(r2, "1-2.mlops-pipeline.3");
      expect(blocked.status).toBe("blocked");
      expect(blocked.evidence).toBe("Waiting for runners");
      expect(blocked.carriedFromItemId).toBe(itemByKey(r1, "1-2.mlops-pipeline.3").id);

      // Untouched (todo) items needed again are carried too.
      expect(itemByKey(r2, "1-2.model-registry.1").carriedFromItemId).toBe(itemByKey(r1, "1-2.model-registry.1").id);

      const json = getRoadmap(orgId, r2)!.items.find((i) => i.key === "1-2.mlops-pipeline.1")!;
      expect(json.carried).toBe(true);
      expect(json.owner?.email).toBe(team.email);

      // Fresh 2 → 3 items are not carried.
      expect(itemByKey(r2, "2-3.pipelines.1").carriedFromItemId).toBeNull();
      expect(itemByKey(r2, "2-3.pipelines.1").status).toBe("todo");

      const event = auditOf(orgId, "roadmap.generated").at(-1)!;
      expect(event.payload.after).toMatchObject({ carried: 6, added: 24, supersedes: r1 });
    });

    it("lists every workstream with items on the page, catch-up ones included, by due date then name; they add up", () => {
      const { orgId, r2 } = regenerate();
      updateRoadmapItem(orgId, itemByKey(r2, "1-2.mlops-pipeline.1").id, { status: "done", evidence: "PR #12 merged" }, LEADER);
      updateRoadmapItem(orgId, itemByKey(r2, "2-3.pipelines.1").id, { status: "done", evidence: "Pipelines live" }, LEADER);
      const page = getRoadmapView(orgId, r2, { view: "workstream", page: 1, me: "nobody", pageSize: 1000 })!;
      const listed = page.progress.byWorkstream;
      // The roadmap's own four (2 → 3) and the 1 → 2 catch-up ones the weak mlops component still owes.
      expect(
        listed
          .filter((w) => !w.catchUp)
          .map((w) => w.key)
          .sort(),
      ).toEqual(page.workstreams.map((w) => w.key).sort());
      expect(listed.filter((w) => w.catchUp).length).toBeGreaterThan(0);
      expect(listed.every((w) => w.key.startsWith(w.catchUp ? "1-2." : "2-3."))).toBe(true);
      expect(listed.reduce((n, w) => n + w.total, 0)).toBe(page.progress.all.total);
      expect(listed.reduce((n, w) => n + w.done, 0)).toBe(2);
      expect(page.progress.all).toMatchObject({ done: 2, total: 30 });
      // Due first (a catch-up workstream due in month 3 before the roadmap's own due in month 4), then by name.
      for (const [a, b] of listed.slice(1).map((w, n) => [listed[n]!, w] as const)) {
        expect(a.dueDate <= b.dueDate).toBe(true);
        if (a.dueDate === b.dueDate) expect(a.title.localeCompare(b.title)).toBeLessThan(0);
      }
      expect(listed.slice(0, 2)).toMatchObject([
        { key: "1-2.model-registry", catchUp: true, dueDate: monthEnd(page.startDate, 3) },
        { key: "2-3.pipelines", catchUp: false, dueDate: monthEnd(page.startDate, 4) },
      ]);
      // The groups below are the same workstreams in the same order, each due when its items are.
      expect(page.groups.map((g) => g.key)).toEqual(listed.map((w) => w.key));
      for (const g of page.groups) {
        expect(g.workstream).toEqual({ dueDate: g.items[0]!.dueDate, catchUp: g.items[0]!.catchUp });
        expect(g.items.every((i) => i.dueDate === g.workstream!.dueDate)).toBe(true);
      }
      // Other views count every workstream the same way and have no workstream on their groups.
      const mine = getRoadmapView(orgId, r2, { view: "mine", page: 1, me: "nobody" })!;
      expect(mine.progress.byWorkstream).toEqual(listed);
      expect(mine.groups.map((g) => g.workstream)).toEqual([null]);
    });

    it("does not re-add items already done", () => {
      const { r1, r2 } = regenerate();
      const keys = itemsOf(r2).map((i) => i.itemKey);
      expect(keys).not.toContain("1-2.mlops-pipeline.2");
      expect(keys).not.toContain("1-2.code-quality.1");
      // 24 items of 2 → 3 + 7 mlops catch-up items − the one already done.
      expect(keys).toHaveLength(30);
      // Done work stays done in the history.
      expect(itemByKey(r1, "1-2.mlops-pipeline.2").status).toBe("done");
      expect(itemByKey(r1, "1-2.mlops-pipeline.2").completedAt).not.toBeNull();
    });

    it("closes unfinished items no longer needed with a reason naming the new transition", () => {
      const { orgId, r1, r2 } = regenerate();
      const closed = itemByKey(r1, "1-2.code-quality.3");
      expect(closed.status).toBe("closed");
      expect(closed.closedReason).toMatch(/2→3/);
      expect(closed.closedReason).toMatch(/2025-Q2/);
      expect(itemsOf(r2).map((i) => i.itemKey)).not.toContain("1-2.code-quality.3");
      // Items carried over stay as they were in the old roadmap (not closed).
      expect(itemByKey(r1, "1-2.mlops-pipeline.1").status).toBe("in_progress");
      const closedKeys = itemsOf(r1)
        .filter((i) => i.status === "closed")
        .map((i) => i.itemKey);
      expect(closedKeys).toHaveLength(24 - 2 /* done */ - 6 /* carried */);
      expect(auditOf(orgId, "roadmap.generated").at(-1)!.payload.after.closed).toEqual(expect.arrayContaining(closedKeys));
    });

    it("refuses work on closed items and on the superseded roadmap; the new roadmap is worked on", () => {
      const { orgId, team, r1, r2 } = regenerate();
      const closed = catchDomain(() => updateRoadmapItem(orgId, itemByKey(r1, "1-2.code-quality.3").id, { status: "done" }, team.actor));
      expect(closed.code).toBe("conflict");
      const superseded = catchDomain(() =>
        updateRoadmapItem(orgId, itemByKey(r1, "1-2.mlops-pipeline.1").id, { status: "done" }, team.actor),
      );
      expect(superseded.code).toBe("conflict");
      expect(superseded.message).toMatch(/superseded/);
      expect(itemByKey(r1, "1-2.mlops-pipeline.1").status).toBe("in_progress");

      const updated = updateRoadmapItem(
        orgId,
        itemByKey(r2, "1-2.mlops-pipeline.1").id,
        { status: "done", evidence: "Delivered" },
        team.actor,
      );
      expect(updated.status).toBe("done");
    });

    it("a third generation does not re-open what was done on the second", () => {
      const { orgId, team, r2 } = regenerate();
      updateRoadmapItem(orgId, itemByKey(r2, "1-2.mlops-pipeline.1").id, { status: "done", evidence: "Delivered" }, team.actor);
      const q3 = finalised(orgId, "2025-Q3", {
        "technical-capability": 3,
        lifecycle: 3,
        "production-operations": 3,
        standards: 3,
        mlops: 1,
      });
      const r3 = generateRoadmapFromAssessment(orgId, q3.id, {}, LEADER);
      const keys = itemsOf(r3).map((i) => i.itemKey);
      expect(keys).not.toContain("1-2.mlops-pipeline.1");
      expect(itemByKey(r3, "1-2.mlops-pipeline.3").status).toBe("blocked");
      expect(itemByKey(r3, "1-2.mlops-pipeline.3").carriedFromItemId).toBe(itemByKey(r2, "1-2.mlops-pipeline.3").id);
      expect(roadmapRow(r2).supersededById).toBe(r3);
      expect(listRoadmaps(orgId).filter((r) => r.status === "active")).toHaveLength(1);
    });
  });
});

// ---------------------------------------------------------------- item work

describe("updateRoadmapItem", () => {
  it("assigns an owner who is a member, by email, and clears it with 'none'", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "owner");
    const item = roadmap.items[0]!;
    updateRoadmapItem(orgId, item.id, { ownerEmail: team.email }, LEADER);
    expect(getRoadmapItem(orgId, item.id)!.owner).toEqual({ email: team.email, name: expect.any(String) });
    updateRoadmapItem(orgId, item.id, { ownerEmail: "none" }, LEADER);
    expect(getRoadmapItem(orgId, item.id)!.owner).toBeNull();
  });

  it("refuses as owner a member who may not work items (auditor, ethics), in bulk too, but keeps an owner whose role changed", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const [item, other] = roadmap.items;
    for (const role of ["auditor", "ethics"] as const) {
      const member = addMember(orgId, role, role);
      const single = catchDomain(() => updateRoadmapItem(orgId, item!.id, { ownerEmail: member.email }, LEADER));
      expect(single).toMatchObject({ code: "invalid", field: "ownerEmail" });
      expect(single.message).toContain("cannot own roadmap items");
      const bulk = catchDomain(() => bulkAssignItems(orgId, { itemIds: [item!.id, other!.id], ownerEmail: member.email }, LEADER));
      expect(bulk).toMatchObject({ code: "invalid", field: "ownerEmail" });
    }
    expect(getRoadmapItem(orgId, item!.id)!.owner).toBeNull();
    // An owner who became an auditor after being assigned stays the owner when other fields are saved.
    const moved = addMember(orgId, "moved");
    updateRoadmapItem(orgId, item!.id, { ownerEmail: moved.email }, LEADER);
    getDb().update(memberships).set({ role: "auditor" }).where(eq(memberships.userId, moved.id)).run();
    updateRoadmapItem(orgId, item!.id, { ownerEmail: moved.email, evidence: "Still theirs" }, LEADER);
    expect(getRoadmapItem(orgId, item!.id)).toMatchObject({ owner: { email: moved.email }, evidence: "Still theirs" });
  });

  it("moves the due date for a planner, audited; a past date makes the open item overdue; others are refused", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const item = roadmap.items[0]!;
    const team = addMember(orgId, "worker");
    const refused = catchDomain(() => updateRoadmapItem(orgId, item.id, { dueDate: "2030-01-31" }, team.actor, { mayPlan: false }));
    expect(refused).toMatchObject({ code: "forbidden", field: "dueDate" });
    expect(getRoadmapItem(orgId, item.id)!.dueDate).toBe(item.dueDate);
    // The same date is no change: allowed to anyone (a form sends what it shows).
    updateRoadmapItem(orgId, item.id, { dueDate: item.dueDate, team: "Ops" }, team.actor, { mayPlan: false });

    updateRoadmapItem(orgId, item.id, { dueDate: "2030-01-31" }, LEADER, { mayPlan: true, autosave: true });
    expect(getRoadmapItem(orgId, item.id)).toMatchObject({ dueDate: "2030-01-31", overdue: false });
    const events = auditOf(orgId, "roadmap_item.updated");
    expect(events.at(-1)!.payload).toMatchObject({ before: { dueDate: item.dueDate }, after: { dueDate: "2030-01-31" } });
    const past = daysFromToday(-3);
    updateRoadmapItem(orgId, item.id, { dueDate: past }, LEADER, { mayPlan: true, autosave: true });
    expect(getRoadmapItem(orgId, item.id)).toMatchObject({ dueDate: past, overdue: true });
    // A due date moved while typing elsewhere is a decision: recorded even within an autosave run.
    expect(auditOf(orgId, "roadmap_item.updated")).toHaveLength(events.length + 1);
  });

  it("refuses an owner who is not a member (invalid, field ownerEmail) and changes nothing", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const otherOrg = newOrg();
    const outsider = addMember(otherOrg, "outsider");
    const item = roadmap.items[0]!;
    const before = auditOf(orgId).length;
    for (const email of [outsider.email, "nobody@roadmap.test"]) {
      const error = catchDomain(() => updateRoadmapItem(orgId, item.id, { ownerEmail: email, status: "in_progress" }, LEADER));
      expect(error.code).toBe("invalid");
      expect(error.field).toBe("ownerEmail");
    }
    const after = getRoadmapItem(orgId, item.id)!;
    expect(after.owner).toBeNull();
    expect(after.status).toBe("todo");
    expect(auditOf(orgId).length).toBe(before);
  });

  it("done sets completedAt (kept when saved again); back to in_progress clears it", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const item = roadmap.items[1]!;
    const doneAt = new Date("2025-05-02T10:00:00Z");
    const done = updateRoadmapItem(orgId, item.id, { status: "done", evidence: "https://wiki/done" }, LEADER, { now: doneAt });
    expect(done.completedAt).toEqual(doneAt);
    expect(getRoadmapItem(orgId, item.id)!.completedAt).toBe(doneAt.toISOString());
    expect(getRoadmapItem(orgId, item.id)!.evidence).toBe("https://wiki/done");

    updateRoadmapItem(orgId, item.id, { status: "done", team: "Ops" }, LEADER, { now: new Date("2025-06-01T00:00:00Z") });
    expect(getRoadmapItem(orgId, item.id)!.completedAt).toBe(doneAt.toISOString());

    const reopened = updateRoadmapItem(orgId, item.id, { status: "in_progress" }, LEADER);
    expect(reopened.completedAt).toBeNull();
    expect(getRoadmapItem(orgId, item.id)!.completedAt).toBeNull();
    expect(getRoadmapItem(orgId, item.id)!.status).toBe("in_progress");
    // Evidence and team are kept when not given.
    expect(getRoadmapItem(orgId, item.id)!.evidence).toBe("https://wiki/done");
    expect(getRoadmapItem(orgId, item.id)!.team).toBe("Ops");
  });

  it("records roadmap_item.updated with before and after", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "worker");
    const item = roadmap.items[2]!;
    updateRoadmapItem(orgId, item.id, { status: "blocked", ownerEmail: team.email, evidence: "Vendor" }, team.actor);
    const [event] = auditOf(orgId, "roadmap_item.updated");
    expect(event!.entityId).toBe(String(item.id));
    expect(event!.actorLabel).toBe(team.email);
    expect(event!.payload.before).toMatchObject({ status: "todo", ownerUserId: null, evidence: null });
    expect(event!.payload.after).toMatchObject({ key: item.key, status: "blocked", ownerUserId: team.id, evidence: "Vendor" });
  });

  it("an unknown item is not_found", () => {
    const { orgId } = orgWithRoadmap();
    expect(catchDomain(() => updateRoadmapItem(orgId, 9_999_999, { status: "done" }, LEADER)).code).toBe("not_found");
  });
});

describe("bulkAssignItems", () => {
  it("assigns an owner and a team to every selected item, one audit event each", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "bulk");
    const ids = roadmap.items.slice(0, 3).map((i) => i.id);
    expect(bulkAssignItems(orgId, { itemIds: ids, ownerEmail: team.email, team: "ML Platform" }, LEADER)).toBe(3);
    const after = getRoadmap(orgId, roadmap.id)!.items;
    for (const id of ids) {
      const item = after.find((i) => i.id === id)!;
      expect(item.owner?.email).toBe(team.email);
      expect(item.team).toBe("ML Platform");
    }
    expect(after.filter((i) => i.owner !== null)).toHaveLength(3);
    const events = auditOf(orgId, "roadmap_item.assigned");
    expect(events.map((e) => e.entityId).sort()).toEqual(ids.map(String).sort());
    expect(events[0]!.payload.after).toEqual({ ownerUserId: team.id, team: "ML Platform" });
  });

  it("a team alone keeps the owners", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "keep");
    const [a, b] = roadmap.items;
    updateRoadmapItem(orgId, a!.id, { ownerEmail: team.email }, LEADER);
    bulkAssignItems(orgId, { itemIds: [a!.id, b!.id], team: "Data" }, LEADER);
    expect(getRoadmapItem(orgId, a!.id)!.owner?.email).toBe(team.email);
    expect(getRoadmapItem(orgId, b!.id)!.owner).toBeNull();
    expect(getRoadmapItem(orgId, b!.id)!.team).toBe("Data");
  });

  it("tells the new owner once per assignment, in the portal and by email; not someone taking items on themself", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const owner = addMember(orgId, "told");
    const [a, b, c] = roadmap.items;
    const toldOf = () =>
      getDb()
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, owner.id), eq(notifications.eventType, "roadmap.item_assigned")))
        .all();
    bulkAssignItems(orgId, { itemIds: [a!.id, b!.id], ownerEmail: owner.email }, LEADER);
    expect(toldOf().map((n) => n.title)).toEqual(["2 roadmap items assigned to you"]);
    expect(toldOf()[0]!.body).toContain(`“${a!.title}”`);
    // Assigning the same items again tells nothing new; taking one on oneself tells nobody.
    bulkAssignItems(orgId, { itemIds: [a!.id, b!.id], ownerEmail: owner.email }, LEADER);
    updateRoadmapItem(orgId, c!.id, { ownerEmail: owner.email }, owner.actor);
    expect(toldOf()).toHaveLength(1);
    const emails = getDb().select().from(outboxMessages).where(eq(outboxMessages.toEmail, owner.email)).all();
    expect(emails.map((m) => m.eventType)).toEqual(["roadmap.item_assigned"]);
  });

  it("is all or nothing: an unknown id is not_found and nothing changes", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "atomic");
    const ids = roadmap.items.slice(0, 2).map((i) => i.id);
    const error = catchDomain(() => bulkAssignItems(orgId, { itemIds: [...ids, 9_999_999], ownerEmail: team.email }, LEADER));
    expect(error.code).toBe("not_found");
    for (const id of ids) expect(getRoadmapItem(orgId, id)!.owner).toBeNull();
    expect(auditOf(orgId, "roadmap_item.assigned")).toEqual([]);
  });

  it("an item of another organisation in the selection is not_found and nothing changes", () => {
    const mine = orgWithRoadmap();
    const theirs = orgWithRoadmap();
    const team = addMember(mine.orgId, "mixed");
    const ids = [mine.roadmap.items[0]!.id, theirs.roadmap.items[0]!.id];
    expect(catchDomain(() => bulkAssignItems(mine.orgId, { itemIds: ids, ownerEmail: team.email }, LEADER)).code).toBe("not_found");
    expect(getRoadmapItem(mine.orgId, ids[0]!)!.owner).toBeNull();
    expect(getRoadmapItem(theirs.orgId, ids[1]!)!.owner).toBeNull();
  });

  it("refuses a non-member owner and an empty assignment, changing nothing", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const ids = roadmap.items.slice(0, 2).map((i) => i.id);
    const outsider = catchDomain(() => bulkAssignItems(orgId, { itemIds: ids, ownerEmail: "stranger@roadmap.test", team: "X" }, LEADER));
    expect(outsider.code).toBe("invalid");
    expect(outsider.field).toBe("ownerEmail");
    expect(catchDomain(() => bulkAssignItems(orgId, { itemIds: ids }, LEADER)).code).toBe("invalid");
    for (const id of ids) expect(getRoadmapItem(orgId, id)!.team).toBeNull();
  });

  // Regression: bulkAssignItems compares items.length with itemIds.length, so the same id
  // twice (an item tagged with two components is listed, with a checkbox, in both
  // groups of the "By component" view) is reported as not found.
  it("tolerates the same item selected twice", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "dupe");
    const id = roadmap.items[0]!.id;
    bulkAssignItems(orgId, { itemIds: [id, id], ownerEmail: team.email }, LEADER);
    expect(getRoadmapItem(orgId, id)!.owner?.email).toBe(team.email);
  });

  // Regression: updateRoadmapItem refuses closed items and superseded roadmaps; bulkAssignItems
  // does not, so a forged "assign" POST rewrites the owners of history.
  it("refuses closed items and items of a superseded roadmap, like updateRoadmapItem", () => {
    const orgId = newOrg();
    const team = addMember(orgId, "history");
    const q1 = finalised(orgId, "2025-Q1");
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    const q2 = finalised(orgId, "2025-Q2", allLevels(2));
    generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
    const old = itemsOf(r1);
    expect(old.every((i) => i.status === "closed")).toBe(true);
    const error = catchDomain(() => bulkAssignItems(orgId, { itemIds: old.slice(0, 2).map((i) => i.id), ownerEmail: team.email }, LEADER));
    expect(error.code).toBe("conflict");
    for (const i of old.slice(0, 2)) expect(getRoadmapItem(orgId, i.id)!.owner).toBeNull();
  });
});

describe("commentOnItem", () => {
  it("adds comments in order, audited; another organisation's item is not_found", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const other = newOrg();
    const item = roadmap.items[0]!;
    commentOnItem(orgId, item.id, "First thoughts", LEADER);
    commentOnItem(orgId, item.id, "Second thoughts", LEADER);
    expect(getRoadmapItem(orgId, item.id)!.comments.map((c) => [c.body, c.author])).toEqual([
      ["First thoughts", LEADER.label],
      ["Second thoughts", LEADER.label],
    ]);
    expect(auditOf(orgId, "roadmap_item.commented")).toHaveLength(2);
    expect(catchDomain(() => commentOnItem(other, item.id, "Sneaky", LEADER)).code).toBe("not_found");
    expect(getRoadmapItem(orgId, item.id)!.comments).toHaveLength(2);
  });
});

// ---------------------------------------------------------------- success criteria

describe("success criteria", () => {
  it("tickCriterion records a manual criterion with evidence; the roadmap shows it met", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const manual = roadmap.successCriteria.find((c) => !c.automatic)!;
    expect(manual.met).toBeNull();
    tickCriterion(orgId, { criterionId: manual.id, met: true, evidence: "All repos in GitHub" }, LEADER);
    const after = getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.id === manual.id)!;
    expect(after.met).toBe(true);
    expect(after.automatic).toBe(false);
    expect(after.explanation).toContain("All repos in GitHub");
    expect(after.explanation).toContain(LEADER.label);
    tickCriterion(orgId, { criterionId: manual.id, met: false, evidence: "Two repos still on a share" }, LEADER);
    expect(getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.id === manual.id)!.met).toBe(false);
    const events = auditOf(orgId, "roadmap_criterion.ticked");
    expect(events).toHaveLength(2);
    expect(events[1]!.payload.before).toEqual({ met: true, evidence: "All repos in GitHub" });
  });

  it("tickCriterion refuses a criterion with a machine check (conflict) and another organisation's criterion (not_found)", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const other = newOrg();
    const automatic = roadmap.successCriteria.find((c) => c.automatic)!;
    expect(catchDomain(() => tickCriterion(orgId, { criterionId: automatic.id, met: true, evidence: "Trust me" }, LEADER)).code).toBe(
      "conflict",
    );
    const manual = roadmap.successCriteria.find((c) => !c.automatic)!;
    expect(catchDomain(() => tickCriterion(other, { criterionId: manual.id, met: true, evidence: "Trust me" }, LEADER)).code).toBe(
      "not_found",
    );
    const row = getDb().select().from(roadmapCriteria).where(eq(roadmapCriteria.id, automatic.id)).get()!;
    expect(row.manualMet).toBeNull();
    expect(getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.id === manual.id)!.met).toBeNull();
    expect(auditOf(orgId, "roadmap_criterion.ticked")).toEqual([]);
  });

  // Regression: updateRoadmapItem refuses superseded roadmaps and the page hides the tick form
  // there (canTick needs an active roadmap), but tickCriterion itself does not check, so a
  // forged "tick" POST still changes the history.
  it("tickCriterion refuses the criteria of a superseded roadmap", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const q2 = finalised(orgId, "2025-Q2", allLevels(2));
    generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
    const manual = roadmap.successCriteria.find((c) => !c.automatic)!;
    expect(catchDomain(() => tickCriterion(orgId, { criterionId: manual.id, met: true, evidence: "Late evidence" }, LEADER)).code).toBe(
      "conflict",
    );
    expect(getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.id === manual.id)!.met).toBeNull();
  });

  it("registry criteria evaluate live: production models added later make productionModels criteria met", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const criterion = roadmap.successCriteria.find((c) => c.key === "1-2.sc.4")!; // productionModels >= 1
    expect(criterion.automatic).toBe(true);
    expect(criterion.met).toBe(false);
    expect(criterion.value).toBe(0);

    createModel(orgId, { name: "Churn", slug: "churn", riskTier: "minimal" }, LEADER, "ui");
    createVersion(
      orgId,
      "churn",
      { version: "1.0.0", codeRef: "git:1", trainingData: { ref: "s3://t" }, hyperparameters: { a: 1 }, metrics: { auc: 0.8 } },
      LEADER,
      "api",
    );
    for (const to of ["validation", "staging", "production"] as const) {
      transitionVersion(orgId, "churn", "1.0.0", { to }, LEADER, { mayPromote: true }, { importedHistory: true });
    }
    const live = getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.key === "1-2.sc.4")!;
    expect(live.met).toBe(true);
    expect(live.value).toBe(1);
    expect(roadmapJson(getRoadmap(orgId, roadmapId)!).successCriteria.find((c) => c.id === criterion.id)).toEqual({
      id: criterion.id,
      text: criterion.text,
      automatic: true,
      met: true,
      value: 1,
    });
  });

  it("the assessment criterion waits for the next finalised assessment, then compares its score", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const criterion = roadmap.successCriteria.find((c) => c.key === "1-2.sc.6")!; // dimension score > 2
    expect(criterion.met).toBeNull();
    expect(criterion.value).toBeNull();
    const next = finalised(orgId, "2025-Q2", {
      "technical-capability": 3,
      lifecycle: 3,
      "production-operations": 3,
      standards: 3,
      mlops: 1,
    });
    const live = getRoadmap(orgId, roadmapId)!.successCriteria.find((c) => c.key === "1-2.sc.6")!;
    expect(live.value).toBeCloseTo(next.score.dimensionScore, 9);
    expect(live.met).toBe(true);
  });
});

// ---------------------------------------------------------------- due views

describe("due dates", () => {
  /** A roadmap with five items of one member due yesterday, today, in 3, 7 and 8 days, and others. */
  function dueSetup() {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap({ startDate: isoDay(new Date(Date.now() - 130 * DAY)) });
    // Everything due well ahead, except the items below.
    getDb()
      .update(roadmapItems)
      .set({ dueDate: daysFromToday(60) })
      .where(eq(roadmapItems.roadmapId, roadmapId))
      .run();
    const me = addMember(orgId, "me");
    const colleague = addMember(orgId, "colleague");
    const offsets = [-1, 0, 3, 7, 8];
    const mine = roadmap.items.slice(0, offsets.length);
    mine.forEach((item, i) => {
      getDb()
        .update(roadmapItems)
        .set({ dueDate: daysFromToday(offsets[i]!) })
        .where(eq(roadmapItems.id, item.id))
        .run();
      updateRoadmapItem(orgId, item.id, { ownerEmail: me.email, status: "in_progress" }, LEADER);
    });
    // Past due but done, and past due but someone else's: neither counts for me.
    const doneItem = roadmap.items[5]!;
    const theirs = roadmap.items[6]!;
    for (const item of [doneItem, theirs])
      getDb()
        .update(roadmapItems)
        .set({ dueDate: daysFromToday(-10) })
        .where(eq(roadmapItems.id, item.id))
        .run();
    updateRoadmapItem(orgId, doneItem.id, { ownerEmail: me.email, status: "done", evidence: "Delivered" }, LEADER);
    updateRoadmapItem(orgId, theirs.id, { ownerEmail: colleague.email }, LEADER);
    return { orgId, roadmapId, me, colleague, mine, offsets, doneItem, theirs };
  }

  it("items past their due date on the active roadmap are overdue", () => {
    const { orgId, roadmapId, mine, doneItem, theirs } = dueSetup();
    const items = getRoadmap(orgId, roadmapId)!.items;
    expect(items.find((i) => i.id === mine[0]!.id)!.overdue).toBe(true); // yesterday
    expect(items.find((i) => i.id === mine[1]!.id)!.overdue).toBe(false); // today
    expect(items.find((i) => i.id === doneItem.id)!.overdue).toBe(false); // done
    expect(items.find((i) => i.id === theirs.id)!.overdue).toBe(true);
    const summary = roadmapSummaryForAssessment(orgId, getRoadmap(orgId, roadmapId)!.assessmentId)!;
    expect(summary.overdue).toBe(items.filter((i) => i.overdue).length);
    expect(summary.done).toBe(1);
  });

  it("dueCounts counts the member's open items: overdue, and due from today to a week ahead", () => {
    const { orgId, me, colleague } = dueSetup();
    expect(dueCounts(orgId, me.id)).toEqual({ overdue: 1, dueThisWeek: 3 }); // -1 | 0, 3, 7
    expect(dueCounts(orgId, colleague.id)).toEqual({ overdue: 1, dueThisWeek: 0 });
    expect(dueCounts(orgId, addMember(orgId, "idle").id)).toEqual({ overdue: 0, dueThisWeek: 0 });
  });

  it("myRoadmapItems lists the member's items on the active roadmap by due date, with overdue flags", () => {
    const { orgId, me, mine, doneItem, theirs } = dueSetup();
    const items = myRoadmapItems(orgId, me.id);
    expect(items.map((i) => i.id).sort()).toEqual([...mine.map((i) => i.id), doneItem.id].sort());
    expect(items.map((i) => i.id)).not.toContain(theirs.id);
    const dates = items.map((i) => i.dueDate);
    expect(dates).toEqual([...dates].sort());
    expect(items.filter((i) => i.overdue).map((i) => i.id)).toEqual([mine[0]!.id]);
  });

  it("assignableMembers: the organisation's active members by name, and no one else's", () => {
    const orgId = newOrg();
    const zoe = addMember(orgId, "zoe");
    const ada = addMember(orgId, "ada");
    const gone = addMember(orgId, "gone");
    getDb().update(users).set({ active: false }).where(eq(users.id, gone.id)).run();
    addMember(newOrg(), "elsewhere");
    const members = assignableMembers(orgId);
    expect(members.map((m) => m.email)).toEqual(expect.arrayContaining([zoe.email, ada.email]));
    expect(members.map((m) => m.email)).not.toContain(gone.email);
    expect(members.every((m) => !m.email.startsWith("elsewhere"))).toBe(true);
    const names = members.map((m) => m.name);
    expect(names).toEqual([...names].sort());
  });

  it("assignableMembers: only those who may work items, never the ethics committee or the read-only auditor", () => {
    const orgId = newOrg();
    const workers = (["admin", "leadership", "team"] as const).map((role) => addMember(orgId, role, role));
    const ethics = addMember(orgId, "ethics", "ethics");
    const auditor = addMember(orgId, "auditor", "auditor");
    const emails = assignableMembers(orgId).map((m) => m.email);
    expect(emails).toEqual(expect.arrayContaining(workers.map((w) => w.email)));
    expect(emails).not.toContain(ethics.email);
    expect(emails).not.toContain(auditor.email);
  });

  it("myOpenRoadmapItems: the member's open items counted, and the first few by due date, marked", () => {
    const { orgId, me, colleague, mine, offsets } = dueSetup();
    const today = daysFromToday(0);
    const horizon = daysFromToday(7);
    const first = myOpenRoadmapItems(orgId, me.id, { today, horizon, limit: 3 });
    // Open: the five in progress (the done one is not); overdue: -1; due soon: 0, 3, 7.
    expect(first).toMatchObject({ open: mine.length, overdue: 1, dueSoon: 3 });
    expect(first.items.map((i) => i.id)).toEqual(mine.slice(0, 3).map((i) => i.id));
    expect(first.items.map((i) => [i.dueDate, i.overdue, i.dueSoon])).toEqual(
      offsets.slice(0, 3).map((days) => [daysFromToday(days), days < 0, days >= 0 && days <= 7]),
    );
    // The same items as the full list, open ones only.
    const all = myOpenRoadmapItems(orgId, me.id, { today, horizon, limit: 100 });
    expect(all.items.map((i) => i.id)).toEqual(
      myRoadmapItems(orgId, me.id)
        .filter((i) => i.status !== "done")
        .map((i) => i.id),
    );
    expect(myOpenRoadmapItems(orgId, colleague.id, { today, horizon, limit: 8 })).toMatchObject({ open: 1, overdue: 1, dueSoon: 0 });
    expect(myOpenRoadmapItems(orgId, addMember(orgId, "idle").id, { today, horizon, limit: 8 })).toEqual({
      items: [],
      open: 0,
      overdue: 0,
      dueSoon: 0,
    });
  });

  it("dueLists: overdue open items of everyone, and the ones due in the coming days", () => {
    const { orgId, mine, theirs, doneItem } = dueSetup();
    const lists = dueLists(orgId);
    expect(lists.overdue.map((i) => i.id).sort()).toEqual([mine[0]!.id, theirs.id].sort());
    expect(lists.overdue.map((i) => i.id)).not.toContain(doneItem.id);
    const week = lists.dueThisWeek.map((i) => i.id);
    expect(week).toContain(mine[1]!.id);
    expect(week).toContain(mine[2]!.id);
    expect(week).not.toContain(mine[4]!.id); // 8 days ahead
  });

  // Regression: dueLists uses lt(dueDate, weekAhead) while dueCounts (the nav badge) and the
  // roadmap page's "Due this week" view include the item due exactly seven days ahead.
  it("dueLists agrees with dueCounts on the item due exactly a week ahead", () => {
    const { orgId, me, mine } = dueSetup();
    const mineInList = dueLists(orgId).dueThisWeek.filter((i) => i.owner?.email === me.email);
    expect(mineInList.map((i) => i.id)).toContain(mine[3]!.id);
    expect(mineInList).toHaveLength(dueCounts(orgId, me.id).dueThisWeek);
  });

  it("items of a superseded roadmap leave the due views", () => {
    const { orgId, me } = dueSetup();
    const q2 = finalised(orgId, "2025-Q2", allLevels(2));
    generateRoadmapFromAssessment(orgId, q2.id, { startDate: daysFromToday(60) }, LEADER);
    // 2 → 3 shares no keys with 1 → 2: every unfinished item was closed.
    expect(dueCounts(orgId, me.id)).toEqual({ overdue: 0, dueThisWeek: 0 });
    expect(myRoadmapItems(orgId, me.id)).toEqual([]);
    expect(dueLists(orgId)).toEqual({ overdue: [], dueThisWeek: [] });
  });
});

// ---------------------------------------------------------------- burn-up

describe("burnUp", () => {
  it("is weekly from the start, cumulative and non-decreasing, ending at the number done", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap({ startDate: "2025-01-06" });
    const doneAt = ["2025-01-10T09:00:00Z", "2025-01-20T10:00:00Z", "2025-02-15T12:00:00Z", "2025-02-16T12:00:00Z", "2025-03-10T08:00:00Z"];
    doneAt.forEach((at, i) =>
      updateRoadmapItem(orgId, roadmap.items[i]!.id, { status: "done", evidence: "Delivered" }, LEADER, { now: new Date(at) }),
    );
    // Done then reopened: not counted.
    updateRoadmapItem(orgId, roadmap.items[10]!.id, { status: "done", evidence: "Delivered" }, LEADER, {
      now: new Date("2025-01-08T00:00:00Z"),
    });
    updateRoadmapItem(orgId, roadmap.items[10]!.id, { status: "in_progress" }, LEADER);

    const points = burnUp(getRoadmap(orgId, roadmapId)!, new Date("2025-03-17T12:00:00Z"));
    expect(points[0]!.week).toBe("2025-01-06");
    expect(points.at(-1)!.week).toBe("2025-03-17");
    expect(points).toHaveLength(11);
    for (let i = 1; i < points.length; i++) {
      expect(Date.parse(points[i]!.week) - Date.parse(points[i - 1]!.week)).toBe(7 * DAY);
      expect(points[i]!.done).toBeGreaterThanOrEqual(points[i - 1]!.done);
    }
    // Cut-offs are the end of each week: the 2025-01-20 10:00 completion lands in the week of 01-20.
    expect(points.map((p) => p.done)).toEqual([1, 1, 2, 2, 2, 4, 4, 4, 4, 5, 5]);
    for (const p of points) expect(p.total).toBe(24);
  });

  it("starts at the first completion when work was done before the start date", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap({ startDate: "2025-02-03" });
    updateRoadmapItem(orgId, roadmap.items[0]!.id, { status: "done", evidence: "Delivered" }, LEADER, {
      now: new Date("2025-01-20T00:00:00Z"),
    });
    const points = burnUp(getRoadmap(orgId, roadmapId)!, new Date("2025-02-10T00:00:00Z"));
    expect(points[0]).toEqual({ week: "2025-01-20", done: 1, total: 24 });
    expect(points.every((p) => p.done === 1)).toBe(true);
  });

  it("the total keeps the items closed by supersession: the superseded roadmap's true progress", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, { startDate: "2025-04-07" }, LEADER);
    updateRoadmapItem(orgId, itemsOf(r1)[0]!.id, { status: "done", evidence: "Delivered" }, LEADER, {
      now: new Date("2025-04-10T00:00:00Z"),
    });
    const q2 = finalised(orgId, "2025-Q2", allLevels(2));
    generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
    const points = burnUp(getRoadmap(orgId, r1)!, new Date("2025-04-21T00:00:00Z"));
    expect(points.map((p) => p.total)).toEqual([24, 24, 24]);
    expect(points.map((p) => p.done)).toEqual([1, 1, 1]);
  });
});

// ---------------------------------------------------------------- isolation and audit

describe("isolation between organisations", () => {
  it("another organisation's ids are null or not_found everywhere", () => {
    const mine = orgWithRoadmap();
    const other = orgWithRoadmap();
    const item = mine.roadmap.items[0]!;
    const criterion = mine.roadmap.successCriteria.find((c) => !c.automatic)!;

    expect(getRoadmap(other.orgId, mine.roadmapId)).toBeNull();
    expect(getRoadmapItem(other.orgId, item.id)).toBeNull();
    expect(roadmapSummaryForAssessment(other.orgId, mine.assessmentId)).toBeNull();
    expect(listRoadmaps(other.orgId).map((r) => r.id)).toEqual([other.roadmapId]);
    expect(catchDomain(() => generateRoadmapFromAssessment(other.orgId, mine.assessmentId, {}, LEADER)).code).toBe("not_found");
    expect(catchDomain(() => updateRoadmapItem(other.orgId, item.id, { status: "done" }, LEADER)).code).toBe("not_found");
    expect(catchDomain(() => bulkAssignItems(other.orgId, { itemIds: [item.id], team: "X" }, LEADER)).code).toBe("not_found");
    expect(catchDomain(() => tickCriterion(other.orgId, { criterionId: criterion.id, met: true, evidence: "Nope" }, LEADER)).code).toBe(
      "not_found",
    );
    expect(catchDomain(() => commentOnItem(other.orgId, item.id, "Nope", LEADER)).code).toBe("not_found");

    const untouched = getRoadmapItem(mine.orgId, item.id)!;
    expect(untouched.status).toBe("todo");
    expect(untouched.team).toBeNull();
    expect(untouched.comments).toEqual([]);
    expect(roadmapRow(mine.roadmapId).status).toBe("active");
    expect(auditOf(other.orgId).every((e) => e.entityId !== String(item.id) || e.entityType !== "roadmap_item")).toBe(true);
  });

  it("a member of another organisation cannot be made owner", () => {
    const mine = orgWithRoadmap();
    const stranger = addMember(newOrg(), "stranger");
    const error = catchDomain(() =>
      bulkAssignItems(mine.orgId, { itemIds: [mine.roadmap.items[0]!.id], ownerEmail: stranger.email }, LEADER),
    );
    expect(error.code).toBe("invalid");
    expect(dueCounts(mine.orgId, stranger.id)).toEqual({ overdue: 0, dueThisWeek: 0 });
  });
});

describe("getRoadmapView (the paged roadmap page)", () => {
  const flatten = (view: NonNullable<ReturnType<typeof getRoadmapView>>) =>
    view.groups.flatMap((g) => g.items.map((i) => `${g.key}:${i.key}`));

  it("pages through every group's items exactly once, keeping group order, headings and totals", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const done = roadmap.items[0]!;
    updateRoadmapItem(orgId, done.id, { status: "done", evidence: "Delivered" }, LEADER);
    const full = getRoadmapView(orgId, roadmapId, { view: "workstream", page: 1, me: "nobody", pageSize: 1000 })!;
    expect(full.total).toBe(24);
    expect(full.groups.map((g) => g.key)).toEqual(roadmap.workstreams.map((w) => w.key));
    const paged = [1, 2, 3, 4].map((page) => getRoadmapView(orgId, roadmapId, { view: "workstream", page, me: "nobody", pageSize: 7 })!);
    expect(paged.map((p) => p.groups.reduce((n, g) => n + g.items.length, 0))).toEqual([7, 7, 7, 3]);
    expect(paged.flatMap(flatten)).toEqual(flatten(full));
    // A group split across pages shows its totals over all its items on each page.
    const firstGroup = full.groups[0]!;
    for (const p of paged)
      for (const g of p.groups.filter((g) => g.key === firstGroup.key)) expect(g.progress).toEqual(firstGroup.progress);
    expect(full.progress.all).toEqual({ done: 1, total: 24, percent: 4, closed: 0, open: 23 });
    expect(full.progress.byWorkstream.reduce((n, w) => n + w.total, 0)).toBe(24);
  });

  it("clamps the page into range and lists the component view with shared items in each of their components", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const last = getRoadmapView(orgId, roadmapId, { view: "workstream", page: 99, me: "nobody", pageSize: 10 })!;
    expect(last.page).toBe(3);
    const byComponent = getRoadmapView(orgId, roadmapId, { view: "component", page: 1, me: "nobody", pageSize: 1000 })!;
    expect(byComponent.total).toBe(roadmap.items.reduce((n, i) => n + i.components.length, 0));
    for (const g of byComponent.groups) for (const item of g.items) expect(item.components).toContain(g.key);
  });

  it("shows empty groups on the first page only, and the member's own items in 'mine'", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const me = addMember(orgId, "pager");
    updateRoadmapItem(orgId, roadmap.items[3]!.id, { ownerEmail: me.email }, LEADER);
    const mine = getRoadmapView(orgId, roadmapId, { view: "mine", page: 1, me: me.email })!;
    expect(mine.groups).toHaveLength(1);
    expect(mine.groups[0]!.items.map((i) => i.id)).toEqual([roadmap.items[3]!.id]);
    const due = getRoadmapView(orgId, roadmapId, { view: "due", page: 1, me: me.email })!;
    expect(due.groups.map((g) => g.key)).toEqual(["overdue", "week"]);
    expect(getRoadmapView(orgId, roadmapId, { view: "mine", page: 2, me: "nobody" })!.groups.map((g) => g.items.length)).toEqual([0]);
  });

  it("sees a change at once", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    expect(getRoadmapView(orgId, roadmapId, { view: "workstream", page: 1, me: "x" })!.progress.all.done).toBe(0);
    updateRoadmapItem(orgId, roadmap.items[1]!.id, { status: "done", evidence: "Delivered" }, LEADER);
    const after = getRoadmapView(orgId, roadmapId, { view: "workstream", page: 1, me: "x" })!;
    expect(after.progress.all.done).toBe(1);
    expect(after.burnUp.at(-1)!.done).toBe(1);
  });

  it("is null for another organisation's roadmap", () => {
    const mine = orgWithRoadmap();
    const other = orgWithRoadmap();
    expect(getRoadmapView(other.orgId, mine.roadmapId, { view: "workstream", page: 1, me: "x" })).toBeNull();
  });
});

describe("roadmapJson", () => {
  it("gives {id, transition, startDate, items, successCriteria} in the documented shape", () => {
    const { orgId, roadmapId, roadmap } = orgWithRoadmap();
    const json = roadmapJson(getRoadmap(orgId, roadmapId)!);
    expect(json).toMatchObject({ id: roadmapId, transition: { from: 1, to: 2 }, startDate: roadmap.startDate, status: "active" });
    expect(json.items).toHaveLength(24);
    expect(Object.keys(json.items[0]!)).toEqual(
      expect.arrayContaining(["id", "title", "components", "workstream", "dueDate", "status", "priority"]),
    );
    expect(json.successCriteria).toHaveLength(roadmap.successCriteria.length);
    for (const c of json.successCriteria) expect(Object.keys(c).sort()).toEqual(["automatic", "id", "met", "text", "value"]);
  });
});

describe("audit trail", () => {
  it("every roadmap change is chained: verifyAuditChain is ok", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "chain");
    updateRoadmapItem(orgId, roadmap.items[0]!.id, { status: "done", evidence: "Delivered", ownerEmail: team.email }, team.actor);
    bulkAssignItems(orgId, { itemIds: roadmap.items.slice(1, 4).map((i) => i.id), ownerEmail: team.email }, LEADER);
    commentOnItem(orgId, roadmap.items[1]!.id, "On it", team.actor);
    tickCriterion(orgId, { criterionId: roadmap.successCriteria.find((c) => !c.automatic)!.id, met: true, evidence: "Done" }, LEADER);
    const q2 = finalised(orgId, "2025-Q2", allLevels(2));
    generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
    const actions = new Set(auditOf(orgId).map((e) => e.action));
    for (const a of [
      "roadmap.generated",
      "roadmap_item.updated",
      "roadmap_item.assigned",
      "roadmap_item.commented",
      "roadmap_criterion.ticked",
    ])
      expect(actions).toContain(a);
    expect(verifyAuditChain(orgId)).toEqual({ ok: true, events: auditOf(orgId).length });
  });
});

// ---------------------------------------------------------------- issue 12: deliberate generation, true progress, evidence

/** Withdraws a finalised assessment the way the lifecycle does (status and who, when, why). */
function withdraw(assessmentId: number, reason = "Scored before the registry was complete") {
  getDb()
    .update(assessments)
    .set({
      status: "withdrawn",
      withdrawnAt: new Date("2026-11-02T10:00:00Z"),
      withdrawnByLabel: "lead@roadmap.test",
      withdrawnReason: reason,
    })
    .where(eq(assessments.id, assessmentId))
    .run();
}

describe("generation: preview, confirmation and serialisation", () => {
  it("the preview is what generation then does: the same items carried and closed, nothing written by previewing", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    updateRoadmapItem(orgId, itemByKey(r1, "1-2.mlops-pipeline.1").id, { status: "in_progress" }, LEADER);
    updateRoadmapItem(orgId, itemByKey(r1, "1-2.code-quality.1").id, { status: "done", evidence: "All in Git" }, LEADER);
    const q2 = finalised(orgId, "2025-Q2", { "technical-capability": 3, lifecycle: 3, "production-operations": 3, standards: 3, mlops: 1 });

    const preview = previewRoadmapGeneration(orgId, q2.id, {});
    expect(preview.replaces).toMatchObject({ id: r1, transition: { from: 1, to: 2 }, lowerLevel: false, keptDone: 1 });
    expect(listRoadmaps(orgId)).toHaveLength(1);

    const r2 = generateRoadmapFromAssessment(orgId, q2.id, { replacesRoadmapId: r1 }, LEADER);
    const closedNow = itemsOf(r1)
      .filter((i) => i.status === "closed")
      .map((i) => i.itemKey)
      .sort();
    expect(closedNow).toEqual(preview.replaces!.closed.map((c) => c.key).sort());
    const carriedNow = itemsOf(r2)
      .filter((i) => i.carriedFromItemId !== null)
      .map((i) => i.itemKey)
      .sort();
    expect(carriedNow).toEqual(preview.replaces!.carried.map((c) => c.key).sort());
    expect(itemsOf(r2)).toHaveLength(preview.added + preview.replaces!.carried.length);
  });

  it("refuses (409) a confirmation whose previewed active roadmap is no longer the active one: two confirmations never chain", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    // Two people previewed with no roadmap active and both confirm.
    const first = generateRoadmapFromAssessment(orgId, q1.id, { replacesRoadmapId: "none" }, LEADER);
    const second = catchDomain(() => generateRoadmapFromAssessment(orgId, q1.id, { replacesRoadmapId: "none" }, LEADER));
    expect(second.code).toBe("conflict");
    expect(second.message).toMatch(/changed since this preview/);
    expect(listRoadmaps(orgId).map((r) => [r.id, r.status])).toEqual([[first, "active"]]);
    expect(roadmapRow(first).supersededById).toBeNull();
  });

  it("refuses a repeated generation from the active roadmap's own assessment unless it names the roadmap it replaces", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    const first = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    const again = catchDomain(() => generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER));
    expect(again.code).toBe("conflict");
    expect(again.message).toContain(`replacesRoadmapId ${first}`);
    expect(listRoadmaps(orgId)).toHaveLength(1);
    const replacement = generateRoadmapFromAssessment(orgId, q1.id, { replacesRoadmapId: first, startDate: "2027-04-01" }, LEADER);
    expect(roadmapRow(first)).toMatchObject({ status: "superseded", supersededById: replacement });
  });

  it("a lower level than the active roadmap's is recorded in the audit trail", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1", allLevels(3));
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    const q2 = finalised(orgId, "2025-Q2");
    const preview = previewRoadmapGeneration(orgId, q2.id, {});
    expect(preview.replaces).toMatchObject({ id: r1, lowerLevel: true, transition: { from: 3, to: 4 } });
    expect(preview.generated.transition).toEqual({ from: 1, to: 2 });
    generateRoadmapFromAssessment(orgId, q2.id, { replacesRoadmapId: r1 }, LEADER);
    expect(auditOf(orgId, "roadmap.generated").at(-1)!.payload.after).toMatchObject({
      supersedes: r1,
      lowerLevelThanReplaced: { from: 3, to: 4 },
    });
  });

  it("refuses a withdrawn assessment (409, saying who withdrew it, when and why); a roadmap generated before stays and says so", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    withdraw(q1.id);
    const refused = catchDomain(() => generateRoadmapFromAssessment(orgId, q1.id, { replacesRoadmapId: r1 }, LEADER));
    expect(refused.code).toBe("conflict");
    expect(refused.message).toBe(
      "No roadmap can be generated from a withdrawn assessment: the 2025-Q1 assessment was withdrawn on 2026-11-02 by lead@roadmap.test: Scored before the registry was complete.",
    );
    expect(catchDomain(() => previewRoadmapGeneration(orgId, q1.id, {})).code).toBe("conflict");

    const roadmap = getRoadmap(orgId, r1)!;
    expect(roadmap.status).toBe("active");
    expect(roadmap.items).toHaveLength(itemsOf(r1).length);
    expect(sourceWithdrawnSentence(roadmap.sourceWithdrawal!)).toBe(
      "Its source assessment (2025-Q1) was withdrawn on 2026-11-02 by lead@roadmap.test: Scored before the registry was complete.",
    );
    expect(listRoadmaps(orgId)[0]!.sourceWithdrawal).toMatchObject({ period: "2025-Q1", by: "lead@roadmap.test" });
  });
});

describe("true progress of a superseded roadmap", () => {
  it("is done of ALL its items (8 of 24, not 8 of 8) on the page, the index, the JSON and the board-report summary", () => {
    const orgId = newOrg();
    const q1 = finalised(orgId, "2025-Q1");
    const r1 = generateRoadmapFromAssessment(orgId, q1.id, {}, LEADER);
    const all = itemsOf(r1);
    for (const item of all.slice(0, 8)) updateRoadmapItem(orgId, item.id, { status: "done", evidence: "Delivered" }, LEADER);
    const q2 = finalised(orgId, "2025-Q2", allLevels(3));
    generateRoadmapFromAssessment(orgId, q2.id, {}, LEADER);
    const closed = itemsOf(r1).filter((i) => i.status === "closed").length;
    expect(closed).toBeGreaterThan(0);

    const expected = { done: 8, total: all.length, closed };
    const page = getRoadmapView(orgId, r1, { view: "workstream", page: 1, me: "nobody" })!;
    expect(page.progress.all).toMatchObject(expected);
    expect(page.progress.all.percent).toBe(Math.round((100 * 8) / all.length));
    expect(listRoadmaps(orgId).find((r) => r.id === r1)!.progress).toMatchObject(expected);
    expect(roadmapJson(getRoadmap(orgId, r1)!).progress).toEqual(expected);
    expect(roadmapSummaryForAssessment(orgId, q1.id)).toMatchObject({
      done: 8,
      total: all.length,
      closed,
      status: "superseded",
      overdue: 0,
    });
    expect(roadmapSummaryForAssessment(orgId, q1.id)!.progress).toContain(`8 of ${all.length} done`);
    expect(roadmapSummaryForAssessment(orgId, q1.id)!.progress).toContain(`${closed} closed by supersession`);
  });
});

describe("done needs evidence", () => {
  it("refuses done without evidence (invalid, field evidence) and changes nothing; evidence sent now or stored before will do", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const [a, b, c] = roadmap.items;
    const refused = catchDomain(() => updateRoadmapItem(orgId, a!.id, { status: "done" }, LEADER));
    expect(refused).toMatchObject({ code: "invalid", field: "evidence" });
    expect(refused.message).toContain(a!.title);
    expect(catchDomain(() => updateRoadmapItem(orgId, a!.id, { status: "done", evidence: "   " }, LEADER)).code).toBe("invalid");
    expect(itemByKey(roadmap.id, a!.key)).toMatchObject({ status: "todo", completedAt: null });

    expect(updateRoadmapItem(orgId, b!.id, { status: "done", evidence: "https://git.example/pr/7" }, LEADER).status).toBe("done");
    updateRoadmapItem(orgId, c!.id, { evidence: "Runbook v2" }, LEADER);
    expect(updateRoadmapItem(orgId, c!.id, { status: "done" }, LEADER).status).toBe("done");
    // A done item cannot lose its evidence; an unfinished one can.
    expect(catchDomain(() => updateRoadmapItem(orgId, c!.id, { evidence: "" }, LEADER)).field).toBe("evidence");
    updateRoadmapItem(orgId, a!.id, { evidence: "draft" }, LEADER);
    expect(updateRoadmapItem(orgId, a!.id, { evidence: "" }, LEADER).evidence).toBeNull();
  });

  it("autosaves by one person within 15 minutes are one audit entry; a status change or another person is audited", () => {
    const { orgId, roadmap } = orgWithRoadmap();
    const team = addMember(orgId, "typist");
    const other = addMember(orgId, "other");
    const item = roadmap.items[0]!;
    const at = (minutes: number) => ({ now: new Date(Date.UTC(2026, 0, 1, 9, minutes)), autosave: true });
    updateRoadmapItem(orgId, item.id, { evidence: "P" }, team.actor, at(0));
    updateRoadmapItem(orgId, item.id, { evidence: "PR" }, team.actor, at(1));
    updateRoadmapItem(orgId, item.id, { evidence: "PR #4" }, team.actor, at(5));
    expect(auditOf(orgId, "roadmap_item.updated")).toHaveLength(1);
    updateRoadmapItem(orgId, item.id, { evidence: "PR #42", status: "done" }, team.actor, at(6));
    updateRoadmapItem(orgId, item.id, { evidence: "PR #42 merged" }, other.actor, at(7));
    updateRoadmapItem(orgId, item.id, { evidence: "PR #42, merged" }, other.actor, at(30));
    expect(auditOf(orgId, "roadmap_item.updated").map((e) => e.payload.after.evidence)).toEqual([
      "P",
      "PR #42",
      "PR #42 merged",
      "PR #42, merged",
    ]);
    expect(itemByKey(roadmap.id, item.key).evidence).toBe("PR #42, merged");
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });
});

// ---------------------------------------------------------------- weekly digest

describe("the weekly digest (notifications/digest.server.ts fed by dueItemsByOwner)", () => {
  const MONDAY_0800_BERLIN = new Date("2026-12-07T07:00:00Z");
  const digestsTo = (email: string) =>
    getDb()
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toEmail, email), eq(outboxMessages.eventType, "roadmap.items_due")))
      .all();
  const run = (now: Date) => sendWeeklyDigests(now, (orgId, slug, today) => dueItemsByOwner(orgId, slug, today), "https://portal.test");

  it("emails each person with something to say on Monday morning in the organisation's time zone, once a week", () => {
    const { orgId, roadmap } = orgWithRoadmap({ startDate: "2025-01-01" });
    getDb().insert(orgSettings).values({ orgId, timeZone: "Europe/Berlin" }).run();
    const owner = addMember(orgId, "owner");
    const quiet = addMember(orgId, "quiet");
    const weekly = addMember(orgId, "weekly", "ethics");
    const [late] = roadmap.items;
    updateRoadmapItem(orgId, late!.id, { ownerEmail: owner.email }, LEADER);
    getDb().insert(notificationPreferences).values({ userId: weekly.id, category: "approvals", mode: "digest" }).run();
    writeTransaction({ orgId }, (tx) =>
      notify(
        tx,
        {
          orgId,
          type: "approval.requested",
          recipients: [weekly.id],
          title: "Approval requested: churn 2.0",
          path: "/x",
          data: { requestId: 1, model: "churn", version: "2.0", requiredRoles: ["ethics"], requestedBy: "team@example.test" },
        },
        new Date(MONDAY_0800_BERLIN.getTime() - 86_400_000),
      ),
    );
    expect(
      getDb().select().from(outboxMessages).where(eq(outboxMessages.toEmail, weekly.email)).all(),
      "digest mode: no email at once",
    ).toEqual([]);

    // Other tests' organisations share this database: count this organisation's digests, not run()'s total.
    const sent = () => [owner, quiet, weekly].map((p) => digestsTo(p.email).length);
    run(new Date(MONDAY_0800_BERLIN.getTime() - 60_000));
    expect(sent(), "07:59 in Berlin").toEqual([0, 0, 0]);
    run(MONDAY_0800_BERLIN);
    expect(sent()).toEqual([1, 0, 1]);
    const [toOwner] = digestsTo(owner.email);
    expect(toOwner!.subject).toMatch(/^Your week in .+: 1 overdue$/);
    const body = JSON.parse(toOwner!.body) as { text: string };
    expect(body.text).toContain(`- ${late!.title} (due ${late!.dueDate}): https://portal.test/orgs/`);
    const [toWeekly] = digestsTo(weekly.email);
    expect((JSON.parse(toWeekly!.body) as { text: string }).text).toContain("Approval requested: churn 2.0");
    expect(digestsTo(quiet.email), "nothing to say: nothing sent").toEqual([]);

    run(new Date(MONDAY_0800_BERLIN.getTime() + 3_600_000));
    expect(sent(), "the same Monday again").toEqual([1, 0, 1]);
    run(new Date(MONDAY_0800_BERLIN.getTime() + 86_400_000));
    expect(sent(), "Tuesday").toEqual([1, 0, 1]);
    // A week later the late item is still late; the approval was carried once and is not repeated.
    run(new Date(MONDAY_0800_BERLIN.getTime() + 7 * 86_400_000));
    expect(sent()).toEqual([2, 0, 1]);
  });
});
