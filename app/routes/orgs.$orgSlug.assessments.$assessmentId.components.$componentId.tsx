import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { useRef } from "react";
import { z } from "zod";
import { ActionResult, FormError } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { EVIDENCE_STALE_DAYS, STATEMENT_STATUS_LABELS, STATEMENT_STATUSES } from "~/modules/assessment/assessment-constants";
import { EvidenceNoteSchema, parseCaptureForm } from "~/modules/assessment/assessment-schemas";
import { addEvidenceNote, getAssessment, saveResponses } from "~/modules/assessment/assessments.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { getFramework } from "~/modules/framework/framework";
import { DomainError } from "~/utils/errors";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.component.name ?? "Component"} · Assessment ${data?.period ?? ""}` }];

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
  return {
    org,
    id: assessment.id,
    period: assessment.period,
    status: assessment.status,
    component: { id: component.id, name: component.name, summary: component.summary, indicators: component.indicators, capabilities: component.capabilities },
    score: assessment.score.components.find((c) => c.componentId === component.id)!,
    statements: Object.fromEntries(Object.entries(assessment.statements).filter(([id]) => statementIds.has(id))),
    notes: assessment.notes.filter((n) => statementIds.has(n.statementId)),
    questions: framework.questions.filter((q) => q.componentId === component.id),
    answers: assessment.answers,
    staleBefore,
    levelNames: Object.fromEntries(framework.levels.map((l) => [l.level, l.name])),
    previousComponent: framework.components[index - 1]?.id ?? null,
    nextComponent: framework.components[index + 1]?.id ?? null,
    canEdit: hasRole(role, ASSESSORS) && assessment.status !== "finalized",
    canAddNote: hasRole(role, [...ASSESSORS, "team"]) && assessment.status !== "finalized",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const isNote = formData.get("intent") === "add-note";
  const { org, actor } = await requireMember(request, params.orgSlug, isNote ? [...ASSESSORS, "team"] : ASSESSORS);
  const id = IdSchema.parse(params.assessmentId);
  if (!isNote) {
    const { data: input, errors } = parseCaptureForm(Object.fromEntries(formData));
    if (Object.keys(errors).length) return data({ ok: false, intent: "save", errors, notice: undefined }, { status: 400 });
    try {
      saveResponses(org.id, id, input, actor);
    } catch (error) {
      if (error instanceof DomainError) return data({ ok: false, intent: "save", errors: { form: error.message } as Record<string, string>, notice: undefined }, { status: 409 });
      throw error;
    }
    return { ok: true, intent: "save", errors: {} as Record<string, string>, notice: formData.get("autosave") ? "All changes saved." : "Saved." };
  }
  return runIntentAction(formData, {
    "add-note": intent(EvidenceNoteSchema, (input) => addEvidenceNote(org.id, id, input, actor), "Evidence note added."),
  });
}

export default function CaptureComponent() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const autosave = useFetcher<typeof action>();
  const form = useRef<HTMLFormElement>(null);
  // With JavaScript every save goes through the fetcher; without it, the document post fills `result`.
  const errors: Record<string, string | undefined> = (autosave.data ?? result)?.errors ?? {};
  const base = `/orgs/${d.org.slug}/assessments/${d.id}`;
  const saving = autosave.state !== "idle";
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
      <ActionResult result={result && "notice" in result ? (result as never) : undefined} />
      <p className="muted" role="status" aria-live="polite">
        {saving ? "Saving…" : autosave.data?.ok ? autosave.data.notice : autosave.data ? "Not saved: see the messages below." : ""}
      </p>
      <autosave.Form
        method="post"
        ref={form}
        onChange={(event) => {
          // Drafts save as you go; without JavaScript the Save button does the same.
          const target = event.target as HTMLElement;
          if (d.canEdit && target instanceof HTMLInputElement && target.type === "radio") {
            const data = new FormData(form.current!);
            data.set("autosave", "1");
            autosave.submit(data, { method: "post" });
          }
        }}
      >
        <input type="hidden" name="intent" value="save" />
        <FormError error={errors.form} />
        {[2, 3, 4, 5].map((level) => (
          <fieldset key={level} className="card" disabled={!d.canEdit}>
            <legend>
              <LevelPill level={level} /> {d.levelNames[level]}: coverage {Math.round(d.score.coverage[level as 2 | 3 | 4 | 5] * 100)}%
            </legend>
            {d.component.capabilities
              .filter((s) => s.level === level)
              .map((s) => {
                const current = d.statements[s.id];
                const stale = current?.evidence.date && current.evidence.date < d.staleBefore;
                const notes = d.notes.filter((n) => n.statementId === s.id);
                return (
                  <div key={s.id} className="statement" data-statement={s.id}>
                    <p>
                      <strong>{s.text}</strong> <span className="muted mono">{s.id}</span>
                    </p>
                    <div role="radiogroup" aria-label={`Status of ${s.id}`} className="inline-form">
                      {STATEMENT_STATUSES.map((status) => (
                        <label key={status}>
                          <input type="radio" name={`s.${s.id}.status`} value={status} defaultChecked={current?.status === status} /> {STATEMENT_STATUS_LABELS[status]}
                        </label>
                      ))}
                    </div>
                    <div className="inline-form">
                      <label>
                        Reason (if not applicable){" "}
                        <input name={`s.${s.id}.reason`} defaultValue={current?.reason ?? ""} aria-invalid={errors[`s.${s.id}.reason`] ? true : undefined} />
                      </label>
                      <label>
                        Evidence <input name={`s.${s.id}.note`} defaultValue={current?.evidence.note ?? ""} />
                      </label>
                      <label>
                        Link <input name={`s.${s.id}.url`} type="url" defaultValue={current?.evidence.url ?? ""} aria-invalid={errors[`s.${s.id}.url`] ? true : undefined} />
                      </label>
                      <label>
                        Dated <input name={`s.${s.id}.date`} type="date" defaultValue={current?.evidence.date ?? ""} />
                      </label>
                      {stale ? <span className="warn-text">stale evidence (over twelve months old)</span> : null}
                    </div>
                    {Object.entries(errors)
                      .filter(([key]) => key.startsWith(`s.${s.id}.`))
                      .map(([key, message]) => (
                        <p key={key} className="field-error">
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
        {d.questions.map((q) => (
          <fieldset key={q.id} className="card" disabled={!d.canEdit}>
            <legend>
              Question {q.number}: {q.title}
            </legend>
            <p>{q.prompt}</p>
            <div className="two-col">
              <div role="radiogroup" aria-label={q.title}>
                {q.responses.map((r) => (
                  <label key={r.level} style={{ display: "block", marginBottom: "0.4rem" }}>
                    <input type="radio" name={`q.${q.id}.level`} value={r.level} defaultChecked={d.answers[q.id]?.level === r.level} /> <LevelPill level={r.level} /> {r.summary}
                  </label>
                ))}
                <label>
                  Note <input name={`q.${q.id}.note`} defaultValue={d.answers[q.id]?.note ?? ""} />
                </label>
              </div>
              <aside className="muted">
                <strong>Assessment guidance</strong>
                <ul className="tight">
                  {q.guidance.map((g) => (
                    <li key={g}>{g}</li>
                  ))}
                </ul>
              </aside>
            </div>
          </fieldset>
        ))}
        {d.canEdit ? <button type="submit">Save</button> : null}
      </autosave.Form>
      {d.canAddNote && !d.canEdit ? (
        <Form method="post" className="card" aria-label="Add evidence">
          <h2>Add an evidence note</h2>
          <input type="hidden" name="intent" value="add-note" />
          <label>
            Statement{" "}
            <select name="statementId">
              {d.component.capabilities.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}: {s.text.slice(0, 80)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Note <input name="body" required />
          </label>
          <label>
            Link <input name="url" type="url" />
          </label>
          <button type="submit">Add note</button>
        </Form>
      ) : null}
      <nav className="pagination" aria-label="Components">
        {d.previousComponent ? <Link to={`${base}/components/${d.previousComponent}`}>← Previous component</Link> : null}
        {d.nextComponent ? <Link to={`${base}/components/${d.nextComponent}`}>Next component →</Link> : <Link to={base}>Back to the overview</Link>}
      </nav>
    </>
  );
}
