import { and, eq } from "drizzle-orm";
import { statusWords } from "../../utils/format";
import { getDb, type DbOrTx } from "../../../db/client";
import { assessments } from "../../../db/schema";
import type { AssessmentDetail } from "../assessment/assessments.server";
import { needsJustification } from "../assessment/evidence";
import { formatScore, scoreChange } from "../assessment/scoring";
import { EVIDENCE_SOURCE_LABELS, EVIDENCE_WINDOW_LABELS } from "../framework/framework-schema";
import { metricValueText, thresholdText } from "../roadmap/criteria";
import { startWord } from "../roadmap/progress";
import { comparableComponentScores, frameworkVersionsComparable, getFramework } from "../framework/framework";
import type { Checkpoint } from "../audit/checkpoint";
import type { RoadmapSummary } from "../roadmap/roadmaps.server";
import { toCsv } from "../../utils/csv-writer";
import {
  COLORS,
  contentWidth,
  createPdf,
  ensureSpace,
  heading,
  keyValues,
  notice,
  paragraph,
  pdfText,
  table,
  title,
  wrapLines,
  type Pdf,
} from "./pdf.server";
import { questionLabel } from "../framework/framework-constants";

type Previous = {
  period: string;
  frameworkVersion: string;
  dimensionScore: number;
  components: Array<{ componentId: string; score: number }>;
} | null;
/** Who withdrew a finalised assessment, when and why (see `assessmentWithdrawal`). */
export type Withdrawal = { by: string; at: string; reason: string };

/** The withdrawal of an assessment, read from its row; null unless it was withdrawn. */
export function assessmentWithdrawal(orgId: number, assessmentId: number, db: DbOrTx = getDb()): Withdrawal | null {
  const row = db
    .select({
      status: assessments.status,
      at: assessments.withdrawnAt,
      by: assessments.withdrawnByLabel,
      reason: assessments.withdrawnReason,
    })
    .from(assessments)
    .where(and(eq(assessments.orgId, orgId), eq(assessments.id, assessmentId)))
    .get();
  if (!row || row.status !== "withdrawn") return null;
  return { by: row.by ?? "someone", at: row.at ? row.at.toISOString().slice(0, 10) : "an unknown date", reason: row.reason ?? "" };
}

type Series = { label: string; values: Array<number | null>; color: string; dash?: boolean };

/**
 * A radar of 1–5 scores drawn as vector paths, one outline per series; a
 * missing value (no registry evidence, a component the previous quarter did
 * not have) leaves a gap instead of being drawn at the centre.
 */
function radar(doc: Pdf, labels: string[], series: Series[]) {
  const r = 78;
  const labelWidth = 112;
  const x0 = doc.page.margins.left;
  const cx = x0 + contentWidth(doc) / 2;
  const cy = doc.y + r + 30;
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
  doc.font("Helvetica").fontSize(8);
  const lineHeight = doc.currentLineHeight(true);
  labels.forEach((label, i) => {
    const [x, y] = point(i, 5);
    doc.moveTo(cx, cy).lineTo(x, y).lineWidth(0.5).strokeColor(COLORS.rule).stroke();
    const [lx, ly] = point(i, 5.35);
    const lines = wrapLines(doc, pdfText(label), labelWidth);
    const side = lx > cx + 1 ? "right" : lx < cx - 1 ? "left" : "centre";
    const top = ly < cy - 1 ? ly - lines.length * lineHeight : ly > cy + 1 ? ly : ly - (lines.length * lineHeight) / 2;
    doc.fillColor(COLORS.muted);
    lines.forEach((line, n) => {
      const width = doc.widthOfString(line);
      const x = side === "right" ? lx + 2 : side === "left" ? lx - 2 - width : lx - width / 2;
      doc.text(line, x, top + n * lineHeight, { lineBreak: false });
    });
  });
  for (const s of series) {
    doc.lineWidth(1.5).strokeColor(s.color).fillColor(s.color);
    if (s.dash) doc.dash(4, { space: 3 });
    const n = s.values.length;
    s.values.forEach((value, i) => {
      const next = s.values[(i + 1) % n];
      if (value === null || value === undefined || next === null || next === undefined) return;
      const [x1, y1] = point(i, value);
      const [x2, y2] = point((i + 1) % n, next);
      doc.moveTo(x1, y1).lineTo(x2, y2).stroke();
    });
    doc.undash();
    s.values.forEach((value, i) => {
      if (value === null) return;
      const [x, y] = point(i, value);
      doc.circle(x, y, 2).fill(s.color);
    });
  }
  // The legend: a sample of each line and its label, on one row under the chart.
  let x = x0;
  const legendY = cy + r + 34;
  doc.font("Helvetica").fontSize(8.5);
  for (const s of series) {
    doc.lineWidth(1.5).strokeColor(s.color);
    if (s.dash) doc.dash(4, { space: 3 });
    doc
      .moveTo(x, legendY + 4)
      .lineTo(x + 18, legendY + 4)
      .stroke()
      .undash();
    const text = pdfText(s.label);
    doc.fillColor(COLORS.text).text(text, x + 22, legendY, { lineBreak: false });
    x += 22 + doc.widthOfString(text) + 18;
  }
  doc.x = x0;
  doc.y = legendY + 18;
}

