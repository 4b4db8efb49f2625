import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { ROLES } from "../auth/roles";
import { RISK_TIERS } from "../registry/registry-constants";
import {
  APPROVAL_POLICY_STATUSES,
  APPROVAL_STATUSES,
  BIAS_AUDIT_STATUSES,
  CARD_SECTION_IDS,
  CARD_STATUSES,
  DECISIONS,
  FAIRNESS_PRESET_IDS,
} from "./governance-constants";

/**
 * What the governance API answers. The API routes type their answers with
 * these and the OpenAPI document declares them, so both say the same thing.
 */

const RateSchema = z.number().nullable();
const RateComparisonSchema = z.object({ selectionRate: RateSchema, truePositiveRate: RateSchema, falsePositiveRate: RateSchema });
const ConfusionCountsSchema = z.object({
  n: z.number().int(),
  tp: z.number().int(),
  fp: z.number().int(),
  tn: z.number().int(),
  fn: z.number().int(),
});

const GroupMetricsSchema = ConfusionCountsSchema.extend({
  group: z.string().describe('Group key; several group columns make intersectional keys "A × B"'),
  positives: z.number().int(),
  predictedPositives: z.number().int(),
  baseRate: RateSchema,
  selectionRate: RateSchema,
  truePositiveRate: RateSchema,
  falsePositiveRate: RateSchema,
  falseNegativeRate: RateSchema,
  trueNegativeRate: RateSchema,
  precision: RateSchema,
  accuracy: RateSchema,
  share: z.number(),
  includedInDisparities: z.boolean(),
  ratioToReference: RateComparisonSchema.optional(),
  differenceToReference: RateComparisonSchema.optional(),
  impactRatio: RateSchema,
});

const DisparitySchema = z.object({
  value: z.number().nullable(),
  maxGroup: z.string().nullable(),
  minGroup: z.string().nullable(),
  threshold: z.number(),
  comparison: z.enum(["<=", ">="]),
  passed: z.boolean().nullable(),
});

const RiskAcceptanceSchema = z.object({ auditId: z.number().int(), by: z.string(), at: TimestampSchema, rationale: z.string() });

export const BiasAuditSchema = z.object({
  id: z.number().int(),
  model: z.string(),
  modelName: z.string(),
  version: z.string(),
  status: z.enum(BIAS_AUDIT_STATUSES),
  passed: z.boolean(),
  preset: z.enum(FAIRNESS_PRESET_IDS),
  thresholds: z.object({ ratioMin: z.number(), differenceMax: z.number() }),
  config: z.object({
    groupColumns: z.array(z.string()),
    labelColumn: z.string(),
    positiveLabels: z.array(z.string()),
    predictionColumn: z.string().optional(),
    positivePredictions: z.array(z.string()).optional(),
    scoreColumn: z.string().optional(),
    threshold: z.number().optional(),
    referenceGroup: z.string().optional(),
    minGroupSize: z.number().int().optional(),
  }),
  rows: z.number().int(),
  skipped: z.number().int(),
  overall: ConfusionCountsSchema.extend({ selectionRate: RateSchema, baseRate: RateSchema })
    .optional()
    .describe("Only in the answer of the run"),
  groups: z.array(GroupMetricsSchema),
  disparities: z.object({
    demographicParityDifference: DisparitySchema,
    demographicParityRatio: DisparitySchema,
    equalOpportunityDifference: DisparitySchema,
    falsePositiveRateDifference: DisparitySchema,
    equalizedOddsDifference: DisparitySchema,
    minimumImpactRatio: DisparitySchema.optional().describe("nyc-ll144 only"),
  }),
  warnings: z.array(z.string()),
  source: z.string(),
  fileName: z.string().nullable(),
  createdBy: z.string(),
  createdAt: TimestampSchema,
  signoff: z
    .object({ by: z.string().nullable(), decision: z.enum(["accept", "reject"]), comment: z.string().nullable(), at: TimestampSchema })
    .nullable(),
  riskAcceptance: RiskAcceptanceSchema.nullable().describe("An accepted failed audit: who took the risk, when, and why"),
});

