import { useRef, useState, type ReactNode } from "react";
import { useFocusOnArrival } from "./forms";
import { useHydrated } from "./use-hydrated";

/**
 * The answer to a form post that made something and a new, empty form in its place: what was made, and the value
 * shown only this once to copy (an invitation link, an API token, a webhook's signing secret; only a hash or a sealed
 * copy is stored). A repeated form has no value, only the notice saying so. The old form's button, which had focus,
 * is gone with the old form: focus comes here when the answer arrives (`useFocusOnArrival`), so a keyboard or screen
 * reader user lands on the value rather than at the top of the page. With JavaScript a Copy button follows the value,
 * so it can be copied from the keyboard too; without it the value is plain text to select.
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
        <>
          <p className="token-secret" data-testid={testId}>
            {value}
          </p>
          <CopyButton value={value} />
        </>
      ) : null}
      {children}
    </div>
  );
}

/**
 * Copies `value` to the clipboard and says so. Where the browser offers no clipboard (a page served over plain
 * http from another host), it selects the value instead, for Ctrl+C. Shown once the page runs JavaScript only:
 * without it there is nothing to press.
 */
function CopyButton({ value }: { value: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const self = useRef<HTMLButtonElement>(null);
  const hydrated = useHydrated();
  const selectValue = () => {
    const shown = self.current?.parentElement?.querySelector(".token-secret");
    const selection = window.getSelection();
    if (!shown || !selection) return false;
    const range = document.createRange();
    range.selectNodeContents(shown);
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid("Copied.");
    } catch {
      setSaid(selectValue() ? "Selected: press Ctrl+C (⌘C on a Mac) to copy it." : "Select the value above to copy it.");
    }
  };
  if (!hydrated) return null;
  return (
    <p>
      <button type="button" className="small secondary" ref={self} onClick={copy}>
        Copy
      </button>{" "}
      <span aria-live="polite">{said}</span>
    </p>
  );
}
