import type { RoadmapDetail } from "../roadmap/roadmaps.server";
import { ITEM_STATUS_LABELS } from "../roadmap/roadmap-constants";
import { criterionStatusLabel } from "../roadmap/criteria";
import { workstreamLabel, workstreamsOfItems } from "../roadmap/workstreams";
import { csvResponse, toCsv } from "../../utils/csv-writer";
import { assessmentWithdrawal, type Withdrawal } from "./assessment-report.server";
import {
  COLORS,
  contentWidth,
  createPdf,
  ensureSpace,
  heading,
  notice,
  paragraph,
  pdfResponse,
  pdfText,
  table,
  title,
  wrapLines,
  type Pdf,
} from "./pdf.server";

/**
 * The items in the exports' order (the generator's priority) numbered 1..N as listed: the stored
 * priorities have gaps where generation left out work already done in the roadmap it replaced.
 */
function numberedItems(r: RoadmapDetail) {
  return r.items.map((item, index) => ({ ...item, number: index + 1 }));
}

export function roadmapCsv(r: RoadmapDetail): string {
  return toCsv(
    ["priority", "item", "workstream", "components", "due_date", "status", "owner", "team", "evidence", "completed_at", "catch_up", "key"],
    numberedItems(r).map((i) => [
      i.number,
      i.title,
      i.workstream,
      i.components.join(" "),
      i.dueDate,
      i.status,
      i.owner?.email ?? "",
      i.team ?? "",
      i.evidence ?? "",
      i.completedAt ?? "",
      i.catchUp ? "yes" : "no",
      i.key,
    ]),
  );
}

/**
 * Phase bars drawn as vector rectangles: one row per workstream over the months of the roadmap,
 * catch-up ones included, in the roadmap page's order.
 */
function phaseBars(doc: Pdf, r: RoadmapDetail) {
  const workstreams = workstreamsOfItems(r.items);
  const months = Math.max(...workstreams.map((w) => w.endMonth), 1);
  const left = doc.page.margins.left;
  const labelWidth = 170;
  const trackWidth = contentWidth(doc) - labelWidth;
  const rowHeight = 18;
  ensureSpace(doc, 12 + rowHeight * Math.min(workstreams.length, 3));
  let y = doc.y;
  doc.font("Helvetica").fontSize(7.5).fillColor(COLORS.muted);
  for (let m = 1; m <= months; m++) {
    const label = `M${m}`;
    doc.text(label, left + labelWidth + ((m - 0.5) / months) * trackWidth - doc.widthOfString(label) / 2, y, { lineBreak: false });
  }
  y += 12;
  for (const w of workstreams) {
    const share = w.total ? w.done / w.total : 0;
    doc.font("Helvetica").fontSize(8.5);
    const lines = wrapLines(doc, pdfText(workstreamLabel(w)), labelWidth - 8);
    const lineHeight = doc.currentLineHeight(true);
    const height = Math.max(rowHeight, lines.length * lineHeight + 6);
    if (y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.y;
    }
    doc.fillColor(COLORS.text);
    lines.forEach((line, n) => doc.text(line, left, y + 3 + n * lineHeight, { lineBreak: false }));
    const x = left + labelWidth + ((w.startMonth - 1) / months) * trackWidth;
    const width = ((w.endMonth - w.startMonth + 1) / months) * trackWidth;
    const barTop = y + (height - (rowHeight - 4)) / 2;
    doc.rect(left + labelWidth, barTop, trackWidth, rowHeight - 4).fill("#eef2f8");
    doc.rect(x, barTop, width, rowHeight - 4).fill("#b9c9ee");
    doc.rect(x, barTop, width * share, rowHeight - 4).fill(COLORS.accent);
    y += height;
  }
  doc.y = y + 8;
  doc.x = left;
}

