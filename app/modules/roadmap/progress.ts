/**
 * A roadmap's true progress: done out of ALL its items. Items closed when a
 * newer roadmap superseded this one count in the total, never as done, so a
 * roadmap replaced at 8 of 28 keeps saying 8 of 28 (29%), not 8 of 8 (100%).
 * The one function every page, export and report takes its figures from.
 */

export type ProgressItem = { status: string };

export type RoadmapProgress = {
  done: number;
  /** Every item of the roadmap, closed ones included. */
  total: number;
  /** Whole percent of `done` in `total` (0 for an empty roadmap). */
  percent: number;
  /** Closed by supersession: no longer needed by the roadmap that replaced this one. */
  closed: number;
  /** Neither done nor closed: still to do (on a superseded roadmap: carried over into the newer one). */
  open: number;
};

export function roadmapProgress(items: Iterable<ProgressItem>): RoadmapProgress {
  const counts = { done: 0, closed: 0, total: 0 };
  for (const item of items) {
    counts.total++;
    if (item.status === "done") counts.done++;
    else if (item.status === "closed") counts.closed++;
  }
  return progressFromCounts(counts);
}

/** The same figures from counts already made (by SQL, say). */
export function progressFromCounts({ done, closed, total }: { done: number; closed: number; total: number }): RoadmapProgress {
  return { done, total, percent: total ? Math.round((100 * done) / total) : 0, closed, open: total - done - closed };
}

/**
 * The progress in words: "8 of 28 done (29%)", and for a superseded roadmap what
 * became of the rest: "; 12 carried over into the newer roadmap, 8 closed by supersession".
 */
export function progressSentence(progress: RoadmapProgress, roadmapStatus: string): string {
  const head = `${progress.done} of ${progress.total} done (${progress.percent}%)`;
  if (roadmapStatus === "active") return head;
  const rest = [
    progress.open ? `${progress.open} carried over into the newer roadmap` : null,
    progress.closed ? `${progress.closed} closed by supersession` : null,
  ].filter(Boolean);
  return rest.length ? `${head}; ${rest.join(", ")}` : head;
}

/** How a roadmap's start (YYYY-MM-DD) reads on a given day: "Starts" while it lies ahead, "Started" from that day on. */
export function startWord(startDate: string, today: string): "Starts" | "Started" {
  return startDate > today ? "Starts" : "Started";
}
