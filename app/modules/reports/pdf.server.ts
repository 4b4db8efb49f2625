import PDFDocument from "pdfkit";
import { contentDisposition } from "../../utils/content-disposition";

/**
 * Small layout helpers over pdfkit shared by every PDF the portal produces
 * (model cards, bias audits, board reports, roadmaps). Standard PDF fonts
 * only cover Windows-1252, so text is mapped onto it first.
 *
 * Pages: content stops FOOTER_BAND above the bottom margin; the footer and
 * "Page n of N" are written into that band once every page exists (pages are
 * buffered), with the bottom margin lifted while they are written, so a footer
 * never makes pdfkit start another page. Helpers only start a page right
 * before they draw on it, so no page is left empty.
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
/** Room between the content and the bottom margin, where the footer sits. */
const FOOTER_BAND = 24;
export const COLORS = {
  text: "#1d2430",
  muted: "#5b6576",
  accent: "#2457c5",
  ok: "#1b7a43",
  bad: "#b42318",
  rule: "#d9dee7",
  fill: "#f2f4f8",
};
const BASE_SIZE = 10;

/** What every PDF's footer says: left the document, right "Page n of N". */
export const pageLabel = (page: number, pages: number) => `Page ${page} of ${pages}`;

export function createPdf(meta: { title: string; subject?: string }) {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_BAND },
    bufferPages: true,
    info: {
      Title: pdfText(meta.title),
      Subject: meta.subject ? pdfText(meta.subject) : undefined,
      Creator: "AI Maturity & Governance Portal",
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array<ArrayBuffer>>((resolve, reject) => {
    doc.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on("error", reject);
  });
  return {
    doc,
    /** Writes the footer and "Page n of N" on every page, then finishes the document. */
    finish(footer: string): Promise<Uint8Array<ArrayBuffer>> {
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        const bottomMargin = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        const y = doc.page.height - MARGIN - 9;
        const width = contentWidth(doc);
        doc
          .moveTo(MARGIN, y - 6)
          .lineTo(MARGIN + width, y - 6)
          .lineWidth(0.5)
          .strokeColor(COLORS.rule)
          .stroke();
        doc.font("Helvetica").fontSize(8).fillColor(COLORS.muted);
        const page = pageLabel(i - range.start + 1, range.count);
        const pageWidth = doc.widthOfString(page);
        // The footer text is cut to one line so it never meets the page number.
        const [line = ""] = wrapLines(doc, pdfText(footer), width - pageWidth - 18);
        doc.text(line, MARGIN, y, { lineBreak: false });
        doc.text(page, MARGIN + width - pageWidth, y, { lineBreak: false });
        doc.page.margins.bottom = bottomMargin;
      }
      doc.end();
      return done;
    },
  };
}

export const contentWidth = (doc: Pdf) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const contentBottom = (doc: Pdf) => doc.page.height - doc.page.margins.bottom;
const left = (doc: Pdf) => doc.page.margins.left;

/** Starts a new page unless `height` more points fit on this one. */
export function ensureSpace(doc: Pdf, height: number) {
  if (doc.y + height > contentBottom(doc)) doc.addPage();
  doc.x = left(doc);
}

export function title(doc: Pdf, text: string, subtitle?: string) {
  doc
    .font("Helvetica-Bold")
    .fontSize(20)
    .fillColor(COLORS.text)
    .text(pdfText(text), left(doc), doc.y, { width: contentWidth(doc) });
  if (subtitle)
    doc
      .moveDown(0.2)
      .font("Helvetica")
      .fontSize(11)
      .fillColor(COLORS.muted)
      .text(pdfText(subtitle), { width: contentWidth(doc) });
  doc.moveDown(0.8);
}

/** Room a one-line level-1 heading takes with the space around it. */
const HEADING_HEIGHT = 36;

