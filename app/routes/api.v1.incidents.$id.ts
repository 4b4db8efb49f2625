import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { getIncident, updateIncident } from "~/modules/registry/registry.server";
import { IncidentSchema } from "~/modules/registry/registry-response-schemas";
import { IncidentUpdateSchema } from "~/modules/registry/registry-schemas";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const incident = getIncident(token.orgId, pathId(params.id));
    return incident ? apiJson(IncidentSchema, incident) : apiError(404, "not_found", "Incident not found");
  });

export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "PATCH") return methodNotAllowed(["GET", "PATCH"]);
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, IncidentUpdateSchema);
    return apiJson(IncidentSchema, updateIncident(token.orgId, pathId(params.id), input, token.actor));
  });
