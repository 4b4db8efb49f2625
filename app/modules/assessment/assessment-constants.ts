export const ASSESSMENT_STATUSES = ["draft", "in_review", "finalized", "withdrawn"] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

/** Finalised and not withdrawn: the assessments trends, deltas, comparisons, dashboards and roadmaps count. */
export const countsAsFinalized = (a: { status: string }) => a.status === "finalized";

export const STATEMENT_STATUSES = ["none", "partial", "in_place", "not_applicable"] as const;
export type StatementStatusValue = (typeof STATEMENT_STATUSES)[number];

export const STATEMENT_STATUS_LABELS: Record<StatementStatusValue, string> = {
  none: "Not in place",
  partial: "Partly in place",
  in_place: "In place",
  not_applicable: "Not applicable",
};

/** Evidence older than this is shown as stale. */
export const EVIDENCE_STALE_DAYS = 365;