/** A heading kept on the same page as the first `keepWith` points of what follows. */
export function heading(doc: Pdf, text: string, level: 1 | 2 = 1, keepWith = 50) {
  ensureSpace(doc, HEADING_HEIGHT + keepWith);
  doc.moveDown(level === 1 ? 0.8 : 0.5);
  doc
    .font("Helvetica-Bold")
    .fontSize(level === 1 ? 14 : 11.5)
    .fillColor(level === 1 ? COLORS.accent : COLORS.text)
    .text(pdfText(text), left(doc), doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

export function paragraph(doc: Pdf, text: string, options: { muted?: boolean; size?: number; bold?: boolean; color?: string } = {}) {
  doc.font(options.bold ? "Helvetica-Bold" : "Helvetica").fontSize(options.size ?? BASE_SIZE);
  ensureSpace(doc, doc.currentLineHeight(true));
  doc
    .fillColor(options.color ?? (options.muted ? COLORS.muted : COLORS.text))
    .text(pdfText(text), left(doc), doc.y, { width: contentWidth(doc), align: "left" });
  doc.moveDown(0.4);
}

/** A boxed notice across the page (e.g. "Withdrawn"), kept whole on one page. */
export function notice(doc: Pdf, heading: string, body: string, color: string = COLORS.bad) {
  const width = contentWidth(doc) - 20;
  doc.font("Helvetica-Bold").fontSize(12);
  const headHeight = doc.heightOfString(pdfText(heading), { width });
  doc.font("Helvetica").fontSize(BASE_SIZE);
  const bodyHeight = body ? doc.heightOfString(pdfText(body), { width }) : 0;
  const height = headHeight + bodyHeight + 20;
  ensureSpace(doc, height + 8);
  const y = doc.y;
  doc.rect(left(doc), y, contentWidth(doc), height).lineWidth(1.5).strokeColor(color).stroke();
  doc
    .font("Helvetica-Bold")
    .fontSize(12)
    .fillColor(color)
    .text(pdfText(heading), left(doc) + 10, y + 10, { width });
  if (body)
    doc
      .font("Helvetica")
      .fontSize(BASE_SIZE)
      .fillColor(COLORS.text)
      .text(pdfText(body), left(doc) + 10, y + 10 + headHeight + 2, { width });
  doc.x = left(doc);
  doc.y = y + height + 10;
}

/**
 * Breaks text into lines no wider than `width` in the current font: at spaces,
 * and inside a word only when the word alone is wider than the line.
 */
export function wrapLines(doc: Pdf, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const source of text.split("\n")) {
    let line = "";
    for (const word of source.split(/[ \t]+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (doc.widthOfString(candidate) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      let rest = word;
      while (rest.length > 1 && doc.widthOfString(rest) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && doc.widthOfString(rest.slice(0, cut)) > width) cut--;
        // Prefer to break a long word (a URL, a hyphenated name) after a separator.
        const separator = Math.max(...["-", "/", "_", ".", "?", "&", "="].map((c) => rest.lastIndexOf(c, cut - 1)));
        if (separator >= cut / 2) cut = separator + 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

export type Column = {
  header: string;
  /** Share of the content width; columns that must not wrap grow as needed, the others give way. */
  width: number;
  align?: "left" | "right" | "center";
  /** Dates, numbers and short codes: kept on one line, never broken. */
  nowrap?: boolean;
};
export type Cell = string | { text: string; color?: string; bold?: boolean };
type TableOptions = {
  header?: boolean;
  size?: number;
  /** The first column is a label (bold, muted). */
  labelColumn?: boolean;
  rules?: boolean;
  /** Starts a new page rather than splitting the table when it fits on one page. */
  keepTogether?: boolean;
  /** A heading above the table, kept on the page of the header row and the first row. */
  title?: string;
};

const PAD_X = 3;
const PAD_Y = 3;

/** Column widths in points: shares of the width, widened where a no-wrap cell (or a header word) needs it. */
function columnWidths(doc: Pdf, columns: Column[], rows: Array<Array<{ text: string; bold?: boolean }>>, size: number, total: number) {
  const widths = columns.map((c) => c.width * total);
  const needed = columns.map((column, i) => {
    doc.font("Helvetica-Bold").fontSize(size);
    let need = Math.max(0, ...column.header.split(/\s+/).map((w) => doc.widthOfString(pdfText(w))));
    if (column.nowrap) {
      for (const row of rows) {
        const cell = row[i];
        if (!cell) continue;
        doc.font(cell.bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
        for (const part of cell.text.split("\n")) need = Math.max(need, doc.widthOfString(pdfText(part)));
      }
    }
    return need + 2 * PAD_X + 0.5;
  });
  let extra = 0;
  widths.forEach((w, i) => {
    if (needed[i]! > w) {
      extra += needed[i]! - w;
      widths[i] = needed[i]!;
    }
  });
  if (extra > 0) {
    const flexible = widths.map((w, i) => (columns[i]!.nowrap || needed[i]! >= w ? 0 : w - needed[i]!));
    const slack = flexible.reduce((a, b) => a + b, 0);
    const take = Math.min(1, extra / (slack || 1));
    widths.forEach((w, i) => (widths[i] = w - flexible[i]! * take));
  }
  return widths;
}

/**
 * A table: row heights fit their tallest cell, so long text wraps without
 * overprinting the next row; no-wrap columns widen to fit their text; a row
 * that does not fit starts a new page, which repeats the header row; a row
 * taller than a page continues on the next. Widths are shares of the content width.
 */
export function table(doc: Pdf, columns: Column[], rows: Cell[][], options: TableOptions = {}) {
  const size = options.size ?? 8.5;
  const total = contentWidth(doc);
  const x0 = left(doc);
  const cellsOf = (row: Cell[]) => row.map((cell) => (typeof cell === "string" ? { text: cell } : cell));
  const body = rows.map(cellsOf);
  const widths = columnWidths(doc, columns, body, size, total);
  const showHeader = options.header !== false;
  const header = columns.map((c) => ({ text: c.header, bold: true }));

  const layout = (cells: Array<{ text: string; bold?: boolean }>, isHeader: boolean) =>
    cells.map((cell, i) => {
      doc.font(cell.bold || isHeader || (options.labelColumn && i === 0) ? "Helvetica-Bold" : "Helvetica").fontSize(size);
      const text = pdfText(cell.text);
      return columns[i]!.nowrap && !isHeader ? text.split("\n") : wrapLines(doc, text, widths[i]! - 2 * PAD_X);
    });
  doc.font("Helvetica").fontSize(size);
  const lineHeight = doc.currentLineHeight(true);
  const heightOf = (lines: string[][]) => Math.max(1, ...lines.map((l) => l.length)) * lineHeight + 2 * PAD_Y;

  const drawLines = (
    cells: Array<{ text: string; color?: string; bold?: boolean }>,
    lines: string[][],
    from: number,
    count: number,
    isHeader: boolean,
  ) => {
    const y = doc.y;
    const height = count * lineHeight + 2 * PAD_Y;
    if (isHeader) doc.rect(x0, y, total, height).fill(COLORS.fill);
    let x = x0;
    cells.forEach((cell, i) => {
      const bold = cell.bold || isHeader || (options.labelColumn && i === 0);
      doc
        .font(bold ? "Helvetica-Bold" : "Helvetica")
        .fontSize(size)
        .fillColor(cell.color ?? (options.labelColumn && i === 0 ? COLORS.muted : COLORS.text));
      const align = columns[i]!.align ?? "left";
      lines[i]!.slice(from, from + count).forEach((line, n) => {
        const room = widths[i]! - 2 * PAD_X - doc.widthOfString(line);
        const dx = align === "right" ? room : align === "center" ? room / 2 : 0;
        doc.text(line, x + PAD_X + Math.max(0, dx), y + PAD_Y + n * lineHeight, { lineBreak: false });
      });
      x += widths[i]!;
    });
    if (options.rules !== false)
      doc
        .moveTo(x0, y + height)
        .lineTo(x0 + total, y + height)
        .strokeColor(COLORS.rule)
        .lineWidth(0.5)
        .stroke();
    doc.x = x0;
    doc.y = y + height;
  };

  const headerLines = layout(header, true);
  const headerHeight = showHeader ? heightOf(headerLines) : 0;
  const drawHeader = () =>
    showHeader &&
    drawLines(
      header,
      headerLines,
      0,
      headerLines.reduce((n, l) => Math.max(n, l.length), 1),
      true,
    );
  const fullPage = () => contentBottom(doc) - doc.page.margins.top - headerHeight;

  // The header never sits alone at the bottom of a page.
  const firstLines = body[0] ? layout(body[0], false) : null;
  const wholeHeight = options.keepTogether ? headerHeight + body.reduce((sum, row) => sum + heightOf(layout(row, false)), 0) : 0;
  const titleHeight = options.title ? HEADING_HEIGHT : 0;
  if (options.keepTogether && wholeHeight <= fullPage() + headerHeight) ensureSpace(doc, titleHeight + wholeHeight);
  else ensureSpace(doc, titleHeight + headerHeight + (firstLines ? Math.min(heightOf(firstLines), lineHeight * 3 + 2 * PAD_Y) : 0));
  if (options.title) heading(doc, options.title, 1, 0);
  drawHeader();
  body.forEach((cells, r) => {
    const lines = r === 0 && firstLines ? firstLines : layout(cells, false);
    const lineCount = Math.max(1, ...lines.map((l) => l.length));
    let from = 0;
    while (from < lineCount) {
      const room = Math.floor((contentBottom(doc) - doc.y - 2 * PAD_Y) / lineHeight);
      const rest = lineCount - from;
      // Start a fresh page when the row does not fit here but would on a page of its own (or nothing fits here).
      const wholeRowFitsOnAPage = rest * lineHeight + 2 * PAD_Y <= fullPage();
      if (room < 1 || (room < rest && wholeRowFitsOnAPage)) {
        doc.addPage();
        doc.x = x0;
        drawHeader();
        continue;
      }
      const count = Math.min(room, rest);
      drawLines(cells, lines, from, count, false);
      from += count;
    }
  });
  doc.moveDown(0.6);
}

/** Label and value rows (a two-column table without a header), kept on one page, under an optional heading. */
export function keyValues(doc: Pdf, rows: Array<[string, string]>, title?: string) {
  table(
    doc,
    [
      { header: "", width: 0.42 },
      { header: "", width: 0.58 },
    ],
    rows,
    { header: false, size: 9.5, labelColumn: true, rules: false, keepTogether: true, title },
  );
}

export type Run = { text: string; bold?: boolean; italic?: boolean; code?: boolean; strike?: boolean; link?: string };

const runFont = (run: Run) =>
  run.code
    ? "Courier"
    : run.bold && run.italic
      ? "Helvetica-BoldOblique"
      : run.bold
        ? "Helvetica-Bold"
        : run.italic
          ? "Helvetica-Oblique"
          : "Helvetica";

/**
 * A paragraph of styled runs (bold, italic, code, struck out, links as link annotations)
 * flowing over pages; `indent` moves every line right (list items), `marker`
 * is drawn in the indent of the first line ("•", "1.").
 */
export function richParagraph(doc: Pdf, runs: Run[], options: { indent?: number; marker?: string; size?: number; color?: string } = {}) {
  const size = options.size ?? BASE_SIZE;
  const indent = options.indent ?? 0;
  const parts = runs.map((run) => ({ ...run, text: pdfText(run.text) })).filter((run) => run.text !== "");
  if (parts.length === 0) return;
  doc.font("Helvetica").fontSize(size);
  ensureSpace(doc, doc.currentLineHeight(true));
  const x = left(doc) + indent;
  const y = doc.y;
  if (options.marker) {
    const markerWidth = doc.widthOfString(options.marker);
    doc.fillColor(COLORS.text).text(options.marker, x - markerWidth - 4, y, { lineBreak: false });
  }
  // Hard line breaks end one flow of continued runs and start the next (pdfkit drops a break between runs).
  const lines: Run[][] = [[]];
  for (const run of parts) {
    run.text.split("\n").forEach((piece, k) => {
      if (k > 0) lines.push([]);
      if (piece) lines[lines.length - 1]!.push({ ...run, text: piece });
    });
  }
  doc.x = x;
  doc.y = y;
  for (const line of lines) {
    const flow = line.length ? line : [{ text: " " }];
    flow.forEach((run, i) => {
      doc
        .font(runFont(run))
        .fontSize(size)
        .fillColor(run.link ? COLORS.accent : (options.color ?? COLORS.text));
      const textOptions = {
        width: contentWidth(doc) - indent,
        continued: i < flow.length - 1,
        link: run.link ?? null,
        underline: Boolean(run.link),
        strike: Boolean(run.strike),
      };
      if (i === 0) doc.text(run.text, x, doc.y, textOptions);
      else doc.text(run.text, textOptions);
    });
  }
  doc.x = left(doc);
  doc.moveDown(0.4);
}

export function pdfResponse(bytes: Uint8Array<ArrayBuffer>, filename: string, disposition: "inline" | "attachment" = "inline"): Response {
  return new Response(bytes, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(disposition, filename),
      "Cache-Control": "private, no-store",
    },
  });
}
