import { describe, expect, it } from "vitest";
import { DUE_SOON_DAYS, dueSoonHorizon } from "./due";

describe("dueSoonHorizon", () => {
  it("is the day DUE_SOON_DAYS after today", () => {
    expect(DUE_SOON_DAYS).toBe(14);
    expect(dueSoonHorizon("2026-12-03")).toBe("2026-12-17");
  });

  it("crosses months and years, and takes another window", () => {
    expect(dueSoonHorizon("2026-12-25")).toBe("2027-01-08");
    expect(dueSoonHorizon("2028-02-28", 1)).toBe("2028-02-29");
  });
});
