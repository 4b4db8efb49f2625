import { Chart } from "./chart";

type Snapshot = { version: string; observedAt: string; metrics: Record<string, number>; breaches: string[] };
type Objective = { metric: string; comparison: string; threshold: number };

/** One line chart per monitored metric, with its objective drawn as a dashed line. */
export function MonitoringCharts({ snapshots, objectives }: { snapshots: Snapshot[]; objectives: Objective[] }) {
  const metrics = [...new Set(snapshots.flatMap((s) => Object.keys(s.metrics)))].sort();
  if (metrics.length === 0) return <p className="muted">No monitoring snapshots yet. Pipelines push them through the API.</p>;
  return (
    <div className="two-col">
      {metrics.map((metric) => {
        const points = snapshots.filter((s) => typeof s.metrics[metric] === "number");
        const objective = objectives.find((o) => o.metric === metric);
        const labels = points.map((p) => p.observedAt.slice(0, 10));
        const breached = points.filter((p) => p.breaches.includes(metric)).length;
        return (
          <Chart
            key={metric}
            label={`${metric} over time${objective ? ` (objective ${objective.comparison} ${objective.threshold}; ${breached} breaching snapshots)` : ""}`}
            config={{
              type: "line",
              data: {
                labels,
                datasets: [
                  {
                    label: metric,
                    data: points.map((p) => p.metrics[metric]!),
                    borderColor: "#2457c5",
                    backgroundColor: "#2457c5",
                    pointBackgroundColor: points.map((p) => (p.breaches.includes(metric) ? "#b42318" : "#2457c5")),
                    pointRadius: points.map((p) => (p.breaches.includes(metric) ? 4 : 2)),
                    tension: 0,
                  },
                  ...(objective
                    ? [
                        {
                          label: `objective ${objective.comparison} ${objective.threshold}`,
                          data: points.map(() => objective.threshold),
                          borderColor: "#b42318",
                          borderDash: [6, 4],
                          pointRadius: 0,
                          fill: false,
                        },
                      ]
                    : []),
                ],
              },
              options: { plugins: { legend: { position: "bottom" } } },
            }}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Observed</th>
                    <th scope="col">Version</th>
                    <th scope="col">{metric}</th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.observedAt + p.version}>
                      <td>{p.observedAt.slice(0, 16).replace("T", " ")}</td>
                      <td>{p.version}</td>
                      <td className={p.breaches.includes(metric) ? "bad-text" : undefined}>
                        {p.metrics[metric]}
                        {p.breaches.includes(metric) ? " (breach)" : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
        );
      })}
    </div>
  );
}
