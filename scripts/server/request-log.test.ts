import { describe, expect, it } from "vitest";
import { loggedPath, requestIdFor } from "./request-log";

describe("loggedPath", () => {
  it("keeps a path and its ordinary query as sent", () => {
    expect(loggedPath("/orgs/demo/models?stage=production&page=2")).toBe("/orgs/demo/models?stage=production&page=2");
    expect(loggedPath("/login?redirectTo=%2Forgs%2Fdemo")).toBe("/login?redirectTo=%2Forgs%2Fdemo");
  });

  it("replaces the values of query parameters that carry secrets", () => {
    expect(loggedPath("/x?token=abc&page=1&api_key=k&password=p&code=c&sig=s")).toBe(
      "/x?token=[redacted]&page=1&api_key=[redacted]&password=[redacted]&code=[redacted]&sig=[redacted]",
    );
    expect(loggedPath("/x?Access%5FToken=abc")).toBe("/x?Access%5FToken=[redacted]");
  });

  it("replaces the token of an invitation link, in the path", () => {
    expect(loggedPath("/invitations/Zx9-secret-token")).toBe("/invitations/[redacted]");
    expect(loggedPath("/invitations/Zx9-secret-token/accept?x=1")).toBe("/invitations/[redacted]/accept?x=1");
    expect(loggedPath("/invitations")).toBe("/invitations");
  });

  it("cuts a very long target to 1,000 characters", () => {
    expect(loggedPath(`/${"a".repeat(5_000)}`)).toHaveLength(1_000);
  });

  it("survives a malformed escape in a parameter name", () => {
    expect(loggedPath("/x?%E0%A4%A=1")).toBe("/x?%E0%A4%A=1");
  });
});

describe("requestIdFor", () => {
  it("takes a proxy's X-Request-Id only behind a trusted proxy, and only a sane one", () => {
    expect(requestIdFor("edge-42", { trustProxy: true })).toBe("edge-42");
    expect(requestIdFor("edge-42", { trustProxy: false })).not.toBe("edge-42");
    expect(requestIdFor("has space\nand line", { trustProxy: true })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(undefined, { trustProxy: true })).toMatch(/^[0-9a-f-]{36}$/);
  });
});
