/**
 * Pure helpers for the charts: label wrapping and the assessment trend's
 * series. Kept apart from the components so they are unit-tested.
 */

/** Splits a label into lines of at most `width` characters at word boundaries; a longer word stays whole on its own line. */
export function wrapLabel(label: string, width = 16): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of label.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

type TrendAssessment = {
  period: string;
  status: string;
  frameworkVersion: string;
  dimensionScore: number;
  components: Array<{ componentId: string; name: string; score: number }>;
};

export type TrendSeries = {
  periods: string[];
  lines: Array<{ label: string; values: Array<number | null>; bold?: boolean }>;
  /** Index of the draft quarter (always the last), or null when there is none. */
  draftIndex: number | null;
};

const DRAFT_STATUSES = ["draft", "in_review"];

/** The key a component's scores continue under across framework versions (`componentTrendKey` of the framework module). */
export type TrendKey = (frameworkVersion: string, componentId: string) => string;

/**
 * The trend over finalised quarters, oldest first, plus the newest draft (or
 * in-review) quarter after them, marked as draft. Withdrawn assessments are left
 * out. A component missing from a quarter is a gap (null), not a zero. Across
 * framework versions a line follows `keyOf`: a component a newer version maps
 * (or keeps) continues its line; one it cannot map starts a line of its own, so
 * the old line breaks there instead of joining another component.
 */
export function trendSeries(assessments: readonly TrendAssessment[], keyOf: TrendKey = (_, componentId) => componentId): TrendSeries {
  const finalized = assessments.filter((a) => a.status === "finalized").sort((a, b) => (a.period < b.period ? -1 : 1));
  const newestFinal = finalized.at(-1)?.period ?? "";
  const draft = assessments
    .filter((a) => DRAFT_STATUSES.includes(a.status) && a.period > newestFinal)
    .sort((a, b) => (a.period < b.period ? 1 : -1))[0];
  const shown = draft ? [...finalized, draft] : finalized;
  // Each line is named after its newest component (a newer version may rename it).
  const components = new Map<string, string>();
  for (const a of shown) for (const c of a.components) components.set(keyOf(a.frameworkVersion, c.componentId), c.name);
  return {
    periods: shown.map((a) => (a === draft ? `${a.period} (draft)` : a.period)),
    draftIndex: draft ? shown.length - 1 : null,
    lines: [
      { label: "Dimension score", values: shown.map((a) => a.dimensionScore), bold: true },
      ...[...components].map(([id, name]) => ({
        label: name,
        values: shown.map((a) => a.components.find((c) => keyOf(a.frameworkVersion, c.componentId) === id)?.score ?? null),
      })),
    ],
  };
}

/**
 * How big a line chart's points are drawn: a line of a few points (a new roadmap's one week) draws
 * nothing without them, a long one reads better as a plain line.
 */
export function linePointRadius(points: number, { upTo = 12, radius = 3 }: { upTo?: number; radius?: number } = {}): number {
  return points <= upTo ? radius : 0;
}
