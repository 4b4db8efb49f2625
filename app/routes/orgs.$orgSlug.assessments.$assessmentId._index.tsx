import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ComponentRadar } from "~/components/assessment-charts";
import { ActionResult, FormError } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { FinalizeSchema } from "~/modules/assessment/assessment-schemas";
import { cachedUntilNextChange } from "~/modules/audit/audit.server";
import { finalizeAssessment, getAssessment, previousFinalized, submitAssessmentForReview } from "~/modules/assessment/assessments.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { getFramework } from "~/modules/framework/framework";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { TableScroll } from "~/components/table";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Assessment ${data?.assessment.period ?? ""}` }];

const ASSESSORS = ["admin", "leadership"] as const;
const IdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const id = IdSchema.parse(params.assessmentId);
  const assessment = cachedUntilNextChange(org.id, `assessment:${id}`, () => getAssessment(org.id, id));
  if (!assessment) throw notFound("Assessment not found");
  const framework = getFramework(assessment.frameworkVersion);
  return {
    org,
    assessment,
    previous: previousFinalized(org.id, assessment.period),
    components: framework.components.map((c) => ({ id: c.id, name: c.name, statements: c.capabilities.length })),
    questionsMeta: framework.questions.map((q) => ({ id: q.id, title: q.title, componentId: q.componentId })),
    canEdit: hasRole(role, ASSESSORS) && assessment.status !== "finalized",
    canAddEvidence: role === "team" && assessment.status !== "finalized",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ASSESSORS);
  const id = IdSchema.parse(params.assessmentId);
  const formData = await readFormData(request);
  return runIntentAction(formData, {
    submit: intent(z.object({}), () => submitAssessmentForReview(org.id, id, actor), "Sent to review."),
    finalize: intent(
      z.preprocess(
        (raw) => ({
          justifications: Object.fromEntries(
            Object.entries(raw as Record<string, unknown>)
              .filter(([key, value]) => key.startsWith("justification.") && typeof value === "string" && value.trim())
              .map(([key, value]) => [key.slice("justification.".length), value]),
          ),
        }),
        FinalizeSchema,
      ),
      (input) => finalizeAssessment(org.id, id, input, actor),
      "Finalised. The registry figures used are frozen with it.",
    ),
  });
}

