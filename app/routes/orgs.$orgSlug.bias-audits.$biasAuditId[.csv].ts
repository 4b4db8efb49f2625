import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { getBiasAudit } from "~/modules/governance/bias-audits.server";
import { biasAuditCsv } from "~/modules/reports/bias-audit-export.server";
import { csvResponse } from "~/utils/csv-writer";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const audit = getBiasAudit(org.id, Number(params.biasAuditId) || 0);
  if (!audit) throw notFound("Bias audit not found");
  return csvResponse(biasAuditCsv(audit), `bias-audit-${audit.id}-${audit.model}-${audit.version}.csv`);
}
