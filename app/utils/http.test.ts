import { describe, expect, it } from "vitest";
import { BodyTooLarge, countedBody, forbidden, httpError, mediaType, notFound, readBodyUpTo, safeRedirect } from "./http";

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

  it("answers a target a Location header can carry: characters above U+00FF percent-encoded, same site", () => {
    for (const to of ["/\u2215\u2215evil.example", "/orgs/\u0100?q=\u{1F600}#\u00e9", "/caf\u00e9"]) {
      const target = safeRedirect(to, "/orgs");
      expect(() => new Headers({ Location: target }), to).not.toThrow();
      expect(target, to).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
      expect(new URL(target, "http://portal.invalid").host, to).toBe("portal.invalid");
    }
    expect(safeRedirect("/\u2215\u2215evil.example")).toBe("/%E2%88%95%E2%88%95evil.example");
  });

  it("never turns a path that resolves to //host into a protocol-relative target", () => {
    expect(safeRedirect("/.//evil.com", "/orgs")).toBe("/orgs");
    expect(safeRedirect("/a/..//evil.com", "/orgs")).toBe("/orgs");
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

/** A request whose body yields `chunks` chunks of `size` bytes, recording how many were pulled and whether it was cancelled. */
function streamingRequest(chunks: number, size: number, headers: Record<string, string> = {}) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled === chunks) return controller.close();
        seen.pulled++;
        controller.enqueue(new Uint8Array(size).fill(97));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request("http://portal.test/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, seen };
}

describe("readBodyUpTo", () => {
  it("reads a body within the limit whole", async () => {
    const { request } = streamingRequest(3, 10);
    expect((await readBodyUpTo(request, 30))?.byteLength).toBe(30);
  });

  it("stops at the first chunk past the limit, and leaves the rest unread and uncancelled for the server to drain", async () => {
    const { request, seen } = streamingRequest(1_000, 1024);
    expect(await readBodyUpTo(request, 4 * 1024)).toBeNull();
    expect(seen.pulled).toBeLessThanOrEqual(6);
    expect(seen.cancelled).toBe(false);
  });

  it("refuses a declared length over the limit without reading anything", async () => {
    const { request, seen } = streamingRequest(10, 10, { "content-length": "100" });
    expect(await readBodyUpTo(request, 99)).toBeNull();
    expect(seen.pulled).toBe(0);
  });
});

describe("countedBody", () => {
  it("passes the running byte count to the check and ends the stream with the error it throws", async () => {
    const { request, seen } = streamingRequest(100, 10);
    const counts: number[] = [];
    const stream = countedBody(request, (bytesRead) => {
      counts.push(bytesRead);
      if (bytesRead > 25) throw new BodyTooLarge("over 25");
    });
    await expect(new Response(stream).arrayBuffer()).rejects.toThrow();
    expect(counts).toEqual([10, 20, 30]);
    expect(seen.cancelled).toBe(false);
  });
});

describe("mediaType", () => {
  const withType = (type: string) =>
    new Request("http://portal.invalid/", { method: "POST", body: "x", headers: { "content-type": type } });

  it("is the declared type, lower-case, without its parameters", () => {
    expect(mediaType(withType("Multipart/Form-Data; boundary=abc"))).toBe("multipart/form-data");
    expect(mediaType(withType(" application/json ;charset=utf-8"))).toBe("application/json");
    expect(mediaType(withType("text/csv"))).toBe("text/csv");
  });

  it('is "" when the request declares none', () => {
    const request = new Request("http://portal.invalid/", { method: "POST", body: new Uint8Array([1]) });
    expect(mediaType(request)).toBe("");
    expect(mediaType(withType(""))).toBe("");
  });
});
