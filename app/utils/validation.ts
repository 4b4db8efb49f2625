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

/** A field whose value may be sent back to refill the form: text, and never a password. */
const refillable = (key: string, value: FormDataEntryValue): value is string => typeof value === "string" && !/password/i.test(key);

/** What was typed into a form (each field's last value, passwords left out), to refill it after a refusal. */
export function typedValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData) if (refillable(key, value)) values[key] = value;
  return values;
}

export type FormParse<S extends ZodTypeAny> =
  { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors; values: Record<string, string>; lists?: Record<string, string[]> };

/**
 * Parses a submitted form with a zod schema; on failure also returns what was typed, to refill the form:
 * `values` holds each field's (last) value, `lists` every value of a field sent more than once (ticked checkboxes).
 */
export function parseForm<S extends ZodTypeAny>(formData: FormData, schema: S): FormParse<S> {
  const values: Record<string, string> = {};
  // One pass over the entries: looking every name up again (`getAll` per
  // entry) made a form of n repeated fields cost n² — seconds for 30 KB.
  const byName = new Map<string, FormDataEntryValue[]>();
  for (const [key, value] of formData) {
    if (refillable(key, value)) values[key] = value;
    const all = byName.get(key);
    if (all) all.push(value);
    else byName.set(key, [value]);
  }
  const raw = Object.fromEntries([...byName].map(([key, all]) => [key, all.length > 1 ? all : all[0]]));
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const repeated = [...byName].filter(([key, all]) => all.length > 1 && !/password/i.test(key));
  const lists = Object.fromEntries(repeated.map(([key, all]) => [key, all.filter((v): v is string => typeof v === "string")]));
  return { ok: false, errors: fieldErrors(result.error), values, ...(repeated.length ? { lists } : {}) };
}

/** Every value a refused form sent for `name` (several for ticked checkboxes), to tick them again. */
export function submittedValues(
  sent: { values?: Record<string, string>; lists?: Record<string, string[]> } | undefined,
  name: string,
): string[] {
  const one = sent?.values?.[name];
  return sent?.lists?.[name] ?? (one === undefined ? [] : [one]);
}

/** An optional form field: an empty input means "not given", not an invalid value. */
export function optionalField<S extends ZodTypeAny>(schema: S) {
  return z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());
}

type WholeNumberBounds = { min: number; max?: number };

/**
 * A whole number read from a query string (or sent as a number): `fallback`
 * (or undefined, without one) when absent or empty; text that is not a whole
 * number from `min` to `max` is refused with one message saying what to send.
 */
export function queryWholeNumber(bounds: WholeNumberBounds & { fallback: number }): z.ZodEffects<z.ZodDefault<z.ZodNumber>>;
export function queryWholeNumber(bounds: WholeNumberBounds): z.ZodEffects<z.ZodOptional<z.ZodNumber>>;
export function queryWholeNumber({ min, max, fallback }: WholeNumberBounds & { fallback?: number }) {
  const message =
    max === undefined ? `Use a whole number, ${min} or more` : `Use a whole number from ${min} to ${max.toLocaleString("en")}`;
  const number = z.coerce.number({ invalid_type_error: message }).int(message).min(min, message);
  const bounded = max === undefined ? number : number.max(max, message);
  return z.preprocess(
    (value) => (value === "" ? undefined : value),
    fallback === undefined ? bounded.optional() : bounded.default(fallback),
  );
}

/**
 * A page's lenient reading of a query that the API reads strictly: each field
 * of `schema` whose value is invalid counts as not given (its default, or
 * undefined), so a stale or hand-edited link still shows the page. Every
 * field must be optional or have a default.
 */
export function lenientQuery<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const absent = field.safeParse(undefined);
      if (!absent.success) throw new Error(`lenientQuery: the field ${key} must be optional or have a default`);
      return [key, field.catch(absent.data)];
    }),
  ) as { [K in keyof T]: z.ZodCatch<T[K]> };
  return z.object(shape);
}

/** A moment in API answers: an ISO 8601 UTC timestamp as `Date.toISOString()` writes it. */
/**
 * The ticked box of a form that asks before it does something that cannot simply be undone (a checkbox sends "on"):
 * `message` says what ticking it agrees to.
 */
export function confirmation(message: string) {
  return z.literal("on", { errorMap: () => ({ message }) });
}

export const TimestampSchema = z.string().datetime();

/* ---------------------------------------------------------------- names */

/**
 * Characters no name or title may hold: C0 and C1 control characters (NUL,
 * newlines, tabs, escape sequences), DEL, the Unicode line and paragraph
 * separators, and the bidirectional embedding, override and isolate controls
 * (U+202A–U+202E, U+2066–U+2069) that make "Invoice <U+202E>gpj.exe" read
 * as "Invoice exe.jpg". Letters and marks of every script, emoji and the
 * implicit direction marks (U+200E, U+200F) stay allowed.
 */
const UNSAFE_NAME_CHARACTERS = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const SAFE_NAME = new RegExp(`^[^${UNSAFE_NAME_CHARACTERS}]*$`, "u");
export const UNSAFE_NAME_MESSAGE = "Remove the control or text-direction characters";

