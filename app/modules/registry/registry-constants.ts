/** Registry vocabularies, shared by the schema, zod schemas and the UI. */

/** What a median lead time to production runs from (see GET /api/v1/metrics `leadTimeBasis`). */
export const LEAD_TIME_BASES = ["commit", "registration", "mixed"] as const;
export type LeadTimeBasis = (typeof LEAD_TIME_BASES)[number];

export const RISK_TIERS = ["minimal", "limited", "high", "unacceptable"] as const;
/** Path words under /orgs/:org/models/ that are pages, not models: never a model's slug. */
export const RESERVED_MODEL_SLUGS = ["new"] as const;
export const STAGES = ["development", "validation", "staging", "production", "retired"] as const;
export const SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;
export const INCIDENT_STATUSES = ["open", "mitigated", "resolved"] as const;
export const COMPARISONS = [">=", ">", "<=", "<"] as const;
export const ACTOR_TYPES = ["user", "token", "system"] as const;
/** How a record entered the registry; API registrations are a maturity signal. */
export const CHANNELS = ["ui", "api", "seed"] as const;
export type RiskTier = (typeof RISK_TIERS)[number];
export type Stage = (typeof STAGES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type Comparison = (typeof COMPARISONS)[number];
export type Channel = (typeof CHANNELS)[number];

/**
 * A passing, signed-off bias audit counts for this long: for the promotion
 * gates (governance) and for the registry figures on governed versions.
 */
export const BIAS_AUDIT_FRESHNESS_DAYS = 90;
