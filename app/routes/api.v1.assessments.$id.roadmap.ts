import type { ActionFunctionArgs } from "@remix-run/node";
import { apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { RoadmapDetailSchema } from "~/modules/roadmap/roadmap-response-schemas";
import { RoadmapGenerateSchema } from "~/modules/roadmap/roadmap-schemas";
import { generateRoadmapFromAssessment, getRoadmap, roadmapJson } from "~/modules/roadmap/roadmaps.server";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "roadmap:write");
    const input = (request.headers.get("content-length") ?? "0") === "0" ? {} : await readJsonBody(request, RoadmapGenerateSchema);
    const id = generateRoadmapFromAssessment(token.orgId, pathId(params.id), input, token.actor);
    return created(RoadmapDetailSchema, roadmapJson(getRoadmap(token.orgId, id)!));
  });
