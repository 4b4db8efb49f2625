import type { ActionFunctionArgs } from "@remix-run/node";
import { apiJson, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { AssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { FinalizeSchema } from "~/modules/assessment/assessment-schemas";
import { assessmentJson, finalizeAssessment } from "~/modules/assessment/assessments.server";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

/**
 * 200 with the finalised assessment; 409 naming the answered counts per component when statements are unanswered
 * (unless `acceptUnanswered: true`), or listing the flags that still need a justification.
 */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input =
      (request.headers.get("content-length") ?? "0") === "0" ? FinalizeSchema.parse({}) : await readJsonBody(request, FinalizeSchema);
    return apiJson(AssessmentSchema, assessmentJson(finalizeAssessment(token.orgId, id, input, token.actor)));
  });
