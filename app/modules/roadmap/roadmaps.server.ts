import { and, asc, desc, eq, inArray, isNotNull, lte, ne, sql, type Placeholder, type SQL } from "drizzle-orm";
import { getDb, reusableQuery, writeTransaction, type DbOrTx } from "../../../db/client";
import {
  assessments,
  memberships,
  organizations,
  roadmapCriteria,
  roadmapItemComments,
  roadmapItems,
  roadmaps,
  users,
} from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { memoByKey } from "../../utils/memo-by-key";
import { listPage } from "../../utils/paging";
import { currentQuarterRange } from "../../utils/quarters";
import { calendarDayProblem } from "../../utils/validation";
import { continuesAutosaveRun, recordAuditEvent, type Actor } from "../audit/audit.server";
import { activeMemberByEmail, notify } from "../notifications/notifications.server";
import { finalizedNeighbour, getAssessment } from "../assessment/assessments.server";
import { findFramework, getFramework } from "../framework/framework";
import type { SuccessCheck } from "../framework/framework-schema";
import { computeRegistryMetrics, type MetricsWindow, type RegistryMetrics } from "../registry/metrics.server";
import type { WriteOptions } from "../registry/registry.server";
import { evaluateCriterion, manualCriterionExplanation, type CriterionFacts } from "./criteria";
import { progressFromCounts, progressSentence, roadmapProgress } from "./progress";
import { planGeneration, type ActiveRoadmap, type GeneratedItem } from "./generate";
import { pageWindows } from "./paging";
import { workstreamProgress, type WorkstreamCounts } from "./workstreams";
import { ITEM_WORKERS, OPEN_ITEM_STATUSES, ROADMAP_VIEWS, type ItemStatus, type RoadmapView } from "./roadmap-constants";
import type { RoadmapItemUpdate } from "./roadmap-schemas";

const notFound = (what: string) => new DomainError("not_found", `${what} not found`);
const today = () => new Date().toISOString().slice(0, 10);

function itemValues(orgId: number, roadmapId: number, item: GeneratedItem) {
  return {
    orgId,
    roadmapId,
    itemKey: item.key,
    title: item.title,
    components: JSON.stringify(item.components),
    workstreamKey: item.workstreamKey,
    workstreamTitle: item.workstreamTitle,
    startMonth: item.startMonth,
    endMonth: item.endMonth,
    dueDate: item.dueDate,
    priority: item.priority,
    catchUp: item.catchUp,
    status: "todo" as ItemStatus,
  };
}

/** Who withdrew an assessment, when and why; null while it stands. */
function withdrawalOf(db: DbOrTx, assessmentId: number) {
  const row = db
    .select({
      at: assessments.withdrawnAt,
      by: assessments.withdrawnByLabel,
      reason: assessments.withdrawnReason,
      period: assessments.period,
    })
    .from(assessments)
    .where(eq(assessments.id, assessmentId))
    .get();
  return row?.at ? { period: row.period, at: row.at.toISOString(), by: row.by ?? "someone", reason: row.reason ?? "" } : null;
}

type Withdrawal = { period: string; at: string; by: string; reason: string };
const withdrawnOn = (w: Withdrawal) => `was withdrawn on ${w.at.slice(0, 10)} by ${w.by}${w.reason ? `: ${w.reason}` : ""}`;

/** What a roadmap whose source assessment was withdrawn says: "Its source assessment (2026-Q3) was withdrawn on 2026-11-02 by X: reason." */
export function sourceWithdrawnSentence(w: Withdrawal) {
  return `Its source assessment (${w.period}) ${withdrawnOn(w)}.`;
}

/** The finalised assessment a roadmap is generated from, as generation needs it; refuses any other. */
function generationSource(orgId: number, assessmentId: number, db: DbOrTx) {
  const assessment = getAssessment(orgId, assessmentId, db);
  if (!assessment) throw notFound("Assessment");
  if (assessment.status === "withdrawn") {
    const withdrawal = withdrawalOf(db, assessment.id);
    throw conflict(
      `No roadmap can be generated from a withdrawn assessment: the ${assessment.period} assessment ${withdrawal ? withdrawnOn(withdrawal) : "was withdrawn"}.`,
    );
  }
  if (assessment.status !== "finalized") throw conflict("Roadmaps are generated from finalised assessments only");
  return {
    assessment,
    framework: getFramework(assessment.frameworkVersion),
    input: {
      assessmentId: assessment.id,
      period: assessment.period,
      finalizedAt: assessment.finalizedAt,
      level: assessment.score.level,
      components: assessment.score.components.map((c) => ({ componentId: c.componentId, level: c.level, score: c.score })),
    },
  };
}

/** The organisation's active roadmap with its items: what a generation would replace. */
function readActiveRoadmap(orgId: number, db: DbOrTx): ActiveRoadmap | null {
  const row = db
    .select({ roadmap: roadmaps, period: assessments.period })
    .from(roadmaps)
    .innerJoin(assessments, eq(assessments.id, roadmaps.assessmentId))
    .where(and(eq(roadmaps.orgId, orgId), eq(roadmaps.status, "active")))
    .get();
  if (!row) return null;
  const items = db
    .select({
      id: roadmapItems.id,
      key: roadmapItems.itemKey,
      status: roadmapItems.status,
      title: roadmapItems.title,
      components: roadmapItems.components,
    })
    .from(roadmapItems)
    .where(eq(roadmapItems.roadmapId, row.roadmap.id))
    .orderBy(asc(roadmapItems.priority))
    .all()
    .map((i) => ({ ...i, components: JSON.parse(i.components) as string[] }));
  return {
    id: row.roadmap.id,
    transition: { from: row.roadmap.fromLevel, to: row.roadmap.toLevel },
    title: row.roadmap.title,
    period: row.period,
    assessmentId: row.roadmap.assessmentId,
    items,
  };
}

const LEVEL_FIVE = "The assessment is at level 5 (Optimizing): there is no next level to plan for";

/** A start date the caller chose, refused as the API and the form refuse it: due dates are counted from it. */
function chosenStartDate(startDate: string | undefined): string | undefined {
  const problem = startDate === undefined ? null : calendarDayProblem(startDate);
  if (problem) throw invalid(problem, "startDate");
  return startDate;
}

/**
 * What generating from this assessment would do now, without doing it: the
 * transition, the items carried over, the ones that would be closed and why.
 * The same plan `generateRoadmapFromAssessment` carries out.
 */
