import type { Actor } from "../app/modules/audit/audit.server";
import { listAssessments } from "../app/modules/assessment/assessments.server";
import { generateRoadmapFromAssessment, getRoadmap, updateRoadmapItem } from "../app/modules/roadmap/roadmaps.server";

const DAY = 86_400_000;

/**
 * The demo roadmap, generated from the latest finalised assessment and
 * started about four months ago: most early items are done (at believable past
 * dates, so the burn-up climbs), a few are overdue, later ones are under way.
 */
export function seedDemoRoadmap(orgId: number, people: { leader: Actor; team: Actor; teamEmail: string; leaderEmail: string }, now = new Date()) {
  const latest = listAssessments(orgId).find((a) => a.status === "finalized");
  if (!latest) return;
  const startDate = new Date(now.getTime() - 130 * DAY).toISOString().slice(0, 10);
  // Generated the day after the assessment was finalised; the start date is set back to when the work began.
  const generatedAt = new Date(Math.min(Date.parse(latest.finalizedAt ?? now.toISOString()) + DAY, now.getTime() - 10 * DAY));
  const roadmapId = generateRoadmapFromAssessment(orgId, latest.id, { startDate }, people.leader, { now: generatedAt });
  const roadmap = getRoadmap(orgId, roadmapId)!;
  const today = now.toISOString().slice(0, 10);
  roadmap.items.forEach((item, index) => {
    const owner = index % 3 === 2 ? people.leaderEmail : people.teamEmail;
    const due = Date.parse(`${item.dueDate}T00:00:00Z`);
    const assigned = { ownerEmail: owner, team: "ML Platform" };
    const at = (ms: number) => ({ now: new Date(Math.min(Math.max(ms, generatedAt.getTime() + DAY), now.getTime() - DAY)) });
    if (item.dueDate < today && index % 2 === 1) {
      // Past its due date and still open: the overdue list.
      updateRoadmapItem(orgId, item.id, { status: "in_progress", ...assigned }, people.team, at(due - 20 * DAY));
    } else if (item.dueDate < today || (due - now.getTime() < 220 * DAY && index % 3 === 0)) {
      updateRoadmapItem(orgId, item.id, { status: "done", evidence: "Delivered; see the platform changelog.", ...assigned }, people.team, at(Math.min(due, now.getTime()) - (8 + (index % 6) * 9) * DAY));
    } else if (due - now.getTime() < 220 * DAY) {
      updateRoadmapItem(orgId, item.id, { status: index % 3 === 1 ? "in_progress" : "todo", ...assigned }, people.team, at(now.getTime() - 3 * DAY));
    }
  });
}
