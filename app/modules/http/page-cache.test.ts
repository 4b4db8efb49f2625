import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  cutAtNonce,
  deflateParts,
  gzipWithNonce,
  isCacheableRequest,
  isCacheableResponse,
  joinWithNonce,
  PageCache,
  pageCacheKey,
  pageCacheValidity,
  type CachedPage,
} from "./page-cache";

const page = (body: string): CachedPage => ({ status: 200, headers: [["content-type", "text/html"]], parts: [Buffer.from(body)], bytes: Buffer.byteLength(body) });

describe("nonce cutting", () => {
  it("joins a page again with another nonce, everywhere the old one stood", () => {
    const body = Buffer.from('<script nonce="AAA=">x</script><p>é</p><script nonce="AAA=">y</script>');
    const parts = cutAtNonce(body, "AAA=");
    expect(parts).toHaveLength(3);
    expect(joinWithNonce(parts, "BBB=").toString()).toBe('<script nonce="BBB=">x</script><p>é</p><script nonce="BBB=">y</script>');
    expect(joinWithNonce(parts, "AAA=").equals(body)).toBe(true);
  });

  it("keeps a body without the nonce whole", () => {
    const body = Buffer.from('{"data":1}');
    expect(joinWithNonce(cutAtNonce(body, "AAA="), "BBB=")).toEqual(body);
    expect(cutAtNonce(body, "")).toEqual([body]);
  });
});

describe("what may be cached", () => {
  it("takes GET pages and Remix data, never the API or other methods", () => {
    expect(isCacheableRequest({ method: "GET", url: "/orgs/demo" })).toBe(true);
    expect(isCacheableRequest({ method: "GET", url: "/orgs/demo/models.data?_routes=x" })).toBe(true);
    expect(isCacheableRequest({ method: "GET", url: "/api/v1/models" })).toBe(false);
    for (const method of ["HEAD", "POST", "PUT", "PATCH", "DELETE"]) expect(isCacheableRequest({ method, url: "/orgs/demo" })).toBe(false);
  });

  it("keeps plain successes of HTML and turbo-stream data only", () => {
    const headers = (init: Record<string, string>) => new Headers(init);
    expect(isCacheableResponse(200, headers({ "content-type": "text/html; charset=utf-8" }))).toBe(true);
    expect(isCacheableResponse(200, headers({ "content-type": "text/x-script" }))).toBe(true);
    expect(isCacheableResponse(404, headers({ "content-type": "text/html" }))).toBe(false);
    expect(isCacheableResponse(302, headers({ "content-type": "text/html" }))).toBe(false);
    expect(isCacheableResponse(200, headers({ "content-type": "text/html", "set-cookie": "a=b" }))).toBe(false);
    expect(isCacheableResponse(200, headers({ "content-type": "text/csv", "content-disposition": "attachment" }))).toBe(false);
    expect(isCacheableResponse(200, headers({ "content-type": "text/html", "cache-control": "private, no-store" }))).toBe(false);
    expect(isCacheableResponse(200, headers({ "content-type": "application/json" }))).toBe(false);
  });

  it("keys on method, protocol, host, URL and the whole Cookie header", () => {
    const base = { method: "GET", protocol: "http", host: "portal", url: "/orgs/demo", cookie: "__portal_session=abc" };
    const keys = new Set([
      pageCacheKey(base),
      pageCacheKey({ ...base, protocol: "https" }),
      pageCacheKey({ ...base, host: "other" }),
      pageCacheKey({ ...base, url: "/orgs/demo?page=2" }),
      pageCacheKey({ ...base, cookie: "__portal_session=abd" }),
      pageCacheKey({ ...base, cookie: "" }),
    ]);
    expect(keys.size).toBe(6);
  });

  it("is valid for one data version within one minute", () => {
    const t = Date.UTC(2026, 10, 25, 12, 0, 0);
    expect(pageCacheValidity(7, t)).toBe(pageCacheValidity(7, t + 59_999));
    expect(pageCacheValidity(7, t)).not.toBe(pageCacheValidity(7, t + 60_000));
    expect(pageCacheValidity(7, t)).not.toBe(pageCacheValidity(8, t));
  });
});

