import { LevelPill } from "~/components/framework";
import type { RuleState } from "~/modules/assessment/evidence";
import {
  EVIDENCE_SOURCE_LABELS,
  EVIDENCE_WINDOW_LABELS,
  type Comparison,
  type EvidenceSource,
  type EvidenceWindow,
  type RegistryMetricKey,
} from "~/modules/framework/framework-schema";
import { metricValueText, thresholdText } from "~/modules/roadmap/criteria";

export type EvidenceRuleView = {
  level: number;
  metric: RegistryMetricKey;
  comparison: Comparison;
  value: number;
  window: EvidenceWindow;
  source?: EvidenceSource;
  actual: number | null;
  state: RuleState;
};

const STATE_TEXT: Record<RuleState, { text: string; className: string }> = {
  holds: { text: "holds", className: "ok-text" },
  fails: { text: "fails", className: "bad-text" },
  "not-evidenced": { text: "not evidenced", className: "muted" },
};

/** Where a threshold comes from, as a tag: only the portal's own choices are marked. */
export function RuleSource({ source }: { source?: EvidenceSource }) {
  if (!source) return null;
  return source === "portal" ? (
    <span className="tag">{EVIDENCE_SOURCE_LABELS.portal}</span>
  ) : (
    <span className="muted">({EVIDENCE_SOURCE_LABELS.guide})</span>
  );
}

/** One component's rules, each with its window, where its threshold comes from, the figure and its state. */
export function EvidenceRuleList({ rules }: { rules: EvidenceRuleView[] }) {
  return (
    <ul className="evidence-rules">
      {rules.map((r, i) => {
        const state = STATE_TEXT[r.state];
        return (
          <li key={i} data-rule={r.metric} data-state={r.state}>
            <LevelPill level={r.level} /> {thresholdText(r)}, {EVIDENCE_WINDOW_LABELS[r.window]} <RuleSource source={r.source} />
            <br />
            <span className="muted">figure:</span>{" "}
            {r.actual === null || r.state === "not-evidenced" ? "none" : metricValueText(r.metric, r.actual)} ·{" "}
            <strong className={state.className}>{state.text}</strong>
          </li>
        );
      })}
    </ul>
  );
}
