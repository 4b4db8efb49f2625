import { Form } from "@remix-run/react";
import type { ReactNode } from "react";

/**
 * A form for something that cannot simply be undone. Folded away under its
 * name, it says what will happen and asks for a ticked box (the schema's
 * `confirmation(…)` field `confirm`) before its button does it. It opens
 * again, with the error beside the box, when the server refused the form for
 * want of the tick. Works without JavaScript (`<details>`).
 */
export function ConfirmedAction({
  id,
  summary,
  action,
  intent,
  fields,
  children,
  confirmLabel,
  submitLabel,
  submitAriaLabel,
  error,
  compact = false,
}: {
  /** Unique on the page: ties the error to its box. */
  id: string;
  summary: string;
  /** Where the form posts, when not to the page's own action (e.g. `/invitations?index`). */
  action?: string;
  intent: string;
  /** Hidden fields that say what the action is for (e.g. `{ userId: "7" }`). */
  fields: Record<string, string | number>;
  /** What will happen, in plain words. */
  children: ReactNode;
  confirmLabel: string;
  submitLabel: string;
  submitAriaLabel?: string;
  /** The refusal for this form (its `confirm` or whole-form error); opens it. */
  error?: string;
  /** In a table cell: the summary looks like the small buttons beside it. */
  compact?: boolean;
}) {
  return (
    <details className={compact ? "confirmed-action compact" : "confirmed-action"} open={error ? true : undefined}>
      <summary>{summary}</summary>
      <Form method="post" action={action} noValidate>
        <input type="hidden" name="intent" value={intent} />
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <p>{children}</p>
        <ConfirmBox id={id} label={confirmLabel} error={error} />
        <button type="submit" className="small danger" aria-label={submitAriaLabel}>
          {submitLabel}
        </button>
      </Form>
    </details>
  );
}

/**
 * The ticked box that confirms an action (`confirm`, the schema's `confirmation(…)` field), with its error: the
 * one in `ConfirmedAction`, and on its own in a form whose action needs confirming only in some cases (the last
 * approval of a promotion).
 */
export function ConfirmBox({ id, label, error }: { id: string; label: ReactNode; error?: string }) {
  const errorId = `${id}-confirm-error`;
  return (
    <div className="field">
      <label>
        <input type="checkbox" name="confirm" aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />{" "}
        {label}
      </label>
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
