import type { Actor } from "../app/modules/audit/audit.server";
import { createAssessment, finalizeAssessment, getAssessment } from "../app/modules/assessment/assessments.server";
import { needsJustification } from "../app/modules/assessment/evidence";
import { saveResponses } from "../app/modules/assessment/capture.server";
import type { AssessmentResponsesInput } from "../app/modules/assessment/assessment-schemas";
import type { StatementStatusValue } from "../app/modules/assessment/assessment-constants";
import { getFramework } from "../app/modules/framework/framework";
import { quarterOf, quarterRange, shiftQuarter } from "../app/utils/quarters";
import type { SeedTimeline } from "./seed-timeline";

/**
 * Four finalised quarters that climb from "Developing" towards "Defined",
 * and a draft for the current quarter. Targets per component are chosen to
 * match the demo registry's story (more production models, faster releases,
 * fewer incidents); where the registry lags a claim, the seed justifies it.
 */
const TARGETS: Record<string, number[]> = {
  "technical-capability": [1.8, 2.3, 2.6, 3.2, 3.4],
  mlops: [1.6, 2.0, 2.5, 2.8, 3.2],
  lifecycle: [1.7, 2.2, 2.75, 3.2, 3.4],
  "production-operations": [2.0, 2.4, 2.7, 3.0, 3.3],
  standards: [1.5, 1.8, 2.25, 2.6, 3.0],
};

const QUESTION_COMPONENT: Record<string, string> = {
  "development-capability": "technical-capability",
  "mlops-automation": "mlops",
  "production-operations": "production-operations",
};

/** The demo's answers for one quarter, saved at `answeredAt`: no evidence is dated after the day it was saved. */
function responsesFor(quarterIndex: number, quarterEnd: Date, answeredAt: Date): AssessmentResponsesInput {
  const evidenceDate = new Date(Math.min(quarterEnd.getTime() - 20 * 86_400_000, answeredAt.getTime())).toISOString().slice(0, 10);
  const framework = getFramework();
  const capabilities: AssessmentResponsesInput["capabilities"] = [];
  for (const component of framework.components) {
    const target = TARGETS[component.id]![quarterIndex]!;
    const achieved = Math.floor(target);
    // Keep the next level's share under the 80% that would achieve it.
    const share = Math.min(0.75, target - achieved);
    for (const level of [2, 3, 4, 5]) {
      const statements = component.capabilities.filter((s) => s.level === level);
      const inPlace = level <= achieved ? statements.length : level === achieved + 1 ? Math.round(share * statements.length) : 0;
      statements.forEach((s, i) => {
        const status: StatementStatusValue = i < inPlace ? "in_place" : level === achieved + 1 && i === inPlace ? "partial" : "none";
        const dated = status === "in_place" && i === 0;
        capabilities.push({
          id: s.id,
          status,
          evidence: dated
            ? {
                note: `Reviewed in the ${quarterOf(new Date(quarterEnd.getTime() - 86_400_000))} leadership review`,
                // The oldest quarter's evidence is over a year old by now and shows as stale.
                date: evidenceDate,
              }
            : undefined,
        });
      });
    }
  }
  const questions = framework.questions.map((q) => ({
    id: q.id,
    level: Math.max(1, Math.floor(TARGETS[QUESTION_COMPONENT[q.id] ?? q.componentId]![quarterIndex]!)),
    note: "Agreed in the quarterly leadership session.",
  }));
  return { capabilities, questions };
}

/** When the demo finalises an assessment of `period`: a week after the quarter ends (or just before now). */
export function demoFinalizedAt(period: string, now: Date): Date {
  return new Date(Math.min(quarterRange(period).to.getTime() + 7 * 86_400_000, now.getTime() - 3_600_000));
}

/** Opens, answers and finalises one past quarter's assessment on the timeline. */
function scheduleFinalizedQuarter(
  timeline: SeedTimeline,
  orgId: number,
  period: string,
  index: number,
  leader: Actor,
  now: Date,
  justification: (period: string) => string,
) {
  const { to } = quarterRange(period);
  const ids = { assessment: 0 };
  const opened = new Date(to.getTime() - 14 * 86_400_000);
  const answered = new Date(to.getTime() - 10 * 86_400_000);
  const finalized = demoFinalizedAt(period, now);
  timeline.at(opened, () => (ids.assessment = createAssessment(orgId, { period }, leader, { now: opened }).id));
  timeline.at(answered, () => saveResponses(orgId, ids.assessment, responsesFor(index, to, answered), leader, { now: answered }));
  timeline.at(finalized, () => {
    const flagged = getAssessment(orgId, ids.assessment)!.flags.filter(needsJustification);
    const justifications = Object.fromEntries(flagged.map((f) => [f.componentId, justification(period)]));
    finalizeAssessment(orgId, ids.assessment, { justifications }, leader, { now: finalized });
  });
}

/** Four finalised quarters and the current quarter's half-done draft, each step at its date. */
export function seedDemoAssessments(timeline: SeedTimeline, orgId: number, leader: Actor, now = new Date()) {
  const current = quarterOf(now);
  [-4, -3, -2, -1].forEach((offset, index) =>
    scheduleFinalizedQuarter(
      timeline,
      orgId,
      shiftQuarter(current, offset),
      index,
      leader,
      now,
      (period) =>
        `The registry figures for ${period} trail practice: the level rests on process evidence reviewed by leadership (see the statement notes).`,
    ),
  );
  const ids = { draft: 0 };
  const opened = new Date(now.getTime() - 5 * 86_400_000);
  const saved = new Date(now.getTime() - 2 * 86_400_000);
  timeline.at(opened, () => (ids.draft = createAssessment(orgId, { period: current }, leader, { now: opened }).id));
  timeline.at(saved, () => {
    const partial = responsesFor(4, quarterRange(current).to, saved);
    // The draft is half done: the first three components answered.
    const answered = new Set(
      getFramework()
        .components.slice(0, 3)
        .flatMap((c) => c.capabilities.map((s) => s.id)),
    );
    saveResponses(
      orgId,
      ids.draft,
      { capabilities: partial.capabilities.filter((c) => answered.has(c.id)), questions: partial.questions.slice(0, 2) },
      leader,
      { now: saved },
    );
  });
}

/** A smaller sister organisation with one finalised quarter, so demo users can compare organisations. */
export function seedSisterOrgAssessment(timeline: SeedTimeline, orgId: number, leader: Actor, now = new Date()) {
  scheduleFinalizedQuarter(
    timeline,
    orgId,
    shiftQuarter(quarterOf(now), -1),
    1,
    leader,
    now,
    () => "The lab runs no production models yet; the level rests on its research platform.",
  );
}
