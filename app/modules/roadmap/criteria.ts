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
  return metric.startsWith("incidentRate") || metric.endsWith("Share");
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

/** The target in words: ">=" 10 → "at least 10". */
const TARGET_WORDS: Record<Comparison, string> = { ">=": "at least", ">": "above", "<=": "at most", "<": "below" };

/**
 * Each registry figure as the words around its value: `subject(v)` reads as a
 * phrase starting with the figure or naming it ("10 models in production",
 * "incident rate 3%"), `unit` follows the threshold ("24 hours").
 */
/** "1 model", "10 models". */
const counted = (v: string, one: string, many: string) => `${v} ${v === "1" ? one : many}`;

const METRIC_WORDS: Record<RegistryMetricKey, { subject: (v: string) => string; unit?: string; name: string }> = {
  modelsTotal: { subject: (v) => `${counted(v, "model", "models")} registered`, name: "models registered" },
  productionModels: { subject: (v) => `${counted(v, "model", "models")} in production`, name: "models in production" },
  incidentsInWindow: { subject: (v) => `${counted(v, "incident", "incidents")} this quarter`, name: "incidents this quarter" },
  incidentRate: { subject: (v) => `incident rate ${v}`, name: "incident rate" },
  incidentRateTrailingYear: {
    subject: (v) => `pooled incident rate over the trailing four quarters ${v}`,
    name: "pooled incident rate",
  },
  productionModelsWithIncidentShare: {
    subject: (v) => `${v} of production models had an incident`,
    name: "share of production models with an incident",
  },
  medianTimeToDetectHours: {
    subject: (v) => `median time to detect ${counted(v, "hour", "hours")}`,
    unit: "hours",
    name: "median time to detect",
  },
  medianTimeToRecoverHours: {
    subject: (v) => `median time to recover ${counted(v, "hour", "hours")}`,
    unit: "hours",
    name: "median time to recover",
  },
  productionPromotions: {
    subject: (v) => `${counted(v, "production promotion", "production promotions")}`,
    name: "production promotions",
  },
  deploymentsPerMonth: {
    subject: (v) => `${counted(v, "production promotion", "production promotions")} a month`,
    name: "production promotions a month",
  },
  medianLeadTimeHours: {
    subject: (v) => `median lead time to production ${counted(v, "hour", "hours")}`,
    unit: "hours",
    name: "median lead time to production",
  },
  lineageCompleteShare: {
    subject: (v) => `${v} of production versions with complete lineage`,
    name: "share of production versions with complete lineage",
  },
  registeredLineageCompleteShare: {
    subject: (v) => `${v} of registered versions with complete lineage`,
    name: "share of registered versions with complete lineage",
  },
  apiRegistrationShare: {
    subject: (v) => `${v} of versions registered through the API`,
    name: "share of versions registered through the API",
  },
  sloBreaches: {
    subject: (v) => `${counted(v, "monitoring snapshot", "monitoring snapshots")} breaching an objective`,
    name: "monitoring snapshots breaching an objective",
  },
  sloBreachShare: {
    subject: (v) => `${v} of monitoring snapshots breaching an objective`,
    name: "share of monitoring snapshots breaching an objective",
  },
  approvalGatedShare: {
    subject: (v) => `${v} of promotions through an approved request`,
    name: "share of promotions through an approved request",
  },
  automaticPromotionShare: {
    subject: (v) => `${v} of promotions made automatically`,
    name: "share of promotions made automatically",
  },
  approvedCardShare: {
    subject: (v) => `${v} of production versions with an approved model card`,
    name: "share of production versions with an approved model card",
  },
  passingAuditShare: {
    subject: (v) => `${v} of production versions with a passing audit`,
    name: "share of production versions with a passing audit",
  },
};

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What the figure is called: "median time to recover". */
export const metricName = (metric: RegistryMetricKey) => METRIC_WORDS[metric].name;

/** A figure with its unit: "4 hours", "0.8%", "12". */
export const metricValueText = (metric: RegistryMetricKey, value: number) =>
  `${formatMetricValue(metric, value)}${METRIC_WORDS[metric].unit ? ` ${METRIC_WORDS[metric].unit}` : ""}`;

/** A threshold in words: "Incident rate over the trailing four quarters below 5%". */
export function thresholdText(check: { metric: RegistryMetricKey; comparison: Comparison; value: number }): string {
  return `${capitalise(metricName(check.metric))} ${TARGET_WORDS[check.comparison]} ${metricValueText(check.metric, check.value)}`;
}

function target(comparison: Comparison, threshold: string, unit?: string): string {
  return `target ${TARGET_WORDS[comparison]} ${threshold}${unit ? ` ${unit}` : ""}`;
}

/** How a criterion nobody has recorded yet, or one leadership recorded, reads. */
export function manualCriterionExplanation(record: { met: boolean | null; evidence: string | null; byLabel: string | null }): string {
  if (record.met === null || !record.evidence) return "Leadership records this with evidence";
  return `${record.met ? "Ticked" : "Marked not met"} by leadership: ${record.evidence}${record.byLabel ? ` (${record.byLabel})` : ""}`;
}

/** The status word of a criterion: "Met", "Not met", or why it is not known yet. */
export function criterionStatusLabel(criterion: { met: boolean | null; automatic: boolean }): string {
  if (criterion.met) return "Met";
  if (criterion.met === false) return "Not met";
  return criterion.automatic ? "Not known yet" : "Not recorded yet";
}

export function evaluateCriterion(check: SuccessCheck | null, facts: CriterionFacts): CriterionResult {
  if (!check) {
    return {
      automatic: false,
      met: null,
      value: null,
      explanation: manualCriterionExplanation({ met: null, evidence: null, byLabel: null }),
    };
  }

  if (check.kind === "registry") {
    const words = METRIC_WORDS[check.metric];
    const goal = target(check.comparison, formatMetricValue(check.metric, check.value), words.unit);
    const raw = facts.metrics?.[check.metric];
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      return { automatic: true, met: null, value: null, explanation: `No figure yet for ${words.name}, ${goal}` };
    }
    return {
      automatic: true,
      met: compare(raw, check.comparison, check.value),
      value: raw,
      explanation: `${capitalise(words.subject(formatAgainst((v, d) => formatMetricValue(check.metric, v, d), raw, check.value)))}, ${goal}`,
    };
  }

  const goal = target(check.comparison, formatNumber(check.value));
  const score = facts.nextAssessmentScore;
  if (score === null || !Number.isFinite(score)) {
    return { automatic: true, met: null, value: null, explanation: `Waiting for the next finalised assessment, ${goal}` };
  }
  return {
    automatic: true,
    met: compare(score, check.comparison, check.value),
    value: score,
    explanation: `Score ${formatAgainst(formatNumber, score, check.value)} at the next finalised assessment, ${goal}`,
  };
}
