/** Summaries of timing samples (milliseconds), as the benchmark reports them. */

/** The middle value of the sorted samples (the mean of the two middle ones for an even count); NaN when there are none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The nearest-rank percentile: the smallest sample with at least `p`% of the
 * samples at or below it (p in (0, 100]); NaN when there are none.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`A percentile lies in (0, 100], got ${p}`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

export type Summary = { count: number; median: number; p90: number; p975: number; max: number };

export function summarize(samples: readonly number[]): Summary {
  return {
    count: samples.length,
    median: median(samples),
    p90: percentile(samples, 90),
    p975: percentile(samples, 97.5),
    max: samples.length ? Math.max(...samples) : Number.NaN,
  };
}
