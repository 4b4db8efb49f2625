import { describe, expect, it } from "vitest";
import { forbidden, httpError, notFound, safeRedirect } from "./http";

describe("safeRedirect", () => {
  it("accepts same-site relative paths with query strings", () => {
    expect(safeRedirect("/orgs/demo?x=1")).toBe("/orgs/demo?x=1");
    expect(safeRedirect("/")).toBe("/");
    expect(safeRedirect("/orgs/demo#section")).toBe("/orgs/demo#section");
  });

  it("refuses protocol-relative and absolute URLs", () => {
    expect(safeRedirect("//evil.com")).toBe("/");
    expect(safeRedirect("https://evil.com")).toBe("/");
    expect(safeRedirect("javascript:alert(1)")).toBe("/");
    expect(safeRedirect("evil.com/path")).toBe("/");
  });

  it("refuses backslash tricks browsers treat as //", () => {
    expect(safeRedirect("/\\evil")).toBe("/");
    expect(safeRedirect("/\\evil.com")).toBe("/");
  });

  it("uses the fallback for missing or non-string values", () => {
    expect(safeRedirect(null, "/orgs")).toBe("/orgs");
    expect(safeRedirect(undefined, "/orgs")).toBe("/orgs");
    expect(safeRedirect("", "/orgs")).toBe("/orgs");
    expect(safeRedirect(new File(["x"], "x.txt"), "/orgs")).toBe("/orgs");
    expect(safeRedirect("//evil.com", "/orgs/demo")).toBe("/orgs/demo");
  });

  // Browsers strip tab/newline characters while parsing URLs, so
  // "/\t/evil.com" in a Location header resolves to "//evil.com" (another host).
  it("refuses paths that become protocol-relative once the browser strips tabs/newlines", () => {
    const attack = "/\t/evil.com";
    expect(new URL(attack, "https://portal.example").host).toBe("evil.com"); // what a browser does
    expect(safeRedirect(attack)).toBe("/");
  });

  it("never returns a URL that resolves to another host (for the accepted cases)", () => {
    for (const to of ["/orgs/demo?x=1", "/a/b/../c", "/%2F%2Fevil.com"]) {
      const target = safeRedirect(to);
      expect(new URL(target, "https://portal.example").host, to).toBe("portal.example");
    }
  });
});

describe("httpError helpers", () => {
  it("builds responses with status and message", async () => {
    const res = httpError(409, "Conflict here");
    expect(res.status).toBe(409);
    expect(res.statusText).toBe("Conflict here");
    expect(await res.text()).toBe("Conflict here");
  });

  it("has 404 and 403 shorthands with defaults", async () => {
    expect(notFound().status).toBe(404);
    expect(await notFound().text()).toBe("Not found");
    expect(await notFound("Organisation not found").text()).toBe("Organisation not found");
    expect(forbidden().status).toBe(403);
    expect(await forbidden().text()).toBe("You do not have permission to do that");
  });
});
