import type { Comparison, RegistryMetricKey, SuccessCheck } from "../framework/framework-schema";
import { compare } from "../registry/lifecycle";

/**
 * Pure evaluation of a roadmap success criterion against known facts.
 *
 * - No check: leadership ticks it with evidence; never automatic.
 * - Registry check: the current figure of `metric` against the threshold.
 *   No figure (missing, null, not finite) → not yet known.
 * - Assessment check: the dimension score of the first finalised assessment
 *   after the roadmap's own; none yet → not yet known.
 */

export type CriterionFacts = {
  metrics: Partial<Record<RegistryMetricKey, number | null>> | null;
  /** Dimension score of the first finalised assessment AFTER the roadmap's assessment, or null. */
  nextAssessmentScore: number | null;
};

export type CriterionResult = {
  automatic: boolean;
  /** null = not yet known. */
  met: boolean | null;
  value: number | null;
  explanation: string;
};

/** Ratios in 0..1 that read better as percentages. */
export function isRateMetric(metric: RegistryMetricKey): boolean {
  return metric === "incidentRate" || metric.endsWith("Share");
}

/** Up to `decimals` decimals, trailing zeros dropped: 6 → "6", 3.456 → "3.46", 0.5 → "0.5". */
function formatNumber(value: number, decimals = 2): string {
  return String(Number(value.toFixed(decimals)));
}

export function formatMetricValue(metric: RegistryMetricKey, value: number, decimals = 2): string {
  return isRateMetric(metric) ? `${formatNumber(value * 100, decimals)}%` : formatNumber(value, decimals);
}

/**
 * A figure shown beside its threshold. When rounding would make a different
 * figure read the same as the threshold (4.999 vs 5), more decimals are shown
 * so the text never contradicts `met`.
 */
function formatAgainst(format: (value: number, decimals: number) => string, value: number, threshold: number): string {
  let decimals = 2;
  while (decimals < 8 && value !== threshold && format(value, decimals) === format(threshold, 2)) decimals++;
  return format(value, decimals);
}

function needs(comparison: Comparison, threshold: string): string {
  return `needs ${comparison} ${threshold}`;
}

export function evaluateCriterion(check: SuccessCheck | null, facts: CriterionFacts): CriterionResult {
  if (!check) {
    return { automatic: false, met: null, value: null, explanation: "Ticked by leadership with evidence" };
  }

  if (check.kind === "registry") {
    const requirement = needs(check.comparison, formatMetricValue(check.metric, check.value));
    const raw = facts.metrics?.[check.metric];
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      return {
        automatic: true,
        met: null,
        value: null,
        explanation: `No ${check.metric} figure yet (${requirement})`,
      };
    }
    return {
      automatic: true,
      met: compare(raw, check.comparison, check.value),
      value: raw,
      explanation: `${check.metric} = ${formatAgainst((v, d) => formatMetricValue(check.metric, v, d), raw, check.value)} (${requirement})`,
    };
  }

  const requirement = needs(check.comparison, formatNumber(check.value));
  const score = facts.nextAssessmentScore;
  if (score === null || !Number.isFinite(score)) {
    return {
      automatic: true,
      met: null,
      value: null,
      explanation: `Waiting for the next finalised assessment (${requirement})`,
    };
  }
  return {
    automatic: true,
    met: compare(score, check.comparison, check.value),
    value: score,
    explanation: `Dimension score at the next finalised assessment = ${formatAgainst(formatNumber, score, check.value)} (${requirement})`,
  };
}
