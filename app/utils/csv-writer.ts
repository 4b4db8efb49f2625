import { contentDisposition } from "./content-disposition";

/**
 * CSV output for people who open it in spreadsheets: RFC 4180 quoting, and
 * cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * prefixed with an apostrophe so they stay text.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !(typeof value === "number")) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return csvLine(header) + rows.map(csvLine).join("");
}

export function csvResponse(body: string | ReadableStream<Uint8Array>, filename: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition("attachment", filename),
      "Cache-Control": "private, no-store",
    },
  });
}

/**
 * Streams CSV lines from an iterator of row batches, so large exports never sit in memory whole. Each batch is
 * written on its own turn of the event loop: Remix reads a response body as fast as it is given, so without one an
 * export of 200,000 audit events held the worker (and everyone else's requests) for two seconds.
 */
export function csvStream(header: string[], batches: () => Iterator<unknown[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let iterator: Iterator<unknown[][]> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("\uFEFF" + csvLine(header)));
      iterator = batches();
    },
    async pull(controller) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = iterator!.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
    },
  });
}
