import { CsvParser } from "../../app/modules/governance/csv";

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
