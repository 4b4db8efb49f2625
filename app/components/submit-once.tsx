import { useRouteLoaderData } from "@remix-run/react";
import { useFormPostUnderWay } from "./forms";
import type { ButtonHTMLAttributes } from "react";
import { SUBMISSION_FIELD } from "~/utils/submission";

/**
 * The one-time token of a form that creates something: a repeat of the same
 * submission answers with the first result (app/modules/http/submit-once.server.ts).
 * The root loader hands out a new token with every page and after every change.
 */
export function SubmissionToken() {
  const root = useRouteLoaderData<{ submissionToken?: string }>("root");
  return root?.submissionToken ? <input type="hidden" name={SUBMISSION_FIELD} value={root.submissionToken} /> : null;
}

/**
 * A form's submit button, disabled while a form post of the page is under way
 * (sent, or its answer loading), so a second click sends nothing. Without
 * JavaScript the form's one-time token does the same job on the server.
 */
export function SubmitButton({ children, disabled, ...button }: ButtonHTMLAttributes<HTMLButtonElement>) {
  const busy = useFormPostUnderWay();
  return (
    <button type="submit" {...button} disabled={disabled || busy} aria-busy={busy || undefined}>
      {children}
    </button>
  );
}
