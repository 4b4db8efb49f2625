import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { getRoadmap, roadmapJson } from "~/modules/roadmap/roadmaps.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "roadmap:read");
    const roadmap = getRoadmap(token.orgId, /^\d{1,15}$/.test(params.id ?? "") ? Number(params.id) : 0);
    return roadmap ? roadmapJson(roadmap) : apiError(404, "not_found", "Roadmap not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
