import { describe, expect, it } from "vitest";
import { progressFromCounts, progressSentence, roadmapProgress, startWord } from "./progress";

const items = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

describe("roadmapProgress: done of ALL items", () => {
  it("keeps the items closed by supersession in the total: a roadmap replaced at 8 of 28 stays 8 of 28", () => {
    const superseded = items({ done: 8, closed: 12, todo: 5, in_progress: 3 });
    expect(roadmapProgress(superseded)).toEqual({ done: 8, total: 28, percent: 29, closed: 12, open: 8 });
    expect(progressSentence(roadmapProgress(superseded), "superseded")).toBe(
      "8 of 28 done (29%); 8 carried over into the newer roadmap, 12 closed by supersession",
    );
  });

  it("never counts a closed item as done", () => {
    expect(roadmapProgress(items({ done: 8, closed: 20 }))).toMatchObject({ done: 8, total: 28, percent: 29 });
    expect(progressSentence(roadmapProgress(items({ done: 8, closed: 20 })), "superseded")).toBe(
      "8 of 28 done (29%); 20 closed by supersession",
    );
  });

  it("reads the active roadmap plainly, and an empty one as 0%", () => {
    expect(progressSentence(roadmapProgress(items({ done: 1, todo: 23 })), "active")).toBe("1 of 24 done (4%)");
    expect(roadmapProgress([])).toEqual({ done: 0, total: 0, percent: 0, closed: 0, open: 0 });
  });

  it("gives the same figures from counts", () => {
    expect(progressFromCounts({ done: 8, closed: 12, total: 28 })).toEqual(roadmapProgress(items({ done: 8, closed: 12, blocked: 8 })));
  });
});

describe("startWord", () => {
  it("says Starts for a start still ahead and Started from that day on", () => {
    expect(startWord("2027-01-01", "2026-12-05")).toBe("Starts");
    expect(startWord("2027-01-01", "2027-01-01")).toBe("Started");
    expect(startWord("2026-04-01", "2026-12-05")).toBe("Started");
  });
});
