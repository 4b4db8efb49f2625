import { z } from "zod";
import { QuestionAnswerSchema, StatementResponseSchema, type AssessmentResponsesInput } from "./assessment-schemas";

/** The component version a capture page loaded, sent back with each save (`version`, or `overwriteVersion` to keep yours after a conflict). */
export const ComponentVersionSchema = z.coerce.number().int().min(0);

const TEXT_FIELDS = ["reason", "note", "url", "date"] as const;
const hasText = (value: unknown) => typeof value === "string" && value.trim() !== "";

/**
 * The capture page posts one field group per statement: `s.<id>.status`,
 * `s.<id>.reason`, `s.<id>.note`, `s.<id>.url`, `s.<id>.date`, and per
 * question `q.<id>.level`, `q.<id>.note`. Each group is validated on its own
 * so errors land on the right field (`s.<id>.reason`). Text typed for a
 * statement without a status (or a question note without a level) is an error
 * rather than silently dropped: it has nowhere to be stored yet.
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
    if (typeof f.status !== "string" || f.status === "") {
      if (TEXT_FIELDS.some((field) => hasText(f[field])))
        errors[`s.${id}.status`] = "Choose a status to save what you wrote for this statement";
      continue;
    }
    const parsed = StatementResponseSchema.safeParse({
      id,
      status: f.status,
      reason: f.reason,
      evidence: { note: f.note, url: f.url, date: f.date },
    });
    if (parsed.success) capabilities.push(parsed.data);
    else
      for (const issue of parsed.error.issues)
        errors[`s.${id}.${issue.path.filter((p) => p !== "evidence").join(".") || "status"}`] ??= issue.message;
  }
  const questions: AssessmentResponsesInput["questions"] = [];
  for (const [id, f] of groups.q) {
    if (f.level === undefined || f.level === "") {
      if (hasText(f.note)) errors[`q.${id}.level`] = "Choose a level to save your note";
      continue;
    }
    const parsed = QuestionAnswerSchema.safeParse({ id, level: f.level, note: f.note });
    if (parsed.success) questions.push(parsed.data);
    else for (const issue of parsed.error.issues) errors[`q.${id}.${issue.path.join(".") || "level"}`] ??= issue.message;
  }
  return { data: { capabilities, questions }, errors };
}

/** The id of a statement's (`s.<id>`) or question's (`q.<id>`) block on its component's capture page, for links to it. */
export const answerAnchor = (answer: string) => `answer-${answer.replace(".", "-")}`;

/**
 * The answers a save held back, one per statement (`s.<id>`) or question
 * (`q.<id>`) with a field error, in the order of the errors (the page's order).
 */
export function heldBackAnswers(errors: Record<string, string | undefined>): string[] {
  const answers = new Set<string>();
  for (const key of Object.keys(errors)) {
    const match = /^([sq]\..+)\.[a-z]+$/.exec(key);
    if (match) answers.add(match[1]!);
  }
  return [...answers];
}

/** The save bar's words for answers held back: "1 answer needs fixing before it can be saved; …". */
export function heldBackSummary(count: number): string {
  const [answers, it] = count === 1 ? ["1 answer needs", "it"] : [`${count} answers need`, "they"];
  return `${answers} fixing before ${it} can be saved; the rest is saved`;
}
