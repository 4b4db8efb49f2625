import { CARD_SECTIONS } from "../governance/governance-constants";
import { markdownToPlainText } from "../governance/markdown";
import type { getCardForExport } from "../governance/model-cards.server";
import { createPdf, heading, keyValues, paragraph, title } from "./pdf.server";

type CardExport = NonNullable<ReturnType<typeof getCardForExport>>;

export function modelCardPdf({ model, version, card }: CardExport): Promise<Uint8Array<ArrayBuffer>> {
  const { doc, finish } = createPdf({ title: `Model card: ${model.name} ${version.version}`, subject: "Model card" });
  title(doc, `Model card: ${model.name} ${version.version}`, `Revision ${card.revision} · ${card.status.replace("_", " ")}`);
  keyValues(doc, [
    ["Model", `${model.name} (${model.slug})`],
    ["Version", `${version.version} (${version.stage})`],
    ["Risk tier", model.riskTier],
    ["Owner team", model.ownerTeam || "—"],
    ["Algorithm / framework", [version.algorithm, version.framework].filter(Boolean).join(" · ") || "—"],
    ["Metrics", Object.entries(version.metrics).map(([k, v]) => `${k} = ${v}`).join(", ") || "—"],
    ["Completeness", `${card.completeness.filled} of ${card.completeness.total} sections`],
    ["Decision", card.decidedBy ? `${card.status.replace("_", " ")} by ${card.decidedBy} on ${card.decidedAt?.slice(0, 10)}` : "Not decided yet"],
  ]);
  for (const section of CARD_SECTIONS) {
    heading(doc, section.title);
    const text = card.sections[section.id];
    paragraph(doc, text ? markdownToPlainText(text) : "Not provided.", { muted: !text });
  }
  return finish(`${model.slug}@${version.version} · model card revision ${card.revision}`);
}