/** A row of boxed figures: a small label, the value large, a detail line. */
function figureTiles(doc: Pdf, tiles: Array<{ label: string; value: string; detail: string; color?: string }>) {
  const gap = 8;
  const x0 = doc.page.margins.left;
  const width = (contentWidth(doc) - gap * (tiles.length - 1)) / tiles.length;
  const inner = width - 16;
  const laid = tiles.map((t) => {
    doc.font("Helvetica-Bold").fontSize(18);
    const value = wrapLines(doc, pdfText(t.value), inner);
    doc.font("Helvetica").fontSize(8.5);
    const detail = wrapLines(doc, pdfText(t.detail), inner);
    return { ...t, value, detail };
  });
  const height = 10 + 12 + Math.max(...laid.map((t) => t.value.length)) * 21 + Math.max(...laid.map((t) => t.detail.length)) * 10.5 + 8;
  ensureSpace(doc, height);
  const y = doc.y;
  laid.forEach((t, i) => {
    const x = x0 + i * (width + gap);
    doc.rect(x, y, width, height).fill(COLORS.fill);
    doc
      .font("Helvetica")
      .fontSize(8)
      .fillColor(COLORS.muted)
      .text(pdfText(t.label), x + 8, y + 8, { lineBreak: false });
    doc
      .font("Helvetica-Bold")
      .fontSize(18)
      .fillColor(t.color ?? COLORS.text);
    t.value.forEach((line, n) => doc.text(line, x + 8, y + 22 + n * 21, { lineBreak: false }));
    doc.font("Helvetica").fontSize(8.5).fillColor(COLORS.muted);
    const detailTop = y + 22 + t.value.length * 21 + 2;
    t.detail.forEach((line, n) => doc.text(line, x + 8, detailTop + n * 10.5, { lineBreak: false }));
  });
  doc.x = x0;
  doc.y = y + height + 12;
}

const STATUS_WORDS: Record<string, string> = {
  in_place: "In place",
  partial: "Partly in place",
  none: "Not in place",
  not_applicable: "Not applicable",
};

/** The signed checkpoint of the audit trail a report was produced with. */
export type AuditAnchor = Pick<Checkpoint, "seq" | "headHash" | "createdAt" | "keyId">;

/**
 * The paper trail's anchor: printed, the report pins the audit log up to this
 * sequence number; anyone can later check the log still holds this head hash.
 */
function auditAnchor(doc: Pdf, anchor: AuditAnchor) {
  heading(doc, "Audit trail anchor", 2);
  paragraph(
    doc,
    `Produced at audit event ${anchor.seq}, head hash ${anchor.headHash}, signed checkpoint of ${anchor.createdAt.slice(0, 16).replace("T", " ")} UTC (key ${anchor.keyId.slice(0, 16)}). ` +
      `The audit log must still hold this hash at this sequence number: check it on the audit log page, with npm run audit:verify, or GET /api/v1/audit/verify?seq=${anchor.seq}&headHash=<hash>.`,
    { muted: true, size: 8 },
  );
}

/**
 * The board report. Page 1 is the executive summary (score, level, band,
 * change since the previous finalised quarter, radar, component table); then
 * the questions (numbered as in the guide), registry figures, top gaps, the
 * roadmap and the evidence behind the answers.
 */
