import { z } from "zod";
import { keysFirst } from "../../utils/bounded";
import { optionalField } from "../../utils/validation";
import { ROLES } from "../auth/roles";
import { RISK_TIERS } from "../registry/registry-constants";
import { normaliseRoles } from "./approval-policies";
import { checkPredictionOrScore, FairnessConfigFields } from "./fairness";
import { CARD_SECTION_IDS, DECISIONS, FAIRNESS_PRESET_IDS } from "./governance-constants";

const Comment = (max = 5000) => optionalField(z.string().trim().max(max, `Use at most ${max} characters`));

export const CardReviewSchema = z.object({
  decision: z.enum(["approve", "request_changes"], { errorMap: () => ({ message: "Choose approve or request changes" }) }),
  comment: Comment(),
});

/** The longest comment on a card section. */
export const COMMENT_MAX_LENGTH = 5000;

export const CardCommentSchema = z.object({
  section: z.enum([...CARD_SECTION_IDS, "general"], { errorMap: () => ({ message: "Choose a section" }) }),
  body: z.string().trim().min(1, "Write a comment").max(COMMENT_MAX_LENGTH, `Use at most ${COMMENT_MAX_LENGTH} characters`),
});

export const BiasAuditSignoffSchema = z.object({
  decision: z.enum(["accept", "reject"], { errorMap: () => ({ message: "Choose accept or reject" }) }),
  comment: Comment(),
});

/** The portal's sign-off form: the API's fields and the ticked box that accepting a failed audit's risk asks for. */
export const BiasAuditSignoffFormSchema = BiasAuditSignoffSchema.extend({ confirm: z.literal("on").optional() });

/** What accepting a failed audit's risk agrees to, and the refusal without the tick. */
export const RISK_ACCEPTANCE_CONFIRMATION =
  "Tick the box to confirm: accepting the risk cannot be undone, and its rationale is shown to every promotion approver";

export const ApprovalRequestOpenSchema = z.object({ reason: Comment(1000) });

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(DECISIONS, { errorMap: () => ({ message: "Choose approve or reject" }) }),
  comment: Comment(),
  /** The ticked box of the last approval, which promotes the version (the domain asks for it then). */
  confirm: z.literal("on").optional(),
});

/** What the last approval's box agrees to, and the refusal without it. */
export const LAST_APPROVAL_CONFIRMATION = "Tick the box to confirm: your approval promotes the version to production at once";

/** What cancelling a request's box agrees to, and the refusal without it (after the checks of who may cancel). */
export const CANCEL_CONFIRMATION = "Tick the box to confirm: the request closes for good, and the approvals given so far with it";

/** Cancelling an approval request: the domain asks for the ticked box once it knows the member may cancel. */
export const ApprovalCancelSchema = z.object({ confirm: z.literal("on").optional() });

/**
 * An approval policy for one risk tier, as the admin page's form and the API send it: `mode`
 * "automatic" (no people once every gate passes) or "roles" (each listed role approves once).
 * Which tier may have which policy is the domain's rule (`policyProblems`), answered as 422.
 */
export const ApprovalPolicySchema = z
  .object({
    riskTier: z.enum(RISK_TIERS, { errorMap: () => ({ message: "Choose a risk tier" }) }),
    mode: z.enum(["roles", "automatic"], { errorMap: () => ({ message: "Choose approvals by people or automatic" }) }),
    requiredRoles: z.preprocess(
      (value) => (value === undefined || value === "" ? [] : typeof value === "string" ? [value] : value),
      z.array(z.enum(ROLES, { errorMap: () => ({ message: "Choose roles of this portal" }) })).max(ROLES.length),
    ),
  })
  .transform(({ riskTier, mode, requiredRoles }) => ({
    riskTier,
    automatic: mode === "automatic",
    requiredRoles: mode === "automatic" ? [] : normaliseRoles(requiredRoles),
  }));
export type ApprovalPolicyInput = z.output<typeof ApprovalPolicySchema>;

/** A proposal an ethics member confirms, or someone withdraws. */
export const ApprovalPolicyIdSchema = z.object({ policyId: z.coerce.number({ invalid_type_error: "Choose a proposal" }).int().positive() });

