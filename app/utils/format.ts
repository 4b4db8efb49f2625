/** Display formatting shared by pages, PDFs and CSVs. Missing values show as an em dash. */

export const DASH = "—";

export function formatPercent(value: number | null | undefined, digits = 1): string {
  return value == null ? DASH : `${(value * 100).toFixed(digits)}%`;
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value == null) return DASH;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function formatHours(hours: number | null | undefined): string {
  if (hours == null) return DASH;
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

/**
 * A stored status in the words a page, PDF or CSV uses: "in_review" reads "in review", and an assessment's
 * "finalized" reads "finalised", as the portal's sentences spell it (the stored value and the API keep "finalized").
 */
export function statusWords(status: string): string {
  return status === "finalized" ? "finalised" : status.replace(/_/g, " ");
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : DASH;
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : DASH;
}

/** "1 model card", "2 model cards": a count with its noun, plural by adding `s` unless `plural` says otherwise. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatNumber(count, 0)} ${count === 1 ? noun : plural}`;
}
