import { describe, expect, it } from "vitest";
import { notCsvReason, sampleCsvText } from "./csv-sample";

describe("sampleCsvText", () => {
  it("reads the header's columns and the distinct values of short columns", () => {
    const text = "\uFEFFid,race,two_year_recid,score_text\n1,African-American,1,High\n2,Caucasian,0,Low\n3,Caucasian,1,Medium\n";
    expect(sampleCsvText(text, { complete: true })).toEqual({
      columns: ["id", "race", "two_year_recid", "score_text"],
      values: {
        id: ["1", "2", "3"],
        race: ["African-American", "Caucasian"],
        two_year_recid: ["0", "1"],
        score_text: ["High", "Low", "Medium"],
      },
    });
  });

  it("leaves out the values of columns with many distinct values", () => {
    const lines = ["id,label", ...Array.from({ length: 30 }, (_, i) => `${i},${i % 2}`)];
    const sample = sampleCsvText(lines.join("\n"), { complete: true, maxValues: 10 })!;
    expect(sample.values.id).toBeUndefined();
    expect(sample.values.label).toEqual(["0", "1"]);
  });

  it("ignores a cut-off last row unless the text is the whole file, and handles quoted headers", () => {
    const text = '"group, with comma",label\nA,1\nB,0\nC,';
    expect(sampleCsvText(text)!.values).toEqual({ "group, with comma": ["A", "B"], label: ["0", "1"] });
    expect(sampleCsvText(text, { complete: true })!.values["group, with comma"]).toEqual(["A", "B", "C"]);
  });

  it("is null without a header row, and survives a malformed row", () => {
    expect(sampleCsvText("")).toBeNull();
    expect(sampleCsvText("no newline yet")).toBeNull();
    expect(sampleCsvText(",,\n1,2,3\n")).toBeNull();
    expect(sampleCsvText('a,b\n1,2\n"unterminated,3\n', { complete: true })).toEqual({
      columns: ["a", "b"],
      values: { a: ["1"], b: ["2"] },
    });
  });
});

describe("notCsvReason", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("names the kinds of file people choose by mistake", () => {
    expect(notCsvReason(bytes("%PDF-1.3\n%âãÏÓ\n1 0 obj"))).toMatch(/^This file is a PDF document, not a CSV file\./);
    expect(notCsvReason(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toMatch(/an \.xlsx file\?/);
  });

  it("says when a CSV is UTF-16 text (either byte order), which has NUL bytes but is text", () => {
    const utf16le = new Uint8Array(Buffer.from("\ufeffid,group\n1,a\n", "utf16le"));
    const utf16be = new Uint8Array(Buffer.from("\ufeffid,group\n1,a\n", "utf16le").swap16());
    for (const file of [utf16le, utf16be]) expect(notCsvReason(file, { complete: true })).toMatch(/^This file is UTF-16 text, .*CSV UTF-8/);
  });

  it("refuses bytes that are not text: a NUL, or what is not UTF-8", () => {
    expect(notCsvReason(bytes("id,group\n1,a\u0000"))).toMatch(/^This file is not text/);
    expect(notCsvReason(new Uint8Array([0x69, 0x64, 0x2c, 0xe9, 0x0a]), { complete: true })).toMatch(/not UTF-8 text/);
  });

  it("takes CSV text, also when the slice read ends inside a character", () => {
    expect(notCsvReason(bytes("\uFEFFid,région\n1,Île-de-France\n"), { complete: true })).toBeNull();
    const cut = bytes("id,group\n1,é").slice(0, -1); // the first byte of "é" only
    expect(notCsvReason(cut)).toBeNull();
    expect(notCsvReason(cut, { complete: true })).toMatch(/not UTF-8 text/);
  });
});
