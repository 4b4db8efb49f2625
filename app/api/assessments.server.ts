import { cached } from "~/data-cache.server";
import { AssessmentListSchema, AssessmentSchema, SavedAssessmentSchema } from "~/modules/assessment/assessment-response-schemas";
import { AssessmentCreateSchema, AssessmentResponsesSchema, FinalizeSchema, WithdrawSchema } from "~/modules/assessment/assessment-schemas";
import {
  assessmentJson,
  createAssessment,
  finalizeAssessment,
  getAssessment,
  withdrawAssessment,
} from "~/modules/assessment/assessments.server";
import { saveResponses } from "~/modules/assessment/capture.server";
import { apiError, apiJson, created, pathId, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";

/** Quarterly maturity assessments: start, answer, finalise, withdraw. */
export const assessmentHandlers = {
  listAssessments: ({ request }) => {
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
  },

  startAssessment: async ({ request }) => {
    const token = requireApiToken(request, "assessment:write");
    const input = await readJsonBody(request, AssessmentCreateSchema);
    const row = createAssessment(token.orgId, input, token.actor);
    return created(AssessmentSchema, assessmentJson(getAssessment(token.orgId, row.id)!));
  },

  getAssessment: ({ request, params }) => {
    const token = requireApiToken(request, "assessment:read");
    const detail = getAssessment(token.orgId, pathId(params.id));
    return detail ? apiJson(AssessmentSchema, assessmentJson(detail)) : apiError(404, "not_found", "Assessment not found");
  },

  /**
   * Merges the given statement responses and question answers into the draft.
   * The answer is the assessment plus `versions` (component id → version after
   * the save); sending `versions` back detects someone else's save (409).
   */
  saveAssessmentResponses: async ({ request, params }) => {
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input = await readJsonBody(request, AssessmentResponsesSchema);
    const { versions } = saveResponses(token.orgId, id, input, token.actor);
    return apiJson(SavedAssessmentSchema, { ...assessmentJson(getAssessment(token.orgId, id)!), versions });
  },

  /**
   * 200 with the finalised assessment; 409 naming the answered counts per component when statements are unanswered
   * (unless `acceptUnanswered: true`), or listing the flags that still need a justification.
   */
  finalizeAssessment: async ({ request, params }) => {
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input =
      (request.headers.get("content-length") ?? "0") === "0" ? FinalizeSchema.parse({}) : await readJsonBody(request, FinalizeSchema);
    return apiJson(AssessmentSchema, assessmentJson(finalizeAssessment(token.orgId, id, input, token.actor)));
  },

  /** 200 with the withdrawn assessment; 409 when it is not finalised; 422 without a reason. */
  withdrawAssessment: async ({ request, params }) => {
    const token = requireApiToken(request, "assessment:write");
    const id = pathId(params.id);
    const input = await readJsonBody(request, WithdrawSchema);
    return apiJson(AssessmentSchema, assessmentJson(withdrawAssessment(token.orgId, id, input, token.actor)));
  },
} satisfies ApiHandlers;
