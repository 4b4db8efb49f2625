import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { models, roadmapItems, roadmaps, users } from "../../../db/schema";
import { latestFinalizedIn, listAssessments, previousFinalizedIn } from "../assessment/assessments.server";
import { OPEN_ITEM_STATUSES } from "./due";

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Where the organisation stands: the latest finalised assessment (withdrawn and
 * draft ones never count) and the one before it, for the change since.
 */
export function maturityStanding(orgId: number, db: DbOrTx = getDb()) {
  const list = listAssessments(orgId, db);
  const latest = latestFinalizedIn(list);
  if (!latest) return null;
  const previous = previousFinalizedIn(list, latest.period);
  return {
    id: latest.id,
    period: latest.period,
    dimensionScore: latest.dimensionScore,
    level: latest.level,
    levelName: latest.levelName,
    band: latest.band,
    previous: previous ? { period: previous.period, dimensionScore: previous.dimensionScore } : null,
    components: latest.components.map((c) => ({
      componentId: c.componentId,
      name: c.name,
      score: c.score,
      previousScore: previous?.components.find((p) => p.componentId === c.componentId)?.score ?? null,
    })),
  };
}

/** How many items of the active roadmap are shown as overdue on the dashboard. */
export const DASHBOARD_OVERDUE_ITEMS = 5;

/**
 * The active roadmap's progress (done of its live items), its overdue count and
 * the most overdue items: two queries ("overdue" moves with the date).
 */
export function activeRoadmapProgress(orgId: number, db: DbOrTx = getDb()) {
  const day = today();
  const roadmap = db
    .select({
      id: roadmaps.id,
      title: roadmaps.title,
      fromLevel: roadmaps.fromLevel,
      toLevel: roadmaps.toLevel,
      startDate: roadmaps.startDate,
      total: sql<number>`count(case when ${roadmapItems.status} <> 'closed' then 1 end)`,
      done: sql<number>`count(case when ${roadmapItems.status} = 'done' then 1 end)`,
      overdue: sql<number>`count(case when ${roadmapItems.status} in ('todo', 'in_progress', 'blocked') and ${roadmapItems.dueDate} < ${day} then 1 end)`,
    })
    .from(roadmaps)
    .leftJoin(roadmapItems, eq(roadmapItems.roadmapId, roadmaps.id))
    .where(and(eq(roadmaps.orgId, orgId), eq(roadmaps.status, "active")))
    .groupBy(roadmaps.id)
    .orderBy(asc(roadmaps.id))
    .limit(1)
    .get();
  if (!roadmap) return null;
  const overdueItems = db
    .select({
      id: roadmapItems.id,
      title: roadmapItems.title,
      dueDate: roadmapItems.dueDate,
      status: roadmapItems.status,
      owner: users.name,
    })
    .from(roadmapItems)
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(
      and(
        eq(roadmapItems.roadmapId, roadmap.id),
        inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES] as Array<"todo" | "in_progress" | "blocked">),
        lt(roadmapItems.dueDate, day),
      ),
    )
    .orderBy(asc(roadmapItems.dueDate), asc(roadmapItems.priority))
    .limit(DASHBOARD_OVERDUE_ITEMS)
    .all();
  return { ...roadmap, overdueItems };
}

/** Model names by slug, for lists that carry only slugs (approval requests). */
export function modelNamesBySlug(orgId: number, slugs: string[], db: DbOrTx = getDb()): Map<string, string> {
  if (!slugs.length) return new Map();
  const rows = db
    .select({ slug: models.slug, name: models.name })
    .from(models)
    .where(and(eq(models.orgId, orgId), inArray(models.slug, slugs)))
    .all();
  return new Map(rows.map((r) => [r.slug, r.name]));
}