export function previewRoadmapGeneration(orgId: number, assessmentId: number, input: { startDate?: string }, db: DbOrTx = getDb()) {
  const source = generationSource(orgId, assessmentId, db);
  const plan = planGeneration(source.framework, source.input, readActiveRoadmap(orgId, db), {
    startDate: chosenStartDate(input.startDate),
  });
  if (!plan) throw invalid(LEVEL_FIVE, "assessmentId");
  const a = source.assessment;
  return {
    ...plan,
    componentNames: Object.fromEntries(source.framework.components.map((c) => [c.id, c.name])),
    assessment: {
      id: a.id,
      period: a.period,
      score: a.score.dimensionScore,
      level: a.score.level,
      levelName: a.score.levelName,
      finalizedAt: a.finalizedAt,
    },
  };
}
export type GenerationPreview = ReturnType<typeof previewRoadmapGeneration>;

/**
 * Generates the next-step roadmap from a finalised assessment. A newer
 * generation carries unfinished items over (no duplicates), closes the ones no
 * longer needed with a reason, and keeps the previous roadmap as history.
 *
 * Serialised: the source, the active roadmap and the plan are read inside the
 * write transaction that inserts, so two generations never both replace the
 * same roadmap. `replacesRoadmapId` is what the person confirmed replacing
 * (a roadmap id, or "none"): when the active roadmap is another by now, the
 * generation is refused (409) instead of replacing what nobody reviewed.
 * Without it (the API), generating again from the assessment of the active
 * roadmap is refused too, so a repeated or concurrent request cannot chain
 * two roadmaps from one assessment.
 */
export function generateRoadmapFromAssessment(
  orgId: number,
  assessmentId: number,
  input: { startDate?: string; replacesRoadmapId?: number | "none" },
  actor: Actor,
  options: WriteOptions = {},
) {
  const startDate = chosenStartDate(input.startDate);
  return writeTransaction({ orgId }, (tx) => {
    const source = generationSource(orgId, assessmentId, tx);
    const active = readActiveRoadmap(orgId, tx);
    if (input.replacesRoadmapId !== undefined) {
      const expected = input.replacesRoadmapId === "none" ? null : input.replacesRoadmapId;
      if ((active?.id ?? null) !== expected) {
        throw conflict(
          active
            ? `The roadmaps changed since this preview: the active roadmap is now Level ${active.transition.from} → ${active.transition.to} from ${active.period}. Review what generating would do again.`
            : "The roadmaps changed since this preview: no roadmap is active any more. Review what generating would do again.",
          "replacesRoadmapId",
        );
      }
    } else if (active && active.assessmentId === assessmentId) {
      throw conflict(
        `The active roadmap (Level ${active.transition.from} → ${active.transition.to}) was already generated from the ${active.period} assessment; to replace it, send replacesRoadmapId ${active.id}`,
        "replacesRoadmapId",
      );
    }
    const planned = planGeneration(source.framework, source.input, active, { startDate });
    if (!planned) throw invalid(LEVEL_FIVE, "assessmentId");
    const { generated, plan } = planned;
    const now = options.now ?? new Date();
    const roadmap = tx
      .insert(roadmaps)
      .values({
        orgId,
        assessmentId,
        contentRoadmapId: generated.roadmapId,
        fromLevel: generated.transition.from,
        toLevel: generated.transition.to,
        title: generated.title,
        goal: generated.goal,
        startDate: generated.startDate,
        status: "active",
        workstreams: JSON.stringify(generated.workstreams),
        createdByLabel: actor.label,
        createdAt: now,
      })
      .returning()
      .get();
    const byKey = new Map(generated.items.map((i) => [i.key, i]));
    const previousItems = active
      ? new Map(
          tx
            .select()
            .from(roadmapItems)
            .where(eq(roadmapItems.roadmapId, active.id))
            .all()
            .map((i) => [i.id, i]),
        )
      : new Map<number, typeof roadmapItems.$inferSelect>();
    for (const carried of plan.carry) {
      const old = previousItems.get(carried.previousId)!;
      const fresh = byKey.get(carried.key)!;
      tx.insert(roadmapItems)
        .values({
          ...itemValues(orgId, roadmap.id, fresh),
          status: old.status,
          ownerUserId: old.ownerUserId,
          team: old.team,
          evidence: old.evidence,
          carriedFromItemId: old.id,
          createdAt: now,
          updatedAt: now,
        })
        .run();
    }
    for (const item of plan.add)
      tx.insert(roadmapItems)
        .values({ ...itemValues(orgId, roadmap.id, item), createdAt: now, updatedAt: now })
        .run();
    for (const closed of plan.close) {
      tx.update(roadmapItems)
        .set({ status: "closed", closedReason: closed.reason, updatedAt: now })
        .where(eq(roadmapItems.id, closed.previousId))
        .run();
    }
    for (const criterion of generated.successCriteria) {
      tx.insert(roadmapCriteria)
        .values({
          orgId,
          roadmapId: roadmap.id,
          criterionKey: criterion.key,
          text: criterion.text,
          check: criterion.check ? JSON.stringify(criterion.check) : null,
        })
        .run();
    }
    if (active) tx.update(roadmaps).set({ status: "superseded", supersededById: roadmap.id }).where(eq(roadmaps.id, active.id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "roadmap.generated",
      entityType: "roadmap",
      entityId: roadmap.id,
      after: {
        assessment: source.assessment.period,
        transition: generated.transition,
        startDate: generated.startDate,
        items: planned.total,
        carried: plan.carry.length,
        added: plan.add.length,
        closed: plan.close.map((c) => c.key),
        supersedes: active?.id,
        ...(planned.replaces?.lowerLevel ? { lowerLevelThanReplaced: planned.replaces.transition } : {}),
      },
      at: options.now,
    });
    return roadmap.id;
  });
}

const assignableMembersQuery = reusableQuery((db) =>
  db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, sql.placeholder("orgId")), eq(users.active, true), inArray(memberships.role, [...ITEM_WORKERS])))
    .orderBy(users.name),
);

/** The people items can be assigned to: the organisation's active members who may work items (`ITEM_WORKERS`), by name. */
export function assignableMembers(orgId: number, db: DbOrTx = getDb()) {
  return assignableMembersQuery(db).all({ orgId });
}

/**
 * The owner an update names: undefined to keep it, null for nobody, else an active member who may
 * work items. `current`: the item's owner now, kept even if their role has changed since.
 */
function resolveOwner(tx: DbOrTx, orgId: number, email: string | undefined, current: number | null = null): number | null | undefined {
  if (email === undefined) return undefined;
  if (email === "none") return null;
  const member = activeMemberByEmail(tx, orgId, email);
  if (!member) throw invalid(`${email} is not an active member of this organisation`, "ownerEmail");
  if (member.id === current) return member.id;
  const role = tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, member.id)))
    .get()?.role;
  if (!role || !(ITEM_WORKERS as readonly string[]).includes(role)) {
    throw invalid(`${email} cannot own roadmap items: only admins, leadership and ML team members work them`, "ownerEmail");
  }
  return member.id;
}

