/**
 * The roadmap JSON API against the real server: generation from a finalised
 * assessment in the documented shape, refusals, item updates, organisation
 * isolation and regeneration. (Moved from the Playwright roadmap spec: no page.)
 */
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { roadmaps } from "../../db/schema";
import { API, expectApiError, expectJson } from "../setup/api-client";
import { describe } from "vitest";
import { expect, test } from "../setup/api-test";
import {
  ASSESS,
  COMPONENT_IDS,
  finalisedAssessment,
  MIXED_LEVEL_2,
  P1,
  P2,
  ROADMAP,
  storedItem,
  type RoadmapBody,
} from "../setup/roadmap-fixtures";
import { createTestOrg } from "../setup/test-orgs";

describe("the roadmap API", () => {
  test("POST /assessments/:id/roadmap generates (201) in the documented shape; GET /roadmaps/:id reads it", async ({ testOrg, apiAs }) => {
    const prep = await apiAs(testOrg.id, [...ASSESS]);
    const assessment = await finalisedAssessment(prep.ctx, P1);
    const writer = await apiAs(testOrg.id, ["roadmap:write"]);
    const reader = await apiAs(testOrg.id, ["roadmap:read"]);

    const body = await expectJson<RoadmapBody>(
      await writer.ctx.post(`${API}/assessments/${assessment.id}/roadmap`, { data: { startDate: "2027-01-01" } }),
      201,
    );
    expect(body.id).toEqual(expect.any(Number));
    expect(body.transition).toEqual({ from: 1, to: 2 });
    expect(body.startDate).toBe("2027-01-01");
    expect(body.items).toHaveLength(24);
    expect(body.items.map((i) => i.priority)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    for (const item of body.items) {
      expect(item).toMatchObject({
        id: expect.any(Number),
        title: expect.any(String),
        workstream: expect.any(String),
        status: "todo",
        priority: expect.any(Number),
      });
      expect(item.components.length).toBeGreaterThan(0);
      expect(item.dueDate).toMatch(/^2027-\d{2}-\d{2}$/);
    }
    expect(body.successCriteria).toHaveLength(6);
    for (const c of body.successCriteria) expect(Object.keys(c).sort()).toEqual(["automatic", "id", "met", "text", "value"]);
    expect(body.successCriteria.filter((c) => c.automatic)).toHaveLength(2);

    const read = await expectJson<RoadmapBody>(await reader.ctx.get(`${API}/roadmaps/${body.id}`), 200);
    expect(read.id).toBe(body.id);
    expect(read.items.map((i) => i.id)).toEqual(body.items.map((i) => i.id));
    expect(read.successCriteria).toEqual(body.successCriteria);

    // Scopes: reading needs roadmap:read, generating roadmap:write.
    await expectApiError(await writer.ctx.get(`${API}/roadmaps/${body.id}`), 403, "forbidden");
    await expectApiError(await reader.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 403, "forbidden");
    await expectApiError(await prep.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 403, "forbidden");
    expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toHaveLength(1);
  });

  test("generation refusals: a draft is 409, an unknown assessment 404, a bad start date 422, a level-5 assessment 422", async ({
    testOrg,
    apiAs,
  }) => {
    const prep = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const { id: draft } = await expectJson<{ id: number }>(await prep.ctx.post(`${API}/assessments`, { data: { period: P2 } }), 201);
    await expectApiError(await prep.ctx.post(`${API}/assessments/${draft}/roadmap`), 409, "conflict");
    await expectApiError(await prep.ctx.post(`${API}/assessments/99999999/roadmap`), 404, "not_found");
    await expectApiError(await prep.ctx.post(`${API}/assessments/abc/roadmap`), 404, "not_found");
    const top = await finalisedAssessment(prep.ctx, P1, Object.fromEntries(COMPONENT_IDS.map((id) => [id, 5])));
    expect(top.level).toBe(5);
    await expectApiError(
      await prep.ctx.post(`${API}/assessments/${top.id}/roadmap`, { data: { startDate: "2027-02-30" } }),
      422,
      "invalid",
    );
    const error = await expectApiError(await prep.ctx.post(`${API}/assessments/${top.id}/roadmap`), 422, "invalid");
    expect(error.message).toMatch(/level 5/i);
    expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, testOrg.id)).all()).toEqual([]);
  });

  test("PATCH /roadmap-items/:id moves the due date (a past one too, overdue at once); a date that does not exist is 422", async ({
    testOrg,
    apiAs,
  }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
    const item = roadmap.items[0]!;
    const moved = await expectJson<{ dueDate: string; overdue: boolean }>(
      await api.ctx.patch(`${API}/roadmap-items/${item.id}`, { data: { dueDate: "2099-06-30" } }),
      200,
    );
    expect(moved).toMatchObject({ dueDate: "2099-06-30", overdue: false });
    const past = await expectJson<{ dueDate: string; overdue: boolean }>(
      await api.ctx.patch(`${API}/roadmap-items/${item.id}`, { data: { dueDate: "2021-01-31" } }),
      200,
    );
    expect(past).toMatchObject({ dueDate: "2021-01-31", overdue: true });
    const refused = await expectApiError(
      await api.ctx.patch(`${API}/roadmap-items/${item.id}`, { data: { dueDate: "2027-02-30" } }),
      422,
      "invalid",
    );
    expect(JSON.stringify(refused)).toContain("dueDate");
    expect(storedItem(item.id).dueDate).toBe("2021-01-31");
  });

  test("PATCH /roadmap-items/:id updates status, owner and evidence; refusals change nothing", async ({ testOrg, apiAs }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
    const item = roadmap.items[0]!;

    const patched = await expectJson<{
      id: number;
      status: string;
      owner: { email: string } | null;
      evidence: string;
      completedAt: string | null;
    }>(
      await api.ctx.patch(`${API}/roadmap-items/${item.id}`, {
        data: { status: "done", ownerEmail: testOrg.emails.team, evidence: "https://ci.example/run/7" },
      }),
      200,
    );
    expect(patched).toMatchObject({
      id: item.id,
      status: "done",
      owner: { email: testOrg.emails.team },
      evidence: "https://ci.example/run/7",
    });
    expect(patched.completedAt).not.toBeNull();
    const after = await expectJson<RoadmapBody>(await api.ctx.get(`${API}/roadmaps/${roadmap.id}`), 200);
    expect(after.items.find((i) => i.id === item.id)).toMatchObject({
      status: "done",
      owner: testOrg.emails.team,
      evidence: "https://ci.example/run/7",
    });
    expect(await expectJson(await api.ctx.get(`${API}/roadmap-items/${item.id}`), 200)).toMatchObject({ id: item.id, status: "done" });

    const other = roadmap.items[1]!;
    // A non-member owner: 422 on ownerEmail, nothing written.
    const stranger = await createTestOrg("rm-stranger");
    const invalid = await expectApiError(
      await api.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: { status: "in_progress", ownerEmail: stranger.emails.team } }),
      422,
      "invalid",
    );
    expect(JSON.stringify(invalid)).toContain("ownerEmail");
    await expectApiError(
      await api.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: { ownerEmail: "nobody@nowhere.test" } }),
      422,
      "invalid",
    );
    // Bad values and an empty change.
    await expectApiError(await api.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: { status: "closed" } }), 422, "invalid");
    await expectApiError(await api.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: {} }), 422, "invalid");
    // Scope: roadmap:read cannot write.
    const reader = await apiAs(testOrg.id, ["roadmap:read"]);
    await expectApiError(await reader.ctx.patch(`${API}/roadmap-items/${other.id}`, { data: { status: "done" } }), 403, "forbidden");
    // Unknown item.
    await expectApiError(await api.ctx.patch(`${API}/roadmap-items/99999999`, { data: { status: "done" } }), 404, "not_found");
    expect(storedItem(other.id)).toMatchObject({ status: "todo", ownerUserId: null, evidence: null });
  });

  test("another organisation's token gets 404 for the roadmap, its items and its assessments", async ({ testOrg, apiAs }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const assessment = await finalisedAssessment(api.ctx, P1);
    const roadmap = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 201);
    const otherOrg = await createTestOrg("rm-other");
    const outsider = await apiAs(otherOrg.id, [...ASSESS, ...ROADMAP]);
    await expectApiError(await outsider.ctx.get(`${API}/roadmaps/${roadmap.id}`), 404, "not_found");
    await expectApiError(await outsider.ctx.get(`${API}/roadmap-items/${roadmap.items[0]!.id}`), 404, "not_found");
    await expectApiError(
      await outsider.ctx.patch(`${API}/roadmap-items/${roadmap.items[0]!.id}`, { data: { status: "done" } }),
      404,
      "not_found",
    );
    await expectApiError(await outsider.ctx.post(`${API}/assessments/${assessment.id}/roadmap`), 404, "not_found");
    expect(storedItem(roadmap.items[0]!.id).status).toBe("todo");
    expect(getDb().select().from(roadmaps).where(eq(roadmaps.orgId, otherOrg.id)).all()).toEqual([]);
  });

  test("a newer generation through the API carries the unfinished items (no duplicates)", async ({ testOrg, apiAs }) => {
    const api = await apiAs(testOrg.id, [...ASSESS, ...ROADMAP]);
    const q1 = await finalisedAssessment(api.ctx, P1);
    const r1 = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${q1.id}/roadmap`), 201);
    const mlops = r1.items.filter((i) => i.components.includes("mlops"));
    await expectJson(
      await api.ctx.patch(`${API}/roadmap-items/${mlops[0]!.id}`, { data: { status: "blocked", evidence: "Waiting on budget" } }),
      200,
    );
    const q2 = await finalisedAssessment(api.ctx, P2, MIXED_LEVEL_2);
    const r2 = await expectJson<RoadmapBody>(await api.ctx.post(`${API}/assessments/${q2.id}/roadmap`), 201);
    expect(r2.transition).toEqual({ from: 2, to: 3 });
    const titles = r2.items.map((i) => i.title);
    expect(new Set(titles).size).toBe(titles.length);
    const carried = r2.items.find((i) => i.title === mlops[0]!.title)!;
    expect(carried).toMatchObject({ status: "blocked", evidence: "Waiting on budget" });
    expect((await expectJson<RoadmapBody>(await api.ctx.get(`${API}/roadmaps/${r1.id}`), 200)).status).toBe("superseded");
    await expectApiError(await api.ctx.patch(`${API}/roadmap-items/${mlops[0]!.id}`, { data: { status: "done" } }), 409, "conflict");
  });
});
