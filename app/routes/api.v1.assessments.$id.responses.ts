import type { ActionFunctionArgs } from "@remix-run/node";
import { apiJson, apiRoute, methodNotAllowed, readJsonBody, requireApiToken, pathId } from "~/modules/http/api.server";
import { SavedAssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { AssessmentResponsesSchema } from "~/modules/assessment/assessment-schemas";
import { assessmentJson, getAssessment } from "~/modules/assessment/assessments.server";
import { saveResponses } from "~/modules/assessment/capture.server";

export const loader = () => apiRoute(() => methodNotAllowed(["PUT"]));

/**
 * Merges the given statement responses and question answers into the draft.
 * The answer is the assessment plus `versions` (component id → version after
 * the save); sending `versions` back detects someone else's save (409).
 */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "PUT") return methodNotAllowed(["PUT"]);
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input = await readJsonBody(request, AssessmentResponsesSchema);
    const { versions } = saveResponses(token.orgId, id, input, token.actor);
    return apiJson(SavedAssessmentSchema, { ...assessmentJson(getAssessment(token.orgId, id)!), versions });
  });