export function assessmentBoardReport(
  orgName: string,
  a: AssessmentDetail,
  earlier: Previous,
  roadmap: RoadmapSummary | null = null,
  withdrawal: Withdrawal | null = null,
  anchor: AuditAnchor | null = null,
): Promise<Uint8Array<ArrayBuffer>> {
  const framework = getFramework(a.frameworkVersion);
  // Across framework versions only what continues is compared; an unmapped component has no earlier score.
  const previous = earlier && frameworkVersionsComparable(a.frameworkVersion, earlier.frameworkVersion) ? earlier : null;
  const previousScores = previous ? comparableComponentScores({ ...a.score, frameworkVersion: a.frameworkVersion }, previous) : null;
  const { doc, finish } = createPdf({ title: `${orgName}: Technology & Operations assessment ${a.period}`, subject: "Board report" });
  const name = (id: string) => framework.components.find((c) => c.id === id)?.name ?? id;
  const state =
    a.status === "finalized"
      ? `finalised ${a.finalizedAt?.slice(0, 10) ?? ""} by ${a.finalizedBy ?? "leadership"}`
      : a.status === "withdrawn"
        ? "withdrawn"
        : `${statusWords(a.status)} (not final)`;
  title(doc, `Technology & Operations maturity, ${a.period}`, `${orgName} · board report · ${state}`);
  if (a.status === "withdrawn") {
    const w = withdrawal;
    notice(
      doc,
      "Withdrawn: this assessment no longer counts",
      `${w ? `Withdrawn by ${w.by} on ${w.at}${w.reason ? `: ${w.reason}` : "."}` : "This assessment was withdrawn."} It stays on record but is left out of trends, comparisons, the dashboard and roadmap generation.`,
    );
  } else if (a.status !== "finalized") {
    notice(doc, "Not final", "This assessment is still being captured; its scores change until leadership finalises it.", COLORS.muted);
  }

  const delta = previous ? scoreChange(a.score.dimensionScore, previous.dimensionScore) : null;
  const change = delta === null ? "—" : delta.text;
  figureTiles(doc, [
    { label: "Score", value: formatScore(a.score.dimensionScore), detail: "out of 5" },
    { label: "Level", value: `Level ${a.score.level}`, detail: a.score.levelName },
    {
      label: "Band",
      value: a.score.band,
      detail: `strong from ${framework.bands.strong.toFixed(1)}, weak below ${framework.bands.weak.toFixed(1)}`,
    },
    {
      label: "Change since last quarter",
      value: change,
      detail: previous ? `from ${formatScore(previous.dimensionScore)} in ${previous.period}` : "first finalised quarter",
      color: delta === null ? COLORS.text : { up: COLORS.ok, down: COLORS.bad, none: COLORS.text }[delta.direction],
    },
  ]);

  const flagged = a.flags.filter((f) => needsJustification(f));
  const above = flagged.filter((f) => f.unsupported);
  const unevidenced = a.evidence.filter((e) => e.noEvidence);
  paragraph(
    doc,
    `The dimension scores ${formatScore(a.score.dimensionScore)} out of 5: level ${a.score.level} (${a.score.levelName}), ${a.score.band} band` +
      (delta === null
        ? ". This is the first finalised quarter."
        : delta.direction === "none"
          ? `, unchanged since ${previous!.period}.`
          : `, ${delta.direction} ${delta.amount} since ${previous!.period}.`) +
      (a.strengths.length ? ` Strongest: ${a.strengths.map((s) => `${s.name} (${formatScore(s.score)})`).join(", ")}.` : "") +
      (above.length
        ? ` ${above.length === 1 ? "One component claims" : `${above.length} components claim`} more than the registry shows: ${above.map((f) => name(f.componentId)).join(", ")}.`
        : unevidenced.length
          ? ""
          : " Every level is supported by the registry where evidence rules exist.") +
      (unevidenced.length
        ? ` No registry evidence for ${unevidenced.map((e) => name(e.componentId)).join(", ")}: the registry could measure none of ${unevidenced.length === 1 ? "its" : "their"} rules.`
        : ""),
  );
  const evidenceOf = (componentId: string) => a.evidence.find((e) => e.componentId === componentId)?.level ?? null;
  radar(
    doc,
    a.score.components.map((c) => c.name),
    [
      { label: a.period, values: a.score.components.map((c) => c.score), color: COLORS.accent },
      ...(previous
        ? [
            {
              label: previous.period,
              values: a.score.components.map((c) => previousScores?.get(c.componentId) ?? null),
              color: COLORS.muted,
            },
          ]
        : []),
      {
        label: "Registry evidence level (gaps: no registry evidence)",
        values: a.score.components.map((c) => evidenceOf(c.componentId)),
        color: COLORS.ok,
        dash: true,
      },
    ],
  );

  table(
    doc,
    [
      { header: "Component", width: 0.36 },
      { header: "Score", width: 0.1, align: "right", nowrap: true },
      { header: "Level", width: 0.1, align: "right", nowrap: true },
      { header: "Registry evidence", width: 0.14, align: "right" },
      { header: "Flag", width: 0.3 },
    ],
    a.score.components.map((c) => {
      const evidence = evidenceOf(c.componentId);
      const flag = a.flags.find((f) => f.componentId === c.componentId);
      const justified = a.justifications[c.componentId] ? " (justified below)" : "";
      return [
        c.name,
        formatScore(c.score),
        String(c.level),
        evidence !== null
          ? `level ${evidence}`
          : a.evidence.find((e) => e.componentId === c.componentId)?.noEvidence
            ? "no registry evidence"
            : "self-rated",
        flag?.unsupported
          ? { text: `Above the registry evidence${justified}`, color: COLORS.bad }
          : flag?.unevidenced
            ? { text: `No registry evidence for this level${justified}`, color: COLORS.bad }
            : "—",
      ];
    }),
    { title: "Components" },
  );

  const justified = flagged.filter((f) => a.justifications[f.componentId]);
  if (justified.length) {
    table(
      doc,
      [
        { header: "Component", width: 0.3 },
        { header: "Justification", width: 0.7 },
      ],
      justified.map((f) => [name(f.componentId), a.justifications[f.componentId]!]),
      { title: "Levels the registry does not support, as justified" },
    );
  }

  const checked = a.evidence.flatMap((e) => e.rules.map((r) => ({ ...r, componentId: e.componentId })));
  if (checked.length) {
    table(
      doc,
      [
        { header: "Component", width: 0.18 },
        { header: "Level", width: 0.07, nowrap: true },
        { header: "Rule and window", width: 0.4 },
        { header: "Threshold from", width: 0.13 },
        { header: "Figure", width: 0.11, align: "right" },
        { header: "State", width: 0.11 },
      ],
      checked.map((r) => [
        name(r.componentId),
        `L${r.level}`,
        `${thresholdText(r)}, ${EVIDENCE_WINDOW_LABELS[r.window]}`,
        r.source ? EVIDENCE_SOURCE_LABELS[r.source] : "—",
        r.actual === null || r.state === "not-evidenced" ? "none" : metricValueText(r.metric, r.actual),
        {
          text: r.state === "not-evidenced" ? "not evidenced" : r.state,
          color: r.state === "fails" ? COLORS.bad : r.state === "holds" ? COLORS.ok : undefined,
        },
      ]),
      { title: "Registry evidence rules" },
    );
  }

  table(
    doc,
    [
      { header: "Question", width: 0.36 },
      { header: "Answer", width: 0.1, align: "right", nowrap: true },
      { header: "Component level", width: 0.14, align: "right" },
      { header: "Note", width: 0.4 },
    ],
    a.questions.map((q) => {
      const question = framework.questions.find((x) => x.id === q.questionId);
      return [
        question ? questionLabel(question) : q.questionId,
        q.answerLevel ? `level ${q.answerLevel}` : "—",
        { text: `${q.componentLevel}${q.differs ? " (differs)" : ""}`, color: q.differs ? COLORS.bad : undefined },
        a.answers[q.questionId]?.note ?? "",
      ];
    }),
    { title: "Assessment questions", keepTogether: true },
  );

  const m = a.metrics;
  const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
  const hrs = (v: number | null) => (v === null ? "—" : `${v.toFixed(0)} h`);
  keyValues(
    doc,
    [
      ["Models in production", String(m.productionModels)],
      ["Incidents / incident rate", `${m.incidentsInWindow} / ${pct(m.incidentRate)}`],
      ["Incident rate, trailing four quarters", pct(m.incidentRateTrailingYear ?? null)],
      ["Median lead time to production", hrs(m.medianLeadTimeHours)],
      ["Promotions per month", m.deploymentsPerMonth === null ? "—" : m.deploymentsPerMonth.toFixed(1)],
      ["Production versions with complete lineage", pct(m.lineageCompleteShare)],
      ["Versions registered through the API", pct(m.apiRegistrationShare)],
      ["Promotions through an approved request", pct(m.approvalGatedShare)],
      ["Promotions made automatically", pct(m.automaticPromotionShare ?? null)],
      ["Production versions with an approved card", pct(m.approvedCardShare)],
    ],
    `Registry figures (${a.period})`,
  );

  if (a.gaps.length === 0) {
    heading(doc, "Top gaps");
    paragraph(doc, "No open statements.", { muted: true });
  } else
    table(
      doc,
      [
        { header: "Level", width: 0.08, nowrap: true },
        { header: "Component", width: 0.27 },
        { header: "Statement", width: 0.65 },
      ],
      a.gaps.map((g) => [`L${g.level}`, name(g.componentId), g.text]),
      { title: "Top gaps" },
    );

  if (roadmap) {
    keyValues(
      doc,
      [
        ["Roadmap", roadmap.title],
        [startWord(roadmap.startDate, new Date().toISOString().slice(0, 10)), roadmap.startDate],
        ["Items done", `${roadmap.done} of ${roadmap.total}${roadmap.overdue ? ` (${roadmap.overdue} overdue)` : ""}`],
        ["Success criteria met", `${roadmap.criteriaMet} of ${roadmap.criteria}`],
      ],
      "Roadmap",
    );
  } else {
    heading(doc, "Roadmap");
    paragraph(doc, "No roadmap has been generated from this assessment yet; leadership generates one once it is finalised.", {
      muted: true,
    });
  }

  const statementText = new Map(
    framework.components.flatMap((c) => c.capabilities.map((s) => [s.id, { text: s.text, level: s.level, component: c.name }] as const)),
  );
  const evidenced = framework.components
    .flatMap((c) => c.capabilities.map((s) => s.id))
    .map((id) => ({ id, response: a.statements[id], notes: a.notes.filter((n) => n.statementId === id) }))
    .filter((e) => e.response && (e.response.evidence.note || e.response.evidence.url || e.response.reason || e.notes.length));
  if (evidenced.length) {
    table(
      doc,
      [
        { header: "Statement", width: 0.36 },
        { header: "Answer", width: 0.12 },
        { header: "Evidence", width: 0.52 },
      ],
      evidenced.map(({ id, response, notes }) => {
        const s = statementText.get(id)!;
        const r = response!;
        const evidence = [
          r.status === "not_applicable" && r.reason ? `Reason: ${r.reason}` : "",
          [r.evidence.note, r.evidence.url, r.evidence.date ? `(${r.evidence.date})` : ""].filter(Boolean).join(" "),
          ...notes.map((n) => `${n.author}, ${n.at.slice(0, 10)}: ${n.body}${n.url ? ` ${n.url}` : ""}`),
        ].filter(Boolean);
        return [`${s.component}, level ${s.level}: ${s.text}`, STATUS_WORDS[r.status] ?? r.status, evidence.join("\n")];
      }),
      { title: "Evidence behind the answers" },
    );
  }
  if (anchor) auditAnchor(doc, anchor);
  return finish(`${orgName} · Technology & Operations ${a.period}${a.status === "withdrawn" ? " · WITHDRAWN" : ""}`);
}

