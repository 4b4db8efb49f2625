import { data } from "@remix-run/node";
import type { z, ZodTypeAny } from "zod";
import { DomainError } from "./errors";
import { httpError, readBodyUpTo } from "./http";
import { parseForm, typedValues, type FieldErrors } from "./validation";

/**
 * The largest form post read. A model card (ten sections of 20,000
 * characters, percent-encoded) stays under it; bias-audit files are uploaded
 * separately (`spoolMultipartUpload`).
 */
export const MAX_FORM_BYTES = 4 * 1024 * 1024;
/**
 * The most fields a form post may have (the largest forms, an assessment
 * component or a bulk assignment of 500 roadmap items, stay well under it).
 * Counted in the raw body before it is parsed: 4 MB of `a=&` is 1.4 million
 * fields, seconds of a worker's time to parse and validate.
 */
export const MAX_FORM_FIELDS = 2_000;

/** More fields than `max` in the raw body? `&` separators (urlencoded) or part boundaries (multipart), counted without parsing. */
function moreFieldsThan(body: Uint8Array, contentType: string, max: number): boolean {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const separator = /^\s*multipart\//i.test(contentType) ? (boundary ? `--${boundary[1] ?? boundary[2]}` : null) : "&";
  if (!separator) return false; // no boundary: the parser refuses the body
  // urlencoded: n fields have n − 1 separators; multipart: n parts have n + 1 boundaries (the closing one).
  let allowed = separator === "&" ? max - 1 : max + 1;
  for (let at = bytes.indexOf(separator); at !== -1; at = bytes.indexOf(separator, at + separator.length)) {
    if (--allowed < 0) return true;
  }
  return false;
}

/**
 * Reads a form post for an action. Refuses, by throwing the Response: a body
 * that is not a form (415), one larger than MAX_FORM_BYTES (413, while
 * streaming) or with more than MAX_FORM_FIELDS fields (413, counted before parsing), a multipart body that cannot be parsed (400).
 */
export async function readFormData(request: Request): Promise<FormData> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(contentType)) {
    throw httpError(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data");
  }
  const body = await readBodyUpTo(request, MAX_FORM_BYTES);
  if (!body) throw httpError(413, `Forms are limited to ${MAX_FORM_BYTES / 1024 / 1024} MB`);
  if (moreFieldsThan(body, contentType, MAX_FORM_FIELDS)) {
    throw httpError(413, `Forms are limited to ${MAX_FORM_FIELDS.toLocaleString("en")} fields`);
  }
  try {
    return await new Response(body, { headers: { "Content-Type": contentType } }).formData();
  } catch {
    throw httpError(400, "The form could not be read");
  }
}

const STATUS_BY_CODE = { invalid: 422, conflict: 409, not_found: 404, forbidden: 403 } as const;

export type FormActionResult = {
  ok: boolean;
  notice?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
  /** Every value of a field sent more than once (ticked checkboxes), to refill the form. */
  lists?: Record<string, string[]>;
  intent?: string;
  /** A one-time value to show once, such as a new API token. */
  reveal?: string;
};

/** `values`: fields to send back with the notice, so that the page can show it where the form was (one row of many). */
type Success = string | Response | { notice: string; reveal?: string; values?: Record<string, string> };

/**
 * The one shape of a form action: validate with zod, run the domain call,
 * turn refusals into field-level errors. Nothing is written when either fails,
 * and either way what was typed comes back (`values`) to refill the form.
 * `success` gives the notice shown after the change, or a redirect to follow.
 */
export async function runFormAction<S extends ZodTypeAny, R>(
  formData: FormData,
  schema: S,
  run: (input: z.output<S>) => R | Promise<R>,
  success: string | ((output: R, input: z.output<S>) => Success),
) {
  const intent = typeof formData.get("intent") === "string" ? String(formData.get("intent")) : undefined;
  const parsed = parseForm(formData, schema);
  if (!parsed.ok) {
    return data<FormActionResult>(
      { ok: false, errors: parsed.errors, values: parsed.values, lists: parsed.lists, intent },
      { status: 400 },
    );
  }
  let output: R;
  try {
    output = await run(parsed.data);
  } catch (error) {
    if (error instanceof DomainError) {
      return data<FormActionResult>(
        { ok: false, errors: domainErrors(error), values: typedValues(formData), intent },
        { status: STATUS_BY_CODE[error.code] },
      );
    }
    throw error;
  }
  const outcome = typeof success === "function" ? success(output, parsed.data) : success;
  if (outcome instanceof Response) throw outcome;
  return data<FormActionResult>(typeof outcome === "string" ? { ok: true, intent, notice: outcome } : { ok: true, intent, ...outcome });
}

/** A refusal's message on its field (or the form), and each named problem it lists on that problem's own path. */
function domainErrors(error: DomainError): FieldErrors {
  const errors: FieldErrors = { [error.field ?? "form"]: error.message };
  for (const issue of error.issues ?? []) errors[issue.path] ??= issue.message;
  return errors;
}

type IntentHandler<S extends ZodTypeAny, R> = {
  schema: S;
  run: (input: z.output<S>) => R | Promise<R>;
  success: string | ((output: R, input: z.output<S>) => Success);
};

/** Declares one intent of a multi-form page, keeping its input type for `run` and `success`. */
export function intent<S extends ZodTypeAny, R>(
  schema: S,
  run: (input: z.output<S>) => R | Promise<R>,
  success: IntentHandler<S, R>["success"],
): IntentHandler<S, R> {
  return { schema, run, success };
}

/** For pages with several forms: the hidden `intent` field picks the handler. */
export async function runIntentAction(
  formData: FormData,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler has its own schema and result types
  handlers: Record<string, IntentHandler<any, any>>,
) {
  const name = String(formData.get("intent") ?? "");
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (!handler) {
    return data<FormActionResult>({ ok: false, intent: name, errors: { form: "Unknown action" } }, { status: 400 });
  }
  return runFormAction(formData, handler.schema, handler.run, handler.success);
}
