import { describe, expect, it } from "vitest";
import { whyCannotDecide, type DeciderFacts } from "./approval-deciders";

const request = (overrides: Partial<DeciderFacts> = {}): DeciderFacts => ({
  pendingRoles: ["ethics", "leadership"],
  requesterUserId: 1,
  ownerUserId: 2,
  decidedByUserIds: [],
  ...overrides,
});

describe("whyCannotDecide", () => {
  it("lets a member of a role the request waits for decide", () => {
    expect(whyCannotDecide(request(), { role: "ethics", userId: 3 })).toBeNull();
    expect(whyCannotDecide(request({ requesterUserId: null, ownerUserId: null }), { role: "leadership", userId: 3 })).toBeNull();
  });

  it("tells the requester and the model's owner that others decide (four eyes), whatever their role", () => {
    expect(whyCannotDecide(request(), { role: "ethics", userId: 1 })).toBe(
      "You opened this request, so others decide it (four-eyes rule).",
    );
    expect(whyCannotDecide(request(), { role: "leadership", userId: 2 })).toBe(
      "You own this model, so others decide its promotion (four-eyes rule).",
    );
  });

  it("tells a member who already decided, and one whose role is not needed", () => {
    expect(whyCannotDecide(request({ decidedByUserIds: [3] }), { role: "ethics", userId: 3 })).toBe(
      "You have already decided on this request.",
    );
    expect(whyCannotDecide(request({ pendingRoles: ["leadership"] }), { role: "ethics", userId: 3 })).toBe(
      "It waits for leadership; your role (ethics) does not decide it.",
    );
    expect(whyCannotDecide(request(), { role: "team", userId: 3 })).toBe(
      "It waits for ethics and leadership; your role (team) does not decide it.",
    );
  });
});
