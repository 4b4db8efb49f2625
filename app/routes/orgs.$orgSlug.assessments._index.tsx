import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { statusWords } from "~/utils/format";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { TrendChart } from "~/components/assessment-charts";
import { trendSeries } from "~/components/chart-data";
import { EmptyState, FormError, SelectField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { LevelPill } from "~/components/framework";
import { cached } from "~/data-cache.server";
import { AssessmentCreateSchema } from "~/modules/assessment/assessment-schemas";
import { countsAsFinalized } from "~/modules/assessment/assessment-constants";
import { createAssessment, openableQuarters } from "~/modules/assessment/assessments.server";
import { getFrameworkChoice } from "~/modules/assessment/framework-choice.server";
import { formatScore, scoreChange } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { componentTrendKey, frameworkVersionsComparable } from "~/modules/framework/framework";
import { runFormActionOnce } from "~/modules/http/submit-once.server";
import { hasRole } from "~/modules/auth/roles";
import { quarterOf, quarterRange, shiftQuarter } from "~/utils/quarters";
import { AppLink } from "~/components/link";

export const meta: MetaFunction = () => [{ title: "Assessments" }];

const ASSESSORS = ["admin", "leadership"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const now = new Date();
  const assessments = cached.assessmentScores(org.id);
  // Only what the table and the trend chart show: the component scores travel inside the trend.
  return {
    org,
    assessments: assessments.map(({ id, period, status, dimensionScore, level, levelName, band, frameworkVersion }, i) => {
      // The change since the previous finalised quarter, unless their framework versions do not measure the same dimension.
      const previous = assessments.slice(i + 1).find(countsAsFinalized);
      const comparable = !previous || frameworkVersionsComparable(frameworkVersion, previous.frameworkVersion);
      return {
        id,
        period,
        status,
        dimensionScore,
        level,
        levelName,
        band,
        change: previous && comparable && status !== "withdrawn" ? scoreChange(dimensionScore, previous.dimensionScore) : null,
        comparable,
      };
    }),
    trend: trendSeries(assessments, componentTrendKey),
    canCreate: hasRole(role, ASSESSORS),
    // The current quarter and past ones without a live assessment; never a future quarter.
    openPeriods: openableQuarters(org.id, now),
    current: quarterOf(now),
    // When every openable quarter is taken: the next one, and the day it opens.
    nextQuarter: {
      period: shiftQuarter(quarterOf(now), 1),
      opens: quarterRange(shiftQuarter(quarterOf(now), 1))
        .from.toISOString()
        .slice(0, 10),
    },
    nextVersion: getFrameworkChoice(org.id).nextAssessmentVersion,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, ASSESSORS);
  return runFormActionOnce(
    request,
    user.id,
    AssessmentCreateSchema,
    (input) => createAssessment(org.id, input, actor),
    (row) => redirect(`/orgs/${org.slug}/assessments/${row.id}`),
  );
}

export default function Assessments() {
  const { org, assessments, trend, canCreate, openPeriods, current, nextQuarter, nextVersion } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <div className="page-header">
        <h1>Assessments</h1>
        <AppLink to="/framework/scoring">How scores work</AppLink>
      </div>
      {trend.periods.length >= 2 ? <TrendChart title="Technology & Operations score by quarter" {...trend} /> : null}
      {assessments.length === 0 ? (
        <EmptyState title="No assessments yet">
          <p>Leadership runs one per quarter; scores, trends and roadmaps come from them.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="card-table">
            <thead>
              <tr>
                <th scope="col">Quarter</th>
                <th scope="col">Status</th>
                <th scope="col">Score</th>
                <th scope="col">Level</th>
                <th scope="col">Band</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {assessments.map((a) => {
                const withdrawn = a.status === "withdrawn";
                const delta = a.change;
                return (
                  <tr key={a.id}>
                    <td data-label="Quarter">
                      <AppLink to={`/orgs/${org.slug}/assessments/${a.id}`}>{a.period}</AppLink>
                      {a.period === current ? <span className="tag">current</span> : null}
                    </td>
                    <td data-label="Status">{withdrawn ? <span className="tag">withdrawn</span> : statusWords(a.status)}</td>
                    {withdrawn ? (
                      // A withdrawn assessment keeps its page but leaves the scores and the trend.
                      <td colSpan={3} className="muted" data-testid={`score-${a.period}`} data-label="Score">
                        not counted (withdrawn)
                      </td>
                    ) : (
                      <>
                        <td data-testid={`score-${a.period}`} data-label="Score">
                          {formatScore(a.dimensionScore)}
                        </td>
                        <td data-label="Level">
                          <LevelPill level={a.level} /> {a.levelName}
                        </td>
                        <td data-label="Band">{a.band}</td>
                      </>
                    )}
                    <td
                      className={delta === null ? "muted" : { up: "ok-text", down: "bad-text", none: "" }[delta.direction]}
                      data-label="Change"
                    >
                      {delta === null ? (a.comparable ? "—" : "not comparable") : delta.text}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canCreate && openPeriods.length ? (
        <Form method="post" className="inline-form card" style={{ marginTop: "1rem" }} aria-label="Start an assessment">
          <FormError error={result?.errors?.form} />
          <SubmissionToken />
          <SelectField
            label="Quarter"
            name="period"
            defaultValue={openPeriods[0]}
            hint="The current quarter (registry figures so far) or a past quarter without an assessment."
            options={openPeriods.map((p) => ({ value: p, label: p === current ? `${p} (current quarter)` : p }))}
            error={result?.errors?.period}
          />
          <SubmitButton>Start assessment</SubmitButton>
          <p className="muted" style={{ flexBasis: "100%" }}>
            It uses framework version {nextVersion} (admins choose the version in Administration → Settings).
          </p>
        </Form>
      ) : canCreate ? (
        <p className="card muted" style={{ marginTop: "1rem" }} data-testid="no-open-quarter">
          The current quarter ({current}) and the four before it each have an assessment, so there is none to start. {nextQuarter.period}{" "}
          opens on {nextQuarter.opens}. Withdrawing an assessment frees its quarter.
        </p>
      ) : null}
    </>
  );
}
