import type { Framework, FrameworkRoadmap, SuccessCheck } from "../framework/framework-schema";
import { quarterOf, quarterRange, shiftQuarter } from "../../utils/quarters";

/**
 * Pure roadmap generation from a finalised assessment. No I/O: callers load
 * the framework and the assessment's scores and pass them in.
 *
 * Contract (the product's roadmap rules):
 * - Dimension level L (1–4) selects the roadmap whose `from` is L (L → L+1).
 *   At L = 5 there is nothing to generate (null).
 * - Main items: every checklist item of that roadmap's workstreams.
 * - Catch-up: a component assessed at level c < L also gets the items of the
 *   earlier transitions c→c+1 … (L−1)→L tagged with it (`catchUp: true`).
 *   An item key appears once, however many weak components pull it in.
 * - Order: an item's rank is the lowest score among the assessed components
 *   it is tagged with (components not in the assessment count as 5); then the
 *   workstream's start month; then the roadmap's `from` (earlier transition
 *   first); then content order (workstream order, then item order).
 *   priority = 1..N in that order.
 * - Dates: startDate = options.startDate ?? the first day of the quarter after
 *   the assessment's, or after its finalisation when that came later; an item is due on the last day of its own workstream's
 *   endMonth, counted from the start (month 1 = the start's month). UTC only.
 * - Success criteria: the target roadmap's, in content order.
 */

export type AssessedComponent = { componentId: string; level: number; score: number };
export type RoadmapInput = {
  /** The assessment's quarter, e.g. "2026-Q3". */
  period: string;
  /** When it was finalised (ISO date or timestamp): the default start is the quarter after it. */
  finalizedAt?: string | null;
  /** Dimension level, 1..5. */
  level: number;
  components: AssessedComponent[];
};

export type GeneratedItem = {
  /** The content item id, e.g. "1-2.code-quality.1". */
  key: string;
  title: string;
  components: string[];
  roadmapId: string;
  /** `${roadmapId}.${workstream.id}` */
  workstreamKey: string;
  workstreamTitle: string;
  startMonth: number;
  endMonth: number;
  /** YYYY-MM-DD */
  dueDate: string;
  /** 1 = first. */
  priority: number;
  catchUp: boolean;
};

export type GeneratedCriterion = { key: string; text: string; check: SuccessCheck | null };

export type GeneratedWorkstream = { key: string; title: string; startMonth: number; endMonth: number };

export type GeneratedRoadmap = {
  transition: { from: number; to: number };
  roadmapId: string;
  title: string;
  goal: string;
  durationMonths: { min: number; max: number };
  /** The assessment's quarter the roadmap was generated from (input.period). */
  period: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** The target roadmap's workstreams, in content order. */
  workstreams: GeneratedWorkstream[];
  items: GeneratedItem[];
  successCriteria: GeneratedCriterion[];
};

