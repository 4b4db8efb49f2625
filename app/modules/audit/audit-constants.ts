/** Why a signed checkpoint of an audit chain was written. */
export const CHECKPOINT_REASONS = ["daily", "board-report", "audit-export", "manual", "restore"] as const;
export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];