export function assessmentResponsesCsv(a: AssessmentDetail): string {
  const framework = getFramework(a.frameworkVersion);
  const rows: unknown[][] = [];
  for (const component of framework.components) {
    for (const s of component.capabilities) {
      const r = a.statements[s.id];
      rows.push([
        "statement",
        component.id,
        s.id,
        s.level,
        s.text,
        r?.status ?? "unanswered",
        r?.reason ?? "",
        r?.evidence.note ?? "",
        r?.evidence.url ?? "",
        r?.evidence.date ?? "",
        r?.updatedBy ?? "",
      ]);
    }
  }
  for (const q of framework.questions) {
    const answer = a.answers[q.id];
    rows.push([
      "question",
      q.componentId,
      q.id,
      answer?.level ?? "",
      q.title,
      answer ? `level ${answer.level}` : "unanswered",
      "",
      answer?.note ?? "",
      "",
      "",
      "",
    ]);
  }
  for (const note of a.notes) {
    const component = framework.components.find((c) => c.capabilities.some((s) => s.id === note.statementId));
    rows.push([
      "evidence_note",
      component?.id ?? "",
      note.statementId,
      "",
      "",
      "",
      "",
      note.body,
      note.url ?? "",
      note.at.slice(0, 10),
      note.author,
    ]);
  }
  return toCsv(
    ["kind", "component", "id", "level", "text", "response", "reason", "evidence_note", "evidence_url", "evidence_date", "updated_by"],
    rows,
  );
}
