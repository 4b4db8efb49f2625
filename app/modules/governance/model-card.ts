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

/** Why a section does not apply to this model, by section; a section with a reason counts as dealt with. */
export type CardNotApplicable = Partial<Record<CardSectionId, string>>;

export function normalizeNotApplicable(raw: unknown): CardNotApplicable {
  const out: CardNotApplicable = {};
  if (!raw || typeof raw !== "object") return out;
  for (const id of CARD_SECTION_IDS) {
    const reason = (raw as Record<string, unknown>)[id];
    if (typeof reason === "string" && reason.trim()) out[id] = reason.trim();
  }
  return out;
}

/** Per-section version numbers: each save that changes a section bumps its number. */
export type CardSectionVersions = Record<CardSectionId, number>;

export function normalizeSectionVersions(raw: unknown): CardSectionVersions {
  const source = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  return Object.fromEntries(
    CARD_SECTION_IDS.map((id) => {
      const v = source[id];
      return [id, typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 0];
    }),
  ) as CardSectionVersions;
}

/**
 * How far the card is: sections written, sections marked not applicable (with
 * a reason), and the ones still missing. A section marked not applicable
 * counts as not applicable even when it still holds text.
 */
export function cardCompleteness(sections: CardSections, notApplicable: CardNotApplicable = {}) {
  const notApplicableIds = CARD_SECTION_IDS.filter((id) => !!notApplicable[id]?.trim());
  const written = CARD_SECTION_IDS.filter((id) => !notApplicableIds.includes(id) && !!sections[id]?.trim());
  const missing = CARD_SECTION_IDS.filter((id) => !notApplicableIds.includes(id) && !written.includes(id));
  const total = CARD_SECTIONS.length;
  return {
    filled: written.length,
    total,
    share: written.length / total,
    notApplicable: notApplicableIds,
    missing,
    complete: missing.length === 0,
  };
}
export type CardCompleteness = ReturnType<typeof cardCompleteness>;

export function sectionTitle(id: CardSectionId): string {
  return CARD_SECTIONS.find((s) => s.id === id)?.title ?? id;
}

/** "Factors, Metrics and Ethical considerations": the missing sections named in a sentence. */
export function sectionTitleList(ids: readonly CardSectionId[]): string {
  const titles = ids.map(sectionTitle);
  return titles.length > 1 ? `${titles.slice(0, -1).join(", ")} and ${titles[titles.length - 1]}` : (titles[0] ?? "");
}

const MAX_REASON_CHARS = 2_000;
const VersionField = z.coerce.number({ invalid_type_error: "Reload the page" }).int().min(0).optional();
const ReasonField = z
  .string()
  .max(MAX_REASON_CHARS, `Use at most ${MAX_REASON_CHARS.toLocaleString("en")} characters`)
  .transform((v) => v.trim())
  .optional()
  .default("");

/**
 * The card editor's form, flat as posted: per section its text (`<id>`), the
 * reason it does not apply (`na_<id>`, empty when it applies), the section
 * version the editor loaded (`base_<id>`) and a fingerprint of the text it
 * loaded (`loaded_<id>`), so a save can tell "you changed it" from "you only
 * saw an older copy". `take` names a section whose saved version the person
 * chose to keep instead of theirs (the conflict's "take theirs").
 */
export const ModelCardFormSchema = ModelCardSectionsSchema.and(
  z.object({
    ...Object.fromEntries(CARD_SECTION_IDS.map((id) => [`na_${id}`, ReasonField])),
    ...Object.fromEntries(CARD_SECTION_IDS.map((id) => [`base_${id}`, VersionField])),
    ...Object.fromEntries(CARD_SECTION_IDS.map((id) => [`loaded_${id}`, z.string().max(100).optional()])),
    take: z.enum(CARD_SECTION_IDS).optional(),
  }),
);

export type CardEdit = {
  sections: CardSections;
  notApplicable: CardNotApplicable;
  /** The section versions the editor loaded; sections without one are saved without a check (API, seed). */
  baseVersions?: Partial<CardSectionVersions>;
  /** Fingerprints of what the editor loaded, to tell untouched stale sections from edited ones. */
  loaded?: Partial<Record<CardSectionId, string>>;
  /** Sections to leave as saved (the person took the other version). */
  keepSaved?: CardSectionId[];
};

/** Shapes the parsed editor form into a card edit. */
export function cardEditFromForm(input: z.output<typeof ModelCardFormSchema>): CardEdit {
  const raw = input as Record<string, unknown>;
  const pick = <T>(prefix: string) =>
    Object.fromEntries(CARD_SECTION_IDS.filter((id) => raw[`${prefix}${id}`] !== undefined).map((id) => [id, raw[`${prefix}${id}`] as T]));
  return {
    sections: Object.fromEntries(CARD_SECTION_IDS.map((id) => [id, (raw[id] as string | undefined) ?? ""])) as CardSections,
    notApplicable: normalizeNotApplicable(pick<string>("na_")),
    baseVersions: pick<number>("base_"),
    loaded: pick<string>("loaded_"),
    keepSaved: input.take ? [input.take] : [],
  };
}

/** The sections as a reader sees them (Markdown): a section marked not applicable shows its reason instead of its text. */
export function sectionsAsShown(sections: CardSections, notApplicable: CardNotApplicable = {}): CardSections {
  return Object.fromEntries(
    CARD_SECTION_IDS.map((id) => [id, notApplicable[id] ? `_Not applicable:_ ${notApplicable[id]}` : (sections[id] ?? "")]),
  ) as CardSections;
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
