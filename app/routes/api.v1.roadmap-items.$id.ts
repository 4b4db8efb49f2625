import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import { getRoadmapItem, updateRoadmapItem } from "~/modules/roadmap/roadmaps.server";

const itemId = (raw: string | undefined) => (/^\d{1,15}$/.test(raw ?? "") ? Number(raw) : 0);

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "roadmap:read");
    return getRoadmapItem(token.orgId, itemId(params.id)) ?? apiError(404, "not_found", "Roadmap item not found");
  });

/** `{status?, ownerEmail?, evidence?}` (and `team?`). */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "PATCH") return methodNotAllowed(["GET", "PATCH"]);
    const token = requireApiToken(request, "roadmap:write");
    const input = await readJsonBody(request, RoadmapItemUpdateSchema);
    updateRoadmapItem(token.orgId, itemId(params.id), input, token.actor);
    return getRoadmapItem(token.orgId, itemId(params.id));
  });
