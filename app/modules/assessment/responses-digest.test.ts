import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../audit/hash";
import { responsesDigest, type DigestStatement } from "./responses-digest";

const statement = (status: string, extra: Partial<DigestStatement> = {}): DigestStatement => ({
  status,
  reason: null,
  evidenceNote: null,
  evidenceUrl: null,
  evidenceDate: null,
  ...extra,
});

describe("responsesDigest", () => {
  it("is the SHA-256 of the canonical JSON of every statement and question response", () => {
    const digest = responsesDigest(
      { "mlops.l2.1": statement("in_place", { evidenceNote: "CI" }) },
      { "mlops-automation": { level: 2, note: null } },
    );
    const expected = createHash("sha256")
      .update(
        canonicalJson({
          statements: { "mlops.l2.1": { status: "in_place", reason: null, evidence: { note: "CI", url: null, date: null } } },
          questions: { "mlops-automation": { level: 2, note: null } },
        }),
      )
      .digest("hex");
    expect(digest).toBe(expected);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not depend on the order responses were loaded in", () => {
    const a = { "x.l2.1": statement("none"), "x.l2.2": statement("partial") };
    const b = { "x.l2.2": statement("partial"), "x.l2.1": statement("none") };
    expect(responsesDigest(a, {})).toBe(responsesDigest(b, {}));
  });

  it("changes with any response: a status, an evidence note, a question's level or note", () => {
    const base = responsesDigest({ "x.l2.1": statement("none") }, { q: { level: 2, note: null } });
    const variants = [
      responsesDigest({ "x.l2.1": statement("partial") }, { q: { level: 2, note: null } }),
      responsesDigest({ "x.l2.1": statement("none", { evidenceNote: "log" }) }, { q: { level: 2, note: null } }),
      responsesDigest({ "x.l2.1": statement("none") }, { q: { level: 3, note: null } }),
      responsesDigest({ "x.l2.1": statement("none") }, { q: { level: 2, note: "why" } }),
      responsesDigest({}, { q: { level: 2, note: null } }),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });
});
