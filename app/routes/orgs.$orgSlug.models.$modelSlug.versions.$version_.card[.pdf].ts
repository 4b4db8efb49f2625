import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { getCardForExport } from "~/modules/governance/model-cards.server";
import { cardNotApplicable, modelCardPdf } from "~/modules/reports/model-card-pdf.server";
import { pdfResponse } from "~/modules/reports/pdf.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const found = getCardForExport(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!found) throw notFound("No model card for this version");
  const pdf = await modelCardPdf(found, cardNotApplicable(org.id, found.card.id));
  return pdfResponse(pdf, `${found.model.name} ${found.version.version} model card.pdf`);
}
