import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { createVersion, findModelBySlug, listVersions, versionJson } from "~/modules/registry/registry.server";
import { ModelVersionListSchema, ModelVersionOfModelSchema } from "~/modules/registry/registry-response-schemas";
import { ModelVersionCreateSchema } from "~/modules/registry/registry-schemas";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const model = findModelBySlug(token.orgId, params.slug ?? "");
    if (!model) return apiError(404, "not_found", "Model not found");
    return apiJson(ModelVersionListSchema, { model: model.slug, versions: listVersions(model.id) });
  });

export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, ModelVersionCreateSchema);
    const { model, version } = createVersion(token.orgId, params.slug ?? "", input, token.actor, "api");
    return created(ModelVersionOfModelSchema, { model: model.slug, ...versionJson(version, input.parentVersion ?? null) });
  });
