import { useCallback, useId, useState, type ReactNode } from "react";
import type { BiasAuditJson } from "~/modules/governance/bias-audits.server";
import { biasAuditOutcomeText, type BiasAuditOutcome, type RiskAcceptance } from "~/modules/governance/bias-audit-signoff";
import { disparityEnds, DISPARITY_EXPLANATIONS, FAIRNESS_METRIC_LABELS, type DisparityName } from "~/modules/governance/fairness";
import { formatDate, formatPercent } from "~/utils/format";
import { CSV_SAMPLE_BYTES, notCsvReason, sampleCsvText, type CsvSample } from "~/utils/csv-sample";
import { Chart } from "./chart";
import { SelectField, TextField } from "./forms";
import { TableScroll } from "./table";

/** An audit's state in words ("failed, risk accepted"), coloured by its result. */
export function BiasAuditOutcomeText({ audit }: { audit: Pick<BiasAuditOutcome, "passed" | "status"> }) {
  const tone = audit.status === "rejected" ? "muted" : audit.passed ? "ok-text" : "bad-text";
  return (
    <span className={tone} data-testid="audit-outcome">
      {biasAuditOutcomeText(audit)}
    </span>
  );
}

/**
 * A failed audit accepted as a risk, with who, when and why; the same on the
 * audit, version and approval pages. `counts` (from the gate check) says
 * whether it satisfies the promotion gate for this model's risk tier.
 */
export function RiskAcceptanceNote({
  acceptance,
  counts,
  children,
}: {
  acceptance: RiskAcceptance;
  counts?: boolean;
  children?: ReactNode;
}) {
  return (
    <div
      className="risk-acceptance"
      role="note"
      aria-label={`Risk acceptance for audit #${acceptance.auditId}`}
      data-testid="risk-acceptance"
    >
      <p>
        <strong>Risk accepted:</strong> audit #{acceptance.auditId} failed its fairness rules; {acceptance.by} accepted the risk on{" "}
        {formatDate(acceptance.at)}.
      </p>
      <p>
        Rationale: <q>{acceptance.rationale || "none recorded"}</q>
      </p>
      {counts === true ? (
        <p className="muted">For a limited-risk model this satisfies the audit gate; the approvers decide knowing it.</p>
      ) : null}
      {counts === false ? <p className="muted">It does not satisfy the audit gate: a high-risk model needs a passing audit.</p> : null}
      {children}
    </div>
  );
}

const fmt = (value: number | null | undefined) => (value == null ? "—" : value.toFixed(3));