describe("PageCache", () => {
  it("drops everything when the validity changes", () => {
    const cache = new PageCache();
    cache.revalidate("1@1");
    expect(cache.set("a", "1@1", page("A"))).toBe(true);
    cache.revalidate("1@1");
    expect(cache.get("a")?.parts[0]?.toString()).toBe("A");
    cache.revalidate("2@1");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.totalBytes).toBe(0);
  });

  it("does not keep a page rendered before a write it did not see", () => {
    const cache = new PageCache();
    cache.revalidate("1@1");
    cache.revalidate("2@1"); // a write landed while the page rendered
    expect(cache.set("a", "1@1", page("stale"))).toBe(false);
    expect(cache.get("a")).toBeUndefined();
  });

  it("evicts the least recently used page beyond its count or byte limit", () => {
    const cache = new PageCache({ maxEntries: 2, maxBytes: 1000 });
    cache.revalidate("v");
    cache.set("a", "v", page("A"));
    cache.set("b", "v", page("B"));
    cache.get("a");
    cache.set("c", "v", page("C"));
    expect([cache.get("a"), cache.get("b"), cache.get("c")].map((p) => p?.parts[0]?.toString())).toEqual(["A", undefined, "C"]);

    const small = new PageCache({ maxEntries: 10, maxBytes: 1000 });
    small.revalidate("v");
    small.set("x", "v", page("x".repeat(200)));
    small.set("y", "v", page("y".repeat(200)));
    expect(small.set("huge", "v", page("h".repeat(251)))).toBe(false); // over a quarter of the budget
    for (let i = 0; i < 5; i++) small.set(`k${i}`, "v", page("k".repeat(200)));
    expect(small.totalBytes).toBeLessThanOrEqual(1000);
    expect(small.get("x")).toBeUndefined();
  });

  it("counts keys, headers and the deflated copy made later against its byte budget", async () => {
    const cache = new PageCache({ maxEntries: 10, maxBytes: 8000 });
    cache.revalidate("v");
    const big = page("<p>row</p>".repeat(90));
    cache.set("k".repeat(100), "v", big);
    const before = PageCache.footprint("k".repeat(100), big);
    expect(cache.totalBytes).toBe(100 + "content-type".length + "text/html".length + 900);
    big.deflatedParts = await deflateParts(big.parts);
    cache.grew("k".repeat(100), big, before);
    cache.grew("k".repeat(100), page("another"), 0); // not the stored entry: nothing counted
    expect(cache.totalBytes).toBe(before + big.deflatedParts[0]!.length);
  });

  it("replaces a page stored again under the same key without counting it twice", () => {
    const cache = new PageCache();
    cache.revalidate("v");
    cache.set("a", "v", page("old"));
    cache.set("a", "v", page("newer"));
    expect(cache.size).toBe(1);
    expect(cache.totalBytes).toBe(PageCache.footprint("a", page("newer")));
    expect(cache.get("a")?.parts[0]?.toString()).toBe("newer");
  });
});

describe("gzipWithNonce", () => {
  it("makes a gzip stream that any inflater reads as the page with the new nonce", async () => {
    const page = Buffer.from(`<html><script nonce="OLD">a</script>${"<tr><td>row é</td></tr>".repeat(2000)}<script nonce="OLD">b</script></html>`);
    const parts = cutAtNonce(page, "OLD");
    const deflated = await deflateParts(parts);
    for (const nonce of ["NEW+nonce/123==", "x".repeat(300)]) {
      const gz = gzipWithNonce(parts, deflated, nonce);
      const expected = joinWithNonce(parts, nonce);
      expect(zlib.gunzipSync(gz).equals(expected)).toBe(true);
      expect(gz.length).toBeLessThan(expected.length / 5);
    }
  });

  it("handles a page without the nonce, and empty parts at either end", async () => {
    for (const text of ["plain page", "OLDstarts and endsOLD", "OLDOLD", ""]) {
      const parts = cutAtNonce(Buffer.from(text), "OLD");
      const gz = gzipWithNonce(parts, await deflateParts(parts), "N");
      expect(zlib.gunzipSync(gz).toString()).toBe(text.replaceAll("OLD", "N"));
    }
    // A standalone empty buffer (not a slice of a page), which Node 20's crc32 mishandles once deflated.
    const parts = [Buffer.from("aaa"), Buffer.alloc(0)];
    expect(zlib.gunzipSync(gzipWithNonce(parts, await deflateParts(parts), "N")).toString()).toBe("aaaN");
  });
});
