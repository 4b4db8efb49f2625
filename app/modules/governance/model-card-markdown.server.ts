import { escapeMarkdownText } from "../../utils/markdown";
import { safeMarkdown } from "../../utils/markdown.server";
import { CARD_SECTIONS } from "./governance-constants";
import { sectionsAsShown, type CardNotApplicable, type CardSections } from "./model-card";

/*
 * The model card as a Markdown file (the ".md" download): YAML front matter
 * in the style of Hugging Face model cards, then one heading per section.
 * Everything the file carries is escaped for what reads it: the front matter
 * is quoted scalars only, the model's name stays text in the title, and each
 * section is written back from the sanitised tree the card page renders (no
 * raw HTML, only safe links).
 */

/**
 * A YAML double-quoted scalar that reads back as `value`: a JSON string,
 * with what JSON leaves raw but YAML does not print (C1 controls, DEL, the
 * byte-order mark, U+2028/2029, which YAML 1.1 reads as line breaks) and the
 * text-direction controls escaped as \uXXXX.
 */
function yamlString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Markdown with YAML front matter in the style of Hugging Face model cards
 * (front matter: metadata; body: one heading per section).
 */
export function cardToMarkdown(input: {
  model: { name: string; slug: string; riskTier: string; ownerTeam: string; tags: string[] };
  version: { version: string; framework: string | null; algorithm: string | null; metrics: Record<string, number> };
  card: {
    revision: number;
    status: string;
    sections: CardSections;
    notApplicable?: CardNotApplicable;
    updatedAt: string;
    decidedBy?: string | null;
  };
}): string {
  const { model, version, card } = input;
  const front = [
    "---",
    `model_name: ${yamlString(model.name)}`,
    `model_id: ${yamlString(`${model.slug}@${version.version}`)}`,
    `version: ${yamlString(version.version)}`,
    ...(version.framework ? [`library_name: ${yamlString(version.framework)}`] : []),
    ...(version.algorithm ? [`model_type: ${yamlString(version.algorithm)}`] : []),
    `tags:`,
    ...(model.tags.length ? model.tags.map((t) => `  - ${yamlString(t)}`) : []),
    `risk_tier: ${yamlString(model.riskTier)}`,
    `owner_team: ${yamlString(model.ownerTeam)}`,
    `card_revision: ${card.revision}`,
    `card_status: ${yamlString(card.status)}`,
    ...(card.decidedBy && card.status === "approved" ? [`approved_by: ${yamlString(card.decidedBy)}`] : []),
    `updated: ${yamlString(card.updatedAt)}`,
    ...(Object.keys(version.metrics).length
      ? [
          "model-index:",
          `  - name: ${yamlString(model.slug)}`,
          "    results:",
          "      - metrics:",
          ...Object.entries(version.metrics).flatMap(([name, value]) => [
            `          - type: ${yamlString(name)}`,
            `            value: ${value}`,
          ]),
        ]
      : []),
    "---",
  ];
  if (front[front.indexOf("tags:") + 1]?.startsWith("  -") !== true) front[front.indexOf("tags:")] = "tags: []";
  // The name is text in the title: it cannot break the line or start a heading, list or HTML.
  const body = [`# Model card: ${escapeMarkdownText(model.name.replace(/\s+/g, " ").trim())} ${version.version}`, ""];
  const shown = sectionsAsShown(card.sections, card.notApplicable);
  for (const section of CARD_SECTIONS) {
    body.push(`## ${section.title}`, "", safeMarkdown(shown[section.id]?.trim() ?? "", { headingsBelow: 2 }) || "_Not provided._", "");
  }
  return `${front.join("\n")}\n\n${body.join("\n")}`;
}
