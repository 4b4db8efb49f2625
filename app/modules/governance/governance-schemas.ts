import { z } from "zod";
import { keysFirst, lengthFirst } from "../../utils/bounded";
import { optionalField } from "../../utils/validation";
import { FairnessConfigSchema } from "./fairness";
import { CARD_SECTION_IDS, DECISIONS, FAIRNESS_PRESET_IDS } from "./governance-constants";

const Comment = (max = 5000) => optionalField(z.string().trim().max(max, `Use at most ${max} characters`));

export const CardReviewSchema = z.object({
  decision: z.enum(["approve", "request_changes"], { errorMap: () => ({ message: "Choose approve or request changes" }) }),
  comment: Comment(),
});

export const CardCommentSchema = z.object({
  section: z.enum([...CARD_SECTION_IDS, "general"], { errorMap: () => ({ message: "Choose a section" }) }),
  body: z.string().trim().min(1, "Write a comment").max(5000, "Use at most 5000 characters"),
});

export const BiasAuditSignoffSchema = z.object({
  decision: z.enum(["accept", "reject"], { errorMap: () => ({ message: "Choose accept or reject" }) }),
  comment: Comment(),
});

export const ApprovalRequestOpenSchema = z.object({ reason: Comment(1000) });

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(DECISIONS, { errorMap: () => ({ message: "Choose approve or reject" }) }),
  comment: Comment(),
});

export const FairnessSettingsSchema = z.object({
  fairnessRatioMin: z.coerce
    .number({ invalid_type_error: "Enter a number" })
    .min(0.5, "Use a value from 0.5 to 1")
    .max(1, "Use a value from 0.5 to 1"),
  fairnessDifferenceMax: z.coerce
    .number({ invalid_type_error: "Enter a number" })
    .min(0, "Use a value from 0 to 0.5")
    .max(0.5, "Use a value from 0 to 0.5"),
  fairnessPreset: z.enum(FAIRNESS_PRESET_IDS, { errorMap: () => ({ message: "Choose a preset" }) }),
});

/** The audit request's configuration: the fairness config plus an optional preset. */
export const BiasAuditConfigSchema = FairnessConfigSchema.and(
  z.object({
    preset: z.enum(FAIRNESS_PRESET_IDS, { errorMap: () => ({ message: `Presets are: ${FAIRNESS_PRESET_IDS.join(", ")}` }) }).optional(),
  }),
);
export type BiasAuditConfig = z.infer<typeof BiasAuditConfigSchema>;

/** Rows a JSON bias audit may send; larger sets go through the CSV upload, which streams. */
export const MAX_JSON_ROWS = 200_000;
/** Columns (keys) one JSON row may have: the audit reads at most 12 of them (10 group columns, the label, the prediction). */
export const MAX_JSON_ROW_COLUMNS = 100;

/** One prediction row: column name → value. Its keys are counted before any value is read. */
const JsonPredictionRowSchema = keysFirst(
  z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])),
  MAX_JSON_ROW_COLUMNS,
  `A row may have at most ${MAX_JSON_ROW_COLUMNS} columns: send only the columns the audit reads, or upload the predictions as CSV`,
);

export const BiasAuditJsonSchema = z.object({
  config: BiasAuditConfigSchema,
  rows: lengthFirst(
    z
      .array(JsonPredictionRowSchema, { required_error: "Send the prediction rows" })
      .min(1, "Send at least one row")
      .max(MAX_JSON_ROWS, `Send at most ${MAX_JSON_ROWS.toLocaleString("en")} rows as JSON; upload larger sets as CSV`),
  ),
});

const list = (value: unknown) =>
  typeof value === "string"
    ? value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
    : value;
const blank = (value: unknown) => (value === "" ? undefined : value);

/** The upload form's flat fields (comma-separated lists, a mode switch) shaped into the audit configuration. */
export const BiasAuditFormSchema = z.preprocess((raw) => {
  const f = (raw ?? {}) as Record<string, unknown>;
  const byScore = f.mode === "score";
  return {
    groupColumns: list(f.groupColumns),
    labelColumn: blank(f.labelColumn),
    positiveLabels: list(f.positiveLabels),
    predictionColumn: byScore ? undefined : blank(f.predictionColumn),
    positivePredictions: byScore ? undefined : list(f.positivePredictions),
    scoreColumn: byScore ? blank(f.scoreColumn) : undefined,
    threshold: byScore && f.threshold !== "" && f.threshold !== undefined ? Number(f.threshold) : undefined,
    referenceGroup: blank(f.referenceGroup),
    minGroupSize: f.minGroupSize === "" || f.minGroupSize === undefined ? undefined : Number(f.minGroupSize),
    preset: blank(f.preset),
  };
}, BiasAuditConfigSchema);
