import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { getBiasAudit } from "~/modules/governance/bias-audits.server";
import { findModelBySlug } from "~/modules/registry/registry.server";
import { biasAuditPdf } from "~/modules/reports/bias-audit-export.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const audit = getBiasAudit(org.id, Number(params.biasAuditId) || 0);
  if (!audit) throw notFound("Bias audit not found");
  const modelName = findModelBySlug(org.id, audit.model)?.name ?? audit.model;
  return pdfResponse(await biasAuditPdf(audit, modelName), `${modelName} ${audit.version} bias audit ${audit.id}.pdf`);
}
