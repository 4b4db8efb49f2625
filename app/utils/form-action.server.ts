import { data } from "@remix-run/node";
import type { z, ZodTypeAny } from "zod";
import { DomainError } from "./errors";
import { parseForm, type FieldErrors } from "./validation";

const STATUS_BY_CODE = { invalid: 422, conflict: 409, not_found: 404, forbidden: 403 } as const;

export type FormActionResult = {
  ok: boolean;
  notice?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
  intent?: string;
};

/**
 * The one shape of a form action: validate with zod, run the domain call,
 * turn refusals into field-level errors. Nothing is written when either fails.
 */
export async function runFormAction<S extends ZodTypeAny>(
  formData: FormData,
  schema: S,
  run: (input: z.output<S>) => unknown,
  notice: string | ((input: z.output<S>) => string),
) {
  const intent = typeof formData.get("intent") === "string" ? String(formData.get("intent")) : undefined;
  const parsed = parseForm(formData, schema);
  if (!parsed.ok) {
    return data<FormActionResult>({ ok: false, errors: parsed.errors, values: parsed.values, intent }, { status: 400 });
  }
  try {
    await run(parsed.data);
  } catch (error) {
    if (error instanceof DomainError) {
      return data<FormActionResult>(
        { ok: false, errors: { [error.field ?? "form"]: error.message }, intent },
        { status: STATUS_BY_CODE[error.code] },
      );
    }
    throw error;
  }
  return data<FormActionResult>({
    ok: true,
    intent,
    notice: typeof notice === "function" ? notice(parsed.data) : notice,
  });
}
