import type { ReactNode } from "react";
import { useFieldMessages } from "./forms";

/**
 * A deliberate choice: radio buttons with nothing chosen in advance (a
 * decision must never be made by leaving a default alone). The server
 * refuses a missing choice with a field error shown here.
 */
export function DecisionField({
  legend,
  name,
  options,
  error,
  hint,
  defaultValue,
}: {
  legend: string;
  name: string;
  options: ReadonlyArray<{ value: string; label: ReactNode }>;
  error?: string;
  hint?: ReactNode;
  /** Only to show a choice sent back with an error, never a default. */
  defaultValue?: string;
}) {
  const { describedBy, messages } = useFieldMessages({ hint, error });
  return (
    <fieldset className="choice-group" aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value}>
          <input type="radio" name={name} value={option.value} required defaultChecked={defaultValue === option.value} /> {option.label}
        </label>
      ))}
      {messages}
    </fieldset>
  );
}
