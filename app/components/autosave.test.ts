import { describe, expect, it } from "vitest";
import { UNSAFE_ErrorResponseImpl } from "@remix-run/router";
import { failureReason, keepPageAfterFailedSave, retryDelayMs, saveFailureOf } from "./autosave";

describe("a save that got no answer from the action", () => {
  it("names why: the session ended (redirect to sign-in), a server error, or no connection", () => {
    const toLogin = new Response(null, { status: 302, headers: { Location: "/login?redirectTo=%2Forgs%2Fdemo" } });
    expect(saveFailureOf(toLogin)).toBe("signed-out");
    expect(saveFailureOf(new UNSAFE_ErrorResponseImpl(500, "Internal Server Error", null))).toBe("server");
    expect(saveFailureOf(new UNSAFE_ErrorResponseImpl(401, "Unauthorized", null))).toBe("signed-out");
    expect(saveFailureOf(new Response("oops", { status: 500 }))).toBe("server");
    expect(saveFailureOf(new Error("Unable to decode turbo-stream response"))).toBe("server");
    expect(saveFailureOf(new TypeError("Failed to fetch"))).toBe("offline");
  });

  it("lets any other redirect go on as usual", () => {
    expect(saveFailureOf(new Response(null, { status: 302, headers: { Location: "/orgs/demo/models/a/versions/1/card" } }))).toBeNull();
  });

  it("says it in plain words, and the page keeps its data after it", () => {
    expect(failureReason({ ok: false, failure: "signed-out" })).toBe("you were signed out: sign in again in another tab, then press Save");
    expect(failureReason({ ok: false, failure: "offline" })).toBe("could not reach the portal; retrying");
    expect(failureReason({ ok: false, errors: { "s.a.reason": "Say why" } })).toBe("some fields need fixing");
    expect(failureReason({ ok: false, errors: { "s.a.reason": "Say why" }, summary: "1 answer needs fixing" })).toBe(
      "1 answer needs fixing",
    );
    const revalidate = (actionResult: unknown) =>
      keepPageAfterFailedSave({ actionResult, defaultShouldRevalidate: true } as Parameters<typeof keepPageAfterFailedSave>[0]);
    expect(revalidate({ ok: false, failure: "offline" })).toBe(false);
    expect(revalidate({ ok: true })).toBe(true);
  });

  it("is tried again after 2, 5 and 15 seconds, then every 30", () => {
    expect([0, 1, 2, 3, 10].map(retryDelayMs)).toEqual([2_000, 5_000, 15_000, 30_000, 30_000]);
  });
});
