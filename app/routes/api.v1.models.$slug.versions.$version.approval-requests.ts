import type { ActionFunctionArgs } from "@remix-run/node";
import { apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { openApprovalRequest } from "~/modules/governance/approvals.server";
import { ApprovalRequestSchema } from "~/modules/governance/governance-response-schemas";
import { ApprovalRequestOpenSchema } from "~/modules/governance/governance-schemas";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

/** Pipelines open promotion requests; people decide them in the portal. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "governance:write");
    const input = (request.headers.get("content-length") ?? "0") === "0" ? {} : await readJsonBody(request, ApprovalRequestOpenSchema);
    return created(ApprovalRequestSchema, openApprovalRequest(token.orgId, params.slug ?? "", params.version ?? "", input, token.actor));
  });
