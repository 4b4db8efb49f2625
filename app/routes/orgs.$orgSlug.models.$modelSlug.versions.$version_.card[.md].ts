import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { cardToMarkdown } from "~/modules/governance/model-card-markdown.server";
import { getCardForExport } from "~/modules/governance/model-cards.server";
import { notFound } from "~/utils/http";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const found = getCardForExport(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!found) throw notFound("No model card for this version");
  const markdown = cardToMarkdown({ model: found.model, version: found.version, card: found.card });
  return new Response(markdown, {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": `attachment; filename="${found.model.slug}-${found.version.version}-model-card.md"`,
    },
  });
}
