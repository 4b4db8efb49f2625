import type { ActionFunctionArgs } from "@remix-run/node";
import { apiJson, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { AssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { WithdrawSchema } from "~/modules/assessment/assessment-schemas";
import { assessmentJson, withdrawAssessment } from "~/modules/assessment/assessments.server";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

/** 200 with the withdrawn assessment; 409 when it is not finalised; 422 without a reason. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input = await readJsonBody(request, WithdrawSchema);
    return apiJson(AssessmentSchema, assessmentJson(withdrawAssessment(token.orgId, id, input, token.actor)));
  });