/** Score a component absent from the assessment counts as (it never makes an item urgent). */
const UNASSESSED_SCORE = 5;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function parseDate(value: string): Date {
  const match = DATE_PATTERN.exec(value);
  if (!match) throw new Error(`Not a date (YYYY-MM-DD): ${value}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Rejects 2027-02-30 and friends, which Date.UTC would roll over.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new Error(`Not a date (YYYY-MM-DD): ${value}`);
  }
  return date;
}

/**
 * The first day of the quarter after the assessment's ("2026-Q4" → "2027-01-01"),
 * or after the quarter it was finalised in when that is later: a 2026-Q3
 * assessment finalised on 2026-10-08 starts its roadmap on 2027-01-01, never
 * before the work could have been planned.
 */
export function defaultStartDate(period: string, finalizedAt?: string | null): string {
  const finalisedIn = finalizedAt ? quarterOf(new Date(finalizedAt)) : period;
  return formatDate(quarterRange(shiftQuarter(finalisedIn > period ? finalisedIn : period, 1)).from);
}

/**
 * The last day of month `endMonth` counted from the start, the start's own
 * month being month 1: start 2027-01-01, endMonth 2 → "2027-02-28".
 */
export function dueDate(startDate: string, endMonth: number): string {
  if (!Number.isInteger(endMonth) || endMonth < 1) {
    throw new Error(`endMonth must be a positive whole number, not ${endMonth}`);
  }
  const start = parseDate(startDate);
  // Day 0 of the following month is the last day of the wanted month.
  return formatDate(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + endMonth, 0)));
}

type Candidate = {
  item: Omit<GeneratedItem, "priority">;
  rank: number;
  from: number;
  workstreamIndex: number;
  itemIndex: number;
};

function candidatesOf(
  roadmap: FrameworkRoadmap,
  startDate: string,
  catchUp: boolean,
  scoreOf: (componentId: string) => number,
  include: (components: string[]) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  roadmap.workstreams.forEach((workstream, workstreamIndex) => {
    workstream.items.forEach((item, itemIndex) => {
      if (!include(item.components)) return;
      out.push({
        item: {
          key: item.id,
          title: item.text,
          components: [...item.components],
          roadmapId: roadmap.id,
          workstreamKey: `${roadmap.id}.${workstream.id}`,
          workstreamTitle: workstream.title,
          startMonth: workstream.startMonth,
          endMonth: workstream.endMonth,
          dueDate: dueDate(startDate, workstream.endMonth),
          catchUp,
        },
        rank: Math.min(...item.components.map(scoreOf)),
        from: roadmap.from,
        workstreamIndex,
        itemIndex,
      });
    });
  });
  return out;
}

export function generateRoadmap(framework: Framework, input: RoadmapInput, options?: { startDate?: string }): GeneratedRoadmap | null {
  const L = input.level;
  if (!Number.isInteger(L) || L < 1 || L > 5) {
    throw new Error(`The dimension level must be a whole number from 1 to 5, not ${L}`);
  }
  if (L === 5) return null;

  const target = framework.roadmaps.find((r) => r.from === L);
  if (!target) throw new Error(`Framework ${framework.id} v${framework.version} has no roadmap from level ${L}`);

  // Validate the start date up front so a bad option fails even for odd content.
  const startDate = options?.startDate ?? defaultStartDate(input.period, input.finalizedAt);
  parseDate(startDate);

  // A component assessed twice keeps its lowest score and level (the weaker reading wins).
  const scores = new Map<string, number>();
  const levels = new Map<string, number>();
  for (const c of input.components) {
    scores.set(c.componentId, Math.min(scores.get(c.componentId) ?? Infinity, c.score));
    levels.set(c.componentId, Math.min(levels.get(c.componentId) ?? Infinity, c.level));
  }
  const scoreOf = (componentId: string) => scores.get(componentId) ?? UNASSESSED_SCORE;

  const candidates: Candidate[] = candidatesOf(target, startDate, false, scoreOf, () => true);

  // Catch-up: transition `from` = f is owed by every component whose level c satisfies c <= f < L.
  const earlier = framework.roadmaps.filter((r) => r.from < L).sort((a, b) => a.from - b.from);
  for (const roadmap of earlier) {
    const owing = new Set([...levels].filter(([, level]) => level <= roadmap.from).map(([componentId]) => componentId));
    if (owing.size === 0) continue;
    candidates.push(...candidatesOf(roadmap, startDate, true, scoreOf, (components) => components.some((id) => owing.has(id))));
  }

  // No duplicates: keys are unique in content; guard anyway, keeping the first seen (main before catch-up).
  const seen = new Set<string>();
  const unique = candidates.filter((c) => (seen.has(c.item.key) ? false : (seen.add(c.item.key), true)));

  unique.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.item.startMonth - b.item.startMonth ||
      a.from - b.from ||
      a.workstreamIndex - b.workstreamIndex ||
      a.itemIndex - b.itemIndex,
  );

  return {
    transition: { from: target.from, to: target.to },
    roadmapId: target.id,
    title: target.title,
    goal: target.goal,
    durationMonths: { min: target.durationMonths.min, max: target.durationMonths.max },
    period: input.period,
    startDate,
    workstreams: target.workstreams.map((w) => ({
      key: `${target.id}.${w.id}`,
      title: w.title,
      startMonth: w.startMonth,
      endMonth: w.endMonth,
    })),
    items: unique.map((c, index) => ({ ...c.item, priority: index + 1 })),
    successCriteria: target.successCriteria.map((sc) => ({ key: sc.id, text: sc.text, check: sc.check ?? null })),
  };
}

// ---------------------------------------------------------------- regeneration

export type ExistingItem = {
  id: number;
  key: string;
  status: "todo" | "in_progress" | "blocked" | "done" | "closed";
};

export type RegenerationPlan = {
  carry: Array<{ previousId: number; key: string }>;
  add: GeneratedItem[];
  close: Array<{ previousId: number; key: string; reason: string }>;
};

const UNFINISHED = new Set<ExistingItem["status"]>(["todo", "in_progress", "blocked"]);

/**
 * What to do with the items of the previous roadmap when a new one is generated.
 *
 * - Unfinished previous items (todo / in_progress / blocked) whose key is in the
 *   new roadmap are carried over with their progress and are not added again.
 * - Unfinished previous items the new roadmap does not need are closed, with a
 *   reason naming the new transition and the period it was generated from.
 * - Done and closed previous items are left alone (neither carried nor closed).
 * - Every generated item that is not carried is added — except keys already
 *   done in the previous roadmap: finished work stays finished and is not
 *   re-opened by regeneration, so such keys are in neither `carry` nor `add`.
 *   (A key previously only `closed` was never finished and is added again.)
 * - Should the previous roadmap hold the same key unfinished twice, the one
 *   with the lowest id is carried and the others are closed as duplicates.
 */
export function planRegeneration(previous: ExistingItem[], generated: GeneratedRoadmap): RegenerationPlan {
  const generatedKeys = new Set(generated.items.map((i) => i.key));
  const doneKeys = new Set(previous.filter((p) => p.status === "done").map((p) => p.key));
  const transition = `${generated.transition.from}→${generated.transition.to}`;
  const notNeeded = `Not needed for the ${transition} roadmap generated from ${generated.period}`;

  const carry: RegenerationPlan["carry"] = [];
  const close: RegenerationPlan["close"] = [];
  const carriedBy = new Map<string, number>();

  const unfinished = previous.filter((p) => UNFINISHED.has(p.status)).sort((a, b) => a.id - b.id);
  for (const p of unfinished) {
    if (!generatedKeys.has(p.key)) {
      close.push({ previousId: p.id, key: p.key, reason: notNeeded });
      continue;
    }
    const carrier = carriedBy.get(p.key);
    if (carrier !== undefined) {
      close.push({
        previousId: p.id,
        key: p.key,
        reason: `Duplicate of item #${carrier}, carried into the ${transition} roadmap generated from ${generated.period}`,
      });
      continue;
    }
    carriedBy.set(p.key, p.id);
    carry.push({ previousId: p.id, key: p.key });
  }

  const add = generated.items.filter((item) => !carriedBy.has(item.key) && !doneKeys.has(item.key));
  return { carry, add, close };
}

