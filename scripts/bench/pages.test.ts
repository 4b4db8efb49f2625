import { describe, expect, it } from "vitest";
import { seededRandom } from "../../app/utils/seeded-random";
import { memberPages, pageMix } from "./pages";

const take = <T>(next: () => T, n: number) => Array.from({ length: n }, next);

describe("pageMix", () => {
  const pages = memberPages({ slug: "demo", modelSlug: "m", assessmentId: 1, roadmapId: 2 });

  it("requests every page once per round", () => {
    const order = take(pageMix(pages, seededRandom(1)), pages.length * 20);
    for (let r = 0; r < 20; r++) {
      const round = order.slice(r * pages.length, (r + 1) * pages.length);
      expect(new Set(round.map((p) => p.key)).size).toBe(pages.length);
    }
  });

  it("shuffles the rounds: not the listed order, and not one order every round", () => {
    const order = take(pageMix(pages, seededRandom(7)), pages.length * 20).map((p) => p.key);
    const rounds = new Set(Array.from({ length: 20 }, (_, r) => order.slice(r * pages.length, (r + 1) * pages.length).join()));
    expect(rounds.size).toBeGreaterThan(15);
    expect(rounds.has(pages.map((p) => p.key).join())).toBe(false);
  });

  it("puts each page first about equally often across connections", () => {
    const firsts = new Map<string, number>();
    for (let seed = 0; seed < 9000; seed++) {
      const key = pageMix(pages, seededRandom(seed))().key;
      firsts.set(key, (firsts.get(key) ?? 0) + 1);
    }
    expect(firsts.size).toBe(pages.length);
    for (const n of firsts.values()) expect(n).toBeGreaterThan(800); // 1,000 expected each
  });

  it("refuses an empty list", () => {
    expect(() => pageMix([], Math.random)).toThrow();
  });
});
