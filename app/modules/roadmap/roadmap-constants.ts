export const ITEM_STATUSES = ["todo", "in_progress", "blocked", "done", "closed"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
/** Statuses people set; `closed` is set by regeneration when an item is no longer needed (closed by supersession, never done). */
export const WORK_STATUSES = ["todo", "in_progress", "blocked", "done"] as const;
/** Statuses of items that still need work (open, and overdue once past their due date). */
export const OPEN_ITEM_STATUSES = ["todo", "in_progress", "blocked"] as const satisfies readonly ItemStatus[];
export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = {
  todo: "To do",
  in_progress: "In progress",
  blocked: "Blocked",
  done: "Done",
  closed: "Closed by supersession",
};
export const ROADMAP_STATUSES = ["active", "superseded"] as const;
export type RoadmapStatus = (typeof ROADMAP_STATUSES)[number];

/** The ways the roadmap page groups its items (`?view=`). */
export const ROADMAP_VIEWS = ["workstream", "component", "mine", "due"] as const;
export type RoadmapView = (typeof ROADMAP_VIEWS)[number];

/**
 * Who works roadmap items (status, evidence, owner, team) and so may own one: the roles that may
 * update an item. The ethics committee and the auditor (read-only) are not offered as owners.
 */
export const ITEM_WORKERS = ["admin", "leadership", "team"] as const;

/** Who plans roadmaps: generates them and records success criteria. */
export const PLANNERS = ["admin", "leadership"] as const;

/**
 * Style for the roadmap pages' `.table-wrap` boxes until the shared table wrapper lands: the
 * table scrolls inside its own box and its width no longer counts toward the page's (at 390 px
 * the page's grid column otherwise grows to the widest table).
 */
export const TABLE_SCROLLS_ON_ITS_OWN = { contain: "inline-size" } as const;
