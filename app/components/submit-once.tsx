import { useRouteLoaderData } from "@remix-run/react";
import { useEffect, useRef, type ButtonHTMLAttributes, type ReactNode } from "react";
import { useFormPostUnderWay } from "./forms";
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
 * Where focus goes when a form's post comes back refused: its first invalid field (its label and error are read
 * with it), else the error that says why (the form's own, a field group's, or the page's banner for the action).
 * An error paragraph becomes focusable for it.
 */
export function focusWhatWasRefused(form: HTMLFormElement): void {
  const target =
    form.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    form.querySelector<HTMLElement>(".form-error, .field-error") ??
    document.querySelector<HTMLElement>("main .form-error");
  if (!target) return;
  if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) target.setAttribute("tabindex", "-1");
  target.focus();
}

/**
 * A form's submit button, busy while a form post of the page is under way (sent, or its answer loading): a second
 * click, or Enter in a field, sends nothing. It says so with `aria-disabled` rather than `disabled`, so it keeps the
 * focus it had (a disabled button would drop it to the page). When the post it sent comes back refused, focus moves
 * to what to put right (`focusWhatWasRefused`). Without JavaScript the form's one-time token does the same job on
 * the server, and the refused page shows its errors as before. `busyLabel`: its words while busy ("Signing in…").
 * `busy`: for a form its page sends itself rather than through Remix (an upload with a progress bar, `UploadForm`),
 * whether that post is under way; the button is busy then too.
 */
export function SubmitButton({
  children,
  busyLabel,
  busy: sending = false,
  disabled,
  onClick,
  ...button
}: ButtonHTMLAttributes<HTMLButtonElement> & { busyLabel?: ReactNode; busy?: boolean }) {
  const busy = useFormPostUnderWay() || sending;
  const self = useRef<HTMLButtonElement>(null);
  /** Its form was submitted through this button (clicked, or Enter in a field), and the answer is still to come. */
  const sent = useRef(false);
  useEffect(() => {
    const form = self.current?.form;
    if (!form) return;
    const onSubmit = (event: SubmitEvent) => {
      if (event.submitter === self.current) sent.current = true;
    };
    form.addEventListener("submit", onSubmit);
    return () => form.removeEventListener("submit", onSubmit);
  }, []);
  useEffect(() => {
    if (busy || !sent.current) return;
    sent.current = false;
    if (self.current?.form) focusWhatWasRefused(self.current.form);
  }, [busy]);
  return (
    <button
      type="submit"
      ref={self}
      {...button}
      disabled={disabled}
      aria-disabled={busy || undefined}
      aria-busy={busy || undefined}
      onClick={(event) => {
        if (busy) event.preventDefault();
        else onClick?.(event);
      }}
    >
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
