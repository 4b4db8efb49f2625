import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ComponentRadar } from "~/components/assessment-charts";
import { EmptyState } from "~/components/forms";
import { LevelPill } from "~/components/framework";
import { latestFinalizedByOrganization } from "~/modules/assessment/assessments.server";
import { formatScore } from "~/modules/assessment/scoring";
import { listUserOrganizations } from "~/modules/auth/membership.server";
import { requireUser } from "~/modules/auth/session.server";
import { getFramework } from "~/modules/framework/framework";

export const meta: MetaFunction = () => [{ title: "Compare organisations" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const rows = latestFinalizedByOrganization(listUserOrganizations(user.id));
  return { rows, components: getFramework().components.map((c) => ({ id: c.id, name: c.name })) };
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
            <table>
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
                        <td>{latest.period}</td>
                        <td>{formatScore(latest.dimensionScore)}</td>
                        <td>
                          <LevelPill level={latest.level} /> {latest.levelName}
                        </td>
                        {components.map((c) => (
                          <td key={c.id}>{formatScore(latest.components.find((x) => x.componentId === c.id)?.score ?? 1)}</td>
                        ))}
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
              values: components.map((c) => latest!.components.find((x) => x.componentId === c.id)?.score ?? null),
              color: COLORS[i % COLORS.length]!,
            }))}
          />
        </>
      )}
    </>
  );
}
