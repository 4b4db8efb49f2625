import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type MouseEvent } from "react";
import { z } from "zod";
import { autosaveClientAction, keepPageAfterFailedSave, failureReason, SaveStatusLine, useAutosave } from "~/components/autosave";
import { ActionResult, FormError } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { LevelPill } from "~/components/framework";
import { EVIDENCE_STALE_DAYS, STATEMENT_STATUS_LABELS, STATEMENT_STATUSES } from "~/modules/assessment/assessment-constants";
import { EvidenceNoteSchema } from "~/modules/assessment/assessment-schemas";
import { latestEvidenceDay } from "~/modules/assessment/evidence-dates";
import { addEvidenceNote, getAssessment } from "~/modules/assessment/assessments.server";
import {
  answerAnchor,
  ComponentVersionSchema,
  heldBackAnswers,
  heldBackSummary,
  parseCaptureForm,
} from "~/modules/assessment/capture-schemas";
import {
  CaptureConflictError,
  componentVersion,
  saveResponses,
  type AnswerValues,
  type ComponentConflict,
  type StatementValues,
} from "~/modules/assessment/capture.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { hasRole } from "~/modules/auth/roles";
import { getFramework } from "~/modules/framework/framework";
import captureStyles from "~/styles/capture.css?url";
import { DomainError } from "~/utils/errors";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { questionLabel } from "~/modules/framework/framework-constants";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.component.name ?? "Component"} · Assessment ${data?.period ?? ""}` },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: captureStyles }];

const ASSESSORS = ["admin", "leadership"] as const;
const IdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const assessment = getAssessment(org.id, IdSchema.parse(params.assessmentId));
  if (!assessment) throw notFound("Assessment not found");
  const framework = getFramework(assessment.frameworkVersion);
  const index = framework.components.findIndex((c) => c.id === params.componentId);
  const component = framework.components[index];
  if (!component) throw notFound("No such component");
  const statementIds = new Set(component.capabilities.map((s) => s.id));
  const staleBefore = new Date(Date.now() - EVIDENCE_STALE_DAYS * 86_400_000).toISOString().slice(0, 10);
  const editable = assessment.status === "draft" || assessment.status === "in_review";
  return {
    org,
    id: assessment.id,
    period: assessment.period,
    status: assessment.status,
    component: {
      id: component.id,
      name: component.name,
      summary: component.summary,
      indicators: component.indicators,
      capabilities: component.capabilities,
    },
    version: componentVersion(assessment.id, component.id),
    score: assessment.score.components.find((c) => c.componentId === component.id)!,
    statements: Object.fromEntries(Object.entries(assessment.statements).filter(([id]) => statementIds.has(id))),
    notes: assessment.notes.filter((n) => statementIds.has(n.statementId)),
    questions: framework.questions.filter((q) => q.componentId === component.id),
    answers: assessment.answers,
    staleBefore,
    /** The date picker's last day: evidence is never dated after today (the save check's rule). */
    latestEvidenceDay: latestEvidenceDay(),
    levelNames: Object.fromEntries(framework.levels.map((l) => [l.level, l.name])),
    previousComponent: framework.components[index - 1]?.id ?? null,
    nextComponent: framework.components[index + 1]?.id ?? null,
    canEdit: hasRole(role, ASSESSORS) && editable,
    canAddNote: hasRole(role, [...ASSESSORS, "team"]) && editable,
  };
}

/** What a save answers: the component's new version, or field errors, or someone else's save to compare with (`conflict`). */
type SaveAnswer = {
  ok: boolean;
  intent: "save";
  notice?: string;
  errors: Record<string, string>;
  version?: number;
  conflict?: ComponentConflict;
  /** What was posted, to refill the form after a refused post without JavaScript. */
  values?: Record<string, string>;
  /** Answers held back for their field errors (`s.<id>` / `q.<id>`) while the valid ones were saved. */
  heldBack?: string[];
  summary?: string;
};

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const isNote = formData.get("intent") === "add-note";
  const { org, actor, user } = await requireMember(request, params.orgSlug, isNote ? [...ASSESSORS, "team"] : ASSESSORS);
  const id = IdSchema.parse(params.assessmentId);
  if (isNote) {
    // A note sent twice is added once (the form's one-time token); the autosaving answers need none.
    return submitOnce(request, user.id, formData, () =>
      runIntentAction(formData, {
        "add-note": intent(EvidenceNoteSchema, (input) => addEvidenceNote(org.id, id, input, actor), "Evidence note added."),
      }),
    );
  }
  const fields = Object.fromEntries([...formData].filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  const refused = (status: number, answer: Partial<SaveAnswer>) =>
    data<SaveAnswer>({ ok: false, intent: "save", errors: {}, values: fields, ...answer }, { status });
  // Valid answers save; the ones with field errors are held back (and shown as typed, with their errors).
  const { data: input, errors } = parseCaptureForm(fields);
  const heldBack = heldBackAnswers(errors);
  const held = heldBack.length ? { errors, heldBack, summary: heldBackSummary(heldBack.length) } : {};
  if (Object.keys(errors).length && !input.capabilities.length && !input.questions.length) return refused(400, held);
  // The version the page loaded (or, to keep yours after a conflict, the version you saw theirs at).
  const version = ComponentVersionSchema.safeParse(fields.overwriteVersion ?? fields.version);
  const componentId = params.componentId ?? "";
  try {
    const { versions, saved } = saveResponses(
      org.id,
      id,
      { ...input, versions: version.success ? { [componentId]: version.data } : undefined },
      actor,
    );
    // Some held back: 200 when the rest changed something, 400 when nothing was written.
    if (Object.keys(errors).length) return refused(saved ? 200 : 400, { ...held, version: versions[componentId] ?? 0 });
    return data<SaveAnswer>({
      ok: true,
      intent: "save",
      errors: {},
      notice: fields.autosave ? "All changes saved" : "Saved.",
      version: versions[componentId] ?? 0,
    });
  } catch (error) {
    if (error instanceof CaptureConflictError) return refused(409, { ...held, conflict: error.conflicts[0] });
    if (error instanceof DomainError) return refused(error.code === "not_found" ? 404 : 409, { errors: { form: error.message } });
    throw error;
  }
}

/** A save that gets no answer (offline, server error, signed out) keeps the page and what was typed. */
export const clientAction = autosaveClientAction;
export const shouldRevalidate = keepPageAfterFailedSave;

/**
 * The page is remounted per component, and when you take someone else's
 * version (after reloading it), so the form's fields start from what is stored.
 */
/** The id of the message saying why a field was refused, for the field's `aria-describedby`. */
const errorId = (key: string) => `error-${key}`;

export default function CaptureComponentRoute() {
  const d = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const [generation, setGeneration] = useState(0);
  const taking = useRef<"asked" | "loading" | null>(null);
  useEffect(() => {
    if (taking.current === "asked" && revalidator.state === "loading") taking.current = "loading";
    else if (taking.current === "loading" && revalidator.state === "idle") {
      taking.current = null;
      setGeneration((g) => g + 1);
    }
  }, [revalidator.state]);
  const takeTheirs = () => {
    taking.current = "asked";
    revalidator.revalidate();
  };
  return <CapturePage key={`${d.component.id}:${generation}`} onTakeTheirs={takeTheirs} />;
}

function CapturePage({ onTakeTheirs }: { onTakeTheirs: () => void }) {
  const d = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>() as
    SaveAnswer | { ok: boolean; intent?: string; notice?: string; errors?: Record<string, string> } | undefined;
  // A refused save without JavaScript (a document post): show what was typed, not what is stored.
  const documentSave = posted && posted.intent === "save" ? (posted as SaveAnswer) : undefined;
  const autosave = useFetcher<SaveAnswer>();
  const form = useRef<HTMLFormElement>(null);
  const { status, statusText, formProps } = useAutosave(autosave, form, { enabled: d.canEdit });
  const answer = autosave.data ?? documentSave;
  const errors: Record<string, string | undefined> = answer?.errors ?? {};
  const conflict = answer?.conflict;
  // A Save refused without JavaScript (a document post): the status line says so too.
  const refusedPost = documentSave && !documentSave.ok && !autosave.data ? documentSave : undefined;
  const heldBack = answer?.heldBack ?? [];

  // The version this page's next save is made against: the one loaded, then the one each own save produced.
  // (Never the one a revalidation brings after someone else's save: that is what a conflict is.)
  const baseVersion = useRef(documentSave?.conflict ? documentSave.conflict.yourVersion : d.version.version);
  // (A save that held some answers back saved the rest: it moved the version too.)
  if (autosave.data?.version !== undefined) baseVersion.current = autosave.data.version;

  // The fields start from what was stored when the page opened and are never reset by a later revalidation
  // (which would silently swap someone else's answers into what you are editing); "take theirs" remounts.
  const [loaded] = useState(() => ({ statements: d.statements, answers: d.answers }));
  const typed = !documentSave?.ok ? documentSave?.values : undefined;
  const statementValue = (id: string, field: "status" | "reason" | "note" | "url" | "date") => {
    if (typed) return typed[`s.${id}.${field}`] ?? "";
    const current = loaded.statements[id];
    if (!current) return "";
    return (field === "status" ? current.status : field === "reason" ? current.reason : current.evidence[field]) ?? "";
  };
  const answerValue = (id: string, field: "level" | "note") =>
    typed ? (typed[`q.${id}.${field}`] ?? "") : String(loaded.answers[id]?.[field] ?? "");

  const base = `/orgs/${d.org.slug}/assessments/${d.id}`;
  return (
    <>
      <p>
        <Link to={base}>← Assessment {d.period}</Link>
      </p>
      <div className="page-header">
        <h1>{d.component.name}</h1>
        <span>
          Score <strong data-testid="component-score">{formatScore(d.score.score)}</strong> · level <LevelPill level={d.score.level} />
        </span>
      </div>
      <p className="lead">{d.component.summary}</p>
      {documentSave?.ok ? (
        <ActionResult result={documentSave} />
      ) : posted && posted.intent !== "save" ? (
        <ActionResult result={posted as never} />
      ) : null}
      {refusedPost && heldBack.length ? <HeldBackSummary heldBack={heldBack} errors={errors} labels={answerLabels(d)} /> : null}
      <autosave.Form method="post" ref={form} {...formProps} className="print-keep" aria-label={`Responses for ${d.component.name}`}>
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="version" value={baseVersion.current} />
        <FormError error={errors.form} />
        {[2, 3, 4, 5].map((level) => (
          <fieldset key={level} className="card capture-level" disabled={!d.canEdit}>
            <legend>
              <LevelPill level={level} /> {d.levelNames[level]}: coverage {Math.round(d.score.coverage[level as 2 | 3 | 4 | 5] * 100)}%
            </legend>
            {d.component.capabilities
              .filter((s) => s.level === level)
              .map((s) => {
                const field = (name: string) => `s.${s.id}.${name}`;
                const textId = `statement-${s.id}`;
                const date = statementValue(s.id, "date");
                const stale = date && date < d.staleBefore;
                const notes = d.notes.filter((n) => n.statementId === s.id);
                const evidenceErrors = ["note", "url", "date"].some((f) => errors[field(f)]);
                const filled = [statementValue(s.id, "note"), statementValue(s.id, "url"), date].filter(Boolean).length;
                const statementErrors = Object.entries(errors).filter(([key]) => key.startsWith(`s.${s.id}.`));
                /** A field names its statement and, when refused, why (the error below the statement). */
                const describedBy = (name: string) => (errors[field(name)] ? `${textId} ${errorId(field(name))}` : textId);
                return (
                  <div key={s.id} id={answerAnchor(`s.${s.id}`)} tabIndex={-1} className="statement" data-statement={s.id}>
                    <div className="statement-line">
                      <p className="statement-text" id={textId}>
                        {s.text}
                      </p>
                      <div
                        role="radiogroup"
                        aria-labelledby={textId}
                        className="segmented"
                        aria-invalid={errors[field("status")] ? true : undefined}
                        aria-describedby={errors[field("status")] ? errorId(field("status")) : undefined}
                      >
                        {STATEMENT_STATUSES.map((value) => (
                          <label key={value}>
                            <input
                              type="radio"
                              name={field("status")}
                              value={value}
                              defaultChecked={statementValue(s.id, "status") === value}
                            />
                            {STATEMENT_STATUS_LABELS[value]}
                          </label>
                        ))}
                      </div>
                    </div>
                    <div className="capture-fields na-reason">
                      <label>
                        Reason (if not applicable)
                        <input
                          name={field("reason")}
                          defaultValue={statementValue(s.id, "reason")}
                          aria-describedby={describedBy("reason")}
                          aria-invalid={errors[field("reason")] ? true : undefined}
                        />
                      </label>
                    </div>
                    <details className="evidence-details" open={filled > 0 || evidenceErrors}>
                      <summary>
                        Evidence
                        {filled ? (
                          <span className="muted">
                            {" "}
                            (
                            {[statementValue(s.id, "note") && "note", statementValue(s.id, "url") && "link", date && `dated ${date}`]
                              .filter(Boolean)
                              .join(", ")}
                            )
                          </span>
                        ) : null}
                      </summary>
                      <div className="capture-fields">
                        <label>
                          Evidence
                          <textarea
                            name={field("note")}
                            rows={1}
                            defaultValue={statementValue(s.id, "note")}
                            aria-describedby={describedBy("note")}
                            aria-invalid={errors[field("note")] ? true : undefined}
                          />
                        </label>
                        <label>
                          Link
                          <input
                            name={field("url")}
                            type="url"
                            inputMode="url"
                            defaultValue={statementValue(s.id, "url")}
                            aria-describedby={describedBy("url")}
                            aria-invalid={errors[field("url")] ? true : undefined}
                          />
                        </label>
                        <label className="date-field">
                          Dated
                          <input
                            name={field("date")}
                            type="date"
                            max={d.latestEvidenceDay}
                            defaultValue={date}
                            aria-describedby={describedBy("date")}
                            aria-invalid={errors[field("date")] ? true : undefined}
                          />
                        </label>
                      </div>
                      {stale ? <p className="warn-text">Stale evidence (over twelve months old)</p> : null}
                    </details>
                    {statementErrors.map(([key, message]) => (
                      <p key={key} id={errorId(key)} className="field-error">
                        {message}
                      </p>
                    ))}
                    {notes.length ? (
                      <ul className="comments">
                        {notes.map((n) => (
                          <li key={n.id}>
                            {n.author} {formatDateTime(n.at)}: {n.body} {n.url ? <a href={n.url}>{n.url}</a> : null}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </div>
                );
              })}
          </fieldset>
        ))}
        {d.questions.map((q) => {
          const label = questionLabel(q);
          const questionErrors = Object.entries(errors).filter(([key]) => key.startsWith(`q.${q.id}.`));
          return (
            <fieldset key={q.id} id={answerAnchor(`q.${q.id}`)} tabIndex={-1} className="card" disabled={!d.canEdit}>
              <legend>{label}</legend>
              <p id={`question-${q.id}`}>{q.prompt}</p>
              <div role="radiogroup" aria-label={label} className="question-levels">
                {q.responses.map((r) => (
                  <label key={r.level}>
                    <input
                      type="radio"
                      name={`q.${q.id}.level`}
                      value={r.level}
                      defaultChecked={answerValue(q.id, "level") === String(r.level)}
                    />
                    <span>
                      <LevelPill level={r.level} /> {r.summary}
                    </span>
                  </label>
                ))}
              </div>
              <div className="capture-fields">
                <label>
                  Note
                  <textarea
                    name={`q.${q.id}.note`}
                    rows={1}
                    defaultValue={answerValue(q.id, "note")}
                    aria-describedby={errors[`q.${q.id}.note`] ? `question-${q.id} ${errorId(`q.${q.id}.note`)}` : `question-${q.id}`}
                    aria-invalid={errors[`q.${q.id}.note`] ? true : undefined}
                  />
                </label>
              </div>
              {questionErrors.map(([key, message]) => (
                <p key={key} id={errorId(key)} className="field-error">
                  {message}
                </p>
              ))}
              <details>
                <summary>Assessment guidance</summary>
                <ul className="tight muted">
                  {q.guidance.map((g) => (
                    <li key={g}>{g}</li>
                  ))}
                </ul>
              </details>
            </fieldset>
          );
        })}
        {/* Right above the save bar, whose status line points down to it. */}
        {conflict ? (
          <ConflictPanel conflict={conflict} reloadTo={`${base}/components/${d.component.id}`} onTakeTheirs={onTakeTheirs} />
        ) : null}
        {d.canEdit ? (
          <div className="save-bar">
            <button type="submit">Save</button>
            <SaveStatusLine
              status={refusedPost ? "failed" : status}
              text={refusedPost ? `Not saved: ${failureReason(refusedPost)}` : statusText}
            />
            {heldBack.length ? (
              <a href={`#${answerAnchor(heldBack[0]!)}`} onClick={goToAnswer} data-testid="first-held-back">
                Go to the first
              </a>
            ) : null}
          </div>
        ) : null}
      </autosave.Form>
      {d.canAddNote && !d.canEdit ? (
        <Form method="post" className="card" aria-label="Add evidence">
          <h2>Add an evidence note</h2>
          <input type="hidden" name="intent" value="add-note" />
          <SubmissionToken />
          <div className="field">
            <label htmlFor="note-statement">Statement</label>
            <select id="note-statement" name="statementId">
              {d.component.capabilities.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.text.length > 80 ? `${s.text.slice(0, 79)}…` : s.text}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="note-body">Note</label>
            <input id="note-body" name="body" required />
          </div>
          <div className="field">
            <label htmlFor="note-url">Link</label>
            <input id="note-url" name="url" type="url" />
          </div>
          <SubmitButton>Add note</SubmitButton>
        </Form>
      ) : null}
      <nav className="pagination" aria-label="Components">
        {d.previousComponent ? <Link to={`${base}/components/${d.previousComponent}`}>← Previous component</Link> : null}
        {d.nextComponent ? (
          <Link to={`${base}/components/${d.nextComponent}`}>Next component →</Link>
        ) : (
          <Link to={base}>Back to the overview</Link>
        )}
      </nav>
    </>
  );
}

