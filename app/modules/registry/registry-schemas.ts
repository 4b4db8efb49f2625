import { z } from "zod";
import { keysFirst, lengthFirst } from "../../utils/bounded";
import {
  DATE_RANGE_MESSAGE,
  dayPartProblem,
  DateTimeSchema,
  lenientQuery,
  NameTextSchema,
  optionalField,
  queryWholeNumber,
  requiredDateTime,
  requiredNameText,
  yearInRange,
} from "../../utils/validation";
import { parseSemver } from "./lifecycle";
import { COMPARISONS, INCIDENT_STATUSES, RESERVED_MODEL_SLUGS, RISK_TIERS, SEVERITIES, STAGES } from "./registry-constants";

/**
 * One schema per registry input, shared by the UI forms, the JSON API and the
 * OpenAPI document. Form posts send strings; the preprocessors below accept
 * both the form's text and the API's JSON values.
 */

const trimmed = (max: number) => z.string().trim().max(max, `Use at most ${max} characters`);
const optionalText = (max: number) => optionalField(trimmed(max));
/** A name or title: one line, no control or text-direction characters; `text` is `requiredNameText(…)` for one that must be given. */
const nameField = (max: number, text: z.ZodString = NameTextSchema) => text.max(max, `Use at most ${max} characters`);
const optionalName = (max: number) => optionalField(nameField(max));

export const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "Use at least 2 characters")
  .max(64, "Use at most 64 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens")
  .refine((slug) => !(RESERVED_MODEL_SLUGS as readonly string[]).includes(slug), "This slug is reserved; choose another");

/** A slug made from a model's name; never a reserved path word ("New" → "new-model"). */
export function slugify(name: string): string {
  const slug =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64)
      .replace(/-+$/, "") || "model";
  return (RESERVED_MODEL_SLUGS as readonly string[]).includes(slug) ? `${slug}-model` : slug;
}

/** A model's tags: a list (the form's comma-separated text is split by `ModelCreateFormSchema`). */
const TagsSchema = lengthFirst(
  z
    .array(
      z
        .string({ invalid_type_error: "Each tag is text" })
        .trim()
        .toLowerCase()
        .max(40, "Tags are at most 40 characters")
        .regex(/^[\p{L}\p{N} _.-]*$/u, "Tags use letters, digits, spaces, '.', '_' and '-'"),
      { invalid_type_error: 'Send the tags as a list, such as ["nlp", "fraud"]' },
    )
    .max(20, "At most 20 tags"),
).transform((tags) => [...new Set(tags.filter(Boolean))]);

export const RiskTierSchema = z.enum(RISK_TIERS, {
  errorMap: () => ({ message: `Choose one of: ${RISK_TIERS.join(", ")}` }),
});
export const StageSchema = z.enum(STAGES, { errorMap: () => ({ message: `Choose one of: ${STAGES.join(", ")}` }) });

export const ModelCreateSchema = z.object({
  name: nameField(120, requiredNameText("Name", 2)),
  slug: optionalField(SlugSchema),
  riskTier: RiskTierSchema,
  ownerTeam: optionalName(80),
  businessOwner: optionalName(120),
  businessDomain: optionalName(80),
  useCase: optionalText(500),
  description: optionalText(5000),
  tags: TagsSchema.optional(),
  /** The owning person: a member of the organisation, by email (they hear of the model's incidents and breaches). */
  ownerEmail: optionalField(
    z
      .string()
      .trim()
      .toLowerCase()
      .max(254, "Use at most 254 characters")
      .email("Give the email address of a member of this organisation")
      .describe("The owning person's email; a member of the organisation. Registering: defaults to whoever registers it"),
  ),
});
export type ModelCreate = z.infer<typeof ModelCreateSchema>;

export const ModelUpdateSchema = ModelCreateSchema.omit({ slug: true });
export type ModelUpdate = z.infer<typeof ModelUpdateSchema>;

/** The model form sends its tags as one comma-separated text; the API sends a list. */
const tagsFromText = (value: unknown) => {
  if (!value || typeof value !== "object" || typeof (value as { tags?: unknown }).tags !== "string") return value;
  return { ...value, tags: (value as { tags: string }).tags.split(",") };
};
export const ModelCreateFormSchema = z.preprocess(tagsFromText, ModelCreateSchema);
export const ModelUpdateFormSchema = z.preprocess(tagsFromText, ModelUpdateSchema);

