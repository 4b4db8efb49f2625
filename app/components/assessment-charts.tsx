import { Chart } from "./chart";

type Series = { label: string; values: number[]; color: string; dashed?: boolean };

/** The five components on a radar, 1–5, one polygon per series (this quarter, previous, evidence). */
export function ComponentRadar({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  return (
    <Chart
      label={title}
      height={320}
      config={{
        type: "radar",
        data: {
          labels,
          datasets: series.map((s) => ({
            label: s.label,
            data: s.values,
            borderColor: s.color,
            backgroundColor: `${s.color}22`,
            borderDash: s.dashed ? [6, 4] : undefined,
            pointRadius: 3,
          })),
        },
        options: { scales: { r: { min: 0, max: 5, ticks: { stepSize: 1 } } }, plugins: { legend: { position: "bottom" } } },
      }}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Component</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{s.values[i]?.toFixed(1) ?? "—"}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

const PALETTE = ["#2457c5", "#1b7a43", "#a35c00", "#7a3fb5", "#b42318", "#0f766e"];

/** Dimension and component scores across quarters. */
export function TrendChart({ periods, lines, title }: { periods: string[]; lines: Array<{ label: string; values: number[]; bold?: boolean }>; title: string }) {
  return (
    <Chart
      label={title}
      height={300}
      config={{
        type: "line",
        data: {
          labels: periods,
          datasets: lines.map((line, i) => ({
            label: line.label,
            data: line.values,
            borderColor: line.bold ? "#101828" : PALETTE[i % PALETTE.length],
            backgroundColor: line.bold ? "#101828" : PALETTE[i % PALETTE.length],
            borderWidth: line.bold ? 3 : 1.5,
            tension: 0.2,
          })),
        },
        options: { scales: { y: { min: 1, max: 5 } }, plugins: { legend: { position: "bottom" } } },
      }}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Series</th>
              {periods.map((p) => (
                <th key={p} scope="col">
                  {p}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.label}>
                <th scope="row">{line.label}</th>
                {line.values.map((v, i) => (
                  <td key={periods[i]}>{v.toFixed(1)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
