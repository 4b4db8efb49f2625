import { CsvParser } from "./csv-parser";

/** The columns of a CSV file's header and a few values of each, read from its beginning. */
export type CsvSample = { columns: string[]; values: Record<string, string[]> };

/**
 * Reads the header and the first rows of `text` (the beginning of a CSV file,
 * as the browser reads the chosen file before uploading it), so the audit form
 * can offer the file's columns and show what values they hold. Only complete
 * rows count unless `complete` says `text` is the whole file. Values beyond
 * `maxValues` distinct ones per column are not listed (the column is then no
 * yes/no kind of column). Null when there is no header.
 */
export function sampleCsvText(text: string, { complete = false, maxRows = 500, maxValues = 10 } = {}): CsvSample | null {
  const header: string[] = [];
  /** Distinct values per column; null once a column has more than `maxValues`. */
  const distinct: Array<Set<string> | null> = [];
  let rows = 0;
  const parser = new CsvParser((fields, rowNumber) => {
    if (rowNumber === 1) {
      for (const field of fields) {
        header.push(field.trim());
        distinct.push(new Set());
      }
      return;
    }
    if (++rows > maxRows) return;
    fields.forEach((raw, i) => {
      const set = distinct[i];
      const value = raw.trim();
      if (!set || value === "") return;
      set.add(value);
      if (set.size > maxValues) distinct[i] = null;
    });
  });
  try {
    parser.push(text);
    if (complete) parser.end();
  } catch {
    // A malformed row further down: what was read so far is still a fair sample; the server reports the error.
  }
  const columns = [...new Set(header.filter((c) => c !== ""))];
  if (columns.length === 0) return null;
  const values: Record<string, string[]> = {};
  header.forEach((column, i) => {
    const set = distinct[i];
    if (column && set && set.size > 0) values[column] = [...set].sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
  });
  return { columns, values };
}

/** How much of a file's beginning `notCsvReason` is given: the browser reads this much of the chosen file, the server of the upload. */
export const CSV_SAMPLE_BYTES = 256 * 1024;

/** File kinds people pick by mistake, by the bytes they start with. */
const NOT_CSV_SIGNATURES: Array<{ kind: string; bytes: number[] }> = [
  { kind: "a PDF document", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { kind: "a spreadsheet or other ZIP archive (an .xlsx file?)", bytes: [0x50, 0x4b, 0x03, 0x04] }, // PK
  { kind: "an older Excel or Word file", bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { kind: "a PNG image", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { kind: "a JPEG image", bytes: [0xff, 0xd8, 0xff] },
  { kind: "a gzip archive", bytes: [0x1f, 0x8b] },
];

/**
 * Why the beginning of a chosen file (`bytes`) cannot be a CSV file, or null
 * when it reads as text: a known binary kind (a PDF, a spreadsheet), UTF-16
 * text, a NUL byte, or bytes that are not UTF-8. `complete`: `bytes` is the whole file
 * (otherwise a character cut at the end of the slice is not a fault). The
 * browser says so as soon as the file is chosen; the server checks the same
 * beginning of the upload (`auditSpooledUpload`), so the API and a form sent
 * without JavaScript are refused with the same words.
 */
export function notCsvReason(bytes: Uint8Array, { complete = false } = {}): string | null {
  const starts = (signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  const known = NOT_CSV_SIGNATURES.find(({ bytes: signature }) => starts(signature));
  const advice = "Choose a CSV file: text with a header row, such as a spreadsheet saved as CSV.";
  if (known) return `This file is ${known.kind}, not a CSV file. ${advice}`;
  // A byte order mark of UTF-16 (little- or big-endian): text, but not in the encoding the portal reads.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return "This file is UTF-16 text, not UTF-8 text the portal can read. Save it as “CSV UTF-8” and choose it again.";
  if (bytes.includes(0)) return `This file is not text, so not a CSV file. ${advice}`;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: !complete });
  } catch {
    return `This file is not UTF-8 text, so not a CSV file the portal can read. ${advice}`;
  }
  return null;
}
