/** Governance vocabularies, shared by the schema, zod schemas and the UI. */

export const CARD_STATUSES = ["draft", "in_review", "approved", "changes_requested"] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/**
 * Whether a card's recorded decision (who, when, the comment) is its current one: while the status is that
 * decision. A card sent back to draft or review keeps the fields, but they then belong to an earlier revision.
 */
export function cardDecisionStands(status: CardStatus): boolean {
  return status === "approved" || status === "changes_requested";
}

/** The sections of Mitchell et al., "Model Cards for Model Reporting" (2019). */
export const CARD_SECTIONS = [
  { id: "modelDetails", title: "Model details", hint: "Who built it, when, version, model type, training approach, licence, contact." },
  { id: "intendedUse", title: "Intended use", hint: "Primary uses and users the model was built for." },
  { id: "outOfScopeUses", title: "Out-of-scope uses", hint: "Uses the model must not be put to, and why." },
  {
    id: "factors",
    title: "Factors",
    hint: "Relevant groups (demographic, phenotypic), instrumentation and environments; which were evaluated.",
  },
  { id: "metrics", title: "Metrics", hint: "Performance measures, decision thresholds, and how uncertainty is reported." },
  { id: "evaluationData", title: "Evaluation data", hint: "Datasets used for evaluation, why they were chosen, preprocessing." },
  { id: "trainingData", title: "Training data", hint: "What the model was trained on (as far as can be shared)." },
  { id: "quantitativeAnalyses", title: "Quantitative analyses", hint: "Results per factor and intersection, e.g. from bias audits." },
  { id: "ethicalConsiderations", title: "Ethical considerations", hint: "Sensitive data, risks to people, mitigations, known harms." },
  {
    id: "caveatsAndRecommendations",
    title: "Caveats and recommendations",
    hint: "Further testing needed, known limitations, advice to users.",
  },
] as const;
export type CardSectionId = (typeof CARD_SECTIONS)[number]["id"];
export const CARD_SECTION_IDS = CARD_SECTIONS.map((s) => s.id) as [CardSectionId, ...CardSectionId[]];

export const BIAS_AUDIT_STATUSES = ["pending", "accepted", "rejected"] as const;
export type BiasAuditStatus = (typeof BIAS_AUDIT_STATUSES)[number];

export const FAIRNESS_PRESET_IDS = ["org-default", "eeoc-four-fifths", "nyc-ll144"] as const;
export type FairnessPresetId = (typeof FAIRNESS_PRESET_IDS)[number];

export const APPROVAL_STATUSES = ["open", "approved", "rejected", "cancelled"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const DECISIONS = ["approve", "reject"] as const;
/**
 * An approval policy's life: a change that needs no second person is active at once; making a tier
 * automatic is proposed by an admin and active only once an ethics member confirms it (four eyes).
 * The policy it replaces becomes `replaced`; a proposal nobody confirmed can be `withdrawn`.
 */
export const APPROVAL_POLICY_STATUSES = ["proposed", "active", "replaced", "withdrawn"] as const;
export type ApprovalPolicyStatus = (typeof APPROVAL_POLICY_STATUSES)[number];
export type Decision = (typeof DECISIONS)[number];
