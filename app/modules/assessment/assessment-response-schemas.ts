import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { EvidenceRuleFieldsSchema, EvidenceWindowSchema } from "../framework/framework-schema";
import { RegistryMetricsSchema } from "../registry/registry-response-schemas";
import { ASSESSMENT_STATUSES } from "./assessment-constants";
import { RULE_STATES } from "./evidence";

/**
 * What the assessment API answers. The API routes type their answers with
 * these and the OpenAPI document declares them, so both say the same thing.
 */

const LevelSchema = z.number().int().min(1).max(5);
const BandSchema = z.enum(["strong", "moderate", "weak"]);
const FlagSchema = z.enum(["not_supported_by_registry_evidence", "no_registry_evidence"]);

const ScoreFieldsSchema = z.object({
  id: z.number().int(),
  period: z.string().describe("The quarter, e.g. 2026-Q4"),
  status: z.enum(ASSESSMENT_STATUSES),
  dimensionScore: z.number().describe("Weighted mean of the component scores, 1.0–5.0 (unrounded)"),
  level: LevelSchema,
  band: BandSchema,
});

export const AssessmentListSchema = z.object({
  assessments: z.array(
    ScoreFieldsSchema.extend({
      components: z.array(
        z.object({
          id: z.string(),
          score: z.number(),
          level: LevelSchema,
          evidenceLevel: z.number().int().nullable(),
          flags: z.array(FlagSchema),
        }),
      ),
    }),
  ),
});

export const AssessmentSchema = ScoreFieldsSchema.extend({
  frameworkVersion: z.string(),
  levelName: z.string(),
  components: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      score: z.number(),
      level: LevelSchema,
      coverage: z.record(z.string(), z.number()).describe("Statement level (2–5) → share of its statements in place"),
      evidenceLevel: z.number().int().nullable().describe("Highest level the registry supports; null when the component has no rules"),
      flags: z.array(FlagSchema),
    }),
  ),
  questions: z.array(
    z.object({
      questionId: z.string(),
      componentId: z.string(),
      answerLevel: z.number().int().nullable(),
      componentLevel: z.number().int(),
      differs: z.boolean().describe("The answer is more than one level away from the statement-based level"),
      note: z.string().nullable(),
    }),
  ),
  evidence: z.object({
    metrics: RegistryMetricsSchema,
    components: z.array(
      z.object({
        componentId: z.string(),
        level: z
          .number()
          .int()
          .nullable()
          .describe("The highest level at which no rule (at it or below) fails; null without rules or with none evidenced"),
        noEvidence: z.boolean().describe("The component has rules but none could be evidenced: no registry evidence"),
        rules: z.array(
          EvidenceRuleFieldsSchema.extend({
            actual: z.number().nullable(),
            holds: z.boolean(),
            state: z
              .enum(RULE_STATES)
              .describe(
                "holds, fails, or not-evidenced: the figure cannot be computed, which never counts as failed from framework version 2 on",
              ),
            window: EvidenceWindowSchema.describe("The stretch of registry history the figure is measured over"),
          }),
        ),
      }),
    ),
    justifications: z.record(z.string(), z.string()).describe("Component id → why its level stands without registry evidence"),
  }),
  answered: z.array(z.object({ id: z.string(), name: z.string(), answered: z.number().int(), total: z.number().int() })),
  finalizedAt: TimestampSchema.nullable(),
  finalizedBy: z.string().nullable(),
  withdrawnAt: TimestampSchema.nullable(),
  withdrawnBy: z.string().nullable(),
  withdrawnReason: z.string().nullable(),
});

/** The answer of a save: the assessment plus each component's version after it (send them back to detect someone else's save). */
export const SavedAssessmentSchema = AssessmentSchema.extend({ versions: z.record(z.string(), z.number().int()) });