export function DisparityTable({ audit }: { audit: BiasAuditJson }) {
  return (
    <TableScroll label="Disparities between groups">
      <table className="card-table" data-testid="disparities">
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
                  {FAIRNESS_METRIC_LABELS[name as DisparityName]}
                  <div className="muted" style={{ fontWeight: "normal" }}>
                    {DISPARITY_EXPLANATIONS[name as DisparityName]}
                  </div>
                </th>
                <td data-label="Value">{fmt(d.value)}</td>
                <DisparityEndCells ends={disparityEnds(d)} />
                <td data-label="Rule">
                  {d.comparison} {d.threshold}
                </td>
                <td data-label="Result" className={d.passed === false ? "bad-text" : d.passed ? "ok-text" : "warn-text"}>
                  {d.passed === null ? "not measured" : d.passed ? "pass" : "fail"}
                </td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** The "Highest group" and "Lowest group" cells, or one cell across both when every group has the same rate. */
function DisparityEndCells({ ends }: { ends: ReturnType<typeof disparityEnds> }) {
  if (ends.kind === "equal") return <td colSpan={2}>{ends.text}</td>;
  if (ends.kind === "none") {
    return (
      <>
        <td data-label="Highest group">—</td>
        <td data-label="Lowest group">—</td>
      </>
    );
  }
  return (
    <>
      <td data-label="Highest group">{ends.highest}</td>
      <td data-label="Lowest group">{ends.lowest}</td>
    </>
  );
}

const GROUP_RATE_COLUMNS = [
  "baseRate",
  "selectionRate",
  "truePositiveRate",
  "falsePositiveRate",
  "falseNegativeRate",
  "trueNegativeRate",
  "precision",
  "accuracy",
] as const;

export function GroupTable({ audit }: { audit: BiasAuditJson }) {
  const hasReference = audit.groups.some((g) => g.ratioToReference);
  return (
    <TableScroll label="Outcomes per group">
      <table className="card-table" data-testid="groups">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">n</th>
            <th scope="col">TP / FP / TN / FN</th>
            {GROUP_RATE_COLUMNS.map((key) => (
              <th scope="col" key={key}>
                {FAIRNESS_METRIC_LABELS[key]}
              </th>
            ))}
            <th scope="col">{FAIRNESS_METRIC_LABELS.impactRatio}</th>
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
              <td data-label="n">{g.n.toLocaleString("en")}</td>
              <td data-label="TP / FP / TN / FN" className="mono" style={{ whiteSpace: "nowrap" }}>
                {g.tp} / {g.fp} / {g.tn} / {g.fn}
              </td>
              {GROUP_RATE_COLUMNS.map((key) => (
                <td key={key} data-label={FAIRNESS_METRIC_LABELS[key]}>
                  {formatPercent(g[key])}
                </td>
              ))}
              <td data-label={FAIRNESS_METRIC_LABELS.impactRatio}>{fmt(g.impactRatio)}</td>
              {hasReference ? <td data-label="Selection ratio to reference">{fmt(g.ratioToReference?.selectionRate)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function GroupRateCharts({ audit }: { audit: BiasAuditJson }) {
  const groups = audit.groups.filter((g) => g.includedInDisparities);
  const chart = (key: "selectionRate" | "truePositiveRate" | "falsePositiveRate", color: string) => {
    const label = `${FAIRNESS_METRIC_LABELS[key]} by group`;
    return (
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
  };
  return (
    <div className="two-col">
      {chart("selectionRate", "#2457c5")}
      {chart("truePositiveRate", "#1b7a43")}
      {chart("falsePositiveRate", "#b42318")}
    </div>
  );
}

// ---------------------------------------------------------------- the audit form's column choices

/**
 * Reads the header (and first rows) of the file chosen for upload, in the
 * browser; `problem` says at once when the file is not a CSV file at all (a
 * PDF, a spreadsheet), whose "header" would be binary noise.
 */
export function useCsvSample() {
  const [sample, setSample] = useState<CsvSample | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const readFile = useCallback((file: File | undefined) => {
    setSample(null);
    setProblem(null);
    if (!file) return;
    const complete = file.size <= CSV_SAMPLE_BYTES;
    file
      .slice(0, CSV_SAMPLE_BYTES)
      .arrayBuffer()
      .then((buffer) => {
        const bytes = new Uint8Array(buffer);
        const reason = notCsvReason(bytes, { complete });
        if (reason) return setProblem(reason);
        setSample(sampleCsvText(new TextDecoder().decode(bytes), { complete }));
      })
      .catch(() => setSample(null));
  }, []);
  return { sample, problem, readFile };
}

/** The hint under a "positive values" field: the values its column holds in the file's first rows, when few. */
export function valuesHint(sample: CsvSample | null, column: string, hint: string): string {
  const values = column ? sample?.values[column] : undefined;
  return values ? `${hint} Values of ${column} in the file’s first rows: ${values.join(", ")}.` : hint;
}

type ColumnProps = { value: string; onChange: (value: string) => void; columns: string[] | undefined; error?: string };

/** One column of the file: a text input, or once the file's header is read, a list of its columns. */
export function ColumnField({
  label,
  name,
  hint,
  value,
  onChange,
  columns,
  error,
  required = true,
}: ColumnProps & { label: string; name: string; hint: string; required?: boolean }) {
  if (!columns)
    return (
      <TextField
        label={label}
        name={name}
        required={required}
        hint={hint}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
      />
    );
  return (
    <SelectField
      label={label}
      name={name}
      hint={hint}
      value={columns.includes(value) ? value : ""}
      onChange={(e) => onChange(e.currentTarget.value)}
      options={[{ value: "", label: "Choose a column" }, ...columns.map((c) => ({ value: c, label: c }))]}
      error={error}
    />
  );
}

const splitList = (value: string) =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** The group columns: comma-separated text, or once the file's header is read, a tick per column. */
export function GroupColumnsField({ value, onChange, columns, error }: ColumnProps) {
  const id = useId();
  const hint = "Several columns make intersectional groups (race × sex). Not an identifier column.";
  if (!columns) {
    return (
      <TextField
        label="Group columns"
        name="groupColumns"
        required
        hint={`Comma-separated column names. ${hint}`}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
      />
    );
  }
  const chosen = splitList(value).filter((c) => columns.includes(c));
  const toggle = (column: string, on: boolean) => onChange(columns.filter((c) => (c === column ? on : chosen.includes(c))).join(","));
  return (
    <fieldset
      className="choice-group"
      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
      aria-invalid={error ? true : undefined}
      data-testid="group-columns"
    >
      <legend>Group columns</legend>
      <input type="hidden" name="groupColumns" value={chosen.join(",")} />
      {columns.map((column) => (
        <label key={column}>
          <input type="checkbox" checked={chosen.includes(column)} onChange={(e) => toggle(column, e.currentTarget.checked)} /> {column}
        </label>
      ))}
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
