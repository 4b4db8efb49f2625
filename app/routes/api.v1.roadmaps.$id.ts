import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { RoadmapDetailSchema } from "~/modules/roadmap/roadmap-response-schemas";
import { getRoadmap, roadmapJson } from "~/modules/roadmap/roadmaps.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "roadmap:read");
    const roadmap = getRoadmap(token.orgId, pathId(params.id));
    return roadmap ? apiJson(RoadmapDetailSchema, roadmapJson(roadmap)) : apiError(404, "not_found", "Roadmap not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
