import { z } from "zod";

/**
 * The maturity framework as data. Content files under `content/` are parsed
 * with these schemas at load time, so a typo in content fails loudly instead
 * of rendering an empty page.
 */

const Text = z.string().trim().min(1);
const Id = z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "ids are lowercase words joined by '-' or '.'");

export const LevelNumberSchema = z.number().int().min(1).max(5);
/** Levels that carry capability statements: level 1 is the floor. */
export const StatementLevelSchema = z.number().int().min(2).max(5);

/**
 * Registry figures a rule or success criterion may be checked against.
 * Keys match the JSON keys of GET /api/v1/metrics.
 */
export const REGISTRY_METRIC_KEYS = [
  "modelsTotal",
  "productionModels",
  "incidentsInWindow",
  "incidentRate",
  "incidentRateTrailingYear",
  "productionModelsWithIncidentShare",
  "medianTimeToDetectHours",
  "medianTimeToRecoverHours",
  "productionPromotions",
  "deploymentsPerMonth",
  "medianLeadTimeHours",
  "lineageCompleteShare",
  "registeredLineageCompleteShare",
  "apiRegistrationShare",
  "sloBreaches",
  "sloBreachShare",
  "approvalGatedShare",
  "automaticPromotionShare",
  "approvedCardShare",
  "passingAuditShare",
] as const;
export const RegistryMetricKeySchema = z.enum(REGISTRY_METRIC_KEYS);
export type RegistryMetricKey = z.infer<typeof RegistryMetricKeySchema>;

/**
 * Figures only evidence rules and `GET /api/v1/metrics` compute (`computeEvidenceMetrics`): the dashboard's
 * and roadmap criteria's figures are kept cheap without them, so a success criterion cannot check them.
 */
export const EVIDENCE_ONLY_METRIC_KEYS = ["incidentRateTrailingYear", "registeredLineageCompleteShare", "sloBreachShare"] as const;

/**
 * The stretch of registry history a figure is measured over, relative to the assessed window (the
 * assessment's quarter, up to today while it runs):
 * - `quarter-end`: the state at the window's end (e.g. models in production then);
 * - `quarter`: events inside the window (promotions, registrations, incidents, monitoring);
 * - `trailing-4-quarters`: the window's quarter and the three before it, pooled;
 * - `90-days-to-quarter-end`: the state at the window's end, counting only what was signed off in the 90 days before it.
 */
export const EVIDENCE_WINDOWS = ["quarter-end", "quarter", "trailing-4-quarters", "90-days-to-quarter-end"] as const;
export const EvidenceWindowSchema = z.enum(EVIDENCE_WINDOWS);
export type EvidenceWindow = z.infer<typeof EvidenceWindowSchema>;

/** How pages name each window. */
export const EVIDENCE_WINDOW_LABELS: Record<EvidenceWindow, string> = {
  "quarter-end": "at the quarter's end",
  quarter: "during the quarter",
  "trailing-4-quarters": "over the trailing four quarters",
  "90-days-to-quarter-end": "in the 90 days to the quarter's end",
};

/** The window each figure is computed over (fixed by the metric: a rule can only restate it). */
export const REGISTRY_METRIC_WINDOWS: Record<RegistryMetricKey, EvidenceWindow> = {
  modelsTotal: "quarter-end",
  productionModels: "quarter-end",
  incidentsInWindow: "quarter",
  incidentRate: "quarter",
  incidentRateTrailingYear: "trailing-4-quarters",
  productionModelsWithIncidentShare: "quarter",
  medianTimeToDetectHours: "quarter",
  medianTimeToRecoverHours: "quarter",
  productionPromotions: "quarter",
  deploymentsPerMonth: "quarter",
  medianLeadTimeHours: "quarter",
  lineageCompleteShare: "quarter-end",
  registeredLineageCompleteShare: "quarter",
  apiRegistrationShare: "quarter",
  sloBreaches: "quarter",
  sloBreachShare: "quarter",
  approvalGatedShare: "quarter",
  automaticPromotionShare: "quarter",
  approvedCardShare: "quarter-end",
  passingAuditShare: "90-days-to-quarter-end",
};

