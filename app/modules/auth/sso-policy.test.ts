import { describe, expect, it } from "vitest";
import { isBreakGlass, isSsoRequiredRefusal, providerName, sessionMeetsSsoPolicy, ssoRequiredRefusal, type SsoPolicy } from "./sso-policy";

const ISSUER = "https://login.acme.example/tenant/v2.0";
const required: SsoPolicy = { required: true, issuers: [ISSUER], breakGlassEmail: "break-glass@acme.example", domains: ["acme.example"] };

describe("sessionMeetsSsoPolicy", () => {
  it("lets every session in when the organisation has no provider or does not require it", () => {
    expect(sessionMeetsSsoPolicy(null, { email: "ada@acme.example", ssoIssuer: null })).toBe(true);
    expect(sessionMeetsSsoPolicy({ ...required, required: false }, { email: "ada@acme.example", ssoIssuer: null })).toBe(true);
  });

  it("requires a session that came through one of the organisation's providers", () => {
    expect(sessionMeetsSsoPolicy(required, { email: "ada@acme.example", ssoIssuer: ISSUER })).toBe(true);
    expect(sessionMeetsSsoPolicy(required, { email: "ada@acme.example", ssoIssuer: `${ISSUER}/` })).toBe(true);
    expect(sessionMeetsSsoPolicy(required, { email: "ada@acme.example", ssoIssuer: null })).toBe(false);
    expect(sessionMeetsSsoPolicy(required, { email: "ada@acme.example", ssoIssuer: "https://login.other.example" })).toBe(false);
    expect(sessionMeetsSsoPolicy({ ...required, issuers: [] }, { email: "ada@acme.example", ssoIssuer: ISSUER })).toBe(false);
  });

  it("exempts the break-glass account alone, whatever the case of its email", () => {
    expect(sessionMeetsSsoPolicy(required, { email: "Break-Glass@ACME.example", ssoIssuer: null })).toBe(true);
    expect(sessionMeetsSsoPolicy({ ...required, breakGlassEmail: null }, { email: "break-glass@acme.example", ssoIssuer: null })).toBe(
      false,
    );
    expect(isBreakGlass("break-glass@acme.example.org", "break-glass@acme.example")).toBe(false);
    expect(isBreakGlass("anyone@acme.example", null)).toBe(false);
  });
});

describe("ssoRequiredRefusal", () => {
  it("offers the provider's sign-in to someone of its domains, coming back to the refused page", () => {
    const refusal = ssoRequiredRefusal(required, { email: "ada@acme.example", isSiteAdmin: false }, "/orgs/acme/models?tab=all");
    expect(refusal).toEqual({
      kind: "sso-required",
      message: expect.stringContaining("This organisation requires signing in through login.acme.example"),
      provider: "login.acme.example",
      email: "ada@acme.example",
      redirectTo: "/orgs/acme/models?tab=all",
    });
    expect(isSsoRequiredRefusal(refusal)).toBe(true);
  });

  it("tells someone the provider cannot sign in to ask the organisation's administrators, with no sign-in to offer", () => {
    const refusal = ssoRequiredRefusal(required, { email: "guest@partner.example", isSiteAdmin: false }, "/orgs/acme");
    expect(refusal.email).toBeNull();
    expect(refusal.message).toMatch(/cannot sign in guest@partner\.example\. Ask this organisation's administrators/);
  });

  it("tells a site administrator, whom no provider signs in, that only the break-glass account opens the pages", () => {
    const refusal = ssoRequiredRefusal(required, { email: "root@acme.example", isSiteAdmin: true }, "/orgs/acme");
    expect(refusal.email).toBeNull();
    expect(refusal.message).toMatch(/Site administrators never sign in through single sign-on: only the break-glass account/);
  });

  it("is told apart from other refusals", () => {
    expect(isSsoRequiredRefusal("You do not have permission to do that")).toBe(false);
    expect(isSsoRequiredRefusal({ kind: "other" })).toBe(false);
    expect(isSsoRequiredRefusal(null)).toBe(false);
  });
});

describe("providerName", () => {
  it("is the issuer's host, or the issuer itself when it is not a URL", () => {
    expect(providerName(ISSUER)).toBe("login.acme.example");
    expect(providerName("http://127.0.0.1:9000")).toBe("127.0.0.1:9000");
    expect(providerName("not a url")).toBe("not a url");
  });
});
