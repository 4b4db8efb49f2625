import { z } from "zod";
import { CARD_SECTIONS, CARD_SECTION_IDS, type CardSectionId } from "./governance-constants";

export type CardSections = Record<CardSectionId, string>;

const MAX_SECTION_CHARS = 20_000;

/** Every section is optional while drafting; an empty string means "not written yet". */
export const ModelCardSectionsSchema = z.object(
  Object.fromEntries(
    CARD_SECTION_IDS.map((id) => [
      id,
      z
        .string()
        .max(MAX_SECTION_CHARS, `Use at most ${MAX_SECTION_CHARS.toLocaleString("en")} characters`)
        .transform((v) => v.replace(/\r\n/g, "\n").trim())
        .optional()
        .default(""),
    ]),
  ) as Record<CardSectionId, z.ZodDefault<z.ZodOptional<z.ZodEffects<z.ZodString, string, string>>>>,
);

export function emptySections(): CardSections {
  return Object.fromEntries(CARD_SECTION_IDS.map((id) => [id, ""])) as CardSections;
}

export function normalizeSections(raw: unknown): CardSections {
  const parsed = ModelCardSectionsSchema.safeParse(raw ?? {});
  return parsed.success ? (parsed.data as CardSections) : emptySections();
}

/** Share of the ten sections with text, and which are missing. */
export function cardCompleteness(sections: CardSections) {
  const missing = CARD_SECTIONS.filter((s) => !sections[s.id]?.trim()).map((s) => s.id);
  return { filled: CARD_SECTIONS.length - missing.length, total: CARD_SECTIONS.length, share: (CARD_SECTIONS.length - missing.length) / CARD_SECTIONS.length, missing };
}

export type CardDiffRow = { section: CardSectionId; title: string; before: string; after: string; changed: boolean };

export function diffCards(before: CardSections, after: CardSections): CardDiffRow[] {
  return CARD_SECTIONS.map((s) => ({
    section: s.id,
    title: s.title,
    before: before[s.id] ?? "",
    after: after[s.id] ?? "",
    changed: (before[s.id] ?? "") !== (after[s.id] ?? ""),
  }));
}

function yamlString(value: string): string {
  return JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar
}

/**
 * Markdown with YAML front matter in the style of Hugging Face model cards
 * (front matter: metadata; body: one heading per section).
 */
export function cardToMarkdown(input: {
  model: { name: string; slug: string; riskTier: string; ownerTeam: string; tags: string[] };
  version: { version: string; framework: string | null; algorithm: string | null; metrics: Record<string, number> };
  card: { revision: number; status: string; sections: CardSections; updatedAt: string; decidedBy?: string | null };
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
    ...(card.decidedBy ? [`approved_by: ${yamlString(card.decidedBy)}`] : []),
    `updated: ${yamlString(card.updatedAt)}`,
    ...(Object.keys(version.metrics).length
      ? ["model-index:", `  - name: ${yamlString(model.slug)}`, "    results:", "      - metrics:", ...Object.entries(version.metrics).flatMap(([name, value]) => [`          - type: ${yamlString(name)}`, `            value: ${value}`])]
      : []),
    "---",
  ];
  if (front[front.indexOf("tags:") + 1]?.startsWith("  -") !== true) front[front.indexOf("tags:")] = "tags: []";
  const body = [`# Model card: ${model.name} ${version.version}`, ""];
  for (const section of CARD_SECTIONS) {
    body.push(`## ${section.title}`, "", card.sections[section.id]?.trim() || "_Not provided._", "");
  }
  return `${front.join("\n")}\n\n${body.join("\n")}`;
}
