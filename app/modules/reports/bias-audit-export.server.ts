import { DISPARITY_NAMES_IN_ORDER } from "./report-constants";
import type { BiasAuditJson } from "../governance/bias-audits.server";
import { FAIRNESS_PRESETS } from "../governance/fairness";
import { toCsv } from "./csv";
import { COLORS, createPdf, heading, keyValues, paragraph, table, title } from "./pdf.server";

const rate = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null | undefined) => (v == null ? "—" : v.toFixed(3));

export function biasAuditCsv(audit: BiasAuditJson): string {
  const header = ["group", "n", "tp", "fp", "tn", "fn", "positives", "base_rate", "selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate", "true_negative_rate", "precision", "accuracy", "impact_ratio", "included_in_disparities"];
  return toCsv(
    header,
    audit.groups.map((g) => [g.group, g.n, g.tp, g.fp, g.tn, g.fn, g.positives, g.baseRate, g.selectionRate, g.truePositiveRate, g.falsePositiveRate, g.falseNegativeRate, g.trueNegativeRate, g.precision, g.accuracy, g.impactRatio, g.includedInDisparities]),
  );
}

export function biasAuditPdf(audit: BiasAuditJson): Promise<Uint8Array<ArrayBuffer>> {
  const { doc, finish } = createPdf({ title: `Bias audit #${audit.id}`, subject: `${audit.model} ${audit.version}` });
  title(doc, `Bias audit #${audit.id}: ${audit.model} ${audit.version}`, `${audit.passed ? "PASSED" : "FAILED"} · sign-off: ${audit.status}`);
  const c = audit.config;
  keyValues(doc, [
    ["Groups", c.groupColumns.join(" x ")],
    ["Label", `${c.labelColumn} positive when ${c.positiveLabels.join(", ")}`],
    ["Prediction", c.scoreColumn ? `${c.scoreColumn} >= ${c.threshold}` : `${c.predictionColumn} in ${c.positivePredictions?.join(", ")}`],
    ["Rules", `${FAIRNESS_PRESETS[audit.preset].label}; ratios >= ${audit.preset === "eeoc-four-fifths" ? 0.8 : audit.thresholds.ratioMin}, differences <= ${audit.thresholds.differenceMax}`],
    ["Rows", `${audit.rows} counted, ${audit.skipped} skipped`],
    ["Run", `${audit.createdAt.slice(0, 16).replace("T", " ")} UTC by ${audit.createdBy}`],
    ["Sign-off", audit.signoff ? `${audit.status} by ${audit.signoff.by}${audit.signoff.comment ? `: ${audit.signoff.comment}` : ""}` : "pending"],
  ]);
  heading(doc, "Disparities");
  table(
    doc,
    [
      { header: "Metric", width: 0.34 },
      { header: "Value", width: 0.1, align: "right" },
      { header: "Highest", width: 0.2 },
      { header: "Lowest", width: 0.2 },
      { header: "Result", width: 0.16 },
    ],
    DISPARITY_NAMES_IN_ORDER.filter((name) => audit.disparities[name]).map((name) => {
      const d = audit.disparities[name]!;
      return [
        name,
        num(d.value),
        d.maxGroup ?? "—",
        d.minGroup ?? "—",
        { text: d.passed === null ? "n/a" : `${d.passed ? "pass" : "fail"} (${d.comparison} ${d.threshold})`, color: d.passed === false ? COLORS.bad : COLORS.ok },
      ];
    }),
  );
  heading(doc, "Groups");
  table(
    doc,
    [
      { header: "Group", width: 0.28 },
      { header: "n", width: 0.09, align: "right" },
      { header: "Selection", width: 0.11, align: "right" },
      { header: "TPR", width: 0.1, align: "right" },
      { header: "FPR", width: 0.1, align: "right" },
      { header: "FNR", width: 0.1, align: "right" },
      { header: "Precision", width: 0.11, align: "right" },
      { header: "Impact", width: 0.11, align: "right" },
    ],
    audit.groups.map((g) => [g.includedInDisparities ? g.group : `${g.group} (left out)`, String(g.n), rate(g.selectionRate), rate(g.truePositiveRate), rate(g.falsePositiveRate), rate(g.falseNegativeRate), rate(g.precision), num(g.impactRatio)]),
  );
  if (audit.warnings.length) {
    heading(doc, "Warnings");
    for (const w of audit.warnings) paragraph(doc, `• ${w}`);
  }
  return finish(`Bias audit #${audit.id} · ${audit.model}@${audit.version}`);
}
