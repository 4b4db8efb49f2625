/**
 * Finalised assessments and roadmaps prepared through the JSON API, and the
 * roadmap items as stored: shared by the roadmap specs in the browser and the
 * roadmap API tests.
 */
import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { roadmapItems } from "../../db/schema";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { API, expectJson, type ApiClient } from "./api-client";
import { FRAMEWORK } from "./assessment-fixtures";

export const COMPONENT_IDS = FRAMEWORK.components.map((c) => c.id);
const JUSTIFY_ALL = {
  justifications: Object.fromEntries(COMPONENT_IDS.map((id) => [id, "Justified by the test suite."])),
  acceptUnanswered: true,
};
export const ASSESS = ["assessment:read", "assessment:write"] as const;
export const ROADMAP = ["roadmap:read", "roadmap:write"] as const;
/** Four components at level 3 and mlops at level 1: dimension level 2, with the mlops catch-up items of 1 → 2. */
export const MIXED_LEVEL_2 = { "technical-capability": 3, lifecycle: 3, "production-operations": 3, standards: 3, mlops: 1 };

const current = quarterOf(new Date());
export const P1 = shiftQuarter(current, -2);
export const P2 = shiftQuarter(current, -1);

/** Creates, fills (levels 2..L in place per component) and finalises an assessment through the API. */
export async function finalisedAssessment(ctx: ApiClient, period: string, levels: Record<string, number> = {}) {
  const { id } = await expectJson<{ id: number }>(await ctx.post(`${API}/assessments`, { data: { period } }), 201);
  const capabilities = FRAMEWORK.components.flatMap((c) =>
    c.capabilities.filter((s) => s.level <= (levels[c.id] ?? 1)).map((s) => ({ id: s.id, status: "in_place" })),
  );
  if (capabilities.length) await expectJson(await ctx.put(`${API}/assessments/${id}/responses`, { data: { capabilities } }), 200);
  const finalised = await expectJson<{ level: number; status: string }>(
    await ctx.post(`${API}/assessments/${id}/finalize`, { data: JUSTIFY_ALL }),
    200,
  );
  assert.equal(finalised.status, "finalized");
  return { id, level: finalised.level };
}

/** The items of a roadmap as stored, by priority. */
export const storedItems = (roadmapId: number) =>
  getDb().select().from(roadmapItems).where(eq(roadmapItems.roadmapId, roadmapId)).orderBy(asc(roadmapItems.priority)).all();
export const storedItem = (id: number) => getDb().select().from(roadmapItems).where(eq(roadmapItems.id, id)).get()!;

/** A roadmap as the API answers it. */
export type RoadmapBody = {
  id: number;
  transition: { from: number; to: number };
  startDate: string;
  status: string;
  items: Array<{
    id: number;
    title: string;
    components: string[];
    workstream: string;
    dueDate: string;
    status: string;
    priority: number;
    owner: string | null;
    evidence: string | null;
  }>;
  successCriteria: Array<{ id: number; text: string; automatic: boolean; met: boolean | null; value: number | null }>;
};
