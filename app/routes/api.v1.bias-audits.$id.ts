import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { getBiasAudit } from "~/modules/governance/bias-audits.server";
import { BiasAuditSchema } from "~/modules/governance/governance-response-schemas";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "governance:read");
    const audit = getBiasAudit(token.orgId, pathId(params.id));
    return audit ? apiJson(BiasAuditSchema, audit) : apiError(404, "not_found", "Bias audit not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
