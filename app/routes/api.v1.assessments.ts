import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { apiJson, apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { AssessmentListSchema, AssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { AssessmentCreateSchema } from "~/modules/assessment/assessment-schemas";
import { assessmentJson, createAssessment, getAssessment } from "~/modules/assessment/assessments.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "assessment:read");
    return apiJson(AssessmentListSchema, {
      assessments: cached.assessmentList(token.orgId).map((a) => ({
        id: a.id,
        period: a.period,
        status: a.status,
        dimensionScore: a.dimensionScore,
        level: a.level,
        band: a.band,
        components: a.components.map((c) => ({
          id: c.componentId,
          score: c.score,
          level: c.level,
          evidenceLevel: c.evidenceLevel,
          flags: c.flags,
        })),
      })),
    });
  });

export const action = ({ request }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
    const token = requireApiToken(request, "assessment:write");
    const input = await readJsonBody(request, AssessmentCreateSchema);
    const row = createAssessment(token.orgId, input, token.actor);
    return created(AssessmentSchema, assessmentJson(getAssessment(token.orgId, row.id)!));
  });
