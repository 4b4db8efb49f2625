import { and, eq } from "drizzle-orm";
import { statusWords } from "../../utils/format";
import { getDb, type DbOrTx } from "../../../db/client";
import { modelCards } from "../../../db/schema";
import { CARD_SECTIONS, cardDecisionStands } from "../governance/governance-constants";
import type { getCardForExport } from "../governance/model-cards.server";
import { markdownToPdf } from "./markdown-pdf.server";
import { COLORS, createPdf, heading, keyValues, paragraph, title } from "./pdf.server";

type CardExport = NonNullable<ReturnType<typeof getCardForExport>>;

/** Sections of a card marked not applicable, with the reason given (model_cards.notApplicable). */
export function cardNotApplicable(orgId: number, cardId: number, db: DbOrTx = getDb()): Record<string, string> {
  const row = db
    .select({ notApplicable: modelCards.notApplicable })
    .from(modelCards)
    .where(and(eq(modelCards.orgId, orgId), eq(modelCards.id, cardId)))
    .get();
  try {
    const parsed: unknown = JSON.parse(row?.notApplicable ?? "{}");
    return parsed && typeof parsed === "object"
      ? Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"))
      : {};
  } catch {
    return {};
  }
}

/** Who decided, when and why; a decision kept from an earlier revision is shown as the last review, not as the decision. */
function decisionWords(card: CardExport["card"]): string {
  if (!card.decidedBy) return "Not decided yet";
  const review = `${card.decidedBy} on ${card.decidedAt?.slice(0, 10)}${card.decisionComment ? `: ${card.decisionComment}` : ""}`;
  return cardDecisionStands(card.status) ? `${statusWords(card.status)} by ${review}` : `Not decided yet (last reviewed by ${review})`;
}

export function modelCardPdf(
  { model, version, card }: CardExport,
  notApplicable: Record<string, string> = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { doc, finish } = createPdf({ title: `Model card: ${model.name} ${version.version}`, subject: "Model card" });
  title(doc, `Model card: ${model.name} ${version.version}`, `Revision ${card.revision} · ${statusWords(card.status)}`);
  const written = CARD_SECTIONS.filter((s) => card.sections[s.id]?.trim()).length;
  const markedNotApplicable = CARD_SECTIONS.filter((s) => !card.sections[s.id]?.trim() && notApplicable[s.id]).length;
  keyValues(doc, [
    ["Model", model.name],
    ["Version", `${version.version} (${version.stage})`],
    ["Risk tier", model.riskTier],
    ["Owner team", model.ownerTeam || "—"],
    ["Algorithm / framework", [version.algorithm, version.framework].filter(Boolean).join(" · ") || "—"],
    [
      "Metrics",
      Object.entries(version.metrics)
        .map(([k, v]) => `${k} = ${v}`)
        .join(", ") || "—",
    ],
    [
      "Completeness",
      `${written} of ${CARD_SECTIONS.length} sections written${markedNotApplicable ? `, ${markedNotApplicable} not applicable` : ""}`,
    ],
    ["Decision", decisionWords(card)],
  ]);
  for (const section of CARD_SECTIONS) {
    heading(doc, section.title, 1, 14);
    const text = card.sections[section.id];
    const reason = notApplicable[section.id];
    if (text?.trim()) markdownToPdf(doc, text);
    else if (reason !== undefined) paragraph(doc, `Not applicable: ${reason}`, { color: COLORS.muted });
    else paragraph(doc, "Not written yet.", { color: COLORS.bad });
  }
  return finish(`${model.name} ${version.version} · model card revision ${card.revision}`);
}
