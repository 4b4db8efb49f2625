import { z } from "zod";
import { isQuarter } from "../../utils/quarters";
import { optionalField } from "../../utils/validation";
import { STATEMENT_STATUSES } from "./assessment-constants";

export const PeriodSchema = z
  .string({ required_error: "Choose a quarter" })
  .trim()
  .toUpperCase()
  .refine(isQuarter, "Use a quarter such as 2026-Q4");

export const AssessmentCreateSchema = z.object({
  period: PeriodSchema,
  frameworkVersion: optionalField(z.string().regex(/^\d+$/, "Framework versions are numbers")),
});

const EvidenceDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-09-30")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "That date does not exist");

const EvidenceSchema = z.preprocess(
  (value) => (typeof value === "string" ? (/^https?:\/\//i.test(value.trim()) ? { url: value.trim() } : { note: value }) : value),
  z.object({
    note: optionalField(z.string().trim().max(2000, "Use at most 2000 characters")),
    url: optionalField(z.string().trim().max(1000).url("Use a full http(s) address").regex(/^https?:\/\//i, "Use an http(s) address")),
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

/** PUT /api/v1/assessments/:id/responses and the capture form: merged into the draft. */
export const AssessmentResponsesSchema = z.object({
  capabilities: z.array(StatementResponseSchema).max(500).default([]),
  questions: z.array(QuestionAnswerSchema).max(50).default([]),
});
export type AssessmentResponsesInput = z.infer<typeof AssessmentResponsesSchema>;

export const FinalizeSchema = z.object({
  justifications: z.record(z.string().trim().max(4000, "Use at most 4000 characters")).default({}),
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
  url: optionalField(z.string().trim().max(1000).url("Use a full http(s) address").regex(/^https?:\/\//i, "Use an http(s) address")),
});

/**
 * The capture page posts one field group per statement: `s.<id>.status`,
 * `s.<id>.reason`, `s.<id>.note`, `s.<id>.url`, `s.<id>.date`, and per
 * question `q.<id>.level`, `q.<id>.note`. Each group is validated on its own
 * so errors land on the right field (`s.<id>.reason`).
 */
export function parseCaptureForm(fields: Record<string, unknown>) {
  const groups = { s: new Map<string, Record<string, unknown>>(), q: new Map<string, Record<string, unknown>>() };
  for (const [key, value] of Object.entries(fields)) {
    const match = /^([sq])\.(.+)\.(status|reason|note|url|date|level)$/.exec(key);
    if (!match) continue;
    const target = groups[match[1] as "s" | "q"];
    target.set(match[2]!, { ...target.get(match[2]!), [match[3]!]: value });
  }
  const errors: Record<string, string> = {};
  const capabilities: AssessmentResponsesInput["capabilities"] = [];
  for (const [id, f] of groups.s) {
    if (typeof f.status !== "string" || f.status === "") continue;
    const parsed = StatementResponseSchema.safeParse({ id, status: f.status, reason: f.reason, evidence: { note: f.note, url: f.url, date: f.date } });
    if (parsed.success) capabilities.push(parsed.data);
    else for (const issue of parsed.error.issues) errors[`s.${id}.${issue.path.filter((p) => p !== "evidence").join(".") || "status"}`] ??= issue.message;
  }
  const questions: AssessmentResponsesInput["questions"] = [];
  for (const [id, f] of groups.q) {
    if (f.level === undefined || f.level === "") continue;
    const parsed = QuestionAnswerSchema.safeParse({ id, level: f.level, note: f.note });
    if (parsed.success) questions.push(parsed.data);
    else for (const issue of parsed.error.issues) errors[`q.${id}.${issue.path.join(".") || "level"}`] ??= issue.message;
  }
  return { data: { capabilities, questions }, errors };
}
