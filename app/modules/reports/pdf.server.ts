import PDFDocument from "pdfkit";

/**
 * Small layout helpers over pdfkit shared by every PDF the portal produces
 * (model cards, bias audits, board reports, roadmaps). Standard PDF fonts
 * only cover Windows-1252, so text is mapped onto it first.
 */

const REPLACEMENTS: Array<[RegExp, string]> = [
  [/→/g, "->"],
  [/←/g, "<-"],
  [/≥/g, ">="],
  [/≤/g, "<="],
  [/≠/g, "!="],
  [/×/g, "x"],
  [/[‐‑‒−]/g, "-"],
  [/[✓✔]/g, "yes"],
  [/[✗✘]/g, "no"],
];

export function pdfText(value: string): string {
  let text = value;
  for (const [pattern, replacement] of REPLACEMENTS) text = text.replace(pattern, replacement);
  // Anything else outside Windows-1252's printable range becomes "?".
  return text.replace(/[^\t\n\r\x20-\x7E\u00A0-\u00FF\u2013\u2014\u2018\u2019\u201C\u201D\u2022\u2026\u20AC]/g, "?");
}

export type Pdf = InstanceType<typeof PDFDocument>;

const MARGIN = 54;
export const COLORS = { text: "#1d2430", muted: "#5b6576", accent: "#2457c5", ok: "#1b7a43", bad: "#b42318", rule: "#d9dee7" };

export function createPdf(meta: { title: string; subject?: string }) {
  const doc = new PDFDocument({ size: "A4", margin: MARGIN, bufferPages: true, info: { Title: pdfText(meta.title), Subject: meta.subject ? pdfText(meta.subject) : undefined, Creator: "AI Maturity & Governance Portal" } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array<ArrayBuffer>>((resolve, reject) => {
    doc.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on("error", reject);
  });
  return {
    doc,
    /** Adds page numbers and a footer, then finishes the document. */
    finish(footer: string): Promise<Uint8Array<ArrayBuffer>> {
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        const bottom = doc.page.height - MARGIN / 2 - 6;
        doc.font("Helvetica").fontSize(8).fillColor(COLORS.muted);
        doc.text(pdfText(footer), MARGIN, bottom, { width: doc.page.width - 2 * MARGIN, align: "left", lineBreak: false });
        doc.text(`Page ${i + 1} of ${range.count}`, MARGIN, bottom, { width: doc.page.width - 2 * MARGIN, align: "right", lineBreak: false });
      }
      doc.end();
      return done;
    },
  };
}

export const contentWidth = (doc: Pdf) => doc.page.width - 2 * MARGIN;

function ensureSpace(doc: Pdf, height: number) {
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
}

export function title(doc: Pdf, text: string, subtitle?: string) {
  doc.font("Helvetica-Bold").fontSize(20).fillColor(COLORS.text).text(pdfText(text));
  if (subtitle) doc.moveDown(0.2).font("Helvetica").fontSize(11).fillColor(COLORS.muted).text(pdfText(subtitle));
  doc.moveDown(0.8);
}

export function heading(doc: Pdf, text: string, level: 1 | 2 = 1) {
  ensureSpace(doc, 60);
  doc.moveDown(level === 1 ? 0.8 : 0.5);
  doc.font("Helvetica-Bold").fontSize(level === 1 ? 14 : 11.5).fillColor(level === 1 ? COLORS.accent : COLORS.text).text(pdfText(text));
  doc.moveDown(0.3);
}

export function paragraph(doc: Pdf, text: string, options: { muted?: boolean; size?: number } = {}) {
  doc.font("Helvetica").fontSize(options.size ?? 10).fillColor(options.muted ? COLORS.muted : COLORS.text).text(pdfText(text), { align: "left" });
  doc.moveDown(0.4);
}

export function keyValues(doc: Pdf, rows: Array<[string, string]>) {
  const labelWidth = 150;
  for (const [label, value] of rows) {
    ensureSpace(doc, 16);
    const y = doc.y;
    doc.font("Helvetica").fontSize(9.5).fillColor(COLORS.muted).text(pdfText(label), MARGIN, y, { width: labelWidth });
    doc.font("Helvetica").fontSize(9.5).fillColor(COLORS.text).text(pdfText(value), MARGIN + labelWidth, y, { width: contentWidth(doc) - labelWidth });
    doc.x = MARGIN;
  }
  doc.moveDown(0.5);
}

export type Column = { header: string; width: number; align?: "left" | "right" | "center" };

/** A table that repeats its header on each new page; widths are fractions of the content width. */
export function table(doc: Pdf, columns: Column[], rows: Array<Array<{ text: string; color?: string } | string>>) {
  const total = contentWidth(doc);
  const widths = columns.map((c) => c.width * total);
  const drawRow = (cells: Array<{ text: string; color?: string }>, bold: boolean) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(8.5);
    const height = Math.max(...cells.map((cell, i) => doc.heightOfString(pdfText(cell.text), { width: widths[i]! - 6 }))) + 6;
    if (doc.y + height > doc.page.height - MARGIN) {
      doc.addPage();
      if (!bold) drawRow(columns.map((c) => ({ text: c.header })), true);
    }
    const y = doc.y;
    let x = MARGIN;
    if (bold) doc.rect(MARGIN, y, total, height).fill("#f2f4f8");
    cells.forEach((cell, i) => {
      doc.fillColor(cell.color ?? COLORS.text).font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(8.5);
      doc.text(pdfText(cell.text), x + 3, y + 3, { width: widths[i]! - 6, align: columns[i]!.align ?? "left" });
      x += widths[i]!;
    });
    doc.moveTo(MARGIN, y + height).lineTo(MARGIN + total, y + height).strokeColor(COLORS.rule).lineWidth(0.5).stroke();
    doc.x = MARGIN;
    doc.y = y + height;
  };
  drawRow(columns.map((c) => ({ text: c.header })), true);
  for (const row of rows) drawRow(row.map((cell) => (typeof cell === "string" ? { text: cell } : cell)), false);
  doc.moveDown(0.6);
}

export function pdfResponse(bytes: Uint8Array<ArrayBuffer>, filename: string, disposition: "inline" | "attachment" = "inline"): Response {
  return new Response(bytes, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": `${disposition}; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