const nameText = (errorMap?: z.ZodErrorMap) => z.string({ errorMap }).trim().regex(SAFE_NAME, UNSAFE_NAME_MESSAGE);

/**
 * The one primitive of every name and title field (models, organisations,
 * people, tokens, teams, incidents): one line of trimmed text without
 * control or text-direction characters. Chain the field's maximum:
 * `NameTextSchema.max(120, "Name is too long")`; a name that must be given
 * starts from `requiredNameText` instead, which sets its minimum.
 */
export const NameTextSchema = nameText();

/**
 * A name or title that must be given, at least `min` characters once trimmed:
 * missing or empty is "`label` is required" (or `required`), too short says
 * how many characters it needs ("Name needs at least 2 characters", where a
 * bare `.min(2, "Name is required")` told someone who typed "x" to type a
 * name). Chain the maximum: `requiredNameText("Name", 2).max(120, "Name is too long")`.
 */
export function requiredNameText(label: string, min: number, required = `${label} is required`) {
  const tooShort = `${label} needs at least ${min} character${min === 1 ? "" : "s"}`;
  return nameText((issue, ctx) => {
    if (issue.code === z.ZodIssueCode.invalid_type && issue.received === z.ZodParsedType.undefined) return { message: required };
    // `ctx.data` is the trimmed text: blank is not given at all.
    if (issue.code === z.ZodIssueCode.too_small) return { message: ctx.data === "" ? required : tooShort };
    return { message: ctx.defaultError };
  }).min(min);
}

/* ---------------------------------------------------------------- dates */

/** Dates are taken from these years (inclusive): wide enough for any plan, narrow enough for every format we write. */
export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 2100;
export const DATE_RANGE_MESSAGE = `Use a date from ${EARLIEST_YEAR} to ${LATEST_YEAR}`;
export const NO_SUCH_DATE_MESSAGE = "That date does not exist";
/** `min` and `max` of date and datetime-local inputs, so the browser offers only days the server accepts. */
export const DATE_INPUT_BOUNDS = { min: `${EARLIEST_YEAR}-01-01`, max: `${LATEST_YEAR}-12-31` } as const;
export const DATE_TIME_INPUT_BOUNDS = { min: `${EARLIEST_YEAR}-01-01T00:00`, max: `${LATEST_YEAR}-12-31T23:59` } as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An ISO 8601 date-time as forms and clients send it: the day, a time, and an optional zone. */
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
/** A date-time without a zone (a datetime-local input): taken as UTC, whatever the server's zone. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function yearInRange(year: number): boolean {
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR;
}

/**
 * Why `value` is not a real calendar day ("YYYY-MM-DD") within the years
 * above, or null when it is one. Plain arithmetic, no `Date`: `Date.UTC`
 * reads years 0–99 as 1900–1999 and rolls 30 February over into March.
 */
export function calendarDayProblem(value: string, formatMessage = "Use a date such as 2027-01-01"): string | null {
  const match = DAY.exec(value);
  if (!match) return formatMessage;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NO_SUCH_DATE_MESSAGE;
  return yearInRange(year) ? null : DATE_RANGE_MESSAGE;
}

/** For a day or an ISO date-time: what is wrong with its day, or null (also when `text` is in neither form). */
export function dayPartProblem(text: string): string | null {
  const day = DAY.test(text) ? text : ISO_DATE_TIME.exec(text)?.[1];
  return day === undefined ? null : calendarDayProblem(day);
}

/** A real calendar day ("YYYY-MM-DD") from 2000 to 2100, kept as the text. */
export function calendarDay(formatMessage?: string) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = calendarDayProblem(value, formatMessage);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    });
}

/**
 * A moment given as a date-time (or a day, taken as its midnight UTC):
 * "2026-05-01T14:30:00Z", "2026-05-01T14:30" (UTC), "2026-05-01". The day
 * must exist (no 30 February rolled over into March) and the moment must
 * fall within the years above.
 */
export const DateTimeSchema = dateTime();

/** `DateTimeSchema` for a time that must be given: a missing or empty one is refused with `missing`. */
export function requiredDateTime(missing: string) {
  return dateTime(missing);
}

function dateTime(missing?: string) {
  return z
    .preprocess(
      (value, ctx) => {
        if (missing !== undefined && (value === undefined || value === null || (typeof value === "string" && !value.trim()))) {
          // Fatal: the one issue, without the format message the date parser would add.
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: missing, fatal: true });
          return z.NEVER;
        }
        if (typeof value !== "string") return value;
        const text = value.trim();
        const problem = dayPartProblem(text);
        if (problem === NO_SUCH_DATE_MESSAGE) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
          return z.NEVER;
        }
        return LOCAL_DATE_TIME.test(text) ? `${text}Z` : text;
      },
      z.coerce.date({ errorMap: () => ({ message: "Use a date and time such as 2026-05-01T14:30:00Z" }) }),
    )
    .refine((d) => yearInRange(d.getUTCFullYear()), DATE_RANGE_MESSAGE);
}
