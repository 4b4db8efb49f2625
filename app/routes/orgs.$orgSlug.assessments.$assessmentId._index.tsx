import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ComponentRadar } from "~/components/assessment-charts";
import { ActionResult, FormError, TextAreaField } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { cached } from "~/data-cache.server";
import { WithdrawSchema } from "~/modules/assessment/assessment-schemas";
import { submitAssessmentForReview, withdrawAssessment } from "~/modules/assessment/assessments.server";
import { formatScore, scoreChange } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { comparableComponentScores, frameworkVersionsComparable, getFramework } from "~/modules/framework/framework";
import { formatDate, formatDateTime, statusWords } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { TableScroll } from "~/components/table";
import { EvidenceRuleList } from "~/components/evidence-rules";
import { needsJustification } from "~/modules/assessment/evidence";
import { AppLink } from "~/components/link";
import { questionLabel } from "~/modules/framework/framework-constants";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Assessment ${data?.assessment.period ?? ""}` }];

const ASSESSORS = ["admin", "leadership"] as const;
const IdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const id = IdSchema.parse(params.assessmentId);
  const assessment = cached.assessment(org.id, id);
  if (!assessment) throw notFound("Assessment not found");
  const framework = getFramework(assessment.frameworkVersion);
  const open = assessment.status === "draft" || assessment.status === "in_review";
  const assessor = hasRole(role, ASSESSORS);
  const earlier = cached.previousFinalized(org.id, assessment.period);
  // Across framework versions, only what continues is compared: a component the versions cannot map is "not comparable".
  const previous = earlier && frameworkVersionsComparable(assessment.frameworkVersion, earlier.frameworkVersion) ? earlier : null;
  const previousScores =
    previous && comparableComponentScores({ ...assessment.score, frameworkVersion: assessment.frameworkVersion }, previous);
  const { score, metrics } = assessment;
  // Only what the page shows: its data is serialised into the HTML too (not the responses, notes or rules' rationales).
  return {
    org,
    assessment: {
      id: assessment.id,
      period: assessment.period,
      status: assessment.status,
      frameworkVersion: assessment.frameworkVersion,
      finalizedAt: assessment.finalizedAt,
      finalizedBy: assessment.finalizedBy,
      withdrawnAt: assessment.withdrawnAt,
      withdrawnBy: assessment.withdrawnBy,
      withdrawnReason: assessment.withdrawnReason,
      evidenceSoFar: assessment.evidenceSoFar,
      justifications: assessment.justifications,
      score: {
        dimensionScore: score.dimensionScore,
        level: score.level,
        levelName: score.levelName,
        band: score.band,
        components: score.components.map(({ componentId, name, score, level }) => ({ componentId, name, score, level })),
      },
      evidence: assessment.evidence.map(({ componentId, level, noEvidence, rules }) => ({
        componentId,
        level,
        noEvidence,
        rules: rules.map(({ level, metric, comparison, value, window, source, actual, state }) => ({
          level,
          metric,
          comparison,
          value,
          window,
          source,
          actual,
          state,
        })),
      })),
      evidencePolicy: framework.evidencePolicy,
      flags: assessment.flags.map(({ componentId, unsupported, unevidenced }) => ({ componentId, unsupported, unevidenced })),
      answered: assessment.answered.map(({ componentId, answered, total }) => ({ componentId, answered, total })),
      strengths: assessment.strengths.map(({ componentId, name, score }) => ({ componentId, name, score })),
      gaps: assessment.gaps.map(({ componentId, statementId, level, text }) => ({ componentId, statementId, level, text })),
      questions: assessment.questions.map(({ questionId, answerLevel, componentId, componentLevel, differs }) => ({
        questionId,
        answerLevel,
        componentId,
        componentLevel,
        differs,
        note: assessment.answers[questionId]?.note ?? null,
      })),
      metrics: {
        to: metrics.window.to,
        productionModels: metrics.productionModels,
        incidentRate: metrics.incidentRate,
        incidentRateTrailingYear: metrics.incidentRateTrailingYear,
        lineageCompleteShare: metrics.lineageCompleteShare,
        approvalGatedShare: metrics.approvalGatedShare,
      },
    },
    previous: previous && {
      period: previous.period,
      dimensionScore: previous.dimensionScore,
      frameworkVersion: previous.frameworkVersion,
      // By this assessment's component ids; null where not comparable.
      components: score.components.map(({ componentId }) => ({ componentId, score: previousScores?.get(componentId) ?? null })),
    },
    components: framework.components.map((c) => ({ id: c.id, name: c.name, statements: c.capabilities.length })),
    questionsMeta: framework.questions.map((q) => ({ id: q.id, number: q.number, title: q.title, componentId: q.componentId })),
    canEdit: assessor && open,
    canAddEvidence: role === "team" && open,
    // Finalised and not withdrawn: leadership may plan from it, or withdraw it.
    canPlan: assessor && assessment.status === "finalized",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ASSESSORS);
  const id = IdSchema.parse(params.assessmentId);
  const formData = await readFormData(request);
  return runIntentAction(formData, {
    submit: intent(z.object({}), () => submitAssessmentForReview(org.id, id, actor), "Sent to review."),
    withdraw: intent(
      WithdrawSchema,
      (input) => withdrawAssessment(org.id, id, input, actor),
      "Withdrawn. It no longer counts in trends, comparisons, the dashboard or roadmaps, and its quarter is free for a new assessment.",
    ),
  });
}

export default function AssessmentOverview() {
  const { org, assessment: a, previous, components, questionsMeta, canEdit, canAddEvidence, canPlan } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/assessments/${a.id}` as const;
  const withdrawn = a.status === "withdrawn";
  const frozen = a.status === "finalized" || withdrawn;
  const delta = previous ? scoreChange(a.score.dimensionScore, previous.dimensionScore) : null;
  const unsupported = a.flags.filter((f) => needsJustification(f));
  const componentName = (id: string) => components.find((c) => c.id === id)?.name ?? id;
  const selfRated = a.evidence.filter((e) => e.rules.length === 0).map((e) => e.componentId);
  return (
    <>
      <p>
        <AppLink to={`/orgs/${org.slug}/assessments`}>← Assessments</AppLink>
      </p>
      <div className="page-header">
        <h1>
          Assessment {a.period} <span className="tag">{statusWords(a.status)}</span>
        </h1>
        <span className="inline-form">
          {canPlan ? (
            <AppLink className="button" to={`/orgs/${org.slug}/roadmaps/new?assessmentId=${a.id}`}>
              Generate roadmap
            </AppLink>
          ) : null}
          <a href={`${base}.pdf`} target="_blank" rel="noopener noreferrer">
            Board report (PDF)
          </a>
          <a href={`${base}.csv`} download>
            Responses (CSV)
          </a>
        </span>
      </div>
      {/* A refused withdrawal is shown beside its form instead. */}
      <ActionResult result={result && !result.ok && result.intent === "withdraw" ? undefined : result} />
      {withdrawn ? (
        <section className="card" aria-labelledby="withdrawn-heading" data-testid="withdrawn-notice">
          <h2 id="withdrawn-heading" className="bad-text" style={{ marginTop: 0 }}>
            Withdrawn
          </h2>
          <p>
            Withdrawn {formatDateTime(a.withdrawnAt)} by {a.withdrawnBy}. Reason: {a.withdrawnReason}
          </p>
          <p className="muted">
            It stays readable as it was finalised, but no longer counts in trends, changes since the last quarter, comparisons, the
            dashboard or roadmap generation; {a.period} is open for a new assessment.
          </p>
        </section>
      ) : null}
      <div className="grid">
        <div className="tile">
          <div className="tile-label">Dimension score</div>
          <div className="tile-value" data-testid="dimension-score">
            {formatScore(a.score.dimensionScore)}
          </div>
          <div className="muted">
            {withdrawn ? "not counted: withdrawn" : delta === null ? "first finalised quarter" : `${delta.text} since ${previous!.period}`}
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
          <div className="tile-value" data-testid="band">
            {a.score.band}
          </div>
        </div>
        <div className="tile">
          <div className="tile-label">Flags</div>
          <div className="tile-value">{unsupported.length}</div>
          <div className="muted">levels the registry does not support</div>
        </div>
      </div>
      {a.finalizedAt ? (
        <p className="muted">
          Finalised {formatDateTime(a.finalizedAt)} by {a.finalizedBy}. Framework version {a.frameworkVersion}.
        </p>
      ) : null}
      {previous && previous.frameworkVersion !== a.frameworkVersion ? (
        <p className="muted" data-testid="not-comparable">
          {previous.period} used framework version {previous.frameworkVersion}.{" "}
          {previous.components.some((c) => c.score === null)
            ? `Not comparable with it (the versions do not map them): ${previous.components
                .filter((c) => c.score === null)
                .map((c) => componentName(c.componentId))
                .join(", ")}.`
            : "Every component continues across the two versions."}
        </p>
      ) : null}

      <div className="two-col" style={{ marginTop: "1rem" }}>
        <ComponentRadar
          title={`Component scores ${a.period}`}
          labels={a.score.components.map((c) => c.name)}
          series={[
            { label: a.period, values: a.score.components.map((c) => c.score), color: "#2457c5" },
            ...(previous
              ? [
                  {
                    label: previous.period,
                    values: a.score.components.map((c) => previous.components.find((p) => p.componentId === c.componentId)?.score ?? null),
                    color: "#5b6576",
                  },
                ]
              : []),
            {
              label: "Registry evidence",
              values: a.score.components.map((c) => a.evidence.find((e) => e.componentId === c.componentId)?.level ?? null),
              color: "#1b7a43",
              dashed: true,
            },
          ]}
        />
        <section>
          <h2>Strengths</h2>
          {a.strengths.length === 0 ? <p className="muted">None yet: strengths come from answered components above level 1.</p> : null}
          <ul>
            {a.strengths.map((s) => (
              <li key={s.componentId}>
                {s.name}: {formatScore(s.score)}
              </li>
            ))}
          </ul>
          <h2>Gaps</h2>
          {a.gaps.length === 0 ? (
            <p className="muted">
              {a.answered.some((c) => c.answered > 0) ? "No open statements." : "None yet: gaps come from answered components."}
            </p>
          ) : null}
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
      <div className="table-wrap">
        <table className="card-table" data-testid="component-table">
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Answered</th>
              <th scope="col">Score</th>
              <th scope="col">Level</th>
              <th scope="col">Registry evidence</th>
              <th scope="col">Flag</th>
              <th scope="col">Responses</th>
            </tr>
          </thead>
          <tbody>
            {a.score.components.map((c) => {
              const evidence = a.evidence.find((e) => e.componentId === c.componentId);
              const flag = a.flags.find((f) => f.componentId === c.componentId);
              const answered = a.answered.find((x) => x.componentId === c.componentId);
              return (
                <tr key={c.componentId} data-component={c.componentId}>
                  <th scope="row">{c.name}</th>
                  <td className={answered && answered.answered < answered.total ? "warn-text" : undefined} data-label="Answered">
                    {answered ? `${answered.answered} of ${answered.total}` : "—"}
                  </td>
                  <td data-label="Score">{formatScore(c.score)}</td>
                  <td data-label="Level">
                    <LevelPill level={c.level} />
                  </td>
                  <td className="words-cell" data-label="Registry evidence">
                    {evidence?.level != null ? (
                      <LevelPill level={evidence.level} />
                    ) : evidence && evidence.rules.length > 0 ? (
                      <span className="muted">no registry evidence</span>
                    ) : (
                      <span className="muted">self-rated: no evidence rules</span>
                    )}
                  </td>
                  <td className={flag && needsJustification(flag) ? "prose-cell" : undefined} data-label="Flag">
                    {flag && needsJustification(flag) ? (
                      <>
                        <span className="bad-text">
                          {flag.unsupported ? "not supported by registry evidence" : "no registry evidence for this level"}
                        </span>
                        {a.justifications[c.componentId] ? <p>Justified: {a.justifications[c.componentId]}</p> : null}
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Responses">
                    <AppLink to={`${base}/components/${c.componentId}`}>
                      {canEdit ? "Capture" : canAddEvidence ? "Add evidence" : "Responses"}
                    </AppLink>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <div className="inline-form" style={{ marginTop: "0.75rem" }}>
          <AppLink className="button" to={`${base}/finalize`}>
            Finalise…
          </AppLink>
          {a.status === "draft" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="submit" />
              <button type="submit" className="secondary">
                Send to review
              </button>
            </Form>
          ) : null}
          <span className="muted">
            Finalising asks you to confirm first: it freezes the responses and the registry figures of {a.period}.
          </span>
        </div>
      ) : null}

      <h2 id="evidence-rules">Registry evidence rules</h2>
      <p className="muted">
        {a.evidencePolicy.missingFigure === "not-evidenced"
          ? `A rule is “not evidenced” when the registry cannot give its figure (no promotions, no production models): that never counts as failed. A component's evidence level is the highest level at which none of its rules, at that level or below, fails. A component whose rules are all not evidenced has no registry evidence, and rating it level ${a.evidencePolicy.justifyFromLevel} or above needs a written justification to finalise.`
          : "Framework version 1: a rule whose figure the registry cannot give counts as failed. A component's evidence level is the highest level at which all its rules, at that level and below, hold."}{" "}
        {selfRated.length > 0
          ? `${selfRated.map(componentName).join(", ")} ${selfRated.length === 1 ? "has" : "have"} no evidence rules: the registry does not check ${selfRated.length === 1 ? "its" : "their"} rating, which is the leadership's own. `
          : null}
        Thresholds marked “portal&apos;s own choice” are not stated by the maturity guide.{" "}
        <AppLink to={`/framework/scoring?version=${a.frameworkVersion}`}>How evidence is checked</AppLink>
      </p>
      {a.evidence
        .filter((e) => e.rules.length > 0)
        .map((e) => (
          <section key={e.componentId} aria-labelledby={`evidence-${e.componentId}`} data-evidence={e.componentId}>
            <h3 id={`evidence-${e.componentId}`}>
              {componentName(e.componentId)}:{" "}
              {e.level === null ? <span className="muted">no registry evidence</span> : <>evidence level {e.level}</>}
            </h3>
            <EvidenceRuleList rules={e.rules} />
          </section>
        ))}

      <h2>Assessment questions</h2>
      <TableScroll label="Assessment questions">
        <table className="card-table">
          <thead>
            <tr>
              <th scope="col">Question</th>
              <th scope="col">Answer</th>
              <th scope="col">Related component level</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {a.questions.map((q) => {
              const meta = questionsMeta.find((m) => m.id === q.questionId);
              return (
                <tr key={q.questionId}>
                  <th scope="row">{meta ? questionLabel(meta) : null}</th>
                  <td data-label="Answer">
                    {q.answerLevel ? <LevelPill level={q.answerLevel} /> : <span className="muted">unanswered</span>}
                  </td>
                  <td data-label="Related component level">
                    <LevelPill level={q.componentLevel} /> {componentName(q.componentId)}
                    {q.differs ? <div className="warn-text">differs by more than one level</div> : null}
                  </td>
                  <td data-label="Note">{q.note ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>

      <h2>
        Registry figures for {a.period}
        {a.evidenceSoFar ? ` so far (to ${formatDate(a.metrics.to)})` : ""}
      </h2>
      <p className="muted">
        {frozen ? "As frozen at finalisation." : "Live: they are frozen when the assessment is finalised."} Production models{" "}
        <strong>{a.metrics.productionModels}</strong>, incident rate{" "}
        <strong>{a.metrics.incidentRate === null ? "—" : `${(a.metrics.incidentRate * 100).toFixed(1)}%`}</strong> (over the trailing four
        quarters{" "}
        <strong>{a.metrics.incidentRateTrailingYear == null ? "—" : `${(a.metrics.incidentRateTrailingYear * 100).toFixed(1)}%`}</strong>
        ), lineage complete{" "}
        <strong>{a.metrics.lineageCompleteShare === null ? "—" : `${Math.round(a.metrics.lineageCompleteShare * 100)}%`}</strong>,
        promotions through approval{" "}
        <strong>{a.metrics.approvalGatedShare === null ? "—" : `${Math.round(a.metrics.approvalGatedShare * 100)}%`}</strong>.
      </p>

      {canPlan ? (
        <details className="card" open={result?.intent === "withdraw" && !result.ok ? true : undefined}>
          <summary>Withdraw this assessment…</summary>
          <p>
            Withdrawing marks the {a.period} assessment as withdrawn, with your name, the time and your reason. It stays readable, but it
            leaves the trends, the change since last quarter, comparisons, the dashboard and roadmap generation, and {a.period} becomes free
            for a new assessment. Roadmaps already generated from it stay as they are. A withdrawal cannot be undone.
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="withdraw" />
            <FormError error={result?.intent === "withdraw" ? result.errors?.form : undefined} />
            <TextAreaField
              label="Why is it withdrawn?"
              name="reason"
              rows={3}
              maxLength={2000}
              required
              defaultValue={result?.intent === "withdraw" ? result.values?.reason : undefined}
              error={result?.intent === "withdraw" ? result.errors?.reason : undefined}
            />
            <button type="submit" className="danger">
              Withdraw assessment
            </button>
          </Form>
        </details>
      ) : null}
    </>
  );
}
