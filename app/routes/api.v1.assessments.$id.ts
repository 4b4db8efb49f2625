import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, requireApiToken, pathId } from "~/modules/http/api.server";
import { AssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { assessmentJson, getAssessment } from "~/modules/assessment/assessments.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "assessment:read");
    const detail = getAssessment(token.orgId, pathId(params.id));
    return detail ? apiJson(AssessmentSchema, assessmentJson(detail)) : apiError(404, "not_found", "Assessment not found");
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
