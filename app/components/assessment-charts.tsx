import { Chart } from "./chart";
import { wrapLabel, type TrendSeries } from "./chart-data";

/** A series of component scores; null is a gap (no score or no registry evidence), never drawn as zero. */
type Series = { label: string; values: Array<number | null>; color: string; dashed?: boolean };

const formatValue = (value: number | null | undefined) => (value == null ? "—" : value.toFixed(1));

/** The five components on a radar, 0–5, one polygon per series (this quarter, previous, evidence). */
export function ComponentRadar({
  labels,
  series,
  title,
  height = 380,
}: {
  labels: string[];
  series: Series[];
  title: string;
  height?: number;
}) {
  return (
    <Chart
      label={title}
      height={height}
      config={{
        type: "radar",
        data: {
          // Multi-line labels, short enough for the sides of a phone-wide radar, keep long component names whole.
          labels: labels.map((label) => wrapLabel(label, 11)),
          datasets: series.map((s) => ({
            label: s.label,
            data: s.values,
            borderColor: s.color,
            backgroundColor: `${s.color}22`,
            borderDash: s.dashed ? [6, 4] : undefined,
            pointRadius: 3,
            spanGaps: false,
          })),
        },
        options: {
          layout: { padding: 4 },
          scales: {
            r: { min: 0, max: 5, ticks: { stepSize: 1, backdropColor: "transparent" }, pointLabels: { font: { size: 11 }, padding: 4 } },
          },
          plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
        },
      }}
      table={
        <table className="card-table">
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
                  <td key={s.label} data-label={s.label}>
                    {formatValue(s.values[i])}
                  </td>
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

/**
 * Dimension and component scores across quarters: straight lines between the
 * real points (no smoothing to overshoot them), gaps where a quarter has no
 * score, and a draft quarter drawn dashed with hollow points.
 */
export function TrendChart({ periods, lines, draftIndex, title }: TrendSeries & { title: string }) {
  const isDraft = (i: number) => draftIndex != null && i === draftIndex;
  return (
    <Chart
      label={draftIndex != null ? `${title}; the dashed segment and hollow points are the ${periods[draftIndex]} quarter` : title}
      height={320}
      dashedFrom={draftIndex}
      config={{
        type: "line",
        data: {
          labels: periods,
          datasets: lines.map((line, i) => {
            const color = line.bold ? "#101828" : PALETTE[i % PALETTE.length]!;
            return {
              label: line.label,
              data: line.values,
              borderColor: color,
              backgroundColor: color,
              pointBackgroundColor: periods.map((_, p) => (isDraft(p) ? "#ffffff" : color)),
              pointRadius: periods.map((_, p) => (isDraft(p) ? 5 : 3)),
              borderWidth: line.bold ? 3 : 1.5,
              tension: 0,
              spanGaps: false,
            };
          }),
        },
        options: { scales: { y: { min: 1, max: 5 } }, plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } } },
      }}
      table={
        <table className="card-table">
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
                  <td key={periods[i]} data-label={periods[i]}>
                    {formatValue(v)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
