import type { RiskTier, Stage } from "~/modules/registry/registry-constants";

export function StageBadge({ stage }: { stage: Stage }) {
  return <span className={`stage stage-${stage}`}>{stage}</span>;
}

export function RiskBadge({ tier }: { tier: RiskTier }) {
  return <span className={`risk risk-${tier}`}>{tier} risk</span>;
}
