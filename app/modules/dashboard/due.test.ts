import { describe, expect, it } from "vitest";
import { dueSummary } from "./due";

const item = (dueDate: string, status = "todo") => ({ dueDate, status, title: `${status} ${dueDate}` });

describe("dueSummary", () => {
  it("keeps open items in due order and marks overdue and due-soon ones", () => {
    const summary = dueSummary(
      [item("2026-12-20"), item("2026-11-30", "in_progress"), item("2026-12-03", "blocked"), item("2027-03-31")],
      "2026-12-03",
    );
    expect(summary.open.map((i) => [i.dueDate, i.overdue, i.dueSoon])).toEqual([
      ["2026-11-30", true, false],
      ["2026-12-03", false, true],
      ["2026-12-20", false, false],
      ["2027-03-31", false, false],
    ]);
    expect(summary).toMatchObject({ overdue: 1, dueSoon: 1 });
  });

  it("counts the last day of the window as due soon", () => {
    expect(dueSummary([item("2026-12-17")], "2026-12-03").dueSoon).toBe(1);
    expect(dueSummary([item("2026-12-18")], "2026-12-03").dueSoon).toBe(0);
  });

  it("leaves done and closed items out", () => {
    expect(dueSummary([item("2026-01-01", "done"), item("2026-01-01", "closed")], "2026-12-03")).toEqual({
      open: [],
      overdue: 0,
      dueSoon: 0,
    });
  });
});