/**
 * Changes an item's status, owner, team, evidence or due date. Marking it done needs
 * evidence (a note or a link, sent now or already stored): the guide's
 * checklists expect proof. An empty evidence or team clears it. A new due date
 * needs `mayPlan` (the portal gives it to planners; an API token with `roadmap:write`
 * generates roadmaps and plans too); a past one is taken, and makes an open item overdue.
 * With `autosave`, an edit that keeps the status, owner and due date and follows the same
 * person's own update within 15 minutes is not audited again (typing must not flood the audit log).
 */
export function updateRoadmapItem(
  orgId: number,
  itemId: number,
  input: RoadmapItemUpdate,
  actor: Actor,
  options: WriteOptions & { autosave?: boolean; mayPlan?: boolean } = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const before = tx
      .select()
      .from(roadmapItems)
      .where(and(eq(roadmapItems.orgId, orgId), eq(roadmapItems.id, itemId)))
      .get();
    if (!before) throw notFound("Roadmap item");
    if (before.status === "closed") throw conflict("This item was closed when the roadmap was regenerated");
    const roadmap = tx.select({ status: roadmaps.status }).from(roadmaps).where(eq(roadmaps.id, before.roadmapId)).get();
    if (roadmap?.status !== "active") throw conflict("This roadmap has been superseded; work on the current one");
    const now = options.now ?? new Date();
    const dueDate = input.dueDate ?? before.dueDate;
    if (dueDate !== before.dueDate && options.mayPlan === false) {
      throw new DomainError("forbidden", "Only leadership and admins change due dates", "dueDate");
    }
    const ownerUserId = resolveOwner(tx, orgId, input.ownerEmail, before.ownerUserId);
    const status = input.status ?? before.status;
    const evidence = input.evidence === undefined ? before.evidence : input.evidence.trim() || null;
    if (status === "done" && !evidence && (input.status === "done" || input.evidence !== undefined)) {
      throw invalid(`Marking “${before.title}” done needs evidence: add a note or a link`, "evidence");
    }
    const after = tx
      .update(roadmapItems)
      .set({
        status,
        ownerUserId: ownerUserId === undefined ? before.ownerUserId : ownerUserId,
        team: input.team === undefined ? before.team : input.team || null,
        evidence,
        dueDate,
        completedAt: status === "done" ? (before.completedAt ?? now) : null,
        updatedAt: now,
      })
      .where(eq(roadmapItems.id, before.id))
      .returning()
      .get();
    notifyNewOwner(tx, orgId, ownerUserId, [before], actor, now);
    const view = (i: typeof before) => ({
      status: i.status,
      ownerUserId: i.ownerUserId,
      team: i.team,
      evidence: i.evidence,
      dueDate: i.dueDate,
    });
    // Only typing rides on the run's entry: a change of status, owner or due date is a decision, always recorded.
    const coalesced =
      options.autosave &&
      status === before.status &&
      after.ownerUserId === before.ownerUserId &&
      after.dueDate === before.dueDate &&
      continuesAutosaveRun(tx, { orgId, entityType: "roadmap_item", entityId: before.id, action: "roadmap_item.updated", actor, now });
    if (!coalesced) {
      recordAuditEvent(tx, {
        orgId,
        actor,
        action: "roadmap_item.updated",
        entityType: "roadmap_item",
        entityId: before.id,
        before: view(before),
        after: { key: after.itemKey, ...view(after) },
        at: options.now,
      });
    }
    return after;
  });
}

/** Tells a new owner of items (not someone who took them on themself), in the assignment's transaction. */
function notifyNewOwner(
  tx: DbOrTx,
  orgId: number,
  ownerUserId: number | null | undefined,
  items: ReadonlyArray<{ id: number; roadmapId: number; title: string; ownerUserId: number | null }>,
  actor: Actor,
  now: Date,
) {
  if (!ownerUserId || (actor.type === "user" && actor.id === ownerUserId)) return;
  const assigned = items.filter((item) => item.ownerUserId !== ownerUserId);
  if (assigned.length === 0) return;
  const slug = tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId)).get()!.slug;
  const [first] = assigned;
  notify(
    tx,
    {
      orgId,
      type: "roadmap.item_assigned",
      recipients: [ownerUserId],
      title: assigned.length === 1 ? `Roadmap item assigned to you: ${first!.title}` : `${assigned.length} roadmap items assigned to you`,
      body: `${actor.label} made you the owner of ${assigned.map((item) => `“${item.title}”`).join(", ")}.`,
      path:
        assigned.length === 1
          ? `/orgs/${slug}/roadmaps/${first!.roadmapId}/items/${first!.id}`
          : `/orgs/${slug}/roadmaps/${first!.roadmapId}`,
      data: { items: assigned.map((item) => ({ id: item.id, title: item.title })), assignedBy: actor.label },
    },
    now,
  );
}

export function bulkAssignItems(orgId: number, input: { itemIds: number[]; ownerEmail?: string; team?: string }, actor: Actor) {
  if (input.ownerEmail === undefined && input.team === undefined) throw invalid("Choose an owner or a team", "ownerEmail");
  return writeTransaction({ orgId }, (tx) => {
    const ownerUserId = resolveOwner(tx, orgId, input.ownerEmail);
    // An item tagged with two components is listed (and may be ticked) twice.
    const ids = [...new Set(input.itemIds)];
    const items = tx
      .select({ item: roadmapItems, roadmapStatus: roadmaps.status })
      .from(roadmapItems)
      .innerJoin(roadmaps, eq(roadmaps.id, roadmapItems.roadmapId))
      .where(and(eq(roadmapItems.orgId, orgId), inArray(roadmapItems.id, ids)))
      .all()
      .map((row) => {
        if (row.roadmapStatus !== "active") throw conflict("Only items of the active roadmap can be assigned");
        if (row.item.status === "closed") throw conflict(`“${row.item.title}” was closed when the roadmap was regenerated`);
        return row.item;
      });
    if (items.length !== ids.length) throw notFound("Roadmap item");
    notifyNewOwner(tx, orgId, ownerUserId, items, actor, new Date());
    for (const item of items) {
      tx.update(roadmapItems)
        .set({
          ownerUserId: ownerUserId === undefined ? item.ownerUserId : ownerUserId,
          team: input.team ?? item.team,
          updatedAt: new Date(),
        })
        .where(eq(roadmapItems.id, item.id))
        .run();
      recordAuditEvent(tx, {
        orgId,
        actor,
        action: "roadmap_item.assigned",
        entityType: "roadmap_item",
        entityId: item.id,
        before: { ownerUserId: item.ownerUserId, team: item.team },
        after: { ownerUserId: ownerUserId === undefined ? item.ownerUserId : ownerUserId, team: input.team ?? item.team },
      });
    }
    return items.length;
  });
}

