import {
  isRouteErrorResponse,
  useActionData,
  useBlocker,
  type ClientActionFunctionArgs,
  type FetcherWithComponents,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
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

/** Why a save never reached the server's answer: no connection, a server error, or the session ended. */
export type SaveFailure = "offline" | "server" | "signed-out";

/**
 * What an autosaving action answers: `ok`, and on failure field errors, a form
 * error or a conflict; `summary` says in a few words what was held back.
 * `failure` is set in the browser (by `autosaveClientAction`) when the post
 * got no answer from the action.
 */
export type AutosaveAnswer = {
  ok: boolean;
  errors?: Record<string, string | undefined>;
  conflict?: unknown;
  summary?: string;
  failure?: SaveFailure;
};

/** Added (by `useAutosave`) to every post of an autosaving form, so its client action knows it. */
const AUTOSAVE_FORM_FIELD = "autosave-form";

/** Why a post of an autosaving form failed, or null for what must go on as usual (a redirect elsewhere). */
export function saveFailureOf(error: unknown): SaveFailure | null {
  if (error instanceof Response) {
    if (error.status < 300 || error.status >= 400) return "server";
    const location = error.headers.get("Location") ?? "";
    return new URL(location, "http://portal.invalid").pathname === "/login" ? "signed-out" : null;
  }
  if (isRouteErrorResponse(error)) return error.status === 401 ? "signed-out" : "server";
  // fetch() rejects with a TypeError when the request never got an answer.
  if (error instanceof TypeError) return "offline";
  return "server";
}

/**
 * The client action of a route whose form autosaves (`export const clientAction
 * = autosaveClientAction`). A post of that form that gets no usable answer (no
 * connection, a server error, the session ended and the guard redirects to
 * sign-in) becomes an answer with `failure`, so the page, and what was typed on
 * it, stays: no error page, no navigation. Status 503 keeps the router from
 * reloading the page's data (which would fail, or redirect, the same way).
 */
export async function autosaveClientAction({ request, serverAction }: ClientActionFunctionArgs) {
  const fields = await request.clone().formData();
  if (fields.get(AUTOSAVE_FORM_FIELD) !== "1") return serverAction();
  try {
    return await serverAction();
  } catch (error) {
    const failure = saveFailureOf(error);
    if (!failure) throw error;
    return Response.json({ ok: false, errors: {}, failure } satisfies AutosaveAnswer, { status: 503 });
  }
}

/**
 * `shouldRevalidate` of a page with an autosaving form and of the layouts
 * around it: after a save that got no answer the page's data is not reloaded,
 * since that would fail (or redirect to sign-in) the same way and replace the
 * page. Remix's single fetch reloads every route that lacks this export after
 * each post, whatever its status. Otherwise as usual.
 */
export const keepPageAfterFailedSave: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  (actionResult as AutosaveAnswer | undefined)?.failure ? false : defaultShouldRevalidate;

const TEXT_TYPES = new Set(["text", "url", "email", "search", "tel", "number", "password", ""]);
function isTextEntry(target: EventTarget | null): target is HTMLInputElement | HTMLTextAreaElement {
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && TEXT_TYPES.has(target.type);
}

const FAILURE_REASONS: Record<SaveFailure, string> = {
  offline: "could not reach the portal; retrying",
  server: "the portal had a problem saving; retrying",
  "signed-out": "you were signed out: sign in again in another tab, then press Save",
};

export function failureReason(answer: AutosaveAnswer): string {
  if (answer.failure) return FAILURE_REASONS[answer.failure];
  if (answer.conflict) return "someone else saved this after you opened it; both versions are shown on the page";
  const errors = answer.errors ?? {};
  return errors.form ?? answer.summary ?? (Object.keys(errors).length ? "some fields need fixing" : "the server did not accept the change");
}

/** Waits before saving again after a failure without an answer: 2 s, 5 s, 15 s, then every 30 s. */
export function retryDelayMs(attempt: number): number {
  return [2_000, 5_000, 15_000][attempt] ?? 30_000;
}

/**
 * Saves an edit form as you go through `fetcher`: text after a pause in typing
 * (`delayMs`) and on leaving the field, choices (radios, selects, dates) at
 * once. Saves never overlap: a change made while one is in flight is saved
 * right after it. A save that gets no answer (no connection, a server error)
 * is tried again after a while (and when the connection is back); after the
 * session ended it is tried again when the window regains focus, or on Save.
 * The page never leaves and the fields keep what was typed. Leaving the page
 * first finishes a pending save, and asks only when the last save failed.
 * Spread `formProps` on the form; the route exports `autosaveClientAction`.
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
  const retryTimer = useRef<ReturnType<typeof setTimeout>>();
  const attempts = useRef(0);
  const busy = fetcher.state !== "idle";
  // A post of the form itself (a Save that leaves the page, such as the model card's) that failed in the browser.
  const posted = useActionData() as AutosaveAnswer | undefined;
  const [postFailed, setPostFailed] = useState<AutosaveAnswer>();
  useEffect(() => setPostFailed(posted?.failure ? posted : undefined), [posted]);
  useEffect(() => setPostFailed(undefined), [fetcher.data]);
  const answer = (postFailed ?? fetcher.data) as T | undefined;

  const status: SaveStatus = dirty ? "unsaved" : busy ? "saving" : answer && !answer.ok ? "failed" : "saved";
  const statusRef = useRef(status);
  statusRef.current = status;

  const busyRef = useRef(busy);
  const markDirty = useCallback((value: boolean) => {
    dirtyRef.current = value;
    setDirty(value);
  }, []);

  useEffect(() => {
    const form = formRef.current;
    if (!form || !enabled) return;
    const mark = (event: FormDataEvent) => event.formData.set(AUTOSAVE_FORM_FIELD, "1");
    form.addEventListener("formdata", mark);
    return () => form.removeEventListener("formdata", mark);
  }, [enabled, formRef]);

  /** Sends the form as it is now: what changed since the last save (or, `again`, after a failed one). */
  const saveNow = useCallback(
    (again = false) => {
      clearTimeout(timer.current);
      clearTimeout(retryTimer.current);
      const form = formRef.current;
      if (!form || !enabled || (!dirtyRef.current && !again)) return;
      if (busyRef.current) {
        queued.current = true;
        return;
      }
      const data = new FormData(form);
      data.set("autosave", "1");
      markDirty(false);
      busyRef.current = true;
      fetcher.submit(data, { method: "post", ...(action ? { action } : {}) });
    },
    [action, enabled, fetcher, formRef, markDirty],
  );

  useEffect(() => {
    busyRef.current = busy;
    if (busy) return;
    if (answer?.ok) setSavedOnce(true);
    if (!answer?.failure) attempts.current = 0;
    const pending = submitAfterSave.current;
    if (pending) {
      submitAfterSave.current = undefined;
      formRef.current?.requestSubmit(pending.submitter ?? undefined);
      return;
    }
    if (queued.current) {
      queued.current = false;
      saveNow();
      return;
    }
    // No answer: try again later, unless the session ended (that needs the person first).
    if (answer?.failure && answer.failure !== "signed-out") {
      retryTimer.current = setTimeout(() => saveNow(true), retryDelayMs(attempts.current++));
    }
  }, [busy, answer, saveNow, formRef]);

  // Back online, or back in this tab (perhaps after signing in again in another one): try a failed save again now.
  useEffect(() => {
    const again = () => {
      if (statusRef.current === "failed" && answer?.failure) saveNow(true);
    };
    window.addEventListener("online", again);
    window.addEventListener("focus", again);
    return () => {
      window.removeEventListener("online", again);
      window.removeEventListener("focus", again);
    };
  }, [answer, saveNow]);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      clearTimeout(retryTimer.current);
    },
    [],
  );

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
      clearTimeout(retryTimer.current);
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
      if (window.confirm(`Some of your changes are not saved: ${failureReason(answer!)}. Leave this page and lose them?`))
        blocker.proceed();
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

/** True once the page runs its scripts (after hydration): until then, and without JavaScript, nothing saves by itself. */
export function useInteractive(): boolean {
  const [interactive, setInteractive] = useState(false);
  useEffect(() => setInteractive(true), []);
  return interactive;
}

/**
 * Status line for an autosaving form: announced politely to screen readers.
 * Until the page is interactive (or without JavaScript) it says `staticHint`,
 * since nothing saves by itself then.
 */
export function SaveStatusLine({
  status,
  text,
  idleHint = "Changes save as you type.",
  staticHint = "Press Save to keep your changes.",
}: {
  status: SaveStatus;
  text: string;
  idleHint?: string;
  staticHint?: string;
}) {
  const interactive = useInteractive();
  return (
    <p
      className="muted save-status"
      role="status"
      aria-live="polite"
      data-save-status={status}
      style={status === "failed" ? { color: "var(--bad, #b42318)" } : undefined}
    >
      {text || (interactive ? idleHint : staticHint)}
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
      !SKIPPED_TYPES.has(el.type) &&
      // A confirmation is given afresh, never restored from a draft.
      el.dataset.noDraft === undefined,
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