/** Jumps to an answer's block and puts the cursor in its first faulty field (without JavaScript the link jumps to the block). */
function goToAnswer(event: MouseEvent<HTMLAnchorElement>) {
  const block = document.getElementById(event.currentTarget.hash.slice(1));
  if (!block) return;
  event.preventDefault();
  block.querySelectorAll("details").forEach((details) => {
    if (details.querySelector('[aria-invalid="true"]')) details.open = true;
  });
  const faulty = block.querySelector<HTMLElement>('[aria-invalid="true"]');
  const field = faulty?.matches("input, textarea, select") ? faulty : (faulty?.querySelector<HTMLElement>("input") ?? block);
  field.focus();
}

/** What each answer is called in the error summary: its statement's text, or the question's label. */
function answerLabels(d: ReturnType<typeof useLoaderData<typeof loader>>): Record<string, string> {
  return Object.fromEntries([
    ...d.component.capabilities.map((s) => [`s.${s.id}`, s.text]),
    ...d.questions.map((q) => [`q.${q.id}`, questionLabel(q)]),
  ]);
}

/** After a Save without JavaScript held answers back: what needs fixing, each a link to its answer. */
function HeldBackSummary({
  heldBack,
  errors,
  labels,
}: {
  heldBack: string[];
  errors: Record<string, string | undefined>;
  labels: Record<string, string>;
}) {
  return (
    <section className="form-error error-summary" role="alert" aria-labelledby="held-back-title" tabIndex={-1}>
      <h2 id="held-back-title">
        {heldBack.length === 1 ? "1 answer was not saved" : `${heldBack.length} answers were not saved`}: fix{" "}
        {heldBack.length === 1 ? "it" : "them"} and press Save again
      </h2>
      <p>Your other answers are saved.</p>
      <ul>
        {heldBack.map((key) => (
          <li key={key}>
            <a href={`#${answerAnchor(key)}`} onClick={goToAnswer}>
              {labels[key] ?? key}
            </a>
            :{" "}
            {Object.entries(errors)
              .filter(([field]) => field.startsWith(`${key}.`))
              .map(([, message]) => message)
              .join("; ")}
          </li>
        ))}
      </ul>
    </section>
  );
}

