import type { LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { requireMember } from "~/modules/auth/membership.server";
import { assessmentBoardReport, assessmentWithdrawal } from "~/modules/reports/assessment-report.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { roadmapSummaryForAssessment } from "~/modules/roadmap/roadmaps.server";
import { notFound } from "~/utils/http";

/** The board report: built from (cached) data on every request; the PDF itself is never cached. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const id = Number(params.assessmentId) || 0;
  const assessment = cached.assessment(org.id, id);
  if (!assessment) throw notFound("Assessment not found");
  const pdf = await assessmentBoardReport(
    org.name,
    assessment,
    cached.previousFinalized(org.id, assessment.period),
    roadmapSummaryForAssessment(org.id, assessment.id),
    assessmentWithdrawal(org.id, assessment.id),
  );
  return pdfResponse(pdf, `${org.name} board report ${assessment.period}${assessment.status === "withdrawn" ? " (withdrawn)" : ""}.pdf`);
}
