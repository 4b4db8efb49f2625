import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { EmptyState, SelectField } from "~/components/forms";
import { cached } from "~/data-cache.server";
import { formatScore } from "~/modules/assessment/scoring";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { PLANNERS, TABLE_SCROLLS_ON_ITS_OWN } from "~/modules/roadmap/roadmap-constants";
import { progressSentence } from "~/modules/roadmap/progress";
import { listRoadmaps, sourceWithdrawnSentence } from "~/modules/roadmap/roadmaps.server";

export const meta: MetaFunction = () => [{ title: "Roadmaps" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  return {
    org,
    roadmaps: listRoadmaps(org.id).map((r) => ({
      ...r,
      progressText: progressSentence(r.progress, r.status),
      withdrawalText: r.sourceWithdrawal ? sourceWithdrawnSentence(r.sourceWithdrawal) : null,
    })),
    finalized: cached.assessmentList(org.id).filter((a) => a.status === "finalized"),
    canGenerate: hasRole(role, PLANNERS),
  };
}

export default function Roadmaps() {
  const { org, roadmaps, finalized, canGenerate } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Roadmaps</h1>
      {roadmaps.length === 0 ? (
        <EmptyState title="No roadmap yet">
          <p>Leadership generates the next-step roadmap from a finalised assessment.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap" style={TABLE_SCROLLS_ON_ITS_OWN}>
          <table className="card-table">
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
                  <th scope="row">
                    <Link to={`/orgs/${org.slug}/roadmaps/${r.id}`}>
                      Level {r.fromLevel} → {r.toLevel}: {r.title}
                    </Link>
                    {r.withdrawalText ? <div className="muted">{r.withdrawalText}</div> : null}
                  </th>
                  <td data-label="From assessment">{r.period}</td>
                  <td data-label="Starts" style={{ whiteSpace: "nowrap" }}>
                    {r.startDate}
                  </td>
                  <td data-label="Progress">
                    <span data-testid="roadmap-progress">{r.progressText}</span>
                    <div className="progress" aria-hidden="true">
                      <span style={{ width: `${r.progress.percent}%` }} />
                    </div>
                  </td>
                  <td data-label="Status">{r.status === "active" ? <strong>active</strong> : "history"}</td>
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
          <Form method="get" action="new" className="card inline-form" style={{ marginTop: "1rem" }} aria-label="Generate a roadmap">
            <SelectField
              label="From the finalised assessment"
              name="assessmentId"
              options={finalized.map((a) => ({
                value: String(a.id),
                label: `${a.period}: ${formatScore(a.dimensionScore)} (${a.levelName})`,
              }))}
            />
            <button type="submit">Preview the roadmap</button>
          </Form>
        )
      ) : null}
    </>
  );
}
