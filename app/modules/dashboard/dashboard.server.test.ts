import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { assessments, organizations, roadmapItems, roadmaps } from "../../../db/schema";
import { activeRoadmapProgress, maturityStanding } from "./dashboard.server";

function makeOrg(slug: string) {
  return getDb().insert(organizations).values({ slug, name: slug }).returning().get().id;
}

describe("maturityStanding", () => {
  it("takes the latest finalised assessment and the finalised one before it; withdrawn and drafts never count", () => {
    const orgId = makeOrg("standing-org");
    const add = (period: string, status: "draft" | "finalized" | "withdrawn") =>
      getDb().insert(assessments).values({ orgId, period, frameworkVersion: "1", status, createdByLabel: "t" }).returning().get().id;
    expect(maturityStanding(orgId)).toBeNull();
    add("2026-Q1", "finalized");
    const q2 = add("2026-Q2", "finalized");
    add("2026-Q3", "withdrawn");
    add("2026-Q4", "draft");
    const standing = maturityStanding(orgId)!;
    expect(standing).toMatchObject({ id: q2, period: "2026-Q2", previous: { period: "2026-Q1" } });
    expect(standing.components).toHaveLength(5);
    expect(standing.components[0]).toHaveProperty("previousScore");
  });
});

describe("activeRoadmapProgress", () => {
  it("counts done of the live items, the overdue ones and lists the most overdue first", () => {
    const orgId = makeOrg("progress-org");
    expect(activeRoadmapProgress(orgId)).toBeNull();
    const assessmentId = getDb()
      .insert(assessments)
      .values({ orgId, period: "2026-Q1", frameworkVersion: "1", status: "finalized", createdByLabel: "t" })
      .returning()
      .get().id;
    const roadmapId = getDb()
      .insert(roadmaps)
      .values({
        orgId,
        assessmentId,
        fromLevel: 2,
        toLevel: 3,
        title: "Managed",
        goal: "g",
        contentRoadmapId: "2-3",
        workstreams: "[]",
        status: "active",
        startDate: "2026-04-01",
        createdByLabel: "t",
      } as typeof roadmaps.$inferInsert)
      .returning()
      .get().id;
    const item = (key: string, status: "todo" | "done" | "closed" | "in_progress", dueDate: string) =>
      getDb()
        .insert(roadmapItems)
        .values({
          orgId,
          roadmapId,
          itemKey: key,
          title: key,
          components: "[]",
          workstreamKey: "w",
          workstreamTitle: "W",
          startMonth: 1,
          endMonth: 2,
          dueDate,
          priority: 1,
          catchUp: false,
          status,
        } as typeof roadmapItems.$inferInsert)
        .run();
    item("late", "in_progress", "2000-02-01");
    item("later", "todo", "2000-01-01");
    item("done", "done", "2000-01-01");
    item("closed", "closed", "2000-01-01");
    item("future", "todo", "2999-01-01");
    const progress = activeRoadmapProgress(orgId)!;
    expect(progress).toMatchObject({ id: roadmapId, total: 4, done: 1, overdue: 2 });
    expect(progress.overdueItems.map((i) => i.title)).toEqual(["later", "late"]);
  });
});
