import type { ReactNode } from "react";
import { useFocusOnArrival } from "./forms";

/**
 * The answer to a form post that made something and a new, empty form in its place: what was made, and the value
 * shown only this once to copy (an invitation link, an API token, a webhook's signing secret; only a hash or a sealed
 * copy is stored). A repeated form has no value, only the notice saying so. The old form's button, which had focus,
 * is gone with the old form: focus comes here when the answer arrives (`useFocusOnArrival`), so a keyboard or screen
 * reader user lands on the value rather than at the top of the page.
 */
export function OneTimeResult({
  notice,
  value,
  testId,
  children,
}: {
  notice?: string;
  value?: string;
  /** Names the value for tests: `invitation-link`, `new-token`, `webhook-secret`. */
  testId: string;
  /** What more to say beneath the value. */
  children?: ReactNode;
}) {
  const self = useFocusOnArrival<HTMLDivElement>(value ?? notice);
  return (
    <div className="notice" role="status" tabIndex={-1} ref={self} data-testid="one-time-result">
      <p style={{ overflowWrap: "anywhere" }}>{notice}</p>
      {value ? (
        <p className="token-secret" data-testid={testId}>
          {value}
        </p>
      ) : null}
      {children}
    </div>
  );
}
