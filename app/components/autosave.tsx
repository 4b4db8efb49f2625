import { useBlocker, type FetcherWithComponents } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, type FormEvent, type RefObject } from "react";

/**
 * Client-side guards for what people type: edit forms save as you go
 * (`useAutosave`), create forms keep a browser draft until they are submitted
 * (`useFormDraft`), and leaving a page with unsaved changes warns
 * (`useUnsavedChangesWarning`). Forms still post normally without JavaScript.
 */

const LEAVE_MESSAGE = "You have unsaved changes. Leave this page and lose them?";

/** A move to another page (not a post back to this one) while `shouldBlock()` says so. */
function leavesPage({
  currentLocation,
  nextLocation,
}: {
  currentLocation: { pathname: string; search: string };
  nextLocation: { pathname: string; search: string };
}) {
  return currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search;
}

function useBeforeUnload(when: () => boolean) {
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!when()) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [when]);
}

/**
 * Warns before leaving the page, in-app (Remix's useBlocker) and when closing
 * the tab, while `when` is true. Call the returned `release()` when the page is
 * about to leave on purpose (its form was submitted).
 */
export function useUnsavedChangesWarning(when: boolean, message = LEAVE_MESSAGE) {
  const whenRef = useRef(when);
  whenRef.current = when;
  const release = useCallback(() => {
    whenRef.current = false;
  }, []);
  const blocker = useBlocker((args) => whenRef.current && leavesPage(args));
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(message)) blocker.proceed();
    else blocker.reset();
  }, [blocker, message]);
  useBeforeUnload(useCallback(() => whenRef.current, []));
  return release;
}

export type SaveStatus = "saved" | "unsaved" | "saving" | "failed";

/** What an autosaving action answers: `ok`, and on failure field errors, a form error or a conflict. */
export type AutosaveAnswer = { ok: boolean; errors?: Record<string, string | undefined>; conflict?: unknown };

const TEXT_TYPES = new Set(["text", "url", "email", "search", "tel", "number", "password", ""]);
function isTextEntry(target: EventTarget | null): target is HTMLInputElement | HTMLTextAreaElement {
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && TEXT_TYPES.has(target.type);
}

export function failureReason(answer: AutosaveAnswer): string {
  if (answer.conflict) return "someone else saved this after you opened it; both versions are shown on the page";
  const errors = answer.errors ?? {};
  return errors.form ?? (Object.keys(errors).length ? "see the messages below" : "the server did not accept the change");
}

/**
 * Saves an edit form as you go through `fetcher`: text after a pause in typing
 * (`delayMs`) and on leaving the field, choices (radios, selects, dates) at
 * once. Saves never overlap: a change made while one is in flight is saved
 * right after it. Leaving the page first finishes a pending save, and asks
 * only when the last save failed. Spread `formProps` on the fetcher's form.
 */
export function useAutosave<T extends AutosaveAnswer>(
  fetcher: FetcherWithComponents<T>,
  formRef: RefObject<HTMLFormElement | null>,
  { enabled = true, delayMs = 800, action }: { enabled?: boolean; delayMs?: number; action?: string } = {},
) {
  const [dirty, setDirty] = useState(false);
  const [savedOnce, setSavedOnce] = useState(false);
  const dirtyRef = useRef(false);
  const queued = useRef(false);
  /** A Save clicked while a save was in flight: sent, as clicked, once that save has answered. */
  const submitAfterSave = useRef<{ submitter: HTMLButtonElement | null }>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const busy = fetcher.state !== "idle";
  const answer = fetcher.data as T | undefined;

  const status: SaveStatus = dirty ? "unsaved" : busy ? "saving" : answer && !answer.ok ? "failed" : "saved";
  const statusRef = useRef(status);
  statusRef.current = status;

  const busyRef = useRef(busy);
  const markDirty = useCallback((value: boolean) => {
    dirtyRef.current = value;
    setDirty(value);
  }, []);

  const saveNow = useCallback(() => {
    clearTimeout(timer.current);
    const form = formRef.current;
    if (!form || !enabled || !dirtyRef.current) return;
    if (busyRef.current) {
      queued.current = true;
      return;
    }
    const data = new FormData(form);
    data.set("autosave", "1");
    markDirty(false);
    busyRef.current = true;
    fetcher.submit(data, { method: "post", ...(action ? { action } : {}) });
  }, [action, enabled, fetcher, formRef, markDirty]);

  useEffect(() => {
    busyRef.current = busy;
    if (busy) return;
    if (answer?.ok) setSavedOnce(true);
    const pending = submitAfterSave.current;
    if (pending) {
      submitAfterSave.current = undefined;
      formRef.current?.requestSubmit(pending.submitter ?? undefined);
      return;
    }
    if (queued.current) {
      queued.current = false;
      saveNow();
    }
  }, [busy, answer, saveNow, formRef]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const formProps = {
    onChange(event: FormEvent<HTMLFormElement>) {
      if (!enabled) return;
      const target = event.target as HTMLElement;
      if (target instanceof HTMLInputElement && target.type === "file") return;
      markDirty(true);
      statusRef.current = "unsaved";
      clearTimeout(timer.current);
      if (isTextEntry(target)) timer.current = setTimeout(saveNow, delayMs);
      else saveNow();
    },
    onBlur(event: FormEvent<HTMLFormElement>) {
      if (isTextEntry(event.target) && dirtyRef.current) saveNow();
    },
    // The Save button: while a save is in flight, a second post would carry the
    // version that save is replacing (and conflict with itself), so the form is
    // sent as clicked once that save has answered. A named button (such as
    // "Keep mine") posts as is.
    onSubmit(event: FormEvent<HTMLFormElement>) {
      if (!enabled) return;
      clearTimeout(timer.current);
      const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
      if (submitter?.name) return;
      if (busyRef.current) {
        event.preventDefault();
        queued.current = false;
        submitAfterSave.current = { submitter };
        return;
      }
      markDirty(false);
    },
  };

  // Leaving: finish the pending save and go; ask only if saving failed.
  const blocker = useBlocker((args) => enabled && statusRef.current !== "saved" && leavesPage(args));
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (status === "unsaved") saveNow();
    else if (status === "saved") blocker.proceed();
    else if (status === "failed") {
      if (window.confirm(`Your last changes were not saved (${failureReason(answer!)}). Leave anyway?`)) blocker.proceed();
      else blocker.reset();
    }
  }, [blocker, status, answer, saveNow]);
  useBeforeUnload(useCallback(() => enabled && statusRef.current !== "saved", [enabled]));

  const statusText =
    status === "unsaved"
      ? "Unsaved changes"
      : status === "saving"
        ? "Saving…"
        : status === "failed"
          ? `Not saved: ${failureReason(answer!)}`
          : savedOnce
            ? "All changes saved"
            : "";
  return { status, statusText, formProps, saveNow, answer };
}

