import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SelectField, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { cached } from "~/data-cache.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { getFramework } from "~/modules/framework/framework";
import { ITEM_STATUS_LABELS, PLANNERS } from "~/modules/roadmap/roadmap-constants";
import { RoadmapGenerateConfirmSchema, RoadmapPreviewQuerySchema } from "~/modules/roadmap/roadmap-schemas";
import { generateRoadmapFromAssessment, previewRoadmapGeneration } from "~/modules/roadmap/roadmaps.server";
import { DomainError } from "~/utils/errors";
import { runFormActionOnce } from "~/modules/http/submit-once.server";
import { notFound } from "~/utils/http";
import { DATE_INPUT_BOUNDS } from "~/utils/validation";

/**
 * /orgs/:orgSlug/roadmaps/new?assessmentId=<id>: what generating a roadmap
 * from this assessment will do (the transition, the items carried over, the
 * ones closed and why), then the confirmation. Leadership and admins only.
 */

export const meta: MetaFunction = () => [{ title: "Generate a roadmap" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, PLANNERS);
  const query = RoadmapPreviewQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const finalized = cached
    .assessmentList(org.id)
    .filter((a) => a.status === "finalized")
    .map((a) => ({ id: a.id, label: `${a.period}: ${formatScore(a.dimensionScore)} (${a.levelName})` }));
  const base = { org, finalized, componentNames: Object.fromEntries(getFramework().components.map((c) => [c.id, c.name])) };
  if (query.assessmentId === undefined) return { ...base, preview: null, refusal: null };
  try {
    const preview = previewRoadmapGeneration(org.id, query.assessmentId, { startDate: query.startDate });
    // Named as in the framework version the assessment used (an uploaded one may rename components).
    return { ...base, componentNames: preview.componentNames, preview, refusal: null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === "not_found") throw notFound("Assessment not found");
    return data({ ...base, preview: null, refusal: error.message }, { status: error.code === "conflict" ? 409 : 422 });
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, PLANNERS);
  return runFormActionOnce(
    request,
    user.id,
    RoadmapGenerateConfirmSchema,
    ({ assessmentId, startDate, replacesRoadmapId }) =>
      generateRoadmapFromAssessment(org.id, assessmentId, { startDate, replacesRoadmapId }, actor),
    (roadmapId) => redirect(`/orgs/${org.slug}/roadmaps/${roadmapId}`),
  );
}

const transitionText = (t: { from: number; to: number }) => `Level ${t.from} → ${t.to}`;

function ChooseAssessment({ finalized }: { finalized: Array<{ id: number; label: string }> }) {
  if (finalized.length === 0) return <p className="muted">Finalise an assessment to generate a roadmap.</p>;
  return (
    <Form method="get" className="card inline-form" aria-label="Choose the assessment">
      <SelectField
        label="From the finalised assessment"
        name="assessmentId"
        options={finalized.map((a) => ({ value: String(a.id), label: a.label }))}
      />
      <button type="submit">Preview the roadmap</button>
    </Form>
  );
}

