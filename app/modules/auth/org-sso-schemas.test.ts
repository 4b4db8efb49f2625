import { describe, expect, it } from "vitest";
import { DomainSchema, oidcProviderSchema, OidcProviderSchema } from "./org-sso-schemas";

const form = {
  issuer: "https://login.example.com/tenant/v2.0/",
  clientId: "portal",
  clientSecret: "",
  groupsClaim: "groups",
  mapGroup: ["ml-eng", "", "ml-leads"],
  mapRole: ["team", "", "leadership"],
  defaultRole: "",
  breakGlassUserId: "",
};

describe("OidcProviderSchema", () => {
  it("reads the role map rows, drops empty ones, and keeps the stored secret when blank", () => {
    expect(OidcProviderSchema.parse({ ...form, createUsers: "on" })).toEqual({
      issuer: "https://login.example.com/tenant/v2.0",
      clientId: "portal",
      clientSecret: null,
      groupsClaim: "groups",
      roleMap: { "ml-eng": "team", "ml-leads": "leadership" },
      defaultRole: null,
      createUsers: true,
      required: false,
      enabled: false,
      breakGlassUserId: null,
    });
  });

  it("takes one row sent as single values", () => {
    expect(OidcProviderSchema.parse({ ...form, mapGroup: "ml-eng", mapRole: "team" }).roleMap).toEqual({ "ml-eng": "team" });
  });

  it("names the row and field of a half-filled or repeated mapping", () => {
    const result = OidcProviderSchema.safeParse({ ...form, mapGroup: ["ml-eng", "ml-eng", ""], mapRole: ["", "team", "ethics"] });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["mapRole.0", "mapGroup.1", "mapGroup.2"]));
  });

  it("wants https unless OIDC_ALLOW_HTTP, and a break-glass admin when single sign-on is required", () => {
    expect(OidcProviderSchema.safeParse({ ...form, issuer: "http://127.0.0.1:9000" }).success).toBe(false);
    expect(oidcProviderSchema(true).safeParse({ ...form, issuer: "http://127.0.0.1:9000" }).success).toBe(true);
    const required = OidcProviderSchema.safeParse({ ...form, required: "on" });
    expect(required.error?.issues.map((issue) => issue.path.join("."))).toEqual(["breakGlassUserId"]);
    expect(OidcProviderSchema.parse({ ...form, required: "on", breakGlassUserId: "7" }).breakGlassUserId).toBe(7);
  });
});

describe("DomainSchema", () => {
  it("takes a domain in lower case and refuses addresses, wildcards and single labels", () => {
    expect(DomainSchema.parse(" Example.COM ")).toBe("example.com");
    for (const bad of ["someone@example.com", "*.example.com", "localhost", "-bad.example", "exa mple.com"]) {
      expect(DomainSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