export default function AssessmentOverview() {
  const { org, assessment: a, previous, components, questionsMeta, canEdit, canAddEvidence } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/assessments/${a.id}`;
  const delta = previous ? a.score.dimensionScore - previous.dimensionScore : null;
  const unsupported = a.flags.filter((f) => f.unsupported);
  const componentName = (id: string) => components.find((c) => c.id === id)?.name ?? id;
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/assessments`}>← Assessments</Link>
      </p>
      <div className="page-header">
        <h1>
          Assessment {a.period} <span className="tag">{a.status.replace("_", " ")}</span>
        </h1>
        <span className="inline-form">
          <a href={`${base}.pdf`}>Board report (PDF)</a>
          <a href={`${base}.csv`} download>
            Responses (CSV)
          </a>
        </span>
      </div>
      {/* A finalisation refusal is shown next to its button instead. */}
      <ActionResult result={result && !result.ok && result.intent === "finalize" ? undefined : result} />
      <div className="grid">
        <div className="tile">
          <div className="tile-label">Dimension score</div>
          <div className="tile-value" data-testid="dimension-score">
            {formatScore(a.score.dimensionScore)}
          </div>
          <div className="muted">
            {delta === null ? "first finalised quarter" : `${delta >= 0 ? "+" : ""}${delta.toFixed(1)} since ${previous!.period}`}
          </div>
        </div>
        <div className="tile">
          <div className="tile-label">Level</div>
          <div className="tile-value">
            <LevelPill level={a.score.level} /> {a.score.levelName}
          </div>
        </div>
        <div className="tile">
          <div className="tile-label">Band</div>
          <div className="tile-value">{a.score.band}</div>
        </div>
        <div className="tile">
          <div className="tile-label">Flags</div>
          <div className="tile-value">{unsupported.length}</div>
          <div className="muted">levels above registry evidence</div>
        </div>
      </div>
      {a.finalizedAt ? (
        <p className="muted">
          Finalised {formatDateTime(a.finalizedAt)} by {a.finalizedBy}. Framework version {a.frameworkVersion}.
        </p>
      ) : null}

      <div className="two-col" style={{ marginTop: "1rem" }}>
        <ComponentRadar
          title={`Component scores ${a.period}`}
          labels={a.score.components.map((c) => c.name)}
          series={[
            { label: a.period, values: a.score.components.map((c) => c.score), color: "#2457c5" },
            ...(previous ? [{ label: previous.period, values: a.score.components.map((c) => previous.components.find((p) => p.componentId === c.componentId)?.score ?? 1), color: "#5b6576" }] : []),
            { label: "Registry evidence", values: a.score.components.map((c) => a.evidence.find((e) => e.componentId === c.componentId)?.level ?? 0), color: "#1b7a43", dashed: true },
          ]}
        />
        <section>
          <h2>Strengths</h2>
          <ul>
            {a.strengths.map((s) => (
              <li key={s.componentId}>
                {s.name}: {formatScore(s.score)}
              </li>
            ))}
          </ul>
          <h2>Gaps</h2>
          {a.gaps.length === 0 ? <p className="muted">No open statements.</p> : null}
          <ul>
            {a.gaps.map((g) => (
              <li key={g.statementId}>
                <LevelPill level={g.level} /> {g.text} <span className="muted">({componentName(g.componentId)})</span>
              </li>
            ))}
          </ul>
        </section>
      </div>

      <h2>Components</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="finalize" />
        <div className="table-wrap">
          <table data-testid="component-table">
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Score</th>
                <th scope="col">Level</th>
                <th scope="col">Registry evidence</th>
                <th scope="col">Flag</th>
                <th scope="col">{canEdit || a.status !== "finalized" ? "Capture" : ""}</th>
              </tr>
            </thead>
            <tbody>
              {a.score.components.map((c) => {
                const evidence = a.evidence.find((e) => e.componentId === c.componentId);
                const flag = a.flags.find((f) => f.componentId === c.componentId);
                return (
                  <tr key={c.componentId} data-component={c.componentId}>
                    <th scope="row">{c.name}</th>
                    <td>{formatScore(c.score)}</td>
                    <td>
                      <LevelPill level={c.level} />
                    </td>
                    <td>{evidence?.level == null ? <span className="muted">no registry evidence</span> : <LevelPill level={evidence.level} />}</td>
                    <td>
                      {flag?.unsupported ? (
                        <>
                          <span className="bad-text">not supported by registry evidence</span>
                          {canEdit ? (
                            <>
                              <label className="visually-hidden" htmlFor={`justify-${c.componentId}`}>
                                Justification for {c.name}
                              </label>
                              <textarea
                                id={`justify-${c.componentId}`}
                                name={`justification.${c.componentId}`}
                                rows={2}
                                placeholder="Why is the level right despite the registry figures?"
                                defaultValue={a.justifications[c.componentId] ?? ""}
                              />
                            </>
                          ) : a.justifications[c.componentId] ? (
                            <p>Justified: {a.justifications[c.componentId]}</p>
                          ) : null}
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      {a.status !== "finalized" && (canEdit || canAddEvidence) ? (
                        <Link to={`${base}/components/${c.componentId}`}>{canEdit ? "Capture" : "Add evidence"}</Link>
                      ) : (
                        <Link to={`${base}/components/${c.componentId}`}>Responses</Link>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {canEdit ? (
          <>
            <FormError error={result && !result.ok && result.intent === "finalize" ? result.errors?.form : undefined} />
            <p className="inline-form" style={{ marginTop: "0.75rem" }}>
              <button type="submit">Finalise assessment</button>
              <span className="muted">Finalising freezes the responses and the registry figures of {a.period}.</span>
            </p>
          </>
        ) : null}
      </Form>
      {canEdit && a.status === "draft" ? (
        <Form method="post">
          <input type="hidden" name="intent" value="submit" />
          <button type="submit" className="secondary">
            Send to review
          </button>
        </Form>
      ) : null}

      <h2>Assessment questions</h2>
      <TableScroll label="Assessment questions">
        <table>
          <thead>
            <tr>
              <th scope="col">Question</th>
              <th scope="col">Answer</th>
              <th scope="col">Related component level</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {a.questions.map((q) => (
              <tr key={q.questionId}>
                <th scope="row">{questionsMeta.find((m) => m.id === q.questionId)?.title}</th>
                <td>{q.answerLevel ? <LevelPill level={q.answerLevel} /> : <span className="muted">unanswered</span>}</td>
                <td>
                  <LevelPill level={q.componentLevel} /> {componentName(q.componentId)}
                  {q.differs ? <div className="warn-text">differs by more than one level</div> : null}
                </td>
                <td>{a.answers[q.questionId]?.note ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>

      <h2>Registry figures for {a.period}</h2>
      <p className="muted">
        {a.status === "finalized" ? "As frozen at finalisation." : "Live: they are frozen when the assessment is finalised."} Production models{" "}
        <strong>{a.metrics.productionModels}</strong>, incident rate{" "}
        <strong>{a.metrics.incidentRate === null ? "—" : `${(a.metrics.incidentRate * 100).toFixed(1)}%`}</strong>, lineage complete{" "}
        <strong>{a.metrics.lineageCompleteShare === null ? "—" : `${Math.round(a.metrics.lineageCompleteShare * 100)}%`}</strong>, promotions through approval{" "}
        <strong>{a.metrics.approvalGatedShare === null ? "—" : `${Math.round(a.metrics.approvalGatedShare * 100)}%`}</strong>.
      </p>
    </>
  );
}
