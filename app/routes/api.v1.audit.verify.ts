import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { verifyAuditChain } from "~/modules/audit/audit.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "audit:read");
    const result = verifyAuditChain(token.orgId);
    return result.ok ? { ok: true, events: result.events } : { ok: false, firstBrokenId: result.firstBrokenId, events: result.events, reason: result.reason };
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