// ---------------------------------------------------------------- what a generation will do

/** The organisation's active roadmap as a generation sees it: what it would replace. */
export type ActiveRoadmap = {
  id: number;
  transition: { from: number; to: number };
  title: string;
  /** The quarter of the assessment it was generated from. */
  period: string;
  assessmentId: number;
  items: Array<ExistingItem & { title: string; components: string[] }>;
};

export type GenerationPlan = {
  generated: GeneratedRoadmap;
  plan: RegenerationPlan;
  /** Level names of the new roadmap's transition, e.g. { from: "Initial", to: "Developing" }. */
  levelNames: { from: string; to: string };
  /** What is replaced, null when no roadmap is active. */
  replaces: null | {
    id: number;
    transition: { from: number; to: number };
    title: string;
    period: string;
    /** The new roadmap starts at a lower level than the one it replaces. */
    lowerLevel: boolean;
    /** The new roadmap comes from the same assessment as the one it replaces. */
    sameAssessment: boolean;
    /** Items done in the active roadmap: they stay done and are not added again. */
    keptDone: number;
    carried: Array<{ key: string; title: string; status: ExistingItem["status"] }>;
    closed: Array<{ key: string; title: string; components: string[]; status: ExistingItem["status"]; reason: string }>;
  };
  /** New items: generated ones neither carried over nor already done. */
  added: number;
  /**
   * Items the new roadmap will hold: the carried ones plus the added ones. Generated items whose
   * key is already done stay out, so this can be fewer than `generated.items.length`.
   */
  total: number;
  /** The latest due date among the items the new roadmap will hold (its start date when it holds none). */
  lastDue: string;
};

/**
 * Everything a generation will do, computed before it is done: the one plan
 * both the preview page shows and `generateRoadmapFromAssessment` carries out
 * (so the preview cannot promise something else). Null at level 5.
 */
export function planGeneration(
  framework: Framework,
  input: RoadmapInput & { assessmentId: number },
  active: ActiveRoadmap | null,
  options?: { startDate?: string },
): GenerationPlan | null {
  const generated = generateRoadmap(framework, input, options);
  if (!generated) return null;
  const plan = planRegeneration(active?.items ?? [], generated);
  const levelName = (level: number) => framework.levels.find((l) => l.level === level)?.name ?? `Level ${level}`;
  const byId = new Map((active?.items ?? []).map((i) => [i.id, i]));
  return {
    generated,
    plan,
    levelNames: { from: levelName(generated.transition.from), to: levelName(generated.transition.to) },
    replaces: active && {
      id: active.id,
      transition: active.transition,
      title: active.title,
      period: active.period,
      lowerLevel: generated.transition.from < active.transition.from,
      sameAssessment: active.assessmentId === input.assessmentId,
      keptDone: active.items.filter((i) => i.status === "done").length,
      carried: plan.carry.map((c) => ({ key: c.key, title: byId.get(c.previousId)!.title, status: byId.get(c.previousId)!.status })),
      closed: plan.close.map((c) => {
        const item = byId.get(c.previousId)!;
        return { key: c.key, title: item.title, components: item.components, status: item.status, reason: c.reason };
      }),
    },
    added: plan.add.length,
    total: plan.carry.length + plan.add.length,
    lastDue: lastDueOf(generated, plan),
  };
}

function lastDueOf(generated: GeneratedRoadmap, plan: RegenerationPlan) {
  const carried = new Set(plan.carry.map((c) => c.key));
  const held = [...generated.items.filter((i) => carried.has(i.key)), ...plan.add];
  return held.reduce((max, i) => (i.dueDate > max ? i.dueDate : max), generated.startDate);
}
