import type { BiasAuditJson } from "~/modules/governance/bias-audits.server";
import { formatPercent } from "~/utils/format";
import { Chart } from "./chart";
import { TableScroll } from "./table";

export const DISPARITY_LABELS: Record<string, string> = {
  demographicParityDifference: "Demographic parity difference (selection rate, max − min)",
  demographicParityRatio: "Demographic parity ratio (selection rate, min ÷ max)",
  equalOpportunityDifference: "Equal opportunity difference (true positive rate)",
  falsePositiveRateDifference: "False positive rate difference",
  equalizedOddsDifference: "Equalized odds difference (larger of TPR and FPR differences)",
  minimumImpactRatio: "Minimum impact ratio (selection rate ÷ highest group’s)",
};

const fmt = (value: number | null | undefined) => (value == null ? "—" : value.toFixed(3));

export function DisparityTable({ audit }: { audit: BiasAuditJson }) {
  return (
    <TableScroll label="Disparities between groups">
      <table data-testid="disparities">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Value</th>
            <th scope="col">Highest group</th>
            <th scope="col">Lowest group</th>
            <th scope="col">Rule</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(audit.disparities).map(([name, d]) =>
            d ? (
              <tr key={name} data-metric={name}>
                <th scope="row">
                  <code>{name}</code>
                  <div className="muted">{DISPARITY_LABELS[name]}</div>
                </th>
                <td>{fmt(d.value)}</td>
                <td>{d.maxGroup ?? "—"}</td>
                <td>{d.minGroup ?? "—"}</td>
                <td>
                  {d.comparison} {d.threshold}
                </td>
                <td className={d.passed === false ? "bad-text" : d.passed ? "ok-text" : "muted"}>
                  {d.passed === null ? "n/a" : d.passed ? "pass" : "fail"}
                </td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function GroupTable({ audit }: { audit: BiasAuditJson }) {
  const hasReference = audit.groups.some((g) => g.ratioToReference);
  return (
    <TableScroll label="Outcomes per group">
      <table data-testid="groups">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">n</th>
            <th scope="col">TP / FP / TN / FN</th>
            <th scope="col">Base rate</th>
            <th scope="col">Selection rate</th>
            <th scope="col">TPR</th>
            <th scope="col">FPR</th>
            <th scope="col">FNR</th>
            <th scope="col">TNR</th>
            <th scope="col">Precision</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Impact ratio</th>
            {hasReference ? <th scope="col">Selection ratio to reference</th> : null}
          </tr>
        </thead>
        <tbody>
          {audit.groups.map((g) => (
            <tr key={g.group} className={g.includedInDisparities ? undefined : "muted"}>
              <th scope="row">
                {g.group}
                {g.includedInDisparities ? null : <div className="tag">left out</div>}
              </th>
              <td>{g.n.toLocaleString("en")}</td>
              <td className="mono">
                {g.tp} / {g.fp} / {g.tn} / {g.fn}
              </td>
              <td>{formatPercent(g.baseRate)}</td>
              <td>{formatPercent(g.selectionRate)}</td>
              <td>{formatPercent(g.truePositiveRate)}</td>
              <td>{formatPercent(g.falsePositiveRate)}</td>
              <td>{formatPercent(g.falseNegativeRate)}</td>
              <td>{formatPercent(g.trueNegativeRate)}</td>
              <td>{formatPercent(g.precision)}</td>
              <td>{formatPercent(g.accuracy)}</td>
              <td>{fmt(g.impactRatio)}</td>
              {hasReference ? <td>{fmt(g.ratioToReference?.selectionRate)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function GroupRateCharts({ audit }: { audit: BiasAuditJson }) {
  const groups = audit.groups.filter((g) => g.includedInDisparities);
  const chart = (label: string, key: "selectionRate" | "truePositiveRate" | "falsePositiveRate", color: string) => (
    <Chart
      key={key}
      label={label}
      height={Math.max(160, groups.length * 28)}
      config={{
        type: "bar",
        data: { labels: groups.map((g) => g.group), datasets: [{ label, data: groups.map((g) => g[key] ?? 0), backgroundColor: color }] },
        options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 1 } } },
      }}
    />
  );
  return (
    <div className="two-col">
      {chart("Selection rate by group", "selectionRate", "#2457c5")}
      {chart("True positive rate by group", "truePositiveRate", "#1b7a43")}
      {chart("False positive rate by group", "falsePositiveRate", "#b42318")}
    </div>
  );
}
