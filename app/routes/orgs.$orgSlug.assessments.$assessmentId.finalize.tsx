import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { useRef } from "react";
import { DraftNotice, useFormDraft } from "~/components/autosave";
import { FormError } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { AppLink, type AppHref } from "~/components/link";
import { FinalizeFormSchema } from "~/modules/assessment/assessment-schemas";
import { finalizeAssessment, frameworkOf, getAssessment, incompleteComponents } from "~/modules/assessment/assessments.server";
import { answerAnchor } from "~/modules/assessment/capture-schemas";
import { needsJustification } from "~/modules/assessment/evidence";
import { futureDatedEvidence, futureEvidenceRefusal, type FutureDatedEvidence } from "~/modules/assessment/evidence-dates";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { formatDate, statusWords } from "~/utils/format";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";
import captureStyles from "~/styles/capture.css?url";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Finalise assessment ${data?.assessment.period ?? ""}` }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: captureStyles }];

const ASSESSORS = ["admin", "leadership"] as const;
const IdSchema = z.coerce.number().int().positive().catch(0);

/**
 * The confirmation step before finalising: completeness per component, the flags to justify, an explicit tick for
 * unanswered statements, and any evidence dated after today (which finalising refuses), each linked to its statement.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ASSESSORS);
  const detail = getAssessment(org.id, IdSchema.parse(params.assessmentId));
  if (!detail) throw notFound("Assessment not found");
  const incomplete = incompleteComponents(detail.answered);
  const futureDated =
    detail.status === "draft" || detail.status === "in_review" ? futureDatedEvidence(frameworkOf(detail), detail.statements) : [];
  return {
    org,
    assessment: {
      id: detail.id,
      period: detail.period,
      status: detail.status,
      dimensionScore: detail.score.dimensionScore,
      level: detail.score.level,
      levelName: detail.score.levelName,
      band: detail.score.band,
      evidenceSoFar: detail.evidenceSoFar,
      evidenceTo: detail.metrics.window.to,
      justifications: detail.justifications,
    },
    components: detail.score.components.map((c) => {
      const flag = detail.flags.find((f) => f.componentId === c.componentId);
      const answered = detail.answered.find((x) => x.componentId === c.componentId)!;
      return {
        id: c.componentId,
        name: c.name,
        level: c.level,
        answered: answered.answered,
        total: answered.total,
        flag: flag && needsJustification(flag) ? flag : null,
      };
    }),
    unanswered: incomplete.reduce((n, c) => n + c.total - c.answered, 0),
    futureDated,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ASSESSORS);
  const id = IdSchema.parse(params.assessmentId);
  return runFormAction(
    await readFormData(request),
    FinalizeFormSchema,
    (input) => finalizeAssessment(org.id, id, input, actor),
    () => redirect(`/orgs/${org.slug}/assessments/${id}`),
  );
}

export default function FinalizeAssessment() {
  const { org, assessment: a, components, unanswered, futureDated } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const back: AppHref = `/orgs/${org.slug}/assessments/${a.id}`;
  const open = a.status === "draft" || a.status === "in_review";
  const flagged = components.filter((c) => c.flag);
  // Justifications can take a while to write: until the form is sent, the browser keeps a draft of them.
  const formRef = useRef<HTMLFormElement>(null);
  const draft = useFormDraft(formRef, `finalize:${org.slug}:${a.id}`);
  return (
    <>
      <p>
        <Link to={back}>← Assessment {a.period}</Link>
      </p>
      <h1>Finalise assessment {a.period}</h1>
      {!open ? (
        <p className="card">
          This assessment is {statusWords(a.status)} and cannot be finalised again. <Link to={back}>Back to the assessment</Link>
        </p>
      ) : (
        <Form method="post" ref={formRef} {...draft.formProps}>
          <DraftNotice restoredAt={draft.dirty ? draft.restoredAt : null} onDiscard={draft.discard} />
          <p className="lead">
            Finalising freezes every response and the registry figures of {a.period}
            {a.evidenceSoFar ? ` so far (to ${formatDate(a.evidenceTo)})` : ""}: the assessment can no longer change. It will be finalised
            at <strong>{formatScore(a.dimensionScore)}</strong>, <LevelPill level={a.level} /> {a.levelName}, {a.band} band.
          </p>
          {futureDated.length ? (
            <FutureEvidenceSummary found={futureDated} base={back} refused={Boolean(result?.errors)} />
          ) : (
            <FormError error={result?.errors?.form} />
          )}
          <h2>Statements answered</h2>
          <div className="table-wrap">
            <table data-testid="answered-table">
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Answered</th>
                  <th scope="col">Level</th>
                </tr>
              </thead>
              <tbody>
                {components.map((c) => (
                  <tr key={c.id} data-component={c.id}>
                    <th scope="row">{c.name}</th>
                    <td className={c.answered < c.total ? "warn-text" : "ok-text"}>
                      {c.answered} of {c.total}
                      {c.answered < c.total ? ` (${c.total - c.answered} unanswered)` : ""}
                    </td>
                    <td>
                      <LevelPill level={c.level} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Unanswered statements count as <strong>“not in place”</strong>.
          </p>

          {flagged.length ? (
            <>
              <h2>Levels the registry does not support</h2>
              <p className="muted">
                Each needs a written justification, kept with the finalised assessment: a level above the registry evidence, or a level 3 or
                above where the registry could measure none of the component&apos;s evidence rules.
              </p>
              {flagged.map((c) => {
                const missing = result?.errors?.[`justifications.${c.id}`];
                return (
                  <div className="field" key={c.id}>
                    <label htmlFor={`justify-${c.id}`}>
                      {c.flag!.unsupported
                        ? `${c.name}: assessed level ${c.flag!.achievedLevel}, registry evidence level ${c.flag!.evidenceLevel}`
                        : `${c.name}: assessed level ${c.flag!.achievedLevel}, no registry evidence`}
                    </label>
                    <textarea
                      id={`justify-${c.id}`}
                      name={`justification.${c.id}`}
                      rows={3}
                      maxLength={4000}
                      placeholder="Why is the level right despite the registry figures?"
                      defaultValue={result?.values?.[`justification.${c.id}`] ?? a.justifications[c.id] ?? ""}
                      aria-invalid={missing ? true : undefined}
                      aria-describedby={missing ? `justify-${c.id}-error` : undefined}
                    />
                    {missing ? (
                      <p className="field-error" id={`justify-${c.id}-error`}>
                        Write why this level is right: {missing}.
                      </p>
                    ) : null}
                  </div>
                );
              })}
            </>
          ) : null}

          {unanswered > 0 ? (
            <div className="field">
              <label>
                <input
                  type="checkbox"
                  name="acceptUnanswered"
                  data-no-draft
                  defaultChecked={result?.values?.acceptUnanswered === "on"}
                  aria-describedby={result?.errors?.acceptUnanswered ? "accept-error" : undefined}
                />{" "}
                Finalise with {unanswered} unanswered {unanswered === 1 ? "statement" : "statements"} counted as not in place
              </label>
              {result?.errors?.acceptUnanswered ? (
                <p id="accept-error" className="field-error">
                  {result.errors.acceptUnanswered}
                </p>
              ) : null}
            </div>
          ) : null}
          <p className="inline-form">
            <button type="submit">Finalise assessment</button>
            <Link to={back}>Cancel</Link>
          </p>
        </Form>
      )}
    </>
  );
}

/** Evidence dated after today, which finalising refuses: each statement named, with a link to it on its component's page. */
function FutureEvidenceSummary({ found, base, refused }: { found: FutureDatedEvidence[]; base: AppHref; refused: boolean }) {
  return (
    <section
      className="form-error error-summary"
      role={refused ? "alert" : undefined}
      aria-labelledby="future-evidence-title"
      data-testid="future-evidence"
    >
      <h2 id="future-evidence-title">{futureEvidenceRefusal(found).message}</h2>
      <p>Evidence is dated the day it was made. Open each statement, correct its date and save, then finalise.</p>
      <ul>
        {found.map((f) => (
          <li key={f.statementId}>
            <AppLink to={`${base}/components/${f.componentId}#${answerAnchor(`s.${f.statementId}`)}`}>
              {f.componentName}: {f.statementText}
            </AppLink>{" "}
            {`(dated ${formatDate(f.date)})`}
          </li>
        ))}
      </ul>
    </section>
  );
}