export function commentOnItem(orgId: number, itemId: number, body: string, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const item = tx
      .select()
      .from(roadmapItems)
      .where(and(eq(roadmapItems.orgId, orgId), eq(roadmapItems.id, itemId)))
      .get();
    if (!item) throw notFound("Roadmap item");
    if (item.status === "closed") throw conflict("This item was closed when the roadmap was regenerated");
    tx.insert(roadmapItemComments).values({ orgId, itemId, authorLabel: actor.label, body }).run();
    recordAuditEvent(tx, { orgId, actor, action: "roadmap_item.commented", entityType: "roadmap_item", entityId: itemId, after: { body } });
  });
}

export function tickCriterion(orgId: number, input: { criterionId: number; met: boolean; evidence: string }, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const criterion = tx
      .select()
      .from(roadmapCriteria)
      .where(and(eq(roadmapCriteria.orgId, orgId), eq(roadmapCriteria.id, input.criterionId)))
      .get();
    if (!criterion) throw notFound("Success criterion");
    if (criterion.check) throw conflict("This criterion is checked automatically against the figures");
    const roadmap = tx.select({ status: roadmaps.status }).from(roadmaps).where(eq(roadmaps.id, criterion.roadmapId)).get();
    if (roadmap?.status !== "active") throw conflict("This roadmap has been superseded; record criteria on the current one");
    tx.update(roadmapCriteria)
      .set({ manualMet: input.met, manualEvidence: input.evidence, manualByLabel: actor.label, manualAt: new Date() })
      .where(eq(roadmapCriteria.id, criterion.id))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "roadmap_criterion.ticked",
      entityType: "roadmap_criterion",
      entityId: criterion.id,
      before: { met: criterion.manualMet, evidence: criterion.manualEvidence },
      after: { met: input.met, evidence: input.evidence },
    });
  });
}

// ---------------------------------------------------------------- read side

const itemSelect = {
  item: roadmapItems,
  ownerEmail: users.email,
  ownerName: users.name,
};

function itemJson(row: { item: typeof roadmapItems.$inferSelect; ownerEmail: string | null; ownerName: string | null }, now = today()) {
  const i = row.item;
  return {
    id: i.id,
    key: i.itemKey,
    title: i.title,
    components: JSON.parse(i.components) as string[],
    workstream: i.workstreamTitle,
    workstreamKey: i.workstreamKey,
    startMonth: i.startMonth,
    endMonth: i.endMonth,
    dueDate: i.dueDate,
    priority: i.priority,
    catchUp: i.catchUp,
    status: i.status,
    owner: row.ownerEmail ? { email: row.ownerEmail, name: row.ownerName } : null,
    team: i.team,
    evidence: i.evidence,
    completedAt: i.completedAt?.toISOString() ?? null,
    closedReason: i.closedReason,
    carried: i.carriedFromItemId !== null,
    overdue: i.status !== "done" && i.status !== "closed" && i.dueDate < now,
  };
}
export type RoadmapItemJson = ReturnType<typeof itemJson>;

/** How the registry figures of a window are read: computed here, or taken from a caller's cache. */
export type RegistryFigures = (window: MetricsWindow) => RegistryMetrics;

/**
 * Live figures for the automatic success criteria: the registry now, and the next finalised
 * assessment. Each is read only when a criterion checks it (the registry figures are the costliest read).
 */
function criterionFacts(
  orgId: number,
  assessmentPeriod: string,
  checks: Array<SuccessCheck | null>,
  db: DbOrTx,
  registryFigures?: RegistryFigures,
): CriterionFacts {
  const checked = (kind: SuccessCheck["kind"]) => checks.some((check) => check?.kind === kind);
  const window = currentQuarterRange();
  return {
    metrics: checked("registry") ? (registryFigures ?? ((w) => computeRegistryMetrics(orgId, w, db)))(window) : null,
    nextAssessmentScore: checked("assessment") ? nextAssessmentScore(orgId, assessmentPeriod, db) : null,
  };
}

/** The dimension score of the first finalised assessment after `period`. */
const nextAssessmentScore = (orgId: number, period: string, db: DbOrTx): number | null =>
  finalizedNeighbour(orgId, period, "next", db)?.dimensionScore ?? null;

/** A roadmap with every item: for the API and the exports. Pages use `getRoadmapView` (paged). */
export function getRoadmap(orgId: number, roadmapId: number, db: DbOrTx = getDb()) {
  const header = getRoadmapHeader(orgId, roadmapId, db);
  if (!header) return null;
  const items = db
    .select(itemSelect)
    .from(roadmapItems)
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(eq(roadmapItems.roadmapId, header.id))
    .orderBy(asc(roadmapItems.priority))
    .all()
    .map((row) => itemJson(row));
  return { ...header, items, progress: roadmapProgress(items) };
}
export type RoadmapDetail = NonNullable<ReturnType<typeof getRoadmap>>;

const roadmapHeaderQuery = reusableQuery((db) =>
  db
    .select({
      roadmap: roadmaps,
      period: assessments.period,
      frameworkVersion: assessments.frameworkVersion,
      withdrawnAt: assessments.withdrawnAt,
      withdrawnBy: assessments.withdrawnByLabel,
      withdrawnReason: assessments.withdrawnReason,
    })
    .from(roadmaps)
    .innerJoin(assessments, eq(assessments.id, roadmaps.assessmentId))
    .where(and(eq(roadmaps.orgId, sql.placeholder("orgId")), eq(roadmaps.id, sql.placeholder("roadmapId")))),
);

const roadmapCriteriaQuery = reusableQuery((db) =>
  db
    .select()
    .from(roadmapCriteria)
    .where(eq(roadmapCriteria.roadmapId, sql.placeholder("roadmapId")))
    .orderBy(asc(roadmapCriteria.id)),
);

/**
 * Everything about a roadmap except its items: title, workstreams and the success criteria checked
 * live against the registry (`registryFigures`: where its figures come from, computed when not given).
 */
