import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { RoadmapItemSchema } from "~/modules/roadmap/roadmap-response-schemas";
import { RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import { getRoadmapItem, updateRoadmapItem } from "~/modules/roadmap/roadmaps.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "roadmap:read");
    const item = getRoadmapItem(token.orgId, pathId(params.id));
    return item ? apiJson(RoadmapItemSchema, item) : apiError(404, "not_found", "Roadmap item not found");
  });

/** `{status?, ownerEmail?, evidence?}` (and `team?`). */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "PATCH") return methodNotAllowed(["GET", "PATCH"]);
    const token = requireApiToken(request, "roadmap:write");
    const input = await readJsonBody(request, RoadmapItemUpdateSchema);
    updateRoadmapItem(token.orgId, pathId(params.id), input, token.actor);
    return apiJson(RoadmapItemSchema, getRoadmapItem(token.orgId, pathId(params.id))!);
  });
