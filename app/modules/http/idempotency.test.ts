import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_PATTERN, RequestDigest } from "./idempotency";

const URL_ = "http://portal.test/api/v1/models/m/versions/1/bias-audits";

/** The digest of `body` fed in chunks cut at `cuts`. */
function digestOf(contentType: string, body: string, cuts: number[] = [], method = "POST", url = URL_): string {
  const digest = new RequestDigest(new Request(url, { method, headers: { "content-type": contentType }, body: "x" }));
  const bytes = new TextEncoder().encode(body);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    digest.update(bytes.slice(from, cut));
    from = cut;
  }
  return digest.digest();
}

const multipart = (boundary: string) =>
  [`--${boundary}`, 'Content-Disposition: form-data; name="config"', "", '{"a":1}', `--${boundary}--`, ""].join("\r\n");

describe("RequestDigest: which requests are the same", () => {
  it("the same bytes give the same digest however they are cut into chunks", () => {
    const body = JSON.stringify({ name: "A model", riskTier: "limited" });
    const whole = digestOf("application/json", body);
    expect(digestOf("application/json", body, [1, 7, 20])).toBe(whole);
    expect(digestOf("application/json; charset=utf-8", body)).toBe(whole);
  });

  it("another body, method, path or media type is another request", () => {
    const whole = digestOf("application/json", '{"a":1}');
    expect(digestOf("application/json", '{"a":2}')).not.toBe(whole);
    expect(digestOf("application/json", '{"a":1}', [], "PUT")).not.toBe(whole);
    expect(digestOf("application/json", '{"a":1}', [], "POST", "http://portal.test/api/v1/models")).not.toBe(whole);
    expect(digestOf("text/plain", '{"a":1}')).not.toBe(whole);
  });

  it("a multipart body sent again with another boundary is the same request, even with the boundary split across chunks", () => {
    const first = digestOf("multipart/form-data; boundary=aaaa1111", multipart("aaaa1111"));
    expect(digestOf('multipart/form-data; boundary="zz-other-boundary-99"', multipart("zz-other-boundary-99"))).toBe(first);
    expect(digestOf("multipart/form-data; boundary=aaaa1111", multipart("aaaa1111"), [3, 4, 5, 50, 51])).toBe(first);
    const changed = multipart("aaaa1111").replace('{"a":1}', '{"a":2}');
    expect(digestOf("multipart/form-data; boundary=aaaa1111", changed)).not.toBe(first);
  });
});

describe("IDEMPOTENCY_KEY_PATTERN", () => {
  it("takes 1 to 255 visible ASCII characters (a UUID), nothing else", () => {
    expect(IDEMPOTENCY_KEY_PATTERN.test("3f1c2b9e-7a52-4d4b-9b7e-2f1d3c4b5a69")).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test("x".repeat(255))).toBe(true);
    for (const bad of ["", "x".repeat(256), "with space", "tab\there", "é", "line\nbreak"]) {
      expect(IDEMPOTENCY_KEY_PATTERN.test(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
