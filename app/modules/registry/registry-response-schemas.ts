import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { CHANNELS, INCIDENT_STATUSES, LEAD_TIME_BASES, RISK_TIERS, SEVERITIES, STAGES } from "./registry-constants";

/**
 * What the registry API answers. The API routes type their answers with these
 * and the OpenAPI document declares them, so both say the same thing.
 */

const ModelFieldsSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  useCase: z.string(),
  businessDomain: z.string(),
  riskTier: z.enum(RISK_TIERS),
  ownerTeam: z.string(),
  businessOwner: z.string(),
  tags: z.array(z.string()),
  createdVia: z.enum(CHANNELS),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  productionVersion: z.string().nullable().describe("The version in production, if any"),
  latestVersion: z.string().nullable().describe("The highest semantic version, whatever its stage"),
});

export const ModelVersionSchema = z.object({
  id: z.number().int(),
  version: z.string(),
  stage: z.enum(STAGES),
  algorithm: z.string().nullable(),
  framework: z.string().nullable(),
  hyperparameters: z.record(z.string(), z.unknown()).nullable(),
  trainingData: z.object({ ref: z.string(), version: z.string().nullable() }).nullable(),
  codeRef: z.string().nullable(),
  artifactUri: z.string().nullable(),
  metrics: z.record(z.string(), z.number()),
  parentVersion: z.string().nullable(),
  lineageComplete: z.boolean().describe("Training data, code reference and artifact are all recorded"),
  createdBy: z.string(),
  createdVia: z.enum(CHANNELS),
  createdAt: TimestampSchema,
  stageChangedAt: TimestampSchema,
  committedAt: TimestampSchema.nullable().describe("When the version's code was committed; null when not given"),
});

export const ModelSchema = ModelFieldsSchema.extend({
  versions: z.array(ModelVersionSchema).describe("Newest first (by semantic version)"),
  ownerUserId: z.number().int().nullable(),
  owner: z
    .object({ email: z.string(), name: z.string() })
    .nullable()
    .describe("The owning person, told of the model's incidents and objective breaches; null when it has none"),
});

export const ModelListSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  models: z.array(
    ModelFieldsSchema.extend({
      versionCount: z.number().int(),
      openIncidents: z.number().int(),
    }),
  ),
});

export const ModelVersionListSchema = z.object({ model: z.string(), versions: z.array(ModelVersionSchema) });

/** A version with its model's slug (`GET` and `POST` of one version). */
export const ModelVersionOfModelSchema = ModelVersionSchema.extend({ model: z.string() });

export const StageTransitionSchema = z.object({
  model: z.string(),
  version: z.string(),
  to: z.enum(STAGES),
  reason: z.string(),
  retiredVersion: z.string().nullable().describe("The version this promotion moved out of production"),
  at: TimestampSchema,
  approvalPolicyId: z
    .number()
    .int()
    .nullable()
    .describe("The automatic approval policy that promoted the version to production (then the answer is 200); null otherwise"),
});

export const IncidentSchema = z.object({
  id: z.number().int(),
  model: z.string().optional(),
  version: z.string().optional(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  startedAt: TimestampSchema,
  detectedAt: TimestampSchema,
  resolvedAt: TimestampSchema.nullable(),
  timeToDetectHours: z.number().nullable(),
  timeToRecoverHours: z.number().nullable(),
  description: z.string(),
  reviewUrl: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const MonitoringSnapshotRecordSchema = z.object({
  id: z.number().int(),
  model: z.string(),
  version: z.string(),
  observedAt: TimestampSchema,
  metrics: z.record(z.string(), z.number()),
  breaches: z.array(z.string()).describe("Metrics that breach one of the model's objectives"),
});

const ShareSchema = z.number().nullable().describe("A share between 0 and 1; null when there is nothing to divide by");

export const RegistryMetricsSchema = z.object({
  window: z.object({ from: TimestampSchema, to: TimestampSchema }),
  modelsTotal: z.number().int(),
  versionsByStage: z.object(Object.fromEntries(STAGES.map((s) => [s, z.number().int()])) as Record<(typeof STAGES)[number], z.ZodNumber>),
  productionModels: z.number().int(),
  incidentsInWindow: z.number().int(),
  incidentRate: z.number().nullable(),
  incidentRateTrailingYear: z
    .number()
    .nullable()
    .describe(
      "Incidents started in the window's quarter and the three before it, divided by the sum over those quarters of the models in production at each quarter's end (the window's own quarter counted at the window's end); quarters without production models are left out; null when none had any",
    ),
  productionModelsWithIncidentShare: ShareSchema,
  medianTimeToDetectHours: z.number().nullable(),
  medianTimeToRecoverHours: z.number().nullable(),
  productionPromotions: z.number().int(),
  deploymentsPerMonth: z.number().nullable(),
  promotionsByMonth: z.array(z.object({ month: z.string(), count: z.number().int() })),
  medianLeadTimeHours: z.number().nullable(),
  leadTimeBasis: z
    .enum(LEAD_TIME_BASES)
    .nullable()
    .describe(
      "What medianLeadTimeHours runs from: 'commit' when every production promotion in the window had a commit time, 'registration' when none had, 'mixed' when some had (each promotion from its commit time when known, else from its registration); null with no promotions",
    ),
  lineageCompleteShare: ShareSchema,
  registrations: z.number().int(),
  apiRegistrationShare: ShareSchema,
  registeredLineageCompleteShare: ShareSchema.describe(
    "Share of the versions registered in the window (in any stage) with complete lineage; null when none was registered",
  ),
  sloBreaches: z.number().int(),
  sloBreachShare: ShareSchema.describe("Share of the window's monitoring snapshots that breached an objective; null without snapshots"),
  approvalGatedShare: ShareSchema,
  automaticPromotionShare: ShareSchema.describe(
    "Share of the window's production promotions let through by an automatic approval policy (no human approval); null without promotions",
  ),
  approvedCardShare: ShareSchema,
  passingAuditShare: ShareSchema,
  medianApprovalDecisionHours: z.number().nullable(),
  openApprovalRequests: z.number().int(),
});
