import { useNavigation } from "@remix-run/react";
import {
  useEffect,
  useId,
  useRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

type FieldProps = { label: string; name: string; error?: string; hint?: ReactNode };
type ControlProps = { id: string; "aria-invalid"?: true; "aria-describedby"?: string };

/** The ids a control's `aria-describedby` names, and the hint and error paragraphs they point at. */
export function useFieldMessages({ hint, error }: { hint?: ReactNode; error?: string }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const messages = (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
  return { id, describedBy, messages };
}

/** Label, hint and error wiring shared by every form control. */
function Field({ label, error, hint, children }: Omit<FieldProps, "name"> & { children: (control: ControlProps) => ReactNode }) {
  const { id, describedBy, messages } = useFieldMessages({ hint, error });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {messages}
    </div>
  );
}

export function TextField({ label, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => <input {...control} {...input} />}
    </Field>
  );
}

/** The password of the account signing in (sign-in and proving an account). */
export function CurrentPasswordField({ error, focus }: { error: string | undefined; focus?: boolean }) {
  return (
    <TextField
      label="Password"
      name="password"
      type="password"
      autoComplete="current-password"
      required
      // eslint-disable-next-line jsx-a11y/no-autofocus -- only where the password is the one thing left to type
      autoFocus={focus}
      error={error}
    />
  );
}

export function TextAreaField({ label, error, hint, ...textarea }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => <textarea {...control} {...textarea} />}
    </Field>
  );
}

export function SelectField({
  label,
  error,
  hint,
  options,
  ...select
}: FieldProps & { options: ReadonlyArray<{ value: string; label: string }> } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => (
        <select {...control} {...select}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function FormError({ error }: { error?: string }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Whether a form post of the page is under way: sent, or its answer loading. */
export function useFormPostUnderWay(): boolean {
  const navigation = useNavigation();
  return navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
}

/**
 * The other half of where focus goes after a post (the first, a refusal's, is `focusWhatWasRefused` in
 * submit-once.tsx): when it succeeded and took away the control that had focus (its form made anew and emptied for
 * the next one, its row or button gone), focus would fall to the page. Put the returned ref on the answer (an
 * element with `tabIndex={-1}` saying what was done): focus moves to it when it arrives, and again whenever `answer`
 * changes (a second post's answer). `ifLost`: only when focus did fall to the page; a control that survived the post
 * keeps it. Without JavaScript the new page starts at its top, as any page does.
 */
export function useFocusOnArrival<T extends HTMLElement>(answer: unknown, { ifLost = false }: { ifLost?: boolean } = {}) {
  const self = useRef<T>(null);
  useEffect(() => {
    if (ifLost && document.activeElement && document.activeElement !== document.body) return;
    self.current?.focus();
  }, [answer, ifLost]);
  return self;
}

/**
 * The banner after a form action: a notice on success, the form-level error otherwise. Gone while another form post
 * of the page is under way: what it says belongs to the action just taken, never to the one before it. When the
 * post took away the control that had focus (a revoked token's button, a removed member's row, a report form made
 * anew), focus comes to the notice (`useFocusOnArrival`, `ifLost`), so a keyboard or screen reader user hears what
 * was done and goes on from there; a control that is still there keeps focus.
 */
export function ActionResult({ result }: { result?: { ok: boolean; notice?: string; errors?: Record<string, string> } }) {
  const posting = useFormPostUnderWay();
  const shown = result && !posting ? result : undefined;
  const notice = useFocusOnArrival<HTMLParagraphElement>(shown?.ok ? shown : undefined, { ifLost: true });
  if (!shown) return null;
  if (shown.ok) {
    return (
      <p className="notice" role="status" tabIndex={-1} ref={notice}>
        {shown.notice}
      </p>
    );
  }
  return <FormError error={shown.errors?.form} />;
}
