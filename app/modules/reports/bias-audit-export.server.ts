import { DISPARITY_METRICS } from "./report-constants";
import type { BiasAuditJson } from "../governance/bias-audits.server";
import { auditRulesText, disparityEnds } from "../governance/fairness";
import { toCsv } from "../../utils/csv-writer";
import { COLORS, createPdf, heading, keyValues, notice, paragraph, table, title } from "./pdf.server";

const RATE_COLUMNS = ["Selection rate", "True positive rate", "False positive rate", "False negative rate"];
const rate = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null | undefined) => (v == null ? "—" : v.toFixed(3));

export function biasAuditCsv(audit: BiasAuditJson): string {
  const header = [
    "group",
    "n",
    "tp",
    "fp",
    "tn",
    "fn",
    "positives",
    "base_rate",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "precision",
    "accuracy",
    "impact_ratio",
    "included_in_disparities",
    // Added after the columns above, so that readers of the older file keep their positions.
    "selection_ratio_to_reference",
    "reference_group",
  ];
  return toCsv(
    header,
    audit.groups.map((g) => [
      g.group,
      g.n,
      g.tp,
      g.fp,
      g.tn,
      g.fn,
      g.positives,
      g.baseRate,
      g.selectionRate,
      g.truePositiveRate,
      g.falsePositiveRate,
      g.falseNegativeRate,
      g.trueNegativeRate,
      g.precision,
      g.accuracy,
      g.impactRatio,
      g.includedInDisparities,
      g.ratioToReference?.selectionRate ?? null,
      isReference(audit, g.group),
    ]),
  );
}

/** The audit's reference group, when one was named and it occurs in the data. */
const isReference = (audit: BiasAuditJson, group: string) =>
  audit.config.referenceGroup !== undefined && audit.config.referenceGroup === group;

/**
 * The audit's outcome in one sentence, the same words as the portal:
 * an accepted failed audit is a risk acceptance with its rationale.
 */
export function biasAuditOutcome(audit: BiasAuditJson): string {
  const result = audit.passed ? "Passed" : "Failed";
  const s = audit.signoff;
  if (!s) return `${result}, waiting for sign-off`;
  const when = s.at.slice(0, 10);
  if (audit.status === "accepted" && !audit.passed)
    return `Failed — risk accepted by ${s.by ?? "a reviewer"} on ${when}: ${s.comment ?? "no rationale recorded"}`;
  if (audit.status === "accepted") return `Passed — accepted by ${s.by ?? "a reviewer"} on ${when}${s.comment ? `: ${s.comment}` : ""}`;
  return `${result} — rejected by ${s.by ?? "a reviewer"} on ${when}${s.comment ? `: ${s.comment}` : ""}`;
}

export function biasAuditPdf(audit: BiasAuditJson, modelName: string = audit.model): Promise<Uint8Array<ArrayBuffer>> {
  const { doc, finish } = createPdf({ title: `Bias audit #${audit.id}`, subject: `${modelName} ${audit.version}` });
  const riskAccepted = audit.status === "accepted" && !audit.passed;
  title(
    doc,
    `Bias audit #${audit.id}: ${modelName} ${audit.version}`,
    `${audit.passed ? "Passed" : "Failed"} · sign-off: ${riskAccepted ? "risk accepted" : audit.status}`,
  );
  if (riskAccepted) notice(doc, "Risk acceptance", biasAuditOutcome(audit));
  const c = audit.config;
  keyValues(doc, [
    ...(riskAccepted ? [] : ([["Outcome", biasAuditOutcome(audit)]] as Array<[string, string]>)),
    ["Groups", c.groupColumns.join(" x ")],
    ["Label", `${c.labelColumn} positive when ${c.positiveLabels.join(", ")}`],
    ["Prediction", c.scoreColumn ? `${c.scoreColumn} >= ${c.threshold}` : `${c.predictionColumn} in ${c.positivePredictions?.join(", ")}`],
    ...(c.referenceGroup ? ([["Reference group", c.referenceGroup]] as Array<[string, string]>) : []),
    ["Rules", auditRulesText(audit, { atLeast: ">=", atMost: "<=" })],
    ["Rows", `${audit.rows} counted, ${audit.skipped} skipped`],
    ["Run", `${audit.createdAt.slice(0, 16).replace("T", " ")} UTC by ${audit.createdBy}`],
  ]);
  table(
    doc,
    [
      { header: "Metric", width: 0.32 },
      { header: "Value", width: 0.1, align: "right", nowrap: true },
      { header: "Highest", width: 0.2 },
      { header: "Lowest", width: 0.2 },
      { header: "Result", width: 0.18 },
    ],
    DISPARITY_METRICS.filter(({ name }) => audit.disparities[name]).map(({ name, label }) => {
      const d = audit.disparities[name]!;
      const ends = disparityEnds(d);
      return [
        label,
        num(d.value),
        ends.kind === "groups" ? ends.highest : ends.kind === "equal" ? ends.text : "—",
        ends.kind === "groups" ? ends.lowest : ends.kind === "equal" ? ends.text : "—",
        {
          text: d.passed === null ? "not measurable" : `${d.passed ? "pass" : "fail"} (${d.comparison} ${d.threshold})`,
          color: d.passed === false ? COLORS.bad : COLORS.ok,
        },
      ];
    }),
    { title: "Disparities" },
  );
  // The page's column, when the audit compared groups with a reference group.
  const hasReference = audit.groups.some((g) => g.ratioToReference);
  table(
    doc,
    [
      { header: "Group", width: hasReference ? 0.24 : 0.3 },
      { header: "Rows", width: 0.07, align: "right", nowrap: true },
      ...RATE_COLUMNS.map((header) => ({ header, width: hasReference ? 0.09 : 0.1, align: "right" as const, nowrap: true })),
      { header: "Precision", width: hasReference ? 0.09 : 0.11, align: "right", nowrap: true },
      { header: "Impact ratio", width: hasReference ? 0.1 : 0.12, align: "right", nowrap: true },
      ...(hasReference ? [{ header: "Selection ratio to reference", width: 0.14, align: "right" as const, nowrap: true }] : []),
    ],
    audit.groups.map((g) => {
      const name = isReference(audit, g.group) ? `${g.group} (reference)` : g.group;
      return [
        g.includedInDisparities ? name : { text: `${name} (left out)`, color: COLORS.muted },
        String(g.n),
        rate(g.selectionRate),
        rate(g.truePositiveRate),
        rate(g.falsePositiveRate),
        rate(g.falseNegativeRate),
        rate(g.precision),
        num(g.impactRatio),
        ...(hasReference ? [num(g.ratioToReference?.selectionRate)] : []),
      ];
    }),
    { title: "Groups" },
  );
  if (audit.warnings.length) {
    heading(doc, "Warnings");
    for (const w of audit.warnings) paragraph(doc, `• ${w}`);
  }
  return finish(`Bias audit #${audit.id} · ${modelName} ${audit.version}`);
}
