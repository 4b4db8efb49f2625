import type { LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { checkpointForExport } from "~/modules/audit/checkpoints.server";
import { requireMember } from "~/modules/auth/membership.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const id = Number(params.assessmentId) || 0;
  const assessment = cached.assessment(org.id, id);
  if (!assessment) throw notFound("Assessment not found");
  // The report carries (and so writes, when the head has moved) a signed checkpoint: a printed copy anchors the audit log.
  const anchor = checkpointForExport(org.id, "board-report");
  const pdf = await cached.assessmentReport(org.id, org.name, id, anchor);
  if (!pdf) throw notFound("Assessment not found");
  return pdfResponse(pdf, `${org.name} board report ${assessment.period}${assessment.status === "withdrawn" ? " (withdrawn)" : ""}.pdf`);
}