/** Status line for an autosaving form: announced politely to screen readers. */
export function SaveStatusLine({
  status,
  text,
  idleHint = "Changes save as you type.",
}: {
  status: SaveStatus;
  text: string;
  idleHint?: string;
}) {
  return (
    <p
      className="muted save-status"
      role="status"
      aria-live="polite"
      data-save-status={status}
      style={status === "failed" ? { color: "var(--bad, #b42318)" } : undefined}
    >
      {text || idleHint}
    </p>
  );
}

type DraftValues = Record<string, string[]>;
const SKIPPED_TYPES = new Set(["hidden", "file", "password", "submit", "button", "reset"]);

function draftableElements(form: HTMLFormElement) {
  return Array.from(form.elements).filter(
    (el): el is HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement =>
      (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) &&
      !!el.name &&
      !SKIPPED_TYPES.has(el.type),
  );
}

function readDraft(form: HTMLFormElement): DraftValues {
  const values: DraftValues = {};
  for (const el of draftableElements(form)) {
    if (el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox")) {
      if (el.checked) (values[el.name] ??= []).push(el.value);
      else values[el.name] ??= [];
    } else if (el instanceof HTMLSelectElement && el.multiple) {
      values[el.name] = Array.from(el.selectedOptions, (o) => o.value);
    } else (values[el.name] ??= []).push(el.value);
  }
  return values;
}

function writeDraft(form: HTMLFormElement, values: DraftValues) {
  const seen = new Map<string, number>();
  for (const el of draftableElements(form)) {
    const stored = values[el.name];
    if (!stored) continue;
    if (el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox")) el.checked = stored.includes(el.value);
    else if (el instanceof HTMLSelectElement && el.multiple) for (const o of Array.from(el.options)) o.selected = stored.includes(o.value);
    else {
      const index = seen.get(el.name) ?? 0;
      seen.set(el.name, index + 1);
      if (stored[index] !== undefined) el.value = stored[index]!;
    }
  }
}

/**
 * Create forms never create anything mid-typing: instead the browser keeps a
 * draft of what was typed (localStorage, under `key`) until the form is
 * submitted, restores it when the page is opened again, and leaving with an
 * unsent draft warns. Spread `formProps` on the form.
 */
export function useFormDraft(formRef: RefObject<HTMLFormElement | null>, key: string) {
  const storageKey = `portal-draft:${key}`;
  const [dirty, setDirty] = useState(false);
  const [restoredAt, setRestoredAt] = useState<string | null>(null);

  useEffect(() => {
    const form = formRef.current;
    if (!form) return;
    try {
      const stored = window.localStorage.getItem(storageKey);
      if (!stored) return;
      const draft = JSON.parse(stored) as { savedAt: string; values: DraftValues };
      writeDraft(form, draft.values);
      setRestoredAt(draft.savedAt);
      setDirty(true);
    } catch {
      window.localStorage.removeItem(storageKey);
    }
  }, [formRef, storageKey]);

  const discard = useCallback(() => {
    window.localStorage.removeItem(storageKey);
    formRef.current?.reset();
    setRestoredAt(null);
    setDirty(false);
  }, [formRef, storageKey]);

  const release = useUnsavedChangesWarning(
    dirty,
    "What you typed has not been submitted yet. Leave this page? (Your draft is kept in this browser.)",
  );

  const formProps = {
    onChange(event: FormEvent<HTMLFormElement>) {
      const form = event.currentTarget;
      try {
        window.localStorage.setItem(storageKey, JSON.stringify({ savedAt: new Date().toISOString(), values: readDraft(form) }));
      } catch {
        // Storage full or disabled: the warning on leaving still protects the typing.
      }
      setDirty(true);
    },
    onSubmit() {
      window.localStorage.removeItem(storageKey);
      release();
      setDirty(false);
      setRestoredAt(null);
    },
  };
  return { formProps, dirty, restoredAt, discard };
}

/** The note a create form shows when it restored a draft, with a way to throw it away. */
export function DraftNotice({ restoredAt, onDiscard }: { restoredAt: string | null; onDiscard: () => void }) {
  if (!restoredAt) return null;
  return (
    <p className="notice" role="status">
      Restored the draft you typed on {new Date(restoredAt).toLocaleString()}.{" "}
      <button type="button" onClick={onDiscard}>
        Discard draft
      </button>
    </p>
  );
}