export const SemverSchema = z
  .string()
  .trim()
  .max(64)
  .refine((v) => parseSemver(v) !== null, "Use a semantic version such as 1.4.0 or 2.0.0-rc.1");

/** A JSON object typed as text in a form, or sent as an object by the API. */
const jsonObjectField = <S extends z.ZodTypeAny>(schema: S, label: string) =>
  z.preprocess((value, ctx) => {
    if (typeof value !== "string") return value;
    if (value.trim() === "") return undefined;
    try {
      return JSON.parse(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} must be valid JSON` });
      return z.NEVER;
    }
  }, schema.optional());

const MetricNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64, "Metric names are at most 64 characters")
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "Metric names start with a letter and use letters, digits, '_', '.', '-'");

export const MetricsSchema = keysFirst(
  z.record(MetricNameSchema, z.number({ invalid_type_error: "Metric values must be numbers" }).finite()),
  100,
  "At most 100 metrics",
);

/** "accuracy=0.91" lines (the form) or an object (the API). */
const metricsField = z.preprocess((value, ctx) => {
  if (typeof value !== "string") return value;
  if (value.trim() === "") return undefined;
  if (value.trim().startsWith("{")) {
    try {
      return JSON.parse(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Metrics must be valid JSON or name=value lines" });
      return z.NEVER;
    }
  }
  const entries: [string, number][] = [];
  for (const line of value
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const separator = line.indexOf("=");
    const name = separator < 0 ? line : line.slice(0, separator).trim();
    const raw = separator < 0 ? undefined : line.slice(separator + 1).trim();
    const number = Number(raw);
    if (!name || raw === undefined || raw === "" || !Number.isFinite(number)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Write metrics as name=number, one per line ("${line}")` });
      return z.NEVER;
    }
    entries.push([name, number]);
  }
  return Object.fromEntries(entries);
}, MetricsSchema.optional());

const MAX_HYPERPARAMETER_DEPTH = 32;

/** Whether objects and arrays in `value` nest deeper than `limit` (iterative: no recursion on untrusted input). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.value === null || typeof next.value !== "object") continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

const TrainingDataSchema = z.preprocess(
  (value) => (typeof value === "string" ? (value.trim() ? { ref: value } : undefined) : value),
  z
    .object({
      ref: trimmed(500).min(1, "Training data reference is required"),
      version: optionalText(120),
    })
    .optional(),
);

export const ModelVersionCreateSchema = z.object({
  version: SemverSchema,
  stage: optionalField(
    z.enum(["development", "validation", "staging"], {
      errorMap: () => ({
        message: "New versions start in development, validation or staging; production is reached by promotion",
      }),
    }),
  ),
  algorithm: optionalName(120),
  framework: optionalName(120),
  hyperparameters: jsonObjectField(
    z.record(z.unknown()).superRefine((h, ctx) => {
      // Depth first: serialising pathologically deep input would overflow the stack.
      if (nestedDeeperThan(h, MAX_HYPERPARAMETER_DEPTH)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Hyperparameters nest at most ${MAX_HYPERPARAMETER_DEPTH} levels deep` });
      } else if (JSON.stringify(h).length > 20_000) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Hyperparameters are too large" });
      }
    }),
    "Hyperparameters",
  ),
  trainingData: TrainingDataSchema,
  codeRef: optionalText(200),
  artifactUri: optionalText(1000),
  metrics: metricsField,
  parentVersion: optionalField(SemverSchema),
  committedAt: optionalField(DateTimeSchema).describe(
    "When the version's code was committed (ISO date-time). Lead time to production runs from here when given; it cannot be after the registration",
  ),
});
export type ModelVersionCreate = z.infer<typeof ModelVersionCreateSchema>;

/** The version form posts training data as two plain fields. */
export const ModelVersionFormSchema = z.preprocess((value) => {
  if (!value || typeof value !== "object") return value;
  const { trainingDataRef, trainingDataVersion, ...rest } = value as Record<string, unknown>;
  const ref = typeof trainingDataRef === "string" ? trainingDataRef.trim() : "";
  return { ...rest, trainingData: ref ? { ref, version: trainingDataVersion } : undefined };
}, ModelVersionCreateSchema);

export const TransitionSchema = z.object({
  to: StageSchema,
  reason: optionalText(1000),
});
export type TransitionInput = z.infer<typeof TransitionSchema>;