/**
 * Figures that are a number even when the registry has nothing to show, and the count that must be above
 * zero for them to be evidence: a quarter without promotions deploys 0 a month, which says nothing about
 * how well the organisation deploys (the rule is "not evidenced", never failed).
 */
export const EVIDENCED_ONLY_WITH: Partial<Record<RegistryMetricKey, RegistryMetricKey>> = {
  deploymentsPerMonth: "productionPromotions",
};

export const ComparisonSchema = z.enum([">=", ">", "<=", "<"]);
export type Comparison = z.infer<typeof ComparisonSchema>;

export const FrameworkLevelSchema = z.object({
  level: LevelNumberSchema,
  name: Text, // e.g. "Initial"
  alias: Text, // e.g. "Aware"
  summary: Text,
  state: z.array(Text).min(1),
  characteristics: z.array(Text).min(1),
  businessImpact: z.array(Text).min(1),
  /** May be empty: the guide gives none for the top level, and content should not invent any. */
  improvementPriorities: z.array(z.object({ title: Text, text: Text })),
});

/**
 * Where the dimension's levels 2–5 start on the 1.0–5.0 dimension score. The dimension is at the
 * highest level whose cut-off its unrounded score reaches (score ≥ cut-off); below the level 2
 * cut-off it is at level 1. `source` says where the numbers come from, shown on /framework/scoring.
 */
export const LevelCutoffsSchema = z
  .object({
    cutoffs: z
      .array(z.object({ level: StatementLevelSchema, minScore: z.number().min(1).max(5) }))
      .length(4)
      .refine((list) => list.every((c, i) => c.level === i + 2), "cut-offs are for levels 2, 3, 4 and 5, in that order")
      .refine((list) => list.every((c, i) => i === 0 || c.minScore > list[i - 1]!.minScore), "cut-offs rise with the level"),
    source: Text,
  })
  .describe("The dimension score each level starts at");
export type LevelCutoffs = z.infer<typeof LevelCutoffsSchema>;

export const CapabilityStatementSchema = z.object({
  id: Id,
  level: StatementLevelSchema,
  text: Text,
});

export const PracticeGroupSchema = z.object({
  title: Text,
  items: z.array(Text).min(1),
});

export const ComponentSchema = z.object({
  id: Id,
  name: Text,
  summary: Text,
  weight: z.number().positive().default(1),
  indicators: z.array(z.object({ level: LevelNumberSchema, text: Text })).length(5),
  capabilities: z.array(CapabilityStatementSchema).min(4),
  practices: z.array(PracticeGroupSchema).default([]),
  measurement: z.array(Text).min(1),
});

export const QuestionSchema = z.object({
  id: Id,
  number: z.number().int().positive(),
  componentId: Id,
  title: Text,
  prompt: Text,
  responses: z.array(z.object({ level: LevelNumberSchema, summary: Text, details: z.array(Text).min(1) })).length(5),
  guidance: z.array(Text).min(1),
});

export const SuccessCheckSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("registry"),
    metric: RegistryMetricKeySchema.exclude(EVIDENCE_ONLY_METRIC_KEYS),
    comparison: ComparisonSchema,
    value: z.number(),
  }),
  z.object({
    kind: z.literal("assessment"),
    metric: z.literal("dimensionScore"),
    comparison: ComparisonSchema,
    value: z.number(),
  }),
]);
export type SuccessCheck = z.infer<typeof SuccessCheckSchema>;

export const RoadmapSchema = z.object({
  id: Id, // "1-2"
  from: z.number().int().min(1).max(4),
  to: z.number().int().min(2).max(5),
  title: Text,
  durationMonths: z.object({ min: z.number().int().positive(), max: z.number().int().positive() }),
  goal: Text,
  workstreams: z
    .array(
      z.object({
        id: Id,
        title: Text,
        startMonth: z.number().int().positive(),
        endMonth: z.number().int().positive(),
        items: z.array(z.object({ id: Id, text: Text, components: z.array(Id).min(1) })).min(1),
      }),
    )
    .min(1),
  successCriteria: z.array(z.object({ id: Id, text: Text, check: SuccessCheckSchema.optional() })).min(1),
});

/**
 * `guide`: the maturity guide states the threshold (e.g. "<1% incident rate", "10-20+ models");
 * `portal`: the guide names the practice but not the number, so the threshold is the portal's own choice.
 */
