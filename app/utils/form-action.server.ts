import { data } from "@remix-run/node";
import type { z, ZodTypeAny } from "zod";
import { DomainError } from "./errors";
import { httpError, readBodyUpTo } from "./http";
import { parseForm, type FieldErrors } from "./validation";

/**
 * The largest form post read. A model card (ten sections of 20,000
 * characters, percent-encoded) stays under it; bias-audit files are uploaded
 * separately (`spoolMultipartUpload`).
 */
export const MAX_FORM_BYTES = 4 * 1024 * 1024;

/**
 * Reads a form post for an action. Refuses, by throwing the Response: a body
 * that is not a form (415), one larger than MAX_FORM_BYTES (413, while
 * streaming), a multipart body that cannot be parsed (400).
 */
export async function readFormData(request: Request): Promise<FormData> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(contentType)) {
    throw httpError(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data");
  }
  const body = await readBodyUpTo(request, MAX_FORM_BYTES);
  if (!body) throw httpError(413, `Forms are limited to ${MAX_FORM_BYTES / 1024 / 1024} MB`);
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
  intent?: string;
  /** A one-time value to show once, such as a new API token. */
  reveal?: string;
};

type Success = string | Response | { notice: string; reveal?: string };

/**
 * The one shape of a form action: validate with zod, run the domain call,
 * turn refusals into field-level errors. Nothing is written when either fails.
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
    return data<FormActionResult>({ ok: false, errors: parsed.errors, values: parsed.values, intent }, { status: 400 });
  }
  let output: R;
  try {
    output = await run(parsed.data);
  } catch (error) {
    if (error instanceof DomainError) {
      return data<FormActionResult>(
        { ok: false, errors: { [error.field ?? "form"]: error.message }, intent },
        { status: STATUS_BY_CODE[error.code] },
      );
    }
    throw error;
  }
  const outcome = typeof success === "function" ? success(output, parsed.data) : success;
  if (outcome instanceof Response) throw outcome;
  return data<FormActionResult>(typeof outcome === "string" ? { ok: true, intent, notice: outcome } : { ok: true, intent, ...outcome });
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
