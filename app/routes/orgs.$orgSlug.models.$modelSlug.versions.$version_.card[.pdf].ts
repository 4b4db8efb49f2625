import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { getCardForExport } from "~/modules/governance/model-cards.server";
import { modelCardPdf } from "~/modules/reports/model-card-pdf.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const found = getCardForExport(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!found) throw notFound("No model card for this version");
  return pdfResponse(await modelCardPdf(found), `${found.model.slug}-${found.version.version}-model-card.pdf`);
}
