import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { ModelVersionOfModelSchema } from "~/modules/registry/registry-response-schemas";
import { getModel } from "~/modules/registry/registry.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const model = getModel(token.orgId, params.slug ?? "");
    const version = model?.versions.find((v) => v.version === params.version);
    return model && version
      ? apiJson(ModelVersionOfModelSchema, { model: model.slug, ...version })
      : apiError(404, "not_found", "Model version not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