const incidentTimesAreOrdered = (value: { startedAt?: Date; detectedAt?: Date; resolvedAt?: Date }, ctx: z.RefinementCtx) => {
  if (value.startedAt && value.detectedAt && value.detectedAt < value.startedAt) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["detectedAt"], message: "Detection cannot precede the start" });
  }
  if (value.detectedAt && value.resolvedAt && value.resolvedAt < value.detectedAt) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["resolvedAt"], message: "Resolution cannot precede detection" });
  }
};

export const IncidentCreateSchema = z
  .object({
    title: nameField(200, requiredNameText("Title", 3)),
    severity: z.enum(SEVERITIES, { errorMap: () => ({ message: "Choose a severity from sev1 to sev4" }) }),
    status: optionalField(z.enum(INCIDENT_STATUSES)),
    startedAt: requiredDateTime("Enter when the incident started"),
    detectedAt: optionalField(DateTimeSchema),
    resolvedAt: optionalField(DateTimeSchema),
    description: optionalText(10_000),
    reviewUrl: optionalField(
      trimmed(1000)
        .url("Use a full http(s) address")
        .regex(/^https?:\/\//i, "Use an http(s) address"),
    ),
  })
  .superRefine(incidentTimesAreOrdered);
export type IncidentCreate = z.infer<typeof IncidentCreateSchema>;

export const IncidentUpdateSchema = z
  .object({
    title: optionalField(nameField(200, requiredNameText("Title", 3))),
    severity: optionalField(z.enum(SEVERITIES)),
    status: optionalField(z.enum(INCIDENT_STATUSES)),
    detectedAt: optionalField(DateTimeSchema),
    resolvedAt: optionalField(DateTimeSchema),
    description: optionalText(10_000),
    reviewUrl: optionalField(
      trimmed(1000)
        .url("Use a full http(s) address")
        .regex(/^https?:\/\//i, "Use an http(s) address"),
    ),
  })
  .superRefine(incidentTimesAreOrdered)
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to change" });
export type IncidentUpdate = z.infer<typeof IncidentUpdateSchema>;

export const MonitoringSnapshotSchema = z.object({
  observedAt: optionalField(DateTimeSchema),
  metrics: MetricsSchema.refine((m) => Object.keys(m).length > 0, "Send at least one metric"),
});
export type MonitoringSnapshotInput = z.infer<typeof MonitoringSnapshotSchema>;

export const ObjectiveSchema = z.object({
  metric: MetricNameSchema,
  comparison: z.enum(COMPARISONS, { errorMap: () => ({ message: "Choose a comparison" }) }),
  threshold: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number({ required_error: "Threshold is required", invalid_type_error: "Threshold must be a number" }).finite(),
  ),
});
export type ObjectiveInput = z.infer<typeof ObjectiveSchema>;

/** A day (midnight UTC) or a date-time; a day must exist, and either falls within the years dates may take. */
const DayOrDateTimeSchema = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = dayPartProblem(v);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    else if (Number.isNaN(Date.parse(v))) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Use a date such as 2026-07-01" });
  })
  .transform((v) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v))
  .refine((d) => yearInRange(d.getUTCFullYear()), DATE_RANGE_MESSAGE);

/** `from`/`to` of registry metrics; the default is the current quarter. */
export const MetricsWindowSchema = z
  .object({ from: optionalField(DayOrDateTimeSchema), to: optionalField(DayOrDateTimeSchema) })
  .refine((w) => !w.from || !w.to || w.from < w.to, { message: "`from` must be before `to`", path: ["to"] });

export const MODEL_SORTS = ["name", "-name", "updated", "-updated", "risk", "-risk"] as const;

/** `GET /api/v1/models`: an invalid value is refused (422), naming the parameter. */
export const ModelListQuerySchema = z.object({
  q: optionalText(100),
  stage: optionalField(StageSchema),
  riskTier: optionalField(RiskTierSchema),
  team: optionalText(80),
  tag: optionalField(z.string().trim().toLowerCase().max(40, "Tags are at most 40 characters")),
  sort: optionalField(z.enum(MODEL_SORTS, { errorMap: () => ({ message: `Choose one of: ${MODEL_SORTS.join(", ")}` }) })),
  page: queryWholeNumber({ min: 1, max: 100_000, fallback: 1 }),
  pageSize: queryWholeNumber({ min: 1, max: 100, fallback: 25 }),
});
export type ModelListQuery = z.infer<typeof ModelListQuerySchema>;

/** The model list page reads the same query leniently: a bad value (a stale or edited link) is ignored. */
export const ModelListPageQuerySchema = lenientQuery(ModelListQuerySchema);
