import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { ModelSchema } from "~/modules/registry/registry-response-schemas";
import { getModel } from "~/modules/registry/registry.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const model = getModel(token.orgId, params.slug ?? "");
    return model ? apiJson(ModelSchema, model) : apiError(404, "not_found", "Model not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
