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