export const EvidenceSourceSchema = z.enum(["guide", "portal"]);
export type EvidenceSource = z.infer<typeof EvidenceSourceSchema>;
export const EVIDENCE_SOURCE_LABELS: Record<EvidenceSource, string> = { guide: "guide's threshold", portal: "portal's own choice" };

/** A rule's fields (for schemas that extend a rule); content is parsed with `EvidenceRuleSchema`. */
export const EvidenceRuleFieldsSchema = z.object({
  componentId: Id,
  level: StatementLevelSchema,
  metric: RegistryMetricKeySchema,
  comparison: ComparisonSchema,
  value: z.number(),
  rationale: Text,
  /** The figure's window, restated for readers; optional only because version 1 predates it. */
  window: EvidenceWindowSchema.optional(),
  /** Whose threshold this is; optional only because version 1 predates it. */
  source: EvidenceSourceSchema.optional(),
});

export const EvidenceRuleSchema = EvidenceRuleFieldsSchema.refine(
  (r) => r.window === undefined || r.window === REGISTRY_METRIC_WINDOWS[r.metric],
  {
    message: "window must be the window the metric is computed over",
    path: ["window"],
  },
);

/**
 * How a framework version reads registry figures that cannot be computed (no promotions, no production
 * models). Version 1 (the default) counts them as failed rules; later versions count them as "not
 * evidenced", which never fails a rule, and instead ask for a written justification when a component
 * rated at `justifyFromLevel` or above has no evidenced rule at all.
 */
export const EvidencePolicySchema = z.discriminatedUnion("missingFigure", [
  z.object({ missingFigure: z.literal("fails") }),
  z.object({ missingFigure: z.literal("not-evidenced"), justifyFromLevel: StatementLevelSchema }),
]);
export type EvidencePolicy = z.infer<typeof EvidencePolicySchema>;

/**
 * What a version replaces in an earlier one, so trends and deltas continue across versions: each
 * pair maps an id of this version to the id it replaces in `version`. An id listed nowhere continues
 * when the earlier version has the same id; otherwise its trend starts afresh (a break, never a
 * made-up continuation).
 */
export const ReplacesSchema = z
  .object({
    version: z.string().regex(/^\d+$/),
    components: z.array(z.object({ id: Id, replaces: Id })).default([]),
    capabilities: z.array(z.object({ id: Id, replaces: Id })).default([]),
  })
  .describe("The ids of an earlier version this version's ids replace");
export type Replaces = z.infer<typeof ReplacesSchema>;

export const FrameworkSchema = z.object({
  id: Id,
  version: z.string().regex(/^\d+$/),
  name: Text,
  summary: Text,
  measures: z.array(Text).min(1),
  whyItMatters: z.array(Text).min(1),
  failureModes: z.array(z.object({ title: Text, text: Text })).default([]),
  levels: z.array(FrameworkLevelSchema).length(5),
  levelCutoffs: LevelCutoffsSchema,
  components: z.array(ComponentSchema).length(5),
  questions: z.array(QuestionSchema).min(1),
  roadmaps: z.array(RoadmapSchema).length(4),
  evidenceRules: z.array(EvidenceRuleSchema).default([]),
  evidencePolicy: EvidencePolicySchema.default({ missingFigure: "fails" }),
  challenges: z.array(z.object({ id: Id, title: Text, problem: Text, solutions: z.array(Text).min(1) })).min(1),
  successPatterns: z.array(z.object({ id: Id, title: Text, summary: Text, practices: z.array(Text).min(1) })).min(1),
  bands: z.object({ strong: z.number(), weak: z.number() }),
  replaces: ReplacesSchema.optional(),
});

export type Framework = z.infer<typeof FrameworkSchema>;
export type FrameworkLevel = z.infer<typeof FrameworkLevelSchema>;
export type FrameworkComponent = z.infer<typeof ComponentSchema>;
export type FrameworkQuestion = z.infer<typeof QuestionSchema>;
export type FrameworkRoadmap = z.infer<typeof RoadmapSchema>;
export type EvidenceRule = z.infer<typeof EvidenceRuleSchema>;
