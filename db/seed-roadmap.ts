import type { Actor } from "../app/modules/audit/audit.server";
import { generateRoadmapFromAssessment, getRoadmap, updateRoadmapItem } from "../app/modules/roadmap/roadmaps.server";
import { listAssessments } from "../app/modules/assessment/assessments.server";
import { quarterOf, shiftQuarter } from "../app/utils/quarters";
import { demoFinalizedAt } from "./seed-assessments";
import { clampTime, type SeedTimeline } from "./seed-timeline";

const DAY = 86_400_000;

/**
 * The demo roadmap, generated the day after the latest assessment was
 * finalised. It starts when the generator says (the first day of the quarter
 * after the assessed one), so its dates agree with its assessment. Items due
 * before today are done or overdue; some later ones are done early or under way,
 * each change at a believable date between the roadmap's generation and now.
 */
export function seedDemoRoadmap(
  timeline: SeedTimeline,
  orgId: number,
  people: { leader: Actor; team: Actor; teamEmail: string; leaderEmail: string },
  now = new Date(),
) {
  const finalizedAt = demoFinalizedAt(shiftQuarter(quarterOf(now), -1), now);
  const generatedAt = new Date(Math.min(finalizedAt.getTime() + DAY, finalizedAt.getTime() + (now.getTime() - finalizedAt.getTime()) / 2));
  timeline.at(generatedAt, () => {
    const latest = listAssessments(orgId).find((a) => a.status === "finalized");
    if (!latest) return;
    const roadmapId = generateRoadmapFromAssessment(orgId, latest.id, {}, people.leader, { now: generatedAt });
    const roadmap = getRoadmap(orgId, roadmapId)!;
    const today = now.toISOString().slice(0, 10);
    // Changes fall after the generation and before now (a margin of a day, or less on a young roadmap).
    const margin = Math.min(DAY, (now.getTime() - generatedAt.getTime()) / 3);
    const when = (ms: number) => clampTime(ms, generatedAt.getTime() + margin, now.getTime() - margin);
    roadmap.items.forEach((item, index) => {
      const owner = index % 3 === 2 ? people.leaderEmail : people.teamEmail;
      const due = Date.parse(`${item.dueDate}T00:00:00Z`);
      const assigned = { ownerEmail: owner, team: "ML Platform" };
      const update = (at: Date, input: Parameters<typeof updateRoadmapItem>[2]) =>
        timeline.at(at, () => updateRoadmapItem(orgId, item.id, { ...input, ...assigned }, people.team, { now: at }));
      if (item.dueDate < today && index % 2 === 1) {
        // Past its due date and still open: the overdue list.
        update(when(due - 20 * DAY), { status: "in_progress" });
      } else if (item.dueDate < today || (due - now.getTime() < 220 * DAY && index % 3 === 0)) {
        update(when(Math.min(due, now.getTime()) - (8 + (index % 6) * 9) * DAY), {
          status: "done",
          evidence: "Delivered; see the platform changelog.",
        });
      } else if (due - now.getTime() < 220 * DAY) {
        update(when(now.getTime() - 3 * DAY), { status: index % 3 === 1 ? "in_progress" : "todo" });
      }
    });
  });
}
