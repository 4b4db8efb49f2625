import type { AssessmentDetail } from "../assessment/assessments.server";
import { formatScore } from "../assessment/scoring";
import { getFramework } from "../framework/framework";
import type { RoadmapSummary } from "../roadmap/roadmaps.server";
import { toCsv } from "./csv";
import { COLORS, contentWidth, createPdf, heading, keyValues, paragraph, table, title, type Pdf } from "./pdf.server";

type Previous = { period: string; dimensionScore: number; components: Array<{ componentId: string; score: number }> } | null;

/** A radar of 1–5 scores drawn as vector paths: one polygon per series. */
function radar(doc: Pdf, labels: string[], series: Array<{ label: string; values: number[]; color: string; dash?: boolean }>) {
  const size = 220;
  const cx = doc.page.margins.left + contentWidth(doc) / 2;
  const cy = doc.y + size / 2 + 40;
  const r = size / 2;
  const point = (i: number, value: number) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / labels.length;
    return [cx + (r * value * Math.cos(angle)) / 5, cy + (r * value * Math.sin(angle)) / 5] as const;
  };
  doc.lineWidth(0.5).strokeColor(COLORS.rule);
  for (let ring = 1; ring <= 5; ring++) {
    labels.forEach((_, i) => {
      const [x, y] = point(i, ring);
      if (i === 0) doc.moveTo(x, y);
      else doc.lineTo(x, y);
    });
    doc.closePath().stroke();
  }
  labels.forEach((label, i) => {
    const [x, y] = point(i, 5);
    doc.moveTo(cx, cy).lineTo(x, y).stroke();
    const [lx, ly] = point(i, 5.9);
    doc.font("Helvetica").fontSize(8).fillColor(COLORS.muted).text(label, lx - 60, ly - 5, { width: 120, align: "center" });
  });
  for (const s of series) {
    s.values.forEach((value, i) => {
      const [x, y] = point(i, Math.max(0, value));
      if (i === 0) doc.moveTo(x, y);
      else doc.lineTo(x, y);
    });
    doc.closePath().lineWidth(1.5).strokeColor(s.color);
    if (s.dash) doc.dash(4, { space: 3 });
    doc.stroke().undash();
  }
  doc.y = cy + r + 40;
  doc.x = doc.page.margins.left;
  doc.font("Helvetica").fontSize(8.5);
  for (const s of series) doc.fillColor(s.color).text(`— ${s.label}`, { continued: false });
  doc.moveDown(0.5);
}

