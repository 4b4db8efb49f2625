import { apiError, apiJson, created, pathId, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";
import { RoadmapDetailSchema, RoadmapItemSchema } from "~/modules/roadmap/roadmap-response-schemas";
import { RoadmapGenerateSchema, RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import {
  generateRoadmapFromAssessment,
  getRoadmap,
  getRoadmapItem,
  roadmapJson,
  updateRoadmapItem,
} from "~/modules/roadmap/roadmaps.server";

/** Roadmaps generated from finalised assessments, and their items. */
export const roadmapHandlers = {
  generateRoadmap: async ({ request, params }) => {
    const token = requireApiToken(request, "roadmap:write");
    const input = (request.headers.get("content-length") ?? "0") === "0" ? {} : await readJsonBody(request, RoadmapGenerateSchema);
    const id = generateRoadmapFromAssessment(token.orgId, pathId(params.id), input, token.actor);
    return created(RoadmapDetailSchema, roadmapJson(getRoadmap(token.orgId, id)!));
  },

  getRoadmap: ({ request, params }) => {
    const token = requireApiToken(request, "roadmap:read");
    const roadmap = getRoadmap(token.orgId, pathId(params.id));
    return roadmap ? apiJson(RoadmapDetailSchema, roadmapJson(roadmap)) : apiError(404, "not_found", "Roadmap not found");
  },

  getRoadmapItem: ({ request, params }) => {
    const token = requireApiToken(request, "roadmap:read");
    const item = getRoadmapItem(token.orgId, pathId(params.id));
    return item ? apiJson(RoadmapItemSchema, item) : apiError(404, "not_found", "Roadmap item not found");
  },

  /** `{status?, ownerEmail?, evidence?}` (and `team?`). */
  updateRoadmapItem: async ({ request, params }) => {
    const token = requireApiToken(request, "roadmap:write");
    const input = await readJsonBody(request, RoadmapItemUpdateSchema);
    updateRoadmapItem(token.orgId, pathId(params.id), input, token.actor);
    return apiJson(RoadmapItemSchema, getRoadmapItem(token.orgId, pathId(params.id))!);
  },
} satisfies ApiHandlers;
