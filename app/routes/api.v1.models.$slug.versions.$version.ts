import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { getModel } from "~/modules/registry/registry.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const version = getModel(token.orgId, params.slug ?? "")?.versions.find((v) => v.version === params.version);
    return version ? { model: params.slug, ...version } : apiError(404, "not_found", "Model version not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
