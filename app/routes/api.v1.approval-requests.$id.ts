import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { getApprovalRequest } from "~/modules/governance/approvals.server";
import { ApprovalRequestSchema } from "~/modules/governance/governance-response-schemas";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "governance:read");
    const approval = getApprovalRequest(token.orgId, pathId(params.id));
    return approval ? apiJson(ApprovalRequestSchema, approval) : apiError(404, "not_found", "Approval request not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
