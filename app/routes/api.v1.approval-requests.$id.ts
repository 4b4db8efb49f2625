import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { getApprovalRequest } from "~/modules/governance/approvals.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "governance:read");
    return getApprovalRequest(token.orgId, pathId(params.id)) ?? apiError(404, "not_found", "Approval request not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