/** Confirming a proposal: the ethics member ticks that they read what it allows. */
export const ApprovalPolicyConfirmSchema = ApprovalPolicyIdSchema.extend({
  understood: z.literal("yes", { errorMap: () => ({ message: "Tick the box to confirm you have read what this policy allows" }) }),
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

/**
 * The audit request's configuration: the fairness config plus an optional preset. One object (not an intersection),
 * so the API refuses a misspelt key (`minGroupSze`) instead of running the audit on the default it would drop to.
 */
export const BiasAuditConfigSchema = FairnessConfigFields.extend({
  preset: z.enum(FAIRNESS_PRESET_IDS, { errorMap: () => ({ message: `Presets are: ${FAIRNESS_PRESET_IDS.join(", ")}` }) }).optional(),
}).superRefine(checkPredictionOrScore);
export type BiasAuditConfig = z.infer<typeof BiasAuditConfigSchema>;

/** Rows a JSON bias audit may send; larger sets go through the CSV upload, which streams. */
export const MAX_JSON_ROWS = 200_000;
/** Columns (keys) one JSON row may have: the audit reads at most 12 of them (10 group columns, the label, the prediction). */
export const MAX_JSON_ROW_COLUMNS = 100;

const TOO_MANY_COLUMNS = `A row may have at most ${MAX_JSON_ROW_COLUMNS} columns: send only the columns the audit reads, or upload the predictions as CSV`;
/** One prediction row: column name → value (what the OpenAPI document shows; `JsonPredictionRowsSchema` checks it). */
const JsonPredictionRowSchema = keysFirst(
  z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])),
  MAX_JSON_ROW_COLUMNS,
  TOO_MANY_COLUMNS,
);
/** Issues reported for one body at most: the first ones name the problem. */
const MAX_ROW_ISSUES = 20;

const isCellValue = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);

/**
 * The rows of a JSON bias audit: the array of rows the OpenAPI document shows
 * (its definition is that array's, so the document and the limits are the
 * same), checked in one hand-written pass. Zod's parse of a record of unions
 * per row took 2 s for the 40,000 rows that fit in 1 MB, holding the worker;
 * this pass takes milliseconds. The row count is checked before any row, a
 * row's key count before its values, and the first MAX_ROW_ISSUES problems
 * are reported. Rows are passed on as they were parsed from the body.
 */
class JsonPredictionRowsSchema extends z.ZodArray<typeof JsonPredictionRowSchema> {
  override _parse(input: z.ParseInput): z.ParseReturnType<this["_output"]> {
    const ctx = this._getOrReturnCtx(input);
    const rows: unknown = input.data;
    if (!Array.isArray(rows)) {
      z.addIssueToContext(ctx, { code: z.ZodIssueCode.invalid_type, expected: z.ZodParsedType.array, received: ctx.parsedType });
      return z.INVALID;
    }
    const { minLength, maxLength } = this._def;
    if (maxLength && rows.length > maxLength.value) {
      const message = maxLength.message;
      z.addIssueToContext(ctx, { code: z.ZodIssueCode.too_big, type: "array", maximum: maxLength.value, inclusive: true, message });
      return z.INVALID;
    }
    if (minLength && rows.length < minLength.value) {
      const message = minLength.message;
      z.addIssueToContext(ctx, { code: z.ZodIssueCode.too_small, type: "array", minimum: minLength.value, inclusive: true, message });
      return z.INVALID;
    }
    let issues = 0;
    const issue = (path: Array<string | number>, data: z.IssueData) => {
      z.addIssueToContext(ctx, { ...data, path });
      return ++issues < MAX_ROW_ISSUES;
    };
    for (let i = 0; i < rows.length; i++) {
      const row: unknown = rows[i];
      if (row === null || typeof row !== "object" || Array.isArray(row)) {
        const received = z.getParsedType(row);
        if (!issue([i], { code: z.ZodIssueCode.invalid_type, expected: z.ZodParsedType.object, received })) break;
        continue;
      }
      let columns = 0;
      for (const key in row) if (Object.hasOwn(row, key) && ++columns > MAX_JSON_ROW_COLUMNS) break;
      let ok = true;
      if (columns > MAX_JSON_ROW_COLUMNS) ok = issue([i], { code: z.ZodIssueCode.custom, message: TOO_MANY_COLUMNS });
      else {
        for (const key in row) {
          if (!Object.hasOwn(row, key) || isCellValue((row as Record<string, unknown>)[key])) continue;
          ok = issue([i, key], { code: z.ZodIssueCode.custom, message: "A value must be text, a number, true, false or null" });
          if (!ok) break;
        }
      }
      if (!ok) break;
    }
    return issues ? z.INVALID : z.OK(rows as this["_output"]);
  }
}

export const BiasAuditJsonSchema = z.object({
  config: BiasAuditConfigSchema,
  rows: new JsonPredictionRowsSchema(
    z
      .array(JsonPredictionRowSchema, { required_error: "Send the prediction rows" })
      .min(1, "Send at least one row")
      .max(MAX_JSON_ROWS, `Send at most ${MAX_JSON_ROWS.toLocaleString("en")} rows as JSON; upload larger sets as CSV`)._def,
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
