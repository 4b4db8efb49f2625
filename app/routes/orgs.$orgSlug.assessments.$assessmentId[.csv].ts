import type { LoaderFunctionArgs } from "@remix-run/node";
import { getAssessment } from "~/modules/assessment/assessments.server";
import { requireMember } from "~/modules/auth/membership.server";
import { assessmentResponsesCsv } from "~/modules/reports/assessment-report.server";
import { csvResponse } from "~/utils/csv-writer";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const assessment = getAssessment(org.id, Number(params.assessmentId) || 0);
  if (!assessment) throw notFound("Assessment not found");
  return csvResponse(assessmentResponsesCsv(assessment), `${org.slug}-assessment-${assessment.period}-responses.csv`);
}