function getRoadmapHeader(orgId: number, roadmapId: number, db: DbOrTx, registryFigures?: RegistryFigures) {
  const row = roadmapHeaderQuery(db).get({ orgId, roadmapId });
  if (!row) return null;
  const { roadmap, period } = row;
  const sourceWithdrawal = row.withdrawnAt
    ? { period, at: row.withdrawnAt.toISOString(), by: row.withdrawnBy ?? "someone", reason: row.withdrawnReason ?? "" }
    : null;
  const rows = roadmapCriteriaQuery(db)
    .all({ roadmapId: roadmap.id })
    .map((c) => ({ c, check: c.check ? (JSON.parse(c.check) as SuccessCheck) : null }));
  const facts = criterionFacts(
    orgId,
    period,
    rows.map((r) => r.check),
    db,
    registryFigures,
  );
  const criteria = rows.map(({ c, check }) => {
    const result = evaluateCriterion(check, facts);
    return {
      id: c.id,
      key: c.criterionKey,
      text: c.text,
      automatic: result.automatic,
      met: result.automatic ? result.met : c.manualMet,
      value: result.value,
      explanation: result.automatic
        ? result.explanation
        : manualCriterionExplanation({ met: c.manualMet, evidence: c.manualEvidence, byLabel: c.manualByLabel }),
    };
  });
  // The components of the framework version the roadmap was generated against (an uploaded one may rename them).
  const components = (findFramework(row.frameworkVersion) ?? getFramework()).components.map((c) => ({ id: c.id, name: c.name }));
  return {
    id: roadmap.id,
    assessmentId: roadmap.assessmentId,
    assessmentPeriod: period,
    frameworkVersion: row.frameworkVersion,
    components,
    transition: { from: roadmap.fromLevel, to: roadmap.toLevel },
    title: roadmap.title,
    goal: roadmap.goal,
    startDate: roadmap.startDate,
    status: roadmap.status,
    supersededById: roadmap.supersededById,
    /** Set when the source assessment was withdrawn after this roadmap was generated: the roadmap stays, and says so. */
    sourceWithdrawal,
    workstreams: JSON.parse(roadmap.workstreams) as Array<{ key: string; title: string; startMonth: number; endMonth: number }>,
    createdBy: roadmap.createdByLabel,
    createdAt: roadmap.createdAt.toISOString(),
    successCriteria: criteria,
  };
}

export const ROADMAP_PAGE_SIZE = 25;

type GroupCount = {
  key: string;
  title: string | null;
  total: number;
  done: number;
  closed: number;
  /** Workstreams only (null in the other views): when its items are due, whether it is catch-up, its months. */
  due: string | null;
  catchUp: number | null;
  startMonth: number | null;
  endMonth: number | null;
};

const DONE_AND_CLOSED = sql`coalesce(sum(case when i.status = 'done' then 1 else 0 end), 0) as done,
  coalesce(sum(case when i.status = 'closed' then 1 else 0 end), 0) as closed`;
/** The columns only a workstream has, for the groups of the other views. */
const NOT_A_WORKSTREAM = sql`null as due, null as catch_up, null as start_month, null as end_month`;
/** The group of an item in the "due" view (among the open items due within a week). */
const DUE_GROUP = sql`case when i.due_date < ${sql.placeholder("today")} then 'overdue' else 'week' end`;
const DUE_OPEN = sql`i.status not in ('done', 'closed') and i.due_date <= ${sql.placeholder("weekAhead")}`;
/** My items: owned by the member with this email. */
const MINE = sql`i.owner_user_id in (select u.id from users u where u.email = ${sql.placeholder("me")})`;

/**
 * Which items each group of a view holds, as SQL over `roadmap_items i` of one roadmap:
 * `counts` sizes every group by an aggregate (no item is read into JavaScript), and `member`
 * is the condition for one group (its key in the placeholder `group`), so a page reads only
 * its own stretch of each group.
 */
const VIEW_GROUPS: Record<RoadmapView, { counts: SQL; member: (group: Placeholder) => SQL }> = {
  // Every workstream with items, catch-up ones included (ordered by `compareWorkstreams`, due date then
  // name). Every item of a workstream carries its title, months and due date (generation writes them from
  // the content), so they are read from one item per workstream and the counting reads the index alone.
  workstream: {
    counts: sql`select g.key, t.workstream_title as title, g.total, g.done, g.closed, t.due_date as due,
        t.catch_up, t.start_month, t.end_month
      from (select i.workstream_key as key, min(i.id) as first, count(*) as total, ${DONE_AND_CLOSED}
        from roadmap_items i where i.roadmap_id = ${sql.placeholder("roadmapId")} group by i.workstream_key) g
      join roadmap_items t on t.id = g.first`,
    member: (group) => sql`i.workstream_key = ${group}`,
  },
  // Components in the framework's order (an item in several components is in each).
  component: {
    counts: sql`select c.value as key, null as title, count(*) as total, ${DONE_AND_CLOSED}, ${NOT_A_WORKSTREAM}
      from roadmap_items i join json_each(i.components) c where i.roadmap_id = ${sql.placeholder("roadmapId")}
      group by c.value`,
    member: (group) => sql`exists (select 1 from json_each(i.components) c where c.value = ${group})`,
  },
  mine: {
    counts: sql`select 'mine' as key, null as title, count(*) as total, ${DONE_AND_CLOSED}, ${NOT_A_WORKSTREAM}
      from roadmap_items i where i.roadmap_id = ${sql.placeholder("roadmapId")} and ${MINE}`,
    member: () => MINE,
  },
  // Open items overdue, then those due within a week.
  due: {
    counts: sql`select ${DUE_GROUP} as key, null as title, count(*) as total, ${DONE_AND_CLOSED}, ${NOT_A_WORKSTREAM}
      from roadmap_items i where i.roadmap_id = ${sql.placeholder("roadmapId")} and ${DUE_OPEN}
      group by ${DUE_GROUP}`,
    member: (group) => sql`${DUE_OPEN} and ${DUE_GROUP} = ${group}`,
  },
};

function groupCountQuery(counts: SQL) {
  return reusableQuery((db) =>
    db
      .select({
        key: sql<string>`key`,
        title: sql<string | null>`title`,
        total: sql<number>`total`,
        done: sql<number>`done`,
        closed: sql<number>`closed`,
        due: sql<string | null>`due`,
        catchUp: sql<number | null>`catch_up`,
        startMonth: sql<number | null>`start_month`,
        endMonth: sql<number | null>`end_month`,
      })
      .from(sql`(${counts})`),
  );
}

const groupCountQueries = Object.fromEntries(
  Object.entries(VIEW_GROUPS).map(([view, groups]) => [view, groupCountQuery(groups.counts)]),
) as Record<RoadmapView, ReturnType<typeof groupCountQuery>>;

/** A workstream's row of the workstream view's counts (whose workstream columns are never null). */
function asWorkstreamCounts(c: GroupCount): WorkstreamCounts {
  return {
    key: c.key,
    title: c.title ?? c.key,
    dueDate: c.due ?? "",
    catchUp: Boolean(c.catchUp),
    startMonth: c.startMonth ?? 1,
    endMonth: c.endMonth ?? 1,
    total: c.total,
    done: c.done,
    closed: c.closed,
  };
}

/** The values a view's queries take. */
function viewParams(roadmapId: number, me: string, now: string) {
  return { roadmapId, me, today: now, weekAhead: new Date(Date.parse(now) + 7 * 86_400_000).toISOString().slice(0, 10) };
}

/** The groups a view always shows, even empty; null when it shows the groups its items fall in. */
function fixedGroups(
  view: RoadmapView,
  components: ReadonlyArray<{ id: string; name: string }>,
): Array<{ key: string; title: string }> | null {
  if (view === "component") return components.map((c) => ({ key: c.id, title: c.name }));
  if (view === "mine") return [{ key: "mine", title: "My items" }];
  if (view === "due")
    return [
      { key: "overdue", title: "Overdue" },
      { key: "week", title: "Due this week" },
    ];
  return null;
}

