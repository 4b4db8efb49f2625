import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CsvParser } from "../../app/utils/csv-parser";

/** Rows of a CSV document, read with the portal's own (separately tested) RFC 4180 parser. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const parser = new CsvParser((fields) => rows.push(fields));
  parser.push(text);
  parser.end();
  return rows;
}

/** Pages of a PDF: `/Type /Page` dictionaries, not the `/Type /Pages` tree node. */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString("latin1");
  return (text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

export type PdfWord = { text: string; xMin: number; yMin: number; xMax: number; yMax: number };
export type PdfPage = { width: number; height: number; words: PdfWord[]; text: string };

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");

/** The pages of a PDF with every word and its box, read back by poppler's `pdftotext -bbox` (points, y downwards). */
export function readPdfPages(pdf: Uint8Array): PdfPage[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-pdf-"));
  try {
    const file = path.join(dir, "doc.pdf");
    fs.writeFileSync(file, pdf);
    const html = execFileSync("pdftotext", ["-bbox", "-enc", "UTF-8", file, "-"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const pages: PdfPage[] = [];
    for (const match of html.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)) {
      const words = [
        ...match[3]!.matchAll(/<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([\s\S]*?)<\/word>/g),
      ].map((w) => ({
        text: unescapeXml(w[5]!),
        xMin: Number(w[1]),
        yMin: Number(w[2]),
        xMax: Number(w[3]),
        yMax: Number(w[4]),
      }));
      pages.push({ width: Number(match[1]), height: Number(match[2]), words, text: words.map((w) => w.text).join(" ") });
    }
    return pages;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of a page as read by eye: words on the same baseline (within 1 pt), left to right, joined by spaces. */
export function pdfLines(page: PdfPage): string[] {
  const rows: PdfWord[][] = [];
  for (const word of [...page.words].sort((a, b) => a.yMax - b.yMax || a.xMin - b.xMin)) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(row[0]!.yMax - word.yMax) <= 1) row.push(word);
    else rows.push([word]);
  }
  return rows.map((row) =>
    row
      .sort((a, b) => a.xMin - b.xMin)
      .map((w) => w.text)
      .join(" "),
  );
}

/** The portal's PDF page frame: 54 pt margins, with the footer in the lowest FOOTER_BAND points inside them. */
export const PDF_MARGIN = 54;
const FOOTER_BAND = 24;
/** Words may stick out of their nominal boxes by this much (font ascent and descent). */
const TOLERANCE = 1.5;

/**
 * Everything wrong with a portal PDF's pages, as sentences (empty when fine):
 * a page with nothing but its footer, a missing or wrong "Page n of N", a word
 * outside the margins, two words whose boxes overlap (overprinted text).
 */
export function pdfLayoutProblems(pdf: Uint8Array, pages: PdfPage[] = readPdfPages(pdf)): string[] {
  const problems: string[] = [];
  if (pages.length !== pdfPageCount(pdf)) problems.push(`pdftotext read ${pages.length} pages of ${pdfPageCount(pdf)}`);
  pages.forEach((page, index) => {
    const n = index + 1;
    const footerTop = page.height - PDF_MARGIN - FOOTER_BAND + TOLERANCE;
    const footer = page.words.filter((w) => w.yMin >= footerTop);
    const content = page.words.filter((w) => w.yMin < footerTop);
    if (content.length === 0) problems.push(`page ${n} has nothing but its footer`);
    const footerText = footer.map((w) => w.text).join(" ");
    const labels = [...footerText.matchAll(/Page (\d+) of (\d+)/g)].map((m) => m[0]);
    if (labels.length !== 1 || labels[0] !== `Page ${n} of ${pages.length}`)
      problems.push(`page ${n}'s footer says ${JSON.stringify(footerText)}, not "Page ${n} of ${pages.length}"`);
    for (const w of content) {
      if (w.yMax > footerTop + TOLERANCE) problems.push(`page ${n}: "${w.text}" runs into the footer`);
    }
    for (const w of page.words) {
      if (
        w.xMin < PDF_MARGIN - TOLERANCE ||
        w.xMax > page.width - PDF_MARGIN + TOLERANCE ||
        w.yMin < PDF_MARGIN - TOLERANCE - 3 ||
        w.yMax > page.height - PDF_MARGIN + TOLERANCE
      ) {
        problems.push(
          `page ${n}: "${w.text}" lies outside the margins (${w.xMin.toFixed(1)},${w.yMin.toFixed(1)})-(${w.xMax.toFixed(1)},${w.yMax.toFixed(1)})`,
        );
      }
    }
    const words = [...page.words].sort((a, b) => a.yMin - b.yMin);
    for (let i = 0; i < words.length; i++) {
      const a = words[i]!;
      for (let j = i + 1; j < words.length && words[j]!.yMin < a.yMax - TOLERANCE; j++) {
        const b = words[j]!;
        const width = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
        const height = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
        if (width > TOLERANCE && height > TOLERANCE) problems.push(`page ${n}: "${a.text}" and "${b.text}" overlap`);
      }
    }
  });
  return problems;
}
