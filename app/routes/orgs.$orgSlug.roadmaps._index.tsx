import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { EmptyState, FormError, SelectField, TextField } from "~/components/forms";
import { listAssessments } from "~/modules/assessment/assessments.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { RoadmapGenerateSchema } from "~/modules/roadmap/roadmap-schemas";
import { generateRoadmapFromAssessment, listRoadmaps } from "~/modules/roadmap/roadmaps.server";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Roadmaps" }];

const PLANNERS = ["admin", "leadership"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  return {
    org,
    roadmaps: listRoadmaps(org.id),
    finalized: listAssessments(org.id).filter((a) => a.status === "finalized"),
    canGenerate: hasRole(role, PLANNERS),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, PLANNERS);
  return runFormAction(
    await readFormData(request),
    RoadmapGenerateSchema.extend({ assessmentId: z.coerce.number().int().positive({ message: "Choose an assessment" }) }),
    (input) => generateRoadmapFromAssessment(org.id, input.assessmentId, input, actor),
    (roadmapId) => redirect(`/orgs/${org.slug}/roadmaps/${roadmapId}`),
  );
}

export default function Roadmaps() {
  const { org, roadmaps, finalized, canGenerate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Roadmaps</h1>
      {roadmaps.length === 0 ? (
        <EmptyState title="No roadmap yet">
          <p>Leadership generates the next-step roadmap from a finalised assessment.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Roadmap</th>
                <th scope="col">From assessment</th>
                <th scope="col">Starts</th>
                <th scope="col">Progress</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {roadmaps.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/orgs/${org.slug}/roadmaps/${r.id}`}>
                      Level {r.fromLevel} → {r.toLevel}: {r.title}
                    </Link>
                  </td>
                  <td>{r.period}</td>
                  <td>{r.startDate}</td>
                  <td>
                    {r.done}/{r.total}
                    <div className="progress" aria-hidden="true">
                      <span style={{ width: `${r.total ? Math.round((100 * r.done) / r.total) : 0}%` }} />
                    </div>
                  </td>
                  <td>{r.status === "active" ? <strong>active</strong> : "history"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canGenerate ? (
        finalized.length === 0 ? (
          <p className="muted">Finalise an assessment to generate a roadmap.</p>
        ) : (
          <Form method="post" className="card inline-form" style={{ marginTop: "1rem" }} aria-label="Generate a roadmap">
            <FormError error={result?.errors?.form ?? result?.errors?.assessmentId} />
            <SelectField
              label="From the finalised assessment"
              name="assessmentId"
              options={finalized.map((a) => ({ value: String(a.id), label: `${a.period}: ${formatScore(a.dimensionScore)} (${a.levelName})` }))}
            />
            <TextField label="Start date (optional)" name="startDate" type="date" hint="Defaults to the first day of the next quarter." error={result?.errors?.startDate} />
            <button type="submit">Generate roadmap</button>
          </Form>
        )
      ) : null}
    </>
  );
}