/**
 * The ids in a page's stretches of groups (each in priority order), in one statement: the
 * stretches are read through the index, so a page never sorts the whole roadmap.
 * Prepared once per view and number of stretches.
 */
const windowQueries = Object.fromEntries(
  ROADMAP_VIEWS.map((view) => [view, memoByKey(String, (stretches: number) => buildWindowQuery(view, stretches), 50)]),
) as Record<RoadmapView, (stretches: number) => ReturnType<typeof buildWindowQuery>>;

function buildWindowQuery(view: RoadmapView, stretches: number) {
  const parts = Array.from(
    { length: stretches },
    (_, n) => sql`select * from (select ${sql.placeholder(`group${n}`)} as group_key, i.id, i.priority from roadmap_items i
      where i.roadmap_id = ${sql.placeholder("roadmapId")} and ${VIEW_GROUPS[view].member(sql.placeholder(`group${n}`))}
      order by i.priority, i.id limit ${sql.placeholder(`limit${n}`)} offset ${sql.placeholder(`offset${n}`)})`,
  );
  return reusableQuery((db) =>
    db
      .select({ groupKey: sql<string>`group_key`, id: sql<number>`id`, priority: sql<number>`priority` })
      .from(sql`(${sql.join(parts, sql` union all `)})`),
  );
}

/** Rows of the page's items (ids padded to the page size, so one statement per page size). */
const pageItemsQuery = memoByKey(String, buildPageItemsQuery, 20);

function buildPageItemsQuery(size: number) {
  return reusableQuery((db) =>
    db
      .select(itemSelect)
      .from(roadmapItems)
      .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
      .where(
        inArray(
          roadmapItems.id,
          Array.from({ length: size }, (_, n) => sql.placeholder(`id${n}`)),
        ),
      ),
  );
}

const completionsQuery = reusableQuery((db) =>
  db
    .select({ first: sql<number | null>`min(${roadmapItems.completedAt})` })
    .from(roadmapItems)
    .where(and(eq(roadmapItems.roadmapId, sql.placeholder("roadmapId")), isNotNull(roadmapItems.completedAt))),
);

const WEEK = 7 * 86_400_000;

const weeklyCompletionsQuery = reusableQuery((db) =>
  db.select({ week: sql<number>`week`, done: sql<number>`done` }).from(
    sql`(select (i.completed_at - cast(${sql.placeholder("from")} as integer)) / ${sql.raw(String(WEEK))} as week, count(*) as done from roadmap_items i
        where i.roadmap_id = ${sql.placeholder("roadmapId")} and i.completed_at is not null group by week)`,
  ),
);

/** The burn-up of a roadmap from its completions counted per week by SQLite. */
function roadmapBurnUp(roadmapId: number, startDate: string, total: number, db: DbOrTx) {
  const first = completionsQuery(db).get({ roadmapId })?.first ?? null;
  const from = burnUpStart(startDate, first);
  const weekly = weeklyCompletionsQuery(db).all({ roadmapId, from });
  return burnUpFromWeeks(from, new Map(weekly.map((w) => [w.week, w.done])), total);
}

/**
 * The roadmap page: progress and burn-up over all items, and one page of the
 * chosen view's items (groups split across pages keep their headings and totals).
 * A fixed number of queries whatever the roadmap's size, and only the page's items are read:
 * groups are counted by aggregates, and the page's stretch of each group comes through the index.
 * `registryFigures`: where the success criteria's registry figures come from (a cache), computed when not given.
 */
export function getRoadmapView(
  orgId: number,
  roadmapId: number,
  options: { view: RoadmapView; page: number; me: string; pageSize?: number; registryFigures?: RegistryFigures },
  db: DbOrTx = getDb(),
) {
  const header = getRoadmapHeader(orgId, roadmapId, db, options.registryFigures);
  if (!header) return null;
  const now = today();
  const pageSize = options.pageSize ?? ROADMAP_PAGE_SIZE;
  const params = viewParams(header.id, options.me, now);
  const viewCounts: GroupCount[] = groupCountQueries[options.view](db).all(params);
  // Every workstream with items, in the page's order (due date, then name): the groups of the workstream view.
  const workstreams = workstreamProgress(
    (options.view === "workstream" ? viewCounts : groupCountQueries.workstream(db).all(params)).map(asWorkstreamCounts),
  );
  const counts = options.view === "workstream" ? workstreams : viewCounts;
  const countOf = new Map(counts.map((c) => [c.key, c]));
  const workstreamOf = new Map(workstreams.map((w) => [w.key, { dueDate: w.dueDate, catchUp: w.catchUp }]));
  const groups = (fixedGroups(options.view, header.components) ?? counts.map((c) => ({ key: c.key, title: c.title ?? c.key }))).map(
    (g) => ({
      ...g,
      count: countOf.get(g.key) ?? { key: g.key, title: g.title, total: 0, done: 0, closed: 0 },
      workstream: options.view === "workstream" ? (workstreamOf.get(g.key) ?? null) : null,
    }),
  );
  // Rows in the view (an item in several components counts once per component).
  const total = groups.reduce((n, g) => n + g.count.total, 0);
  const { page, offset } = listPage(options.page, pageSize, total);
  const windows = pageWindows(
    groups.map((g) => ({ key: g.key, total: g.count.total })),
    offset,
    pageSize,
  );
  const slice = windows.length
    ? windowQueries[options.view](windows.length)(db).all({
        ...params,
        ...Object.fromEntries(
          windows.flatMap((w, n) => [
            [`group${n}`, w.key],
            [`limit${n}`, w.limit],
            [`offset${n}`, w.offset],
          ]),
        ),
      })
    : [];
  const ids = [...new Set(slice.map((m) => m.id))];
  const rows = ids.length
    ? pageItemsQuery(pageSize)(db).all(Object.fromEntries(Array.from({ length: pageSize }, (_, n) => [`id${n}`, ids[n] ?? 0])))
    : [];
  const byId = new Map(rows.map((row) => [row.item.id, itemJson(row, now)]));
  const sum = (field: "total" | "done" | "closed") => workstreams.reduce((n, w) => n + w[field], 0);
  const all = progressFromCounts({ total: sum("total"), done: sum("done"), closed: sum("closed") });
  const inPageOrder = (a: { priority: number; id: number }, b: { priority: number; id: number }) => a.priority - b.priority || a.id - b.id;
  return {
    ...header,
    progress: {
      all,
      /** Every workstream with items, catch-up ones included: their figures add up to `all`. */
      byWorkstream: workstreams,
    },
    burnUp: roadmapBurnUp(header.id, header.startDate, all.total, db),
    groups: groups
      .map((group) => ({
        group,
        items: slice
          .filter((m) => m.groupKey === group.key)
          .sort(inPageOrder)
          .map((m) => byId.get(m.id)!),
      }))
      // Empty groups still show ("Nothing here") on the first page.
      .filter(({ group, items }) => items.length > 0 || (group.count.total === 0 && page === 1))
      .map(({ group, items }) => ({
        key: group.key,
        title: group.title,
        /** The workstream view's groups: when the workstream is due and whether it is catch-up. */
        workstream: group.workstream,
        progress: progressFromCounts(group.count),
        items,
      })),
    page,
    pageSize,
    total,
  };
}

