import { useNavigation } from "@remix-run/react";
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

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
 * The banner after a form action: a notice on success, the form-level error otherwise. Gone while another form post
 * of the page is under way: what it says belongs to the action just taken, never to the one before it.
 */
export function ActionResult({ result }: { result?: { ok: boolean; notice?: string; errors?: Record<string, string> } }) {
  const posting = useFormPostUnderWay();
  if (!result || posting) return null;
  if (result.ok) {
    return (
      <p className="notice" role="status">
        {result.notice}
      </p>
    );
  }
  return <FormError error={result.errors?.form} />;
}
