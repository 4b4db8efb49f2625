import { progressFromCounts, type RoadmapProgress } from "./progress";

/**
 * The workstreams a roadmap's items fall in, as the roadmap page lists them: its own (the target
 * transition's) and the catch-up ones from earlier transitions alike, so their figures add up to
 * the roadmap's. Listed by due date (every item of a workstream is due at its end), then by name:
 * what is due first comes first, in the progress panel, the phases and the groups of items alike.
 */

export type WorkstreamCounts = {
  key: string;
  title: string;
  /** When its items are due (YYYY-MM-DD): the end of its last month. */
  dueDate: string;
  /** From an earlier transition, owed by components assessed below the roadmap's level. */
  catchUp: boolean;
  startMonth: number;
  endMonth: number;
  total: number;
  done: number;
  closed: number;
};

export type WorkstreamProgress = Omit<WorkstreamCounts, "total" | "done" | "closed"> & RoadmapProgress;

const byName = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Due first, then by name (then key, so two workstreams of one name keep one order). */
export function compareWorkstreams(
  a: Pick<WorkstreamCounts, "dueDate" | "title" | "key">,
  b: Pick<WorkstreamCounts, "dueDate" | "title" | "key">,
): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  return byName.compare(a.title, b.title) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Every workstream with items, in the page's order, with its progress. */
export function workstreamProgress(workstreams: readonly WorkstreamCounts[]): WorkstreamProgress[] {
  return [...workstreams]
    .sort(compareWorkstreams)
    .map(({ total, done, closed, ...w }) => ({ ...w, ...progressFromCounts({ total, done, closed }) }));
}

/** The name a workstream goes by where a list mixes both kinds: "Model lifecycle (catch-up)". */
export function workstreamLabel(w: Pick<WorkstreamCounts, "title" | "catchUp">): string {
  return w.catchUp ? `${w.title} (catch-up)` : w.title;
}

/** What an item tells of its workstream (every item of a workstream carries its title, months and due date). */
export type WorkstreamItem = {
  workstreamKey: string;
  workstream: string;
  dueDate: string;
  catchUp: boolean;
  startMonth: number;
  endMonth: number;
  status: string;
};

/**
 * Every workstream the items fall in, catch-up ones included, in the page's order with their
 * progress: what the roadmap page's phases show, for a reader holding every item (the exports).
 */
export function workstreamsOfItems(items: readonly WorkstreamItem[]): WorkstreamProgress[] {
  const byKey = new Map<string, WorkstreamCounts>();
  for (const item of items) {
    let w = byKey.get(item.workstreamKey);
    if (!w) {
      w = {
        key: item.workstreamKey,
        title: item.workstream,
        dueDate: item.dueDate,
        catchUp: item.catchUp,
        startMonth: item.startMonth,
        endMonth: item.endMonth,
        total: 0,
        done: 0,
        closed: 0,
      };
      byKey.set(item.workstreamKey, w);
    }
    w.total++;
    if (item.status === "done") w.done++;
    else if (item.status === "closed") w.closed++;
  }
  return workstreamProgress([...byKey.values()]);
}
