import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, isCrossOriginMutation, isLegacyDataRequest, securityHeaders } from "./security";

type Req = Parameters<typeof isCrossOriginMutation>[0];
const req = (overrides: Partial<Req>): Req => ({
  method: "POST",
  host: "portal.example.com",
  origin: undefined,
  secFetchSite: undefined,
  hasBearerToken: false,
  ...overrides,
});

describe("isCrossOriginMutation", () => {
  it("lets safe methods through whatever their origin", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(isCrossOriginMutation(req({ method, origin: "https://evil.example", secFetchSite: "cross-site" })), method).toBe(false);
    }
  });

  it("allows a same-origin POST", () => {
    expect(isCrossOriginMutation(req({ origin: "https://portal.example.com", secFetchSite: "same-origin" }))).toBe(false);
    expect(isCrossOriginMutation(req({ host: "localhost:3000", origin: "http://localhost:3000" }))).toBe(false);
  });

  it("refuses a cross-origin POST (and other mutating methods)", () => {
    expect(isCrossOriginMutation(req({ origin: "https://evil.example" }))).toBe(true);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect(isCrossOriginMutation(req({ method, origin: "https://evil.example" })), method).toBe(true);
    }
  });

  it("compares host including port", () => {
    expect(isCrossOriginMutation(req({ host: "localhost:3000", origin: "http://localhost:4000" }))).toBe(true);
  });

  it("refuses Origin 'null' (sandboxed / opaque origins)", () => {
    expect(isCrossOriginMutation(req({ origin: "null" }))).toBe(true);
  });

  it("refuses an unparseable Origin", () => {
    expect(isCrossOriginMutation(req({ origin: "not a url" }))).toBe(true);
  });

  it("falls back to Sec-Fetch-Site when there is no Origin", () => {
    expect(isCrossOriginMutation(req({ secFetchSite: "cross-site" }))).toBe(true);
    expect(isCrossOriginMutation(req({ secFetchSite: "same-site" }))).toBe(true);
    expect(isCrossOriginMutation(req({ secFetchSite: "same-origin" }))).toBe(false);
    expect(isCrossOriginMutation(req({ secFetchSite: "none" }))).toBe(false);
  });

  it("allows a POST with neither Origin nor Sec-Fetch-Site (non-browser clients)", () => {
    expect(isCrossOriginMutation(req({}))).toBe(false);
  });

  it("allows a bearer-token API call from another origin", () => {
    expect(isCrossOriginMutation(req({ origin: "https://other.example", secFetchSite: "cross-site", hasBearerToken: true }))).toBe(false);
  });
});

describe("securityHeaders", () => {
  const nonce = "abc123NONCE==";
  const headers = securityHeaders(nonce);
  const directives = (csp: string) =>
    Object.fromEntries(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );

  it("sends a CSP whose script-src carries the nonce and no unsafe-inline", () => {
    const csp = directives(headers["Content-Security-Policy"]!);
    expect(csp["script-src"]).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp["default-src"]).toEqual(["'self'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'self'"]);
    expect(csp["form-action"]).toEqual(["'self'"]);
    expect(contentSecurityPolicy(nonce, { formActions: ["https://login.example.com"] })).toContain(
      "form-action 'self' https://login.example.com;",
    );
  });

  it("forbids framing", () => {
    expect(directives(headers["Content-Security-Policy"]!)["frame-ancestors"]).toEqual(["'none'"]);
    expect(headers["X-Frame-Options"]).toBe("DENY");
  });

  it("sets nosniff, a referrer policy and other hardening headers", () => {
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["Cross-Origin-Opener-Policy"]).toBe("same-origin");
    expect(headers["Permissions-Policy"]).toContain("camera=()");
  });

  it("relaxes script-src and connect-src only in dev", () => {
    const dev = directives(contentSecurityPolicy(nonce, { dev: true }));
    expect(dev["script-src"]).toContain("'unsafe-inline'");
    expect(dev["script-src"]).toContain(`'nonce-${nonce}'`);
    expect(dev["connect-src"]).toEqual(["'self'", "ws:", "wss:"]);
    expect(directives(contentSecurityPolicy(nonce))["connect-src"]).toEqual(["'self'"]);
  });

  it("asks browsers to keep to HTTPS (HSTS) only when told the cookies are secure", () => {
    expect(securityHeaders(nonce, { hsts: true })["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders(nonce, { hsts: false })["Strict-Transport-Security"]).toBeUndefined();
    expect(headers["Strict-Transport-Security"]).toBeUndefined();
  });

  it("uses the nonce it is given", () => {
    expect(securityHeaders("other")["Content-Security-Policy"]).toContain("'nonce-other'");
    expect(securityHeaders("other")["Content-Security-Policy"]).not.toContain(nonce);
  });
});

describe("isLegacyDataRequest", () => {
  it("finds a ?_data= parameter, and only that", () => {
    expect(isLegacyDataRequest("/login?_data=routes%2Flogin")).toBe(true);
    expect(isLegacyDataRequest("/orgs/demo?x=1&_data")).toBe(true);
    expect(isLegacyDataRequest("/orgs/demo?my_data=1")).toBe(false);
    expect(isLegacyDataRequest("/_data")).toBe(false);
    expect(isLegacyDataRequest("/orgs/demo.data?_route=root")).toBe(false);
  });
});
