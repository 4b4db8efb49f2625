import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { apiJson, apiRoute, created, methodNotAllowed, parseQuery, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { createModel, getModel } from "~/modules/registry/registry.server";
import { ModelListSchema, ModelSchema } from "~/modules/registry/registry-response-schemas";
import { ModelCreateSchema, ModelListQuerySchema } from "~/modules/registry/registry-schemas";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    return apiJson(ModelListSchema, cached.modelList(token.orgId, parseQuery(request, ModelListQuerySchema)));
  });

export const action = ({ request }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, ModelCreateSchema);
    const model = createModel(token.orgId, input, token.actor, "api");
    return created(ModelSchema, getModel(token.orgId, model.slug)!);
  });
