import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../tests/setup/readers";
import { csvCell, csvLine, csvStream, toCsv } from "./csv-writer";

/**
 * Properties of the one CSV writer every export uses (audit log, bias audit,
 * assessment responses, roadmap): whatever the value, a spreadsheet never
 * runs it as a formula, and the file reads back cell for cell.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const SEED = Number(process.env.HOSTILE_SEED ?? 20_260_611);

/** What a reader of the file sees in the cell for `value`. */
function expectedCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const formulaLike = fc
  .tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\r\n", "=="), fc.string({ unit: "binary", maxLength: 30 }))
  .map(([start, rest]) => start + rest);
const anyText = fc.oneof(
  formulaLike,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", '"', ",", "'", "a", "\u0000", "\ud800"), maxLength: 20 }),
  fc.constantFrom('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "=1\n=2", '"=1"'),
);
const anyValue = fc.oneof(
  anyText,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(anyText, { maxLength: 2 }),
);

describe("csvCell: formula neutralisation", () => {
  it("never lets a cell start with = + - @ tab or CR, unless it is a number", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const [row] = parseCsv(`x,${csvCell(value)}\r\n`);
        const cell = row![1] ?? "";
        if (FORMULA_START.test(cell)) expect(typeof value).toBe("number");
        expect(cell).toBe(expectedCell(value));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("prefixes formula text with an apostrophe and keeps the rest of it exactly", () => {
    fc.assert(
      fc.property(formulaLike, (text) => {
        const [row] = parseCsv(`${csvLine(["x", text])}`);
        expect(row).toEqual(["x", `'${text}`]);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("leaves numbers alone (negative ones included) and writes no value for NaN and infinities", () => {
    expect([csvCell(-1.5), csvCell(0), csvCell(1e21), csvCell(Number.NaN), csvCell(Infinity), csvCell(-Infinity)]).toEqual([
      "-1.5",
      "0",
      "1e+21",
      "",
      "",
      "",
    ]);
    expect([csvCell("-1.5"), csvCell("+1"), csvCell(null), csvCell(undefined)]).toEqual(["'-1.5", "'+1", "", ""]);
  });
});

describe("toCsv / csvStream: rows read back cell for cell", () => {
  const table = fc.tuple(
    fc.array(anyText, { minLength: 1, maxLength: 5 }),
    fc.array(fc.array(anyValue, { maxLength: 6 }), { maxLength: 8 }),
  );

  it("toCsv: the same number of rows and cells, each cell as written (formulas neutralised)", () => {
    fc.assert(
      fc.property(table, ([header, rows]) => {
        // A BOM at the very start of a document is the reader's byte order mark, not data.
        fc.pre(!(header[0] ?? "").startsWith("\ufeff"));
        const parsed = parseCsv(toCsv(header, rows));
        const expected = [header, ...rows].map((r) => r.map(expectedCell));
        // Empty lines are skipped by readers: a row of one empty cell is not a row.
        expect(parsed).toEqual(expected.filter((r) => !(r.length === 0 || (r.length === 1 && r[0] === ""))));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("csvStream: the streamed file (with its byte order mark) reads back the same as toCsv", async () => {
    await fc.assert(
      fc.asyncProperty(table, async ([header, rows]) => {
        const stream = csvStream(header, function* () {
          yield rows.slice(0, 3);
          yield rows.slice(3);
        });
        const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
        expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
        // As UTF-8 bytes, lone surrogates become U+FFFD in both.
        const utf8 = (value: string) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(new TextEncoder().encode(value));
        expect(parseCsv(text)).toEqual(parseCsv(utf8(`\ufeff${toCsv(header, rows)}`)));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("csvStream: other work runs between batches while the file is read", async () => {
    const log: string[] = [];
    const stream = csvStream(["n"], function* () {
      for (let batch = 1; batch <= 3; batch++) {
        log.push(`batch ${batch}`);
        if (batch === 1) setImmediate(() => log.push("other work"));
        yield [[batch]];
      }
    });
    // text() reads past the byte order mark.
    expect(await new Response(stream).text()).toBe("n\r\n1\r\n2\r\n3\r\n");
    expect(log).toEqual(["batch 1", "other work", "batch 2", "batch 3"]);
  });
});