export default function NewRoadmap() {
  const { org, finalized, preview, refusal, componentNames } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const back = (
    <p>
      <Link to={`/orgs/${org.slug}/roadmaps`}>← Roadmaps</Link>
    </p>
  );
  if (!preview) {
    return (
      <>
        {back}
        <h1>Generate a roadmap</h1>
        <FormError error={refusal ?? undefined} />
        <ChooseAssessment finalized={finalized} />
      </>
    );
  }
  const { generated, replaces, levelNames, assessment } = preview;
  const names = (components: string[]) => components.map((c) => componentNames[c] ?? c).join(", ");
  const { lastDue } = preview;
  return (
    <>
      {back}
      <h1>Generate the roadmap from the {assessment.period} assessment</h1>
      <FormError error={errors.form ?? errors.replacesRoadmapId ?? errors.assessmentId} />
      <section className="card" aria-labelledby="what-title">
        <h2 id="what-title">What will happen</h2>
        <p className="lead" data-testid="transition">
          Level {generated.transition.from} {levelNames.from} → Level {generated.transition.to} {levelNames.to}: {generated.title}
        </p>
        <p>
          The assessment scored {formatScore(assessment.score)} (Level {assessment.level} {assessment.levelName}). {generated.goal}
        </p>
        {replaces ? (
          <>
            <p className={replaces.lowerLevel ? "form-error" : undefined} data-testid="replaces">
              <strong>
                {replaces.lowerLevel
                  ? `This replaces your ${transitionText(replaces.transition).replace(" → ", "→")} roadmap with a ${transitionText(generated.transition).replace(" → ", "→")} one.`
                  : `This replaces your active ${transitionText(replaces.transition)} roadmap (from the ${replaces.period} assessment).`}
              </strong>{" "}
              {replaces.lowerLevel
                ? `The ${transitionText(replaces.transition)} roadmap from the ${replaces.period} assessment aims higher than the new one. `
                : null}
              {replaces.sameAssessment ? "It was generated from this same assessment. " : null}
              The replaced roadmap stays readable as history with its progress.
            </p>
            <ul data-testid="plan-counts">
              <li>
                <strong>{replaces.carried.length}</strong> unfinished {replaces.carried.length === 1 ? "item is" : "items are"} carried over
                with their status, owner and evidence.
              </li>
              <li>
                <strong>{replaces.closed.length}</strong> unfinished {replaces.closed.length === 1 ? "item" : "items"} will be closed: the
                new roadmap does not need {replaces.closed.length === 1 ? "it" : "them"}.
              </li>
              <li>
                <strong>{replaces.keptDone}</strong> done {replaces.keptDone === 1 ? "item stays" : "items stay"} done and{" "}
                {replaces.keptDone === 1 ? "is" : "are"} not planned again.
              </li>
              <li>
                <strong>{preview.added}</strong> new {preview.added === 1 ? "item is" : "items are"} added, {preview.total} in all.
              </li>
            </ul>
            {replaces.closed.length ? (
              <section aria-labelledby="closed-title">
                <h3 id="closed-title">Items that will be closed ({replaces.closed.length})</h3>
                <ul className="checklist" data-testid="closed-items">
                  {replaces.closed.map((i) => (
                    <li key={i.key}>
                      {i.title}{" "}
                      <span className="muted">
                        ({ITEM_STATUS_LABELS[i.status]}; {names(i.components)})
                      </span>
                      <div className="muted">Why: {i.reason}.</div>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            {replaces.carried.length ? (
              <details>
                <summary>Items carried over ({replaces.carried.length})</summary>
                <ul className="checklist" data-testid="carried-items">
                  {replaces.carried.map((i) => (
                    <li key={i.key}>
                      {i.title} <span className="muted">({ITEM_STATUS_LABELS[i.status]})</span>
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </>
        ) : (
          <p data-testid="plan-counts">
            No roadmap is active: {preview.total} items in {generated.workstreams.length} workstreams, from {generated.startDate} to{" "}
            {lastDue}.
          </p>
        )}
      </section>

      <Form method="post" className="card" aria-label="Confirm the roadmap">
        <SubmissionToken />
        <input type="hidden" name="assessmentId" value={assessment.id} />
        <input type="hidden" name="replacesRoadmapId" value={replaces ? replaces.id : "none"} />
        <TextField
          label="Start date"
          name="startDate"
          type="date"
          {...DATE_INPUT_BOUNDS}
          defaultValue={generated.startDate}
          hint="Items fall due month by month from this date. The default is the first day of the quarter after the assessment was finalised."
          error={errors.startDate}
        />
        {replaces ? (
          <div className="field">
            <label>
              <input
                type="checkbox"
                name="acknowledge"
                value="yes"
                aria-invalid={errors.acknowledge ? true : undefined}
                aria-describedby={errors.acknowledge ? "acknowledge-error" : undefined}
              />{" "}
              I understand: this replaces the active {transitionText(replaces.transition)} roadmap and closes {replaces.closed.length}{" "}
              unfinished {replaces.closed.length === 1 ? "item" : "items"}.
            </label>
            {errors.acknowledge ? (
              <p id="acknowledge-error" className="field-error">
                {errors.acknowledge}
              </p>
            ) : null}
          </div>
        ) : null}
        <SubmitButton>{replaces ? `Replace the ${transitionText(replaces.transition)} roadmap` : "Generate the roadmap"}</SubmitButton>{" "}
        <Link to={`/orgs/${org.slug}/roadmaps`}>Cancel</Link>
      </Form>
    </>
  );
}
