import { CARD_SECTION_IDS } from "../../app/modules/governance/governance-constants";
import type { CardSections } from "../../app/modules/governance/model-card";

/** A card with every section written (approving a card needs that), with optional overrides. */
export function writtenCardSections(overrides: Partial<CardSections> = {}, text = (id: string) => `Text of ${id}.`): CardSections {
  return { ...(Object.fromEntries(CARD_SECTION_IDS.map((id) => [id, text(id)])) as CardSections), ...overrides };
}