function describeStatement(values: StatementValues | null) {
  if (!values) return ["Not answered"];
  return [
    STATEMENT_STATUS_LABELS[values.status],
    values.reason ? `Reason: ${values.reason}` : null,
    values.note ? `Evidence: ${values.note}` : null,
    values.url ? `Link: ${values.url}` : null,
    values.date ? `Dated ${values.date}` : null,
  ].filter((line): line is string => Boolean(line));
}

function describeAnswer(values: AnswerValues | null) {
  if (!values) return ["Not answered"];
  return [`Level ${values.level}`, values.note ? `Note: ${values.note}` : null].filter((line): line is string => Boolean(line));
}

/**
 * Someone else saved this component after the page was loaded: both versions
 * of every differing statement, and the choice to keep yours (saved again over
 * theirs) or take theirs (the page reloads what is stored).
 */
function ConflictPanel({ conflict, reloadTo, onTakeTheirs }: { conflict: ComponentConflict; reloadTo: string; onTakeTheirs: () => void }) {
  return (
    <section className="card conflict" aria-labelledby="conflict-title" data-testid="conflict">
      <h2 id="conflict-title">
        {conflict.updatedBy} saved {conflict.componentName} after you opened it
      </h2>
      <p>Their changes were saved {formatDateTime(conflict.updatedAt)}. Yours are not saved yet. These answers differ:</p>
      {conflict.differences.map((difference) => {
        const [theirs, yours] =
          difference.kind === "statement"
            ? [describeStatement(difference.theirs), describeStatement(difference.yours)]
            : [describeAnswer(difference.theirs), describeAnswer(difference.yours)];
        return (
          <div key={difference.id} className="conflict-item" data-conflict={difference.id}>
            <p>
              <strong>{difference.label}</strong>
            </p>
            <dl className="conflict-versions">
              <div data-version="theirs">
                <dt>Theirs (saved now)</dt>
                {theirs.map((line) => (
                  <dd key={line}>{line}</dd>
                ))}
              </div>
              <div data-version="yours">
                <dt>Yours (as typed)</dt>
                {yours.map((line) => (
                  <dd key={line}>{line}</dd>
                ))}
              </div>
            </dl>
          </div>
        );
      })}
      <div className="conflict-actions">
        <button type="submit" name="overwriteVersion" value={conflict.currentVersion}>
          Keep mine
        </button>
        <Link
          to={reloadTo}
          className="button secondary"
          onClick={(event) => {
            event.preventDefault();
            onTakeTheirs();
          }}
        >
          Take theirs
        </Link>
      </div>
    </section>
  );
}
