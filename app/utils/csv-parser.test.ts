import { describe, expect, it } from "vitest";
import { CsvError, CsvParser, parseCsvStream } from "./csv-parser";

type Row = { fields: string[]; rowNumber: number };

/** Parses `text` pushed as the given chunks. */
function parseChunks(chunks: string[], options?: ConstructorParameters<typeof CsvParser>[1]): Row[] {
  const rows: Row[] = [];
  const parser = new CsvParser((fields, rowNumber) => rows.push({ fields, rowNumber }), options);
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return rows;
}

const parse = (text: string, options?: ConstructorParameters<typeof CsvParser>[1]) => parseChunks([text], options).map((r) => r.fields);

async function* from<T>(chunks: T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("CsvParser basics", () => {
  it("splits simple rows and numbers them from 1 (header = row 1)", () => {
    expect(parseChunks(["a,b,c\n1,2,3\n4,5,6\n"])).toEqual([
      { fields: ["a", "b", "c"], rowNumber: 1 },
      { fields: ["1", "2", "3"], rowNumber: 2 },
      { fields: ["4", "5", "6"], rowNumber: 3 },
    ]);
  });

  it("reads the last row without a trailing newline", () => {
    expect(parse("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("keeps empty fields, including a trailing comma", () => {
    expect(parse("a,,c\n,,\nx,")).toEqual([
      ["a", "", "c"],
      ["", "", ""],
      ["x", ""],
    ]);
  });

  it("handles quoted fields with commas, escaped quotes and embedded newlines", () => {
    const text = 'name,quote\n"Smith, Ada","She said ""hi"""\n"multi\nline\r\ntext",plain\n"",""\n';
    expect(parse(text)).toEqual([
      ["name", "quote"],
      ["Smith, Ada", 'She said "hi"'],
      ["multi\nline\r\ntext", "plain"],
      ["", ""],
    ]);
  });

  it("handles CRLF line endings and keeps a lone CR as data", () => {
    expect(parse("a,b\r\n1,2\r\n3,x\ry\r\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "x\ry"],
    ]);
  });

  it("treats a final CR as the end of the last row", () => {
    expect(parse("a,b\r\n1,2\r")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("strips a UTF-8 BOM at the start only", () => {
    expect(parse("\uFEFFid,name\n1,\uFEFFx\n")).toEqual([
      ["id", "name"],
      ["1", "\uFEFFx"],
    ]);
  });

  it("skips empty lines without counting them", () => {
    expect(parseChunks(["\na,b\n\n\r\n1,2\n\n"])).toEqual([
      { fields: ["a", "b"], rowNumber: 1 },
      { fields: ["1", "2"], rowNumber: 2 },
    ]);
  });

  it('keeps a row holding just "" (a quoted empty field, not an empty line)', () => {
    expect(parse('a\n""\nb\n')).toEqual([["a"], [""], ["b"]]);
  });

  it("passes ragged rows through", () => {
    expect(parse("a,b,c\n1\n1,2,3,4\n")).toEqual([["a", "b", "c"], ["1"], ["1", "2", "3", "4"]]);
  });

  it("is lenient about stray quotes like Python's csv module", () => {
    expect(parse('a,b\nab"c,"x"y\n')).toEqual([
      ["a", "b"],
      ['ab"c', "xy"],
    ]);
  });

  it("returns no rows for an empty input", () => {
    expect(parse("")).toEqual([]);
    expect(parse("\uFEFF")).toEqual([]);
    expect(parse("\n\r\n\n")).toEqual([]);
  });

  it("throws a CsvError on an unterminated quote at the end", () => {
    const error = catchError(() => parse('a,b\n1,"open\n2,3\n'));
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).rowNumber).toBe(2);
    expect((error as CsvError).message).toBe("A quoted field is never closed (unterminated quote)");
  });

  it("throws a CsvError when a row has more than maxFields fields (fast and quoted paths)", () => {
    const fast = catchError(() => parse("a,b\n1,2,3,4\n", { maxFields: 3 }));
    expect(fast).toBeInstanceOf(CsvError);
    expect((fast as CsvError).rowNumber).toBe(2);
    expect((fast as CsvError).message).toBe("The row has more than 3 fields");
    const quoted = catchError(() => parse('a,b\n"1",2,3,4\n', { maxFields: 3 }));
    expect(quoted).toBeInstanceOf(CsvError);
    expect((quoted as CsvError).rowNumber).toBe(2);
    // Exactly the limit is fine.
    expect(parse("1,2,3\n", { maxFields: 3 })).toEqual([["1", "2", "3"]]);
  });

  it("has a default limit of 10,000 fields", () => {
    expect(parse(",".repeat(9_999))[0]).toHaveLength(10_000);
    expect(() => parse(",".repeat(10_000))).toThrow(CsvError);
  });

  it("throws a CsvError when a field exceeds maxFieldLength (fast and quoted paths)", () => {
    expect(parse("abcde,x\n", { maxFieldLength: 5 })).toEqual([["abcde", "x"]]);
    expect(() => parse("abcdef,x\n", { maxFieldLength: 5 })).toThrow(CsvError);
    expect(() => parse('"abc\ndef",x\n', { maxFieldLength: 5 })).toThrow(/longer than 5 characters/);
    // Also when the long field arrives across many chunks.
    expect(() => parseChunks(['"', "ab", "cd", "ef", '"\n'], { maxFieldLength: 5 })).toThrow(CsvError);
  });

  it("refuses push() after end()", () => {
    const parser = new CsvParser(() => {});
    parser.end();
    expect(() => parser.push("a")).toThrow(/after end/);
  });
});

describe("CsvParser chunk boundaries", () => {
  // Quotes, escaped quotes, embedded CRLF and LF, commas, a BOM, empty lines,
  // a lone CR, multi-unit characters and no final newline.
  const tricky = '\uFEFFid,"na,me",note\r\n1,"a ""b"" c","x\r\ny"\n\n2,plain,"\n"\r\n3,"",e\u0301😀\r\n\r\n4,"q""",z\rw\n5,last,"end"';
  const expected = [
    ["id", "na,me", "note"],
    ["1", 'a "b" c', "x\r\ny"],
    ["2", "plain", "\n"],
    ["3", "", "e\u0301😀"],
    ["4", 'q"', "z\rw"],
    ["5", "last", "end"],
  ];

  it("parses the tricky input in one chunk", () => {
    expect(parse(tricky)).toEqual(expected);
  });

  it("gives the same rows and row numbers for every split into two chunks", () => {
    for (let i = 0; i <= tricky.length; i++) {
      const rows = parseChunks([tricky.slice(0, i), tricky.slice(i)]);
      expect(
        rows.map((r) => r.fields),
        `split at ${i}`,
      ).toEqual(expected);
      expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it("gives the same rows for every split into three chunks", () => {
    for (let i = 0; i <= tricky.length; i++) {
      for (let j = i; j <= tricky.length; j++) {
        const rows = parseChunks([tricky.slice(0, i), tricky.slice(i, j), tricky.slice(j)]);
        expect(
          rows.map((r) => r.fields),
          `split at ${i} and ${j}`,
        ).toEqual(expected);
      }
    }
  });

  it("gives the same rows one character at a time", () => {
    expect(parseChunks([...tricky.split("")]).map((r) => r.fields)).toEqual(expected);
  });

  it("gives the same rows for every split of the UTF-8 bytes (inside multi-byte characters too)", async () => {
    const bytes = bytesOf(tricky);
    expect(bytes[0]).toBe(0xef); // the BOM is really there
    for (let i = 0; i <= bytes.length; i++) {
      const rows: string[][] = [];
      const result = await parseCsvStream(from([bytes.subarray(0, i), bytes.subarray(i)]), (fields) => rows.push(fields));
      expect(rows, `byte split at ${i}`).toEqual(expected);
      expect(result).toEqual({ rows: 6, bytes: bytes.length });
    }
  });

  it("round-trips random tables under random chunking", () => {
    // A tiny deterministic PRNG (mulberry32) so failures are reproducible.
    let seed = 12345;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = ["a", "b", "1", " ", ",", '"', "\n", "\r", "\r\n", "é", "😀", "×"];
    const encode = (field: string, alone: boolean) =>
      /[",\r\n]/.test(field) || (alone && field === "") ? `"${field.replaceAll('"', '""')}"` : field;
    for (let round = 0; round < 200; round++) {
      const table: string[][] = [];
      const rowCount = 1 + Math.floor(random() * 6);
      for (let r = 0; r < rowCount; r++) {
        const row: string[] = [];
        const width = 1 + Math.floor(random() * 4);
        for (let f = 0; f < width; f++) {
          let field = "";
          const length = Math.floor(random() * 5);
          for (let k = 0; k < length; k++) field += alphabet[Math.floor(random() * alphabet.length)];
          row.push(field);
        }
        table.push(row);
      }
      const eol = random() < 0.5 ? "\n" : "\r\n";
      const text = table.map((row) => row.map((f) => encode(f, row.length === 1)).join(",")).join(eol) + (random() < 0.5 ? eol : "");
      const chunks: string[] = [];
      for (let start = 0; start < text.length;) {
        const size = 1 + Math.floor(random() * 8);
        chunks.push(text.slice(start, start + size));
        start += size;
      }
      expect(
        parseChunks(chunks).map((r) => r.fields),
        JSON.stringify(text),
      ).toEqual(table);
    }
  });
});

describe("parseCsvStream", () => {
  it("decodes UTF-8 bytes, strips the BOM and counts rows (header included) and bytes", async () => {
    const rows: string[][] = [];
    const bytes = bytesOf("\uFEFFrace,y\r\nAfrican-American,1\r\nCaucasian,0\r\n");
    const result = await parseCsvStream(from([bytes]), (fields) => rows.push(fields));
    expect(rows).toEqual([
      ["race", "y"],
      ["African-American", "1"],
      ["Caucasian", "0"],
    ]);
    expect(result).toEqual({ rows: 3, bytes: bytes.length });
  });

  it("accepts string chunks and counts their UTF-8 bytes", async () => {
    const rows: string[][] = [];
    const result = await parseCsvStream(from(["a,b\n", "é,😀\n"]), (fields) => rows.push(fields));
    expect(rows).toEqual([
      ["a", "b"],
      ["é", "😀"],
    ]);
    expect(result).toEqual({ rows: 2, bytes: 4 + 2 + 1 + 4 + 1 });
  });

  it("returns 0 rows for an empty file", async () => {
    const onRow = () => {
      throw new Error("no rows expected");
    };
    await expect(parseCsvStream(from([]), onRow)).resolves.toEqual({ rows: 0, bytes: 0 });
    await expect(parseCsvStream(from([new Uint8Array(0)]), onRow)).resolves.toEqual({ rows: 0, bytes: 0 });
  });

  it("throws a CsvError for invalid UTF-8, naming the row", async () => {
    const latin1 = new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x2c, 0x31, 0x0a]); // "a,b\ncafé,1\n" in Latin-1
    const rows: string[][] = [];
    const error = await parseCsvStream(from([latin1]), (fields) => rows.push(fields)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe("The file is not valid UTF-8");
    expect((error as CsvError).rowNumber).toBe(2);
    expect(rows).toEqual([["a", "b"]]); // the valid rows before the bad bytes were still read
  });

  it("names the right row when the bad bytes follow a character split across chunks", async () => {
    const good = bytesOf('h\n"x\ny",é'); // row 2 spans two lines; é is 2 bytes
    const chunks = [good.subarray(0, good.length - 1), new Uint8Array([good[good.length - 1] ?? 0, 0x0a, 0x7a, 0x0a, 0xff, 0x0a])];
    const rows: string[][] = [];
    const error = await parseCsvStream(from(chunks), (fields) => rows.push(fields)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).rowNumber).toBe(4);
    expect(rows).toEqual([["h"], ["x\ny", "é"], ["z"]]);
  });

  it("throws a CsvError when the file ends inside a multi-byte character", async () => {
    const truncated = bytesOf("a,b\n1,é").subarray(0, -1);
    const error = await parseCsvStream(from([truncated]), () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe("The file is not valid UTF-8");
    expect((error as CsvError).rowNumber).toBe(2);
  });

  it("throws a CsvError for an unterminated quote", async () => {
    await expect(parseCsvStream(from([bytesOf('a,b\n1,"2\n')]), () => {})).rejects.toBeInstanceOf(CsvError);
  });

  it("passes the options on and propagates errors thrown by onRow", async () => {
    await expect(parseCsvStream(from(["a,b,c\n"]), () => {}, { maxFields: 2 })).rejects.toBeInstanceOf(CsvError);
    await expect(
      parseCsvStream(from(["a\nb\n"]), (_fields, rowNumber) => {
        if (rowNumber === 2) throw new RangeError("stop");
      }),
    ).rejects.toThrow(RangeError);
  });
});