export function getRoadmapItem(orgId: number, itemId: number, db: DbOrTx = getDb()) {
  const row = db
    .select(itemSelect)
    .from(roadmapItems)
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(and(eq(roadmapItems.orgId, orgId), eq(roadmapItems.id, itemId)))
    .get();
  if (!row) return null;
  const comments = db
    .select()
    .from(roadmapItemComments)
    .where(eq(roadmapItemComments.itemId, itemId))
    .orderBy(asc(roadmapItemComments.id))
    .all()
    .map((c) => ({ id: c.id, author: c.authorLabel, body: c.body, at: c.createdAt.toISOString() }));
  const roadmap = db.select({ status: roadmaps.status }).from(roadmaps).where(eq(roadmaps.id, row.item.roadmapId)).get();
  return { ...itemJson(row), roadmapId: row.item.roadmapId, roadmapStatus: roadmap?.status ?? "superseded", comments };
}

/** A roadmap's component names, from the framework version it was generated against (an uploaded one may rename them). */
export function roadmapComponentNames(orgId: number, roadmapId: number, db: DbOrTx = getDb()): Map<string, string> {
  const row = db
    .select({ frameworkVersion: assessments.frameworkVersion })
    .from(roadmaps)
    .innerJoin(assessments, eq(assessments.id, roadmaps.assessmentId))
    .where(and(eq(roadmaps.orgId, orgId), eq(roadmaps.id, roadmapId)))
    .get();
  return new Map((findFramework(row?.frameworkVersion) ?? getFramework()).components.map((c) => [c.id, c.name]));
}

export function listRoadmaps(orgId: number, db: DbOrTx = getDb()) {
  return db
    .select({
      id: roadmaps.id,
      title: roadmaps.title,
      fromLevel: roadmaps.fromLevel,
      toLevel: roadmaps.toLevel,
      status: roadmaps.status,
      startDate: roadmaps.startDate,
      period: assessments.period,
      createdAt: roadmaps.createdAt,
      total: sql<number>`(select count(*) from roadmap_items i where i.roadmap_id = roadmaps.id)`,
      done: sql<number>`(select count(*) from roadmap_items i where i.roadmap_id = roadmaps.id and i.status = 'done')`,
      closed: sql<number>`(select count(*) from roadmap_items i where i.roadmap_id = roadmaps.id and i.status = 'closed')`,
      withdrawnAt: assessments.withdrawnAt,
      withdrawnBy: assessments.withdrawnByLabel,
      withdrawnReason: assessments.withdrawnReason,
    })
    .from(roadmaps)
    .innerJoin(assessments, eq(assessments.id, roadmaps.assessmentId))
    .where(eq(roadmaps.orgId, orgId))
    .orderBy(desc(roadmaps.id))
    .all()
    .map(({ withdrawnAt, withdrawnBy, withdrawnReason, ...r }) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      progress: progressFromCounts(r),
      sourceWithdrawal: withdrawnAt
        ? { period: r.period, at: withdrawnAt.toISOString(), by: withdrawnBy ?? "someone", reason: withdrawnReason ?? "" }
        : null,
    }));
}

/** Joins an item to its roadmap when that roadmap is the active one. */
const ACTIVE_ROADMAP = and(eq(roadmaps.id, roadmapItems.roadmapId), eq(roadmaps.status, "active"));
/** The member's (placeholder `userId`) items in the organisation (`orgId`) with `status`. */
const mine = (status: SQL | undefined) =>
  and(eq(roadmapItems.orgId, sql.placeholder("orgId")), eq(roadmapItems.ownerUserId, sql.placeholder("userId")), status);

const myItemsQuery = reusableQuery((db) =>
  db
    .select(itemSelect)
    .from(roadmapItems)
    .innerJoin(roadmaps, ACTIVE_ROADMAP)
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(mine(ne(roadmapItems.status, "closed")))
    .orderBy(asc(roadmapItems.dueDate), asc(roadmapItems.priority)),
);

/** The signed-in member's items on the active roadmap that are not closed (done ones too), by due date. */
export function myRoadmapItems(orgId: number, userId: number, db: DbOrTx = getDb()) {
  return myItemsQuery(db)
    .all({ orgId, userId })
    .map((row) => itemJson(row));
}

const myOpenCountsQuery = reusableQuery((db) =>
  db
    .select({
      open: sql<number>`count(*)`,
      overdue: sql<number>`coalesce(sum(case when ${roadmapItems.dueDate} < ${sql.placeholder("today")} then 1 else 0 end), 0)`,
      dueSoon: sql<number>`coalesce(sum(case when ${roadmapItems.dueDate} >= ${sql.placeholder("today")}
        and ${roadmapItems.dueDate} <= ${sql.placeholder("horizon")} then 1 else 0 end), 0)`,
    })
    .from(roadmapItems)
    .innerJoin(roadmaps, ACTIVE_ROADMAP)
    .where(mine(inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES]))),
);

const myFirstOpenQuery = reusableQuery((db) =>
  db
    .select(itemSelect)
    .from(roadmapItems)
    .innerJoin(roadmaps, ACTIVE_ROADMAP)
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(mine(inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES])))
    .orderBy(asc(roadmapItems.dueDate), asc(roadmapItems.priority), asc(roadmapItems.id))
    .limit(sql.placeholder("limit")),
);

/**
 * What the dashboard shows of the member's open items (to do, in progress, blocked) on the active
 * roadmap, counted and cut by SQLite: how many are open, overdue (due before `today`) and due soon
 * (from `today` to `horizon`, inclusive), and the first `limit` by due date, each marked overdue or
 * due soon. The same figures as `dueSummary(myRoadmapItems(...))` without reading every item.
 */
export function myOpenRoadmapItems(
  orgId: number,
  userId: number,
  options: { today: string; horizon: string; limit: number },
  db: DbOrTx = getDb(),
) {
  const counts = myOpenCountsQuery(db).get({ orgId, userId, today: options.today, horizon: options.horizon });
  const items = myFirstOpenQuery(db)
    .all({ orgId, userId, limit: options.limit })
    .map((row) => {
      const item = itemJson(row, options.today);
      return { ...item, overdue: item.dueDate < options.today, dueSoon: item.dueDate >= options.today && item.dueDate <= options.horizon };
    });
  return { items, open: counts?.open ?? 0, overdue: counts?.overdue ?? 0, dueSoon: counts?.dueSoon ?? 0 };
}

