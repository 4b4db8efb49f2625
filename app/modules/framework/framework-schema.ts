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
  "productionModelsWithIncidentShare",
  "medianTimeToDetectHours",
  "medianTimeToRecoverHours",
  "deploymentsPerMonth",
  "medianLeadTimeHours",
  "lineageCompleteShare",
  "apiRegistrationShare",
  "sloBreaches",
  "approvalGatedShare",
  "approvedCardShare",
  "passingAuditShare",
] as const;
export const RegistryMetricKeySchema = z.enum(REGISTRY_METRIC_KEYS);
export type RegistryMetricKey = z.infer<typeof RegistryMetricKeySchema>;

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
    metric: RegistryMetricKeySchema,
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

export const EvidenceRuleSchema = z.object({
  componentId: Id,
  level: StatementLevelSchema,
  metric: RegistryMetricKeySchema,
  comparison: ComparisonSchema,
  value: z.number(),
  rationale: Text,
});

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
