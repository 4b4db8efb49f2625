import { z } from "zod";
import { keysFirst, lengthFirst } from "../../utils/bounded";
import { isQuarter } from "../../utils/quarters";
import { calendarDay, EARLIEST_YEAR, LATEST_YEAR, optionalField, yearInRange } from "../../utils/validation";
import { STATEMENT_STATUSES } from "./assessment-constants";
import { FUTURE_EVIDENCE_MESSAGE, isFutureEvidenceDay } from "./evidence-dates";

export const PeriodSchema = z
  .string({ required_error: "Choose a quarter" })
  .trim()
  .toUpperCase()
  .refine(isQuarter, "Use a quarter such as 2026-Q4")
  .refine(
    (period) => !isQuarter(period) || yearInRange(Number(period.slice(0, 4))),
    `Use a quarter from ${EARLIEST_YEAR}-Q1 to ${LATEST_YEAR}-Q4`,
  );

export const AssessmentCreateSchema = z.object({
  period: PeriodSchema,
  frameworkVersion: optionalField(z.string().regex(/^\d+$/, "Framework versions are numbers")),
});

/**
 * An organisation's framework version for new assessments: a version number, or "newest" for
 * "the newest built-in version". The action checks the version is installed.
 */
export const FrameworkChoiceSchema = z.object({
  frameworkVersion: z
    .string({ required_error: "Choose a framework version" })
    .trim()
    .regex(/^(?:\d+|newest)$/, "Choose one of the installed framework versions"),
});
export type FrameworkChoice = z.infer<typeof FrameworkChoiceSchema>;

/** Evidence is dated when it was made, so not after today (`isFutureEvidenceDay`, which finalising checks too). */
const EvidenceDateSchema = calendarDay("Use a date such as 2026-09-30").refine((day) => !isFutureEvidenceDay(day), FUTURE_EVIDENCE_MESSAGE);

const EvidenceSchema = z.preprocess(
  (value) => (typeof value === "string" ? (/^https?:\/\//i.test(value.trim()) ? { url: value.trim() } : { note: value }) : value),
  z.object({
    note: optionalField(z.string().trim().max(2000, "Use at most 2000 characters")),
    url: optionalField(
      z
        .string()
        .trim()
        .max(1000)
        .url("Use a full http(s) address")
        .regex(/^https?:\/\//i, "Use an http(s) address"),
    ),
    date: optionalField(EvidenceDateSchema),
  }),
);

export const StatementResponseSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    status: z.enum(STATEMENT_STATUSES, { errorMap: () => ({ message: `Choose one of: ${STATEMENT_STATUSES.join(", ")}` }) }),
    reason: optionalField(z.string().trim().max(1000, "Use at most 1000 characters")),
    evidence: EvidenceSchema.optional(),
  })
  .refine((r) => r.status !== "not_applicable" || Boolean(r.reason), { message: "Say why this does not apply", path: ["reason"] });

export const QuestionAnswerSchema = z.object({
  id: z.string().trim().min(1).max(100),
  level: z.coerce.number().int().min(1, "Choose a level from 1 to 5").max(5, "Choose a level from 1 to 5"),
  note: optionalField(z.string().trim().max(2000, "Use at most 2000 characters")),
});

/** Components a body may name (versions, justifications): frameworks have a handful; the bound keeps a 1 MB body from naming 70,000. */
const MAX_COMPONENT_KEYS = 100;

/** A list naming each statement or question once: two answers for one would leave which one counts to chance. */
const eachIdOnce =
  (what: string) =>
  (items: readonly { id: string }[], ctx: z.RefinementCtx): void => {
    const first = new Map<string, number>();
    items.forEach((item, index) => {
      const earlier = first.get(item.id);
      if (earlier === undefined) first.set(item.id, index);
      else
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [index, "id"],
          message: `${what} "${item.id}" is listed twice (first at ${earlier})`,
        });
    });
  };

/** PUT /api/v1/assessments/:id/responses and the capture form: merged into the draft. */
export const AssessmentResponsesSchema = z.object({
  capabilities: lengthFirst(z.array(StatementResponseSchema).max(500, "Send at most 500 statements"))
    .superRefine(eachIdOnce("Statement"))
    .default([]),
  questions: lengthFirst(z.array(QuestionAnswerSchema).max(50, "Send at most 50 answers")).superRefine(eachIdOnce("Question")).default([]),
  versions: keysFirst(
    z.record(z.string().max(100), z.number().int().min(0)),
    MAX_COMPONENT_KEYS,
    `Send at most ${MAX_COMPONENT_KEYS} components`,
  )
    .optional()
    .describe(
      "Optional conflict detection: the version of each component (by component id) the client last read. When someone else saved a component since, nothing is saved and the answer is 409 `conflict` naming the component. Each save that changes a component increments its version; the answer's `versions` gives the new ones.",
    ),
});
export type AssessmentResponsesInput = z.infer<typeof AssessmentResponsesSchema>;

export const FinalizeSchema = z.object({
  justifications: keysFirst(
    z.record(z.string().trim().max(4000, "Use at most 4000 characters")),
    MAX_COMPONENT_KEYS,
    `Justify at most ${MAX_COMPONENT_KEYS} components`,
  ).default({}),
  /** Finalise although some statements are unanswered (they count as "not in place"); without it that is a 409. */
  acceptUnanswered: z.boolean({ invalid_type_error: "Use true or false" }).default(false),
});

/** The finalisation form: `justification.<componentId>` fields and an `acceptUnanswered` checkbox, as FinalizeSchema's input. */
export const FinalizeFormSchema = z.preprocess((raw) => {
  const fields = raw as Record<string, unknown>;
  return {
    justifications: Object.fromEntries(
      Object.entries(fields)
        .filter(([key, value]) => key.startsWith("justification.") && typeof value === "string" && value.trim())
        .map(([key, value]) => [key.slice("justification.".length), value]),
    ),
    acceptUnanswered: fields.acceptUnanswered === "on" || fields.acceptUnanswered === "true",
  };
}, FinalizeSchema);

export const WithdrawSchema = z.object({
  reason: z
    .string({ required_error: "Say why the assessment is withdrawn", invalid_type_error: "Say why the assessment is withdrawn" })
    .trim()
    .min(1, "Say why the assessment is withdrawn")
    .max(2000, "Use at most 2000 characters"),
});

export const EvidenceNoteSchema = z.object({
  statementId: z.string().trim().min(1).max(100),
  body: z.string().trim().min(1, "Write the note").max(2000, "Use at most 2000 characters"),
  url: optionalField(
    z
      .string()
      .trim()
      .max(1000)
      .url("Use a full http(s) address")
      .regex(/^https?:\/\//i, "Use an http(s) address"),
  ),
});
