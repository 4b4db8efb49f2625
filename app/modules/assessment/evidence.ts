import type { EvidenceRule, Framework, RegistryMetricKey } from "../framework/framework-schema";
import { compare } from "../registry/lifecycle";
import type { AssessmentScore } from "./scoring";

/**
 * Checks a self-assessment against what the model registry can show. Pure:
 * callers compute the registry metrics (e.g. `computeRegistryMetrics`, whose
 * result is assignable to `EvidenceMetrics`) and pass them in.
 */

export type EvidenceMetrics = Partial<Record<RegistryMetricKey, number | null>>;

export type CheckedEvidenceRule = EvidenceRule & { actual: number | null; holds: boolean };

export type ComponentEvidence = {
  /** Highest level the registry supports; `null` when the component has no rules ("no registry evidence"). */
  level: number | null;
  rules: CheckedEvidenceRule[];
};

export type EvidenceFlag = {
  componentId: string;
  achievedLevel: number;
  evidenceLevel: number | null;
  /** The assessed level is higher than the registry supports (never when there is no evidence). */
  unsupported: boolean;
};

function actualOf(rule: EvidenceRule, metrics: EvidenceMetrics): number | null {
  const value = metrics[rule.metric];
  return typeof value === "number" && !Number.isNaN(value) ? value : null;
}

/** A rule fails when its metric is missing (null/undefined): no figure, no evidence. */
export function ruleHolds(rule: EvidenceRule, metrics: EvidenceMetrics): boolean {
  const actual = actualOf(rule, metrics);
  return actual !== null && compare(actual, rule.comparison, rule.value);
}

/**
 * The highest level L such that every rule at L and at each lower level holds.
 * Levels without rules never block (level 1 never has rules, so a component
 * with rules is always at least at level 1, and a component whose rules all
 * hold reaches level 5).
 */
export function evidenceLevel(
  framework: Pick<Framework, "evidenceRules">,
  componentId: string,
  metrics: EvidenceMetrics,
): ComponentEvidence {
  const rules: CheckedEvidenceRule[] = framework.evidenceRules
    .filter((r) => r.componentId === componentId)
    .map((r) => ({ ...r, actual: actualOf(r, metrics), holds: ruleHolds(r, metrics) }))
    .sort((a, b) => a.level - b.level); // stable: framework order within a level
  if (rules.length === 0) return { level: null, rules };

  let level = 1;
  for (let next = 2; next <= 5; next++) {
    if (rules.some((r) => r.level === next && !r.holds)) break;
    level = next;
  }
  return { level, rules };
}

export function evidenceFlags(
  framework: Pick<Framework, "evidenceRules">,
  score: Pick<AssessmentScore, "components">,
  metrics: EvidenceMetrics,
): EvidenceFlag[] {
  return score.components.map((component) => {
    const evidence = evidenceLevel(framework, component.componentId, metrics).level;
    return {
      componentId: component.componentId,
      achievedLevel: component.level,
      evidenceLevel: evidence,
      unsupported: evidence !== null && component.level > evidence,
    };
  });
}
