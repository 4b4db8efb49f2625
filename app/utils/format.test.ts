import { describe, expect, it } from "vitest";
import { statusWords } from "./format";

describe("statusWords", () => {
  it("reads a stored status as the portal's sentences spell it", () => {
    expect(statusWords("in_review")).toBe("in review");
    expect(statusWords("finalized")).toBe("finalised");
    expect(statusWords("draft")).toBe("draft");
    expect(statusWords("changes_requested")).toBe("changes requested");
  });
});
