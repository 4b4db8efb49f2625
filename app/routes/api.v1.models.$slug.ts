import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { getModel } from "~/modules/registry/registry.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    return getModel(token.orgId, params.slug ?? "") ?? apiError(404, "not_found", "Model not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
