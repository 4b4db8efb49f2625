import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { assessments, models, roadmapItems, roadmaps, users } from "../../../db/schema";
import { latestFinalizedIn, listAssessments, previousFinalizedIn } from "../assessment/assessments.server";
import type { AssessmentScore } from "../assessment/scoring";
import { comparableComponentScores, frameworkVersionsComparable } from "../framework/framework";
import { OPEN_ITEM_STATUSES } from "../roadmap/roadmap-constants";

const today = () => new Date().toISOString().slice(0, 10);

type Scored = Pick<AssessmentScore, "dimensionScore" | "level" | "levelName" | "band"> & {
  id: number;
  period: string;
  frameworkVersion: string;
  components: Array<{ componentId: string; name: string; score: number }>;
};

/** The two newest finalised assessments (one per quarter: withdrawn ones free theirs), with the score frozen at finalisation. */
const newestFinalizedQuery = reusableQuery((db) =>
  db
    .select({
      id: assessments.id,
      period: assessments.period,
      frameworkVersion: assessments.frameworkVersion,
      scoreSnapshot: assessments.scoreSnapshot,
    })
    .from(assessments)
    .where(and(eq(assessments.orgId, sql.placeholder("orgId")), eq(assessments.status, "finalized")))
    .orderBy(desc(assessments.period))
    .limit(2),
);

/** The latest finalised assessment and the one before it: two rows and their score snapshots, not every assessment. */
function newestFinalized(orgId: number, db: DbOrTx): [Scored | null, Scored | null] {
  const rows = newestFinalizedQuery(db).all({ orgId });
  if (rows.every((row) => row.scoreSnapshot)) {
    const [latest, previous] = rows.map((row) => ({
      id: row.id,
      period: row.period,
      frameworkVersion: row.frameworkVersion,
      ...(JSON.parse(row.scoreSnapshot!) as { score: AssessmentScore }).score,
    }));
    return [latest ?? null, previous ?? null];
  }
  // A finalised assessment without its snapshot (rows written directly, e.g. by tests) is scored the long way.
  const list = listAssessments(orgId, db);
  const latest = latestFinalizedIn(list);
  return [latest, latest ? previousFinalizedIn(list, latest.period) : null];
}

/**
 * Where the organisation stands: the latest finalised assessment (withdrawn and
 * draft ones never count) and the one before it, for the change since.
 */
export function maturityStanding(orgId: number, db: DbOrTx = getDb()) {
  const [latest, newest] = newestFinalized(orgId, db);
  if (!latest) return null;
  // Across framework versions the change is shown only where it continues: never against another dimension.
  const previous = newest && frameworkVersionsComparable(latest.frameworkVersion, newest.frameworkVersion) ? newest : null;
  const previousScores = previous ? comparableComponentScores(latest, previous) : new Map<string, number | null>();
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
      // null where the component cannot be mapped across the two versions: not comparable, not a zero.
      previousScore: previousScores.get(c.componentId) ?? null,
    })),
  };
}

/** How many items of the active roadmap are shown as overdue on the dashboard. */
export const DASHBOARD_OVERDUE_ITEMS = 5;

const activeRoadmapQuery = reusableQuery((db) =>
  db
    .select({
      id: roadmaps.id,
      title: roadmaps.title,
      fromLevel: roadmaps.fromLevel,
      toLevel: roadmaps.toLevel,
      startDate: roadmaps.startDate,
    })
    .from(roadmaps)
    .where(and(eq(roadmaps.orgId, sql.placeholder("orgId")), eq(roadmaps.status, "active")))
    .orderBy(asc(roadmaps.id))
    .limit(1),
);

/** A roadmap's items by status, with how many of each are past their due date: one pass over the roadmap's items. */
const itemsByStatusQuery = reusableQuery((db) =>
  db
    .select({
      status: roadmapItems.status,
      items: sql<number>`count(*)`,
      pastDue: sql<number>`count(case when ${roadmapItems.dueDate} < ${sql.placeholder("day")} then 1 end)`,
    })
    .from(roadmapItems)
    .where(eq(roadmapItems.roadmapId, sql.placeholder("roadmapId")))
    .groupBy(roadmapItems.status),
);

const overdueItemsQuery = reusableQuery((db) =>
  db
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
        eq(roadmapItems.roadmapId, sql.placeholder("roadmapId")),
        inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES]),
        lt(roadmapItems.dueDate, sql.placeholder("day")),
      ),
    )
    .orderBy(asc(roadmapItems.dueDate), asc(roadmapItems.priority))
    .limit(DASHBOARD_OVERDUE_ITEMS),
);

/**
 * The active roadmap's progress (done of its live items), its overdue count and
 * the most overdue items: three prepared queries ("overdue" moves with the date).
 */
export function activeRoadmapProgress(orgId: number, db: DbOrTx = getDb()) {
  const day = today();
  const roadmap = activeRoadmapQuery(db).get({ orgId });
  if (!roadmap) return null;
  let total = 0;
  let done = 0;
  let overdue = 0;
  for (const { status, items, pastDue } of itemsByStatusQuery(db).all({ roadmapId: roadmap.id, day })) {
    if (status !== "closed") total += items;
    if (status === "done") done += items;
    if ((OPEN_ITEM_STATUSES as readonly string[]).includes(status)) overdue += pastDue;
  }
  const overdueItems = overdueItemsQuery(db).all({ roadmapId: roadmap.id, day });
  return { ...roadmap, total, done, overdue, overdueItems };
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
