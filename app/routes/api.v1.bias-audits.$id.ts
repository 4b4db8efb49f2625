import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { getBiasAudit } from "~/modules/governance/bias-audits.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "governance:read");
    return getBiasAudit(token.orgId, pathId(params.id)) ?? apiError(404, "not_found", "Bias audit not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
