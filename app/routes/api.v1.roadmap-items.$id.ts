import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import { getRoadmapItem, updateRoadmapItem } from "~/modules/roadmap/roadmaps.server";


export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "roadmap:read");
    return getRoadmapItem(token.orgId, pathId(params.id)) ?? apiError(404, "not_found", "Roadmap item not found");
  });

/** `{status?, ownerEmail?, evidence?}` (and `team?`). */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "PATCH") return methodNotAllowed(["GET", "PATCH"]);
    const token = requireApiToken(request, "roadmap:write");
    const input = await readJsonBody(request, RoadmapItemUpdateSchema);
    updateRoadmapItem(token.orgId, pathId(params.id), input, token.actor);
    return getRoadmapItem(token.orgId, pathId(params.id));
  });
