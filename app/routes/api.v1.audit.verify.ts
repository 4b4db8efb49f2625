import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRoute, methodNotAllowed, requireApiToken } from "~/modules/http/api.server";
import { AuditVerificationSchema } from "~/modules/audit/audit-response-schemas";
import { verifyAuditChain } from "~/modules/audit/audit.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "audit:read");
    const result = verifyAuditChain(token.orgId);
    return apiJson(
      AuditVerificationSchema,
      result.ok
        ? { ok: true, events: result.events }
        : { ok: false, firstBrokenId: result.firstBrokenId, events: result.events, reason: result.reason },
    );
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
