import type { LoaderFunctionArgs } from "@remix-run/node";
import { getAssessment, previousFinalized } from "~/modules/assessment/assessments.server";
import { requireMember } from "~/modules/auth/membership.server";
import { assessmentBoardReport } from "~/modules/reports/assessment-report.server";
import { roadmapSummaryForAssessment } from "~/modules/roadmap/roadmaps.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const assessment = getAssessment(org.id, Number(params.assessmentId) || 0);
  if (!assessment) throw notFound("Assessment not found");
  const pdf = await assessmentBoardReport(
    org.name,
    assessment,
    previousFinalized(org.id, assessment.period),
    roadmapSummaryForAssessment(org.id, assessment.id),
  );
  return pdfResponse(pdf, `${org.slug}-assessment-${assessment.period}.pdf`);
}