export function roadmapPdf(
  orgName: string,
  r: RoadmapDetail,
  sourceWithdrawal: Withdrawal | null = null,
): Promise<Uint8Array<ArrayBuffer>> {
  const { doc, finish } = createPdf({
    title: `${orgName}: roadmap level ${r.transition.from} to ${r.transition.to}`,
    subject: "Improvement roadmap",
  });
  title(
    doc,
    `Roadmap: level ${r.transition.from} → ${r.transition.to}, ${r.title}`,
    `${orgName} · from the ${r.assessmentPeriod} assessment · starts ${r.startDate}`,
  );
  if (sourceWithdrawal) {
    notice(
      doc,
      "Its source assessment was withdrawn",
      `The ${r.assessmentPeriod} assessment this roadmap came from was withdrawn by ${sourceWithdrawal.by} on ${sourceWithdrawal.at}${sourceWithdrawal.reason ? `: ${sourceWithdrawal.reason}` : "."} The roadmap stays as it was.`,
    );
  }
  if (r.status === "superseded")
    notice(
      doc,
      "Superseded",
      "A newer roadmap replaced this one; its open items were carried over or closed by supersession.",
      COLORS.muted,
    );
  paragraph(doc, r.goal);
  // Progress counts every item: closed ones (by supersession) are not done.
  const closed = r.items.filter((i) => i.status === "closed").length;
  paragraph(
    doc,
    `${r.items.filter((i) => i.status === "done").length} of ${r.items.length} items done${closed ? `, ${closed} closed by supersession` : ""}; ${r.items.filter((i) => i.overdue).length} overdue.`,
    { muted: true },
  );
  heading(doc, "Phases");
  phaseBars(doc, r);
  table(
    doc,
    [
      { header: "Criterion", width: 0.5 },
      { header: "How", width: 0.14 },
      { header: "Status", width: 0.36 },
    ],
    r.successCriteria.map((c) => [
      c.text,
      c.automatic ? "automatic" : "leadership",
      { text: `${criterionStatusLabel(c)}: ${c.explanation}`, color: c.met ? COLORS.ok : c.met === false ? COLORS.bad : COLORS.muted },
    ]),
    { title: "Success criteria" },
  );
  table(
    doc,
    [
      { header: "#", width: 0.05, align: "right", nowrap: true },
      { header: "Item", width: 0.41 },
      { header: "Workstream", width: 0.2 },
      { header: "Due", width: 0.11, nowrap: true },
      { header: "Status", width: 0.1 },
      { header: "Owner", width: 0.13 },
    ],
    numberedItems(r).map((i) => [
      String(i.number),
      i.title,
      i.workstream,
      { text: i.dueDate, color: i.overdue ? COLORS.bad : undefined },
      i.status === "closed" ? "Closed (superseded)" : ITEM_STATUS_LABELS[i.status],
      i.owner?.name ?? "—",
    ]),
    { title: "Items" },
  );
  return finish(`${orgName} · roadmap ${r.transition.from}→${r.transition.to}`);
}

/** RFC 5545 TEXT: separators escaped, line breaks as \n, and no other control character (only HTAB is allowed). */
function icsText(value: string) {
  return (
    value
      .replace(/\\/g, "\\\\")
      .replace(/;/g, "\\;")
      .replace(/,/g, "\\,")
      .replace(/\r\n|\r|\n/g, "\\n")
      // eslint-disable-next-line no-control-regex -- dropping control characters is the point
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, "")
  );
}

/** Lines longer than 75 octets are folded (RFC 5545 §3.1). */
function fold(line: string) {
  const parts: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > 75) {
    let cut = 74;
    while (Buffer.byteLength(rest.slice(0, cut)) > 74) cut--;
    // Never split a surrogate pair.
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut--;
    parts.push(rest.slice(0, cut));
    rest = ` ${rest.slice(cut)}`;
  }
  parts.push(rest);
  return parts.join("\r\n");
}

/** An iCalendar feed with one all-day event per open item on its due date. */
export function roadmapIcs(orgSlug: string, host: string, r: RoadmapDetail, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//AI Maturity & Governance Portal//Roadmap//EN",
    "CALSCALE:GREGORIAN",
    `X-WR-CALNAME:${icsText(`${r.title} (${orgSlug})`)}`,
  ];
  for (const item of r.items.filter((i) => i.status !== "closed" && i.status !== "done")) {
    const day = item.dueDate.replace(/-/g, "");
    // A due date no calendar can read (from a start date accepted before dates were bounded) would spoil the whole feed.
    if (!/^\d{8}$/.test(day)) continue;
    const next = new Date(Date.parse(`${item.dueDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
    lines.push(
      "BEGIN:VEVENT",
      `UID:roadmap-item-${item.id}@${host}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${day}`,
      `DTEND;VALUE=DATE:${next}`,
      `SUMMARY:${icsText(`Due: ${item.title}`)}`,
      `DESCRIPTION:${icsText(`${item.workstream}. Status: ${ITEM_STATUS_LABELS[item.status]}. Owner: ${item.owner?.email ?? "unassigned"}.`)}`,
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

/** The one entry point of the roadmap's export routes. */
export async function roadmapExport(
  format: "csv" | "pdf" | "ics",
  org: { id?: number; slug: string; name: string },
  r: RoadmapDetail,
  host: string,
): Promise<Response> {
  const name = `${org.slug}-roadmap-${r.transition.from}-${r.transition.to}`;
  if (format === "csv") return csvResponse(roadmapCsv(r), `${name}.csv`);
  if (format === "pdf")
    return pdfResponse(
      await roadmapPdf(org.name, r, org.id === undefined ? null : assessmentWithdrawal(org.id, r.assessmentId)),
      `${org.name} roadmap level ${r.transition.from} to ${r.transition.to} - ${r.title}.pdf`,
    );
  return new Response(roadmapIcs(org.slug, host, r), {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}.ics"`,
      "Cache-Control": "private, no-store",
    },
  });
}
