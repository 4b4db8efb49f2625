import { Form } from "@remix-run/react";
import { useState, type FormEvent, type ReactNode } from "react";
import { SubmissionToken, SubmitButton } from "./submit-once";

/**
 * A file upload form. Without JavaScript it is a plain multipart post; with
 * it, the upload goes through XMLHttpRequest so a progress bar can show, and
 * the server answers with JSON (a URL to open, or field errors). Either way
 * it carries the page's one-time token, so the same upload sent twice makes
 * one thing (app/modules/http/submit-once.server.ts). Its button is the shared
 * `SubmitButton`: busy while the upload is under way, it keeps focus and
 * refuses a second click; an upload refused moves focus to what to put right.
 */
export function UploadForm({
  children,
  onErrors,
  submitLabel,
  xhrAction,
}: {
  children: ReactNode;
  onErrors: (errors: Record<string, string>) => void;
  submitLabel: string;
  /** A resource route answering in JSON; the form's own action serves posts without JavaScript. */
  xhrAction: string;
}) {
  const [progress, setProgress] = useState<number | null>(null);
  const [phase, setPhase] = useState<"idle" | "uploading" | "computing">("idle");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // One upload at a time: its button refuses while one is under way (`SubmitButton`), and so does this.
    if (phase !== "idle") return;
    const form = event.currentTarget;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", xhrAction);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => setPhase("computing");
    xhr.onload = () => {
      setPhase("idle");
      setProgress(null);
      try {
        const body = JSON.parse(xhr.responseText) as { url?: string; errors?: Record<string, string> };
        if (body.url) window.location.assign(body.url);
        else onErrors(body.errors ?? { form: "The upload failed." });
      } catch {
        onErrors({ form: `The upload failed (HTTP ${xhr.status}).` });
      }
    };
    xhr.onerror = () => {
      setPhase("idle");
      onErrors({ form: "The connection was lost during the upload." });
    };
    setPhase("uploading");
    setProgress(0);
    xhr.send(new FormData(form));
  }

  return (
    <Form method="post" encType="multipart/form-data" onSubmit={submit} noValidate className="card">
      <SubmissionToken />
      {children}
      {phase !== "idle" ? (
        <div role="status" aria-live="polite">
          <div className="progress" aria-hidden="true">
            <span style={{ width: `${Math.round((progress ?? 0) * 100)}%` }} />
          </div>
          <p className="muted">
            {phase === "uploading" ? `Uploading… ${Math.round((progress ?? 0) * 100)}%` : "Computing fairness metrics…"}
          </p>
        </div>
      ) : null}
      <SubmitButton busy={phase !== "idle"}>{submitLabel}</SubmitButton>
    </Form>
  );
}