/** How many of the member's open items on the active roadmap are overdue, and due from today to a week ahead. */
export function dueCounts(orgId: number, userId: number, db: DbOrTx = getDb()) {
  const now = today();
  const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  const row = myOpenCountsQuery(db).get({ orgId, userId, today: now, horizon: weekAhead });
  return { overdue: row?.overdue ?? 0, dueThisWeek: row?.dueSoon ?? 0 };
}

/** Cumulative done items per week since the roadmap started, against the total: the burn-up chart. */
export function burnUp(roadmap: { startDate: string; items: Array<{ status: string; completedAt: string | null }> }, now = new Date()) {
  const completions = roadmap.items.flatMap((i) => (i.completedAt ? [Date.parse(i.completedAt)] : []));
  const from = burnUpStart(
    roadmap.startDate,
    completions.reduce<number | null>((first, at) => (first === null || at < first ? at : first), null),
  );
  const weekly = new Map<number, number>();
  for (const at of completions) {
    const week = Math.floor((at - from) / WEEK);
    weekly.set(week, (weekly.get(week) ?? 0) + 1);
  }
  return burnUpFromWeeks(from, weekly, roadmap.items.length, now);
}

/** Where the burn-up starts (ms): the start date, or the first completion when work was done before it. */
function burnUpStart(startDate: string, firstDone: number | null): number {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  return firstDone !== null && firstDone < start ? firstDone : start;
}

/**
 * The burn-up from its start (ms), the completions per week since then (week n: [from + n weeks, from + n + 1 weeks))
 * and the number of items: a point a week, each counting the completions before the end of its week.
 */
function burnUpFromWeeks(from: number, weekly: Map<number, number>, total: number, now = new Date()) {
  // total: true progress, closed-by-supersession items stay in it
  const points: Array<{ week: string; done: number; total: number }> = [];
  let done = 0;
  for (let t = from, week = 0; t <= Math.max(now.getTime(), from); t += WEEK, week++) {
    done += weekly.get(week) ?? 0;
    points.push({ week: new Date(t).toISOString().slice(0, 10), done, total });
    if (points.length > 200) break;
  }
  return points;
}

/** Items still open past their due date on the active roadmap, and those due in the next seven days. */
export function dueLists(orgId: number, db: DbOrTx = getDb()) {
  const now = today();
  const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  const open = db
    .select(itemSelect)
    .from(roadmapItems)
    .innerJoin(roadmaps, and(eq(roadmaps.id, roadmapItems.roadmapId), eq(roadmaps.status, "active")))
    .leftJoin(users, eq(users.id, roadmapItems.ownerUserId))
    .where(and(eq(roadmapItems.orgId, orgId), inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES]), lte(roadmapItems.dueDate, weekAhead)))
    .orderBy(asc(roadmapItems.dueDate))
    .all()
    .map((row) => itemJson(row));
  return { overdue: open.filter((i) => i.dueDate < now), dueThisWeek: open.filter((i) => i.dueDate >= now) };
}

/**
 * The weekly digest's roadmap part: each owner's open items on the active roadmap that are overdue or due
 * within seven days of `today` (the organisation's local date), by owner, earliest first.
 */
export function dueItemsByOwner(orgId: number, orgSlug: string, today: string, db: DbOrTx = getDb()) {
  const weekAhead = new Date(Date.parse(`${today}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
  const rows = db
    .select({
      id: roadmapItems.id,
      roadmapId: roadmapItems.roadmapId,
      title: roadmapItems.title,
      dueDate: roadmapItems.dueDate,
      owner: roadmapItems.ownerUserId,
    })
    .from(roadmapItems)
    .innerJoin(roadmaps, and(eq(roadmaps.id, roadmapItems.roadmapId), eq(roadmaps.status, "active")))
    .where(
      and(
        eq(roadmapItems.orgId, orgId),
        isNotNull(roadmapItems.ownerUserId),
        inArray(roadmapItems.status, [...OPEN_ITEM_STATUSES]),
        lte(roadmapItems.dueDate, weekAhead),
      ),
    )
    .orderBy(asc(roadmapItems.dueDate), asc(roadmapItems.id))
    .all();
  const byOwner = new Map<number, Array<{ title: string; dueDate: string; path: string }>>();
  for (const row of rows) {
    const item = { title: row.title, dueDate: row.dueDate, path: `/orgs/${orgSlug}/roadmaps/${row.roadmapId}/items/${row.id}` };
    byOwner.set(row.owner!, [...(byOwner.get(row.owner!) ?? []), item]);
  }
  return byOwner;
}

/** JSON for the API: `{id, transition, startDate, items: [...], successCriteria: [...]}`. */
export function roadmapJson(detail: RoadmapDetail) {
  return {
    id: detail.id,
    assessmentId: detail.assessmentId,
    transition: detail.transition,
    title: detail.title,
    status: detail.status,
    startDate: detail.startDate,
    items: detail.items.map((i) => ({
      id: i.id,
      title: i.title,
      components: i.components,
      workstream: i.workstream,
      dueDate: i.dueDate,
      status: i.status,
      priority: i.priority,
      owner: i.owner?.email ?? null,
      team: i.team,
      evidence: i.evidence,
      catchUp: i.catchUp,
    })),
    successCriteria: detail.successCriteria.map((c) => ({ id: c.id, text: c.text, automatic: c.automatic, met: c.met, value: c.value })),
    progress: { done: detail.progress.done, total: detail.progress.total, closed: detail.progress.closed },
  };
}

/** The newest roadmap generated from an assessment, summarised for reports. */
export function roadmapSummaryForAssessment(orgId: number, assessmentId: number, db: DbOrTx = getDb()) {
  const row = db
    .select({ id: roadmaps.id })
    .from(roadmaps)
    .where(and(eq(roadmaps.orgId, orgId), eq(roadmaps.assessmentId, assessmentId)))
    .orderBy(desc(roadmaps.id))
    .get();
  const detail = row ? getRoadmap(orgId, row.id, db) : null;
  if (!detail) return null;
  return {
    title: `Level ${detail.transition.from} → ${detail.transition.to}: ${detail.title}`,
    startDate: detail.startDate,
    status: detail.status,
    total: detail.progress.total,
    done: detail.progress.done,
    closed: detail.progress.closed,
    progress: progressSentence(detail.progress, detail.status),
    overdue: detail.status === "active" ? detail.items.filter((i) => i.overdue).length : 0,
    criteriaMet: detail.successCriteria.filter((c) => c.met).length,
    criteria: detail.successCriteria.length,
  };
}
export type RoadmapSummary = NonNullable<ReturnType<typeof roadmapSummaryForAssessment>>;
