import { z, type ZodError, type ZodTypeAny } from "zod";

export type FieldErrors = Record<string, string>;

/** First message per field path ("a.b"), plus "form" for errors without a path. */
export function fieldErrors(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

export type FormParse<S extends ZodTypeAny> =
  { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Parses a submitted form with a zod schema; on failure also returns what was typed, to refill the form. */
export function parseForm<S extends ZodTypeAny>(formData: FormData, schema: S): FormParse<S> {
  const values: Record<string, string> = {};
  // One pass over the entries: looking every name up again (`getAll` per
  // entry) made a form of n repeated fields cost n² — seconds for 30 KB.
  const byName = new Map<string, FormDataEntryValue[]>();
  for (const [key, value] of formData) {
    if (typeof value === "string" && !/password/i.test(key)) values[key] = value;
    const all = byName.get(key);
    if (all) all.push(value);
    else byName.set(key, [value]);
  }
  const raw = Object.fromEntries([...byName].map(([key, all]) => [key, all.length > 1 ? all : all[0]]));
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: fieldErrors(result.error), values };
}

/** An optional form field: an empty input means "not given", not an invalid value. */
export function optionalField<S extends ZodTypeAny>(schema: S) {
  return z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());
}

/** A moment in API answers: an ISO 8601 UTC timestamp as `Date.toISOString()` writes it. */
export const TimestampSchema = z.string().datetime();
