import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ComponentRadar } from "~/components/assessment-charts";
import { EmptyState } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { latestFinalizedByOrganization } from "~/modules/assessment/assessments.server";
import { formatScore } from "~/modules/assessment/scoring";
import { listUserOrganizations } from "~/modules/auth/membership.server";
import { requireUser } from "~/modules/auth/session.server";
import { componentTrendKey, getFramework, LATEST_FRAMEWORK_VERSION } from "~/modules/framework/framework";

export const meta: MetaFunction = () => [{ title: "Compare organisations" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // Columns are the newest built-in version's components; an organisation assessed on another version shows
  // each component under the column it continues (framework-lineage.ts), and "not comparable" where it cannot be mapped.
  const components = getFramework().components.map((c) => ({
    id: c.id,
    name: c.name,
    key: componentTrendKey(LATEST_FRAMEWORK_VERSION, c.id),
  }));
  const rows = latestFinalizedByOrganization(listUserOrganizations(user.id)).map(({ org, latest }) => ({
    org,
    latest: latest && {
      period: latest.period,
      frameworkVersion: latest.frameworkVersion,
      dimensionScore: latest.dimensionScore,
      level: latest.level,
      levelName: latest.levelName,
      scores: components.map(
        (c) => latest.components.find((x) => componentTrendKey(latest.frameworkVersion, x.componentId) === c.key)?.score ?? null,
      ),
    },
  }));
  return { rows, components: components.map(({ id, name }) => ({ id, name })) };
}

const COLORS = ["#2457c5", "#1b7a43", "#a35c00", "#7a3fb5", "#b42318", "#0f766e"];

export default function CompareOrganisations() {
  const { rows, components } = useLoaderData<typeof loader>();
  const scored = rows.filter((r) => r.latest);
  return (
    <>
      <h1>Compare organisations</h1>
      <p className="lead">The latest finalised Technology &amp; Operations assessment of each organisation you belong to.</p>
      {scored.length === 0 ? (
        <EmptyState title="No finalised assessments yet" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="card-table">
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Quarter</th>
                  <th scope="col">Score</th>
                  <th scope="col">Level</th>
                  {components.map((c) => (
                    <th key={c.id} scope="col">
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map(({ org, latest }) => (
                  <tr key={org.slug}>
                    <th scope="row">
                      <Link to={`/orgs/${org.slug}/assessments`}>{org.name}</Link>
                    </th>
                    {latest ? (
                      <>
                        <td data-label="Quarter">{latest.period}</td>
                        <td data-label="Score">{formatScore(latest.dimensionScore)}</td>
                        <td data-label="Level">
                          <LevelPill level={latest.level} /> {latest.levelName}
                        </td>
                        {components.map((c, k) => {
                          const score = latest.scores[k] ?? null;
                          return (
                            <td key={c.id} className={score === null ? "muted" : undefined} data-label={c.name}>
                              {score === null ? `not comparable (version ${latest.frameworkVersion})` : formatScore(score)}
                            </td>
                          );
                        })}
                      </>
                    ) : (
                      <td colSpan={3 + components.length} className="muted">
                        No finalised assessment
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ComponentRadar
            title="Component scores by organisation"
            labels={components.map((c) => c.name)}
            series={scored.map(({ org, latest }, i) => ({
              label: `${org.name} (${latest!.period})`,
              values: latest!.scores,
              color: COLORS[i % COLORS.length]!,
            }))}
          />
        </>
      )}
    </>
  );
}
