/** An uploaded framework version: checked and previewed as a draft, then published (and immutable). */
export const FRAMEWORK_VERSION_STATUSES = ["draft", "published"] as const;
export type FrameworkVersionStatus = (typeof FRAMEWORK_VERSION_STATUSES)[number];

/** How a framework question is named wherever it appears (capture, assessment page, PDF): the guide's number, then its title. */
export function questionLabel(question: { number: number; title: string }): string {
  return `Q${question.number}: ${question.title}`;
}
