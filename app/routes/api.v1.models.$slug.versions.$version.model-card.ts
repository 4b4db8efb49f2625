import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { ModelCardSchema } from "~/modules/governance/governance-response-schemas";
import { getCardForExport } from "~/modules/governance/model-cards.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "governance:read");
    const found = getCardForExport(token.orgId, params.slug ?? "", params.version ?? "");
    if (!found) return apiError(404, "not_found", "No model card for this version");
    const { comments: _comments, ...card } = found.card;
    return apiJson(ModelCardSchema, { model: found.model.slug, version: found.version.version, ...card });
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