const SectionTextSchema = z.object(
  Object.fromEntries(CARD_SECTION_IDS.map((id) => [id, z.string()])) as Record<(typeof CARD_SECTION_IDS)[number], z.ZodString>,
);

export const ModelCardSchema = z.object({
  model: z.string(),
  version: z.string(),
  id: z.number().int(),
  revision: z.number().int(),
  status: z.enum(CARD_STATUSES),
  sections: SectionTextSchema.describe("Section id → Markdown"),
  notApplicable: SectionTextSchema.partial().describe("Section id → why the section does not apply"),
  sectionVersions: z.record(z.string(), z.number().int()).describe("Section id → version, bumped by each save of that section"),
  completeness: z.object({
    filled: z.number().int(),
    total: z.number().int(),
    share: z.number(),
    notApplicable: z.array(z.enum(CARD_SECTION_IDS)),
    missing: z.array(z.enum(CARD_SECTION_IDS)),
    complete: z.boolean(),
  }),
  createdBy: z.string(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  submittedAt: TimestampSchema.nullable(),
  decidedAt: TimestampSchema.nullable(),
  decidedBy: z.string().nullable(),
  decisionComment: z.string().nullable(),
});

export const GateCheckSchema = z.object({
  id: z.enum(["risk_tier", "model_card", "bias_audit", "lineage"]),
  label: z.string(),
  required: z.boolean(),
  passed: z.boolean(),
  detail: z.string(),
  riskAcceptance: RiskAcceptanceSchema.extend({ counts: z.boolean().describe("Whether the accepted risk satisfies the gate") }).optional(),
  blockingAudit: z
    .object({ auditId: z.number().int(), status: z.enum(["pending", "rejected"]) })
    .optional()
    .describe("The bias-audit check only: a failed audit, run after the one the gate would rely on and not accepted, that blocks the gate"),
});

export const ApprovalRequestSchema = z.object({
  id: z.number().int(),
  model: z.string(),
  modelName: z.string(),
  version: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  requestedBy: z.string(),
  reason: z.string(),
  requiredRoles: z.array(z.enum(ROLES)),
  pendingRoles: z.array(z.enum(ROLES)),
  checks: z.array(GateCheckSchema),
  decisions: z.array(
    z.object({ by: z.string(), role: z.enum(ROLES), decision: z.enum(DECISIONS), comment: z.string(), at: TimestampSchema }),
  ),
  createdAt: TimestampSchema,
  decidedAt: TimestampSchema.nullable(),
});

const ApprovalPolicyRowSchema = z.object({
  id: z.number().int(),
  riskTier: z.enum(RISK_TIERS),
  automatic: z.boolean().describe("Promoted without people once every gate passes"),
  requiredRoles: z.array(z.enum(ROLES)).describe("Each role approves once (empty when automatic)"),
  description: z.string(),
  status: z.enum(APPROVAL_POLICY_STATUSES),
  proposedBy: z.string(),
  proposedAt: TimestampSchema,
  confirmedBy: z.string().nullable().describe("The ethics member who confirmed it; null when it applied on save"),
  confirmedAt: TimestampSchema.nullable(),
  endedAt: TimestampSchema.nullable(),
});

/** Each risk tier's approval policy: the one in force (`policy` null: the built-in default), a pending proposal, the history. */
export const ApprovalPolicyListSchema = z.object({
  tiers: z.array(
    z.object({
      riskTier: z.enum(RISK_TIERS),
      promotable: z.boolean().describe("False for unacceptable risk: never promoted, no policy"),
      inForce: z.object({
        rule: z.object({ automatic: z.boolean(), requiredRoles: z.array(z.enum(ROLES)) }),
        description: z.string(),
        policy: ApprovalPolicyRowSchema.nullable(),
      }),
      pending: ApprovalPolicyRowSchema.nullable().describe("A proposal waiting for an ethics member's confirmation"),
      history: z.array(ApprovalPolicyRowSchema).describe("Policies in force, replaced or withdrawn, newest first"),
    }),
  ),
});
