import { describe, expect, it } from "vitest";
import { contentDisposition } from "./content-disposition";

describe("contentDisposition", () => {
  it("keeps a readable ASCII file name and the exact name in filename*", () => {
    expect(contentDisposition("inline", "Résumé Screener 2.0.0 model card.pdf")).toBe(
      `inline; filename="Resume Screener 2.0.0 model card.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20Screener%202.0.0%20model%20card.pdf`,
    );
  });

  it("never lets a name break out of the quoted string or the header", () => {
    const header = contentDisposition("attachment", 'Evil "Co"; filename=x.exe\r\nSet-Cookie: a=b/../\u00e9.csv');
    const ascii = header.match(/filename="([^"]*)"/)![1]!;
    expect(ascii).not.toMatch(/["\\\r\n;/]/);
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.split("filename*=UTF-8''")[1]).toMatch(/^[A-Za-z0-9%._~!-]+$/);
    expect(decodeURIComponent(header.split("filename*=UTF-8''")[1]!)).toBe('Evil "Co"; filename=x.exe\r\nSet-Cookie: a=b/../\u00e9.csv');
  });
});
