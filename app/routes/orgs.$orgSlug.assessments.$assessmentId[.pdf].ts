import type { LoaderFunctionArgs } from "@remix-run/node";
import { cachedAssessmentData, getAssessment, previousFinalized } from "~/modules/assessment/assessments.server";
import { requireMember } from "~/modules/auth/membership.server";
import { assessmentBoardReport, assessmentWithdrawal } from "~/modules/reports/assessment-report.server";
import { roadmapSummaryForAssessment } from "~/modules/roadmap/roadmaps.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const id = Number(params.assessmentId) || 0;
  const assessment = cachedAssessmentData(org.id, `assessment:${id}`, () => getAssessment(org.id, id));
  if (!assessment) throw notFound("Assessment not found");
  // The report changes with the organisation's data and (overdue items) the date: render it once per both.
  const today = new Date().toISOString().slice(0, 10);
  const pdf = await cachedAssessmentData(org.id, `assessment-pdf:${id}:${today}`, () =>
    assessmentBoardReport(
      org.name,
      assessment,
      previousFinalized(org.id, assessment.period),
      roadmapSummaryForAssessment(org.id, assessment.id),
      assessmentWithdrawal(org.id, assessment.id),
    ),
  );
  return pdfResponse(pdf, `${org.name} board report ${assessment.period}${assessment.status === "withdrawn" ? " (withdrawn)" : ""}.pdf`);
}
