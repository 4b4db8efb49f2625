import {
  EVIDENCED_ONLY_WITH,
  REGISTRY_METRIC_WINDOWS,
  type EvidencePolicy,
  type EvidenceRule,
  type EvidenceWindow,
  type Framework,
  type RegistryMetricKey,
} from "../framework/framework-schema";
import { compare } from "../registry/lifecycle";
import type { AssessmentScore } from "./scoring";

/**
 * Checks a self-assessment against what the model registry can show. Pure:
 * callers compute the registry metrics (e.g. `computeRegistryMetrics`, whose
 * result is assignable to `EvidenceMetrics`) and pass them in.
 *
 * Each rule is in one of three states:
 * - `holds`: the figure meets the threshold;
 * - `fails`: the figure misses it;
 * - `not-evidenced`: the registry cannot give the figure (no promotions, no production models, …).
 *   Under a framework whose evidence policy is `missingFigure: "not-evidenced"` (version 2 on) it
 *   neither holds nor fails; under version 1's policy (`"fails"`) it counts as failed, as it always did.
 *
 * The evidence level is the highest level at which no rule, at that level or below, fails: a rule that is
 * not evidenced does not block a level. A component without rules, or whose rules are all not
 * evidenced, has no evidence level ("no registry evidence").
 */

export type EvidenceMetrics = Partial<Record<RegistryMetricKey, number | null>>;

export const RULE_STATES = ["holds", "fails", "not-evidenced"] as const;
export type RuleState = (typeof RULE_STATES)[number];

export type CheckedEvidenceRule = EvidenceRule & {
  actual: number | null;
  /** Whether the rule counts as met (`state === "holds"`); kept for the API's `holds` key. */
  holds: boolean;
  state: RuleState;
  /** The figure's window (the rule's own statement, else the metric's). */
  window: EvidenceWindow;
};

export type ComponentEvidence = {
  /** Highest level the registry supports; `null` when the component has no rules or none evidenced ("no registry evidence"). */
  level: number | null;
  /** The component has rules but the registry could evidence none of them. */
  noEvidence: boolean;
  rules: CheckedEvidenceRule[];
};

export type EvidenceFlag = {
  componentId: string;
  achievedLevel: number;
  evidenceLevel: number | null;
  /** The assessed level is higher than the registry supports (never when there is no evidence). */
  unsupported: boolean;
  /**
   * The component has rules, none could be evidenced, and it is rated at or above the policy's
   * `justifyFromLevel`: it needs a written justification, like an unsupported level.
   */
  unevidenced: boolean;
};

const DEFAULT_POLICY: EvidencePolicy = { missingFigure: "fails" };

/** Whether the flag needs a written justification to finalise. */
export const needsJustification = (flag: Pick<EvidenceFlag, "unsupported" | "unevidenced">) =>
  flag.unsupported || Boolean(flag.unevidenced);

function actualOf(rule: EvidenceRule, metrics: EvidenceMetrics): number | null {
  const value = metrics[rule.metric];
  return typeof value === "number" && !Number.isNaN(value) ? value : null;
}

export function ruleState(rule: EvidenceRule, metrics: EvidenceMetrics): RuleState {
  const actual = actualOf(rule, metrics);
  // A figure that is zero when there is nothing to measure (0 deployments a month without promotions) is no evidence.
  const precondition = EVIDENCED_ONLY_WITH[rule.metric];
  if (actual === null || (precondition && metrics[precondition] === 0)) return "not-evidenced";
  return compare(actual, rule.comparison, rule.value) ? "holds" : "fails";
}

/** Whether the rule is met: a missing figure (null, undefined, NaN) never is. */
export function ruleHolds(rule: EvidenceRule, metrics: EvidenceMetrics): boolean {
  return ruleState(rule, metrics) === "holds";
}

export function evidenceLevel(
  framework: Pick<Framework, "evidenceRules"> & { evidencePolicy?: EvidencePolicy },
  componentId: string,
  metrics: EvidenceMetrics,
): ComponentEvidence {
  const policy = framework.evidencePolicy ?? DEFAULT_POLICY;
  const rules: CheckedEvidenceRule[] = framework.evidenceRules
    .filter((r) => r.componentId === componentId)
    .map((r) => {
      const measured = ruleState(r, metrics);
      const state = measured === "not-evidenced" && policy.missingFigure === "fails" ? "fails" : measured;
      return { ...r, window: r.window ?? REGISTRY_METRIC_WINDOWS[r.metric], actual: actualOf(r, metrics), holds: state === "holds", state };
    })
    .sort((a, b) => a.level - b.level); // stable: framework order within a level
  const noEvidence = rules.length > 0 && rules.every((r) => r.state === "not-evidenced");
  if (rules.length === 0 || noEvidence) return { level: null, noEvidence, rules };

  let level = 1;
  for (let next = 2; next <= 5; next++) {
    if (rules.some((r) => r.level === next && r.state === "fails")) break;
    level = next;
  }
  return { level, noEvidence, rules };
}

export function evidenceFlags(
  framework: Pick<Framework, "evidenceRules"> & { evidencePolicy?: EvidencePolicy },
  score: Pick<AssessmentScore, "components">,
  metrics: EvidenceMetrics,
): EvidenceFlag[] {
  const policy = framework.evidencePolicy ?? DEFAULT_POLICY;
  return score.components.map((component) => {
    const evidence = evidenceLevel(framework, component.componentId, metrics);
    return {
      componentId: component.componentId,
      achievedLevel: component.level,
      evidenceLevel: evidence.level,
      unsupported: evidence.level !== null && component.level > evidence.level,
      unevidenced: evidence.noEvidence && policy.missingFigure === "not-evidenced" && component.level >= policy.justifyFromLevel,
    };
  });
}