/** The board report: cover, summary, radar, components with evidence and flags, questions, registry figures, gaps. */
export function assessmentBoardReport(orgName: string, a: AssessmentDetail, previous: Previous, roadmap: RoadmapSummary | null = null): Promise<Uint8Array<ArrayBuffer>> {
  const framework = getFramework(a.frameworkVersion);
  const { doc, finish } = createPdf({ title: `${orgName}: Technology & Operations assessment ${a.period}`, subject: "Board report" });
  doc.moveDown(6);
  title(doc, `Technology & Operations maturity`, `${orgName} · ${a.period} · ${a.status === "finalized" ? "finalised" : `${a.status.replace("_", " ")} (not final)`}`);
  doc.font("Helvetica-Bold").fontSize(48).fillColor(COLORS.accent).text(formatScore(a.score.dimensionScore));
  paragraph(doc, `Level ${a.score.level} (${a.score.levelName}), ${a.score.band} band`, { size: 14 });
  if (a.finalizedAt) paragraph(doc, `Finalised ${a.finalizedAt.slice(0, 10)} by ${a.finalizedBy}. Framework version ${a.frameworkVersion}.`, { muted: true });

  doc.addPage();
  heading(doc, "Executive summary");
  const delta = previous ? a.score.dimensionScore - previous.dimensionScore : null;
  const flagged = a.flags.filter((f) => f.unsupported);
  const name = (id: string) => framework.components.find((c) => c.id === id)?.name ?? id;
  paragraph(
    doc,
    `The dimension scores ${formatScore(a.score.dimensionScore)} out of 5 (level ${a.score.level}, ${a.score.levelName}; ${a.score.band} band)` +
      (delta === null ? ". This is the first finalised quarter." : `, ${delta >= 0 ? "up" : "down"} ${Math.abs(delta).toFixed(1)} since ${previous!.period}.`) +
      ` Strongest: ${a.strengths.map((s) => `${s.name} (${formatScore(s.score)})`).join(", ")}.` +
      (flagged.length ? ` ${flagged.length} component(s) claim more than the registry shows: ${flagged.map((f) => name(f.componentId)).join(", ")}.` : " Every level is supported by the registry where evidence rules exist."),
  );
  radar(
    doc,
    a.score.components.map((c) => c.name),
    [
      { label: a.period, values: a.score.components.map((c) => c.score), color: COLORS.accent },
      ...(previous ? [{ label: previous.period, values: a.score.components.map((c) => previous.components.find((p) => p.componentId === c.componentId)?.score ?? 1), color: COLORS.muted }] : []),
      { label: "Registry evidence level", values: a.score.components.map((c) => a.evidence.find((e) => e.componentId === c.componentId)?.level ?? 0), color: COLORS.ok, dash: true },
    ],
  );

  heading(doc, "Components");
  table(
    doc,
    [
      { header: "Component", width: 0.34 },
      { header: "Score", width: 0.1, align: "right" },
      { header: "Level", width: 0.1, align: "right" },
      { header: "Evidence", width: 0.12, align: "right" },
      { header: "Flag", width: 0.34 },
    ],
    a.score.components.map((c) => {
      const evidence = a.evidence.find((e) => e.componentId === c.componentId)?.level;
      const flag = a.flags.find((f) => f.componentId === c.componentId)?.unsupported;
      return [
        c.name,
        formatScore(c.score),
        String(c.level),
        evidence == null ? "none" : String(evidence),
        flag ? { text: `Not supported by registry evidence. ${a.justifications[c.componentId] ? `Justification: ${a.justifications[c.componentId]}` : ""}`, color: COLORS.bad } : "—",
      ];
    }),
  );

  heading(doc, "Assessment questions");
  table(
    doc,
    [
      { header: "Question", width: 0.36 },
      { header: "Answer", width: 0.14, align: "right" },
      { header: "Component level", width: 0.2, align: "right" },
      { header: "Note", width: 0.3 },
    ],
    a.questions.map((q) => [
      framework.questions.find((x) => x.id === q.questionId)?.title ?? q.questionId,
      q.answerLevel ? String(q.answerLevel) : "—",
      `${q.componentLevel}${q.differs ? " (differs)" : ""}`,
      a.answers[q.questionId]?.note ?? "",
    ]),
  );

  heading(doc, `Registry figures (${a.period})`);
  const m = a.metrics;
  const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
  const hrs = (v: number | null) => (v === null ? "—" : `${v.toFixed(0)} h`);
  keyValues(doc, [
    ["Models in production", String(m.productionModels)],
    ["Incidents / incident rate", `${m.incidentsInWindow} / ${pct(m.incidentRate)}`],
    ["Median lead time to production", hrs(m.medianLeadTimeHours)],
    ["Promotions per month", m.deploymentsPerMonth === null ? "—" : m.deploymentsPerMonth.toFixed(1)],
    ["Production versions with complete lineage", pct(m.lineageCompleteShare)],
    ["Versions registered through the API", pct(m.apiRegistrationShare)],
    ["Promotions through an approved request", pct(m.approvalGatedShare)],
    ["Production versions with an approved card", pct(m.approvedCardShare)],
  ]);

  heading(doc, "Top gaps");
  if (a.gaps.length === 0) paragraph(doc, "No open statements.", { muted: true });
  for (const g of a.gaps) paragraph(doc, `• Level ${g.level}, ${name(g.componentId)}: ${g.text}`);
  heading(doc, "Roadmap");
  if (roadmap) {
    keyValues(doc, [
      ["Roadmap", roadmap.title],
      ["Started", roadmap.startDate],
      ["Items done", `${roadmap.done} of ${roadmap.total}${roadmap.overdue ? ` (${roadmap.overdue} overdue)` : ""}`],
      ["Success criteria met", `${roadmap.criteriaMet} of ${roadmap.criteria}`],
    ]);
  } else {
    paragraph(doc, "No roadmap has been generated from this assessment yet; leadership generates one once it is finalised.", { muted: true });
  }
  return finish(`${orgName} · Technology & Operations ${a.period}`);
}

export function assessmentResponsesCsv(a: AssessmentDetail): string {
  const framework = getFramework(a.frameworkVersion);
  const rows: unknown[][] = [];
  for (const component of framework.components) {
    for (const s of component.capabilities) {
      const r = a.statements[s.id];
      rows.push(["statement", component.id, s.id, s.level, s.text, r?.status ?? "unanswered", r?.reason ?? "", r?.evidence.note ?? "", r?.evidence.url ?? "", r?.evidence.date ?? "", r?.updatedBy ?? ""]);
    }
  }
  for (const q of framework.questions) {
    const answer = a.answers[q.id];
    rows.push(["question", q.componentId, q.id, answer?.level ?? "", q.title, answer ? `level ${answer.level}` : "unanswered", "", answer?.note ?? "", "", "", ""]);
  }
  for (const note of a.notes) {
    const component = framework.components.find((c) => c.capabilities.some((s) => s.id === note.statementId));
    rows.push(["evidence_note", component?.id ?? "", note.statementId, "", "", "", "", note.body, note.url ?? "", note.at.slice(0, 10), note.author]);
  }
  return toCsv(["kind", "component", "id", "level", "text", "response", "reason", "evidence_note", "evidence_url", "evidence_date", "updated_by"], rows);
}
