import { describe, expect, it } from "vitest";
import { staticRouteWords } from "../../../tests/setup/route-words";
import {
  ApiTokenCreateSchema,
  EmailSchema,
  LoginSchema,
  OrganizationCreateCommandSchema,
  OrganizationCreateSchema,
  OrgSlugSchema,
  PasswordSchema,
  PersonNameSchema,
  RoleSchema,
  InvitationAccountSchema,
} from "./auth-schemas";

const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? undefined : result.error!.issues[0]!.message;

describe("PasswordSchema", () => {
  it("accepts the documented examples", () => {
    expect(PasswordSchema.safeParse("demo-password").success).toBe(true);
    expect(PasswordSchema.safeParse("Correct-Horse-42").success).toBe(true);
  });

  it("rejects passwords shorter than 10 characters", () => {
    const r = PasswordSchema.safeParse("Ab1-xyz9");
    expect(r.success).toBe(false);
    expect(firstMessage(r)).toBe("Use at least 10 characters");
  });

  it("rejects passwords over 200 characters", () => {
    const over = PasswordSchema.safeParse("Ab1-x".repeat(40) + "y");
    expect(over.success).toBe(false);
    expect(firstMessage(over)).toBe("Use at most 200 characters");
    expect(PasswordSchema.safeParse("Ab1-x".repeat(40)).success).toBe(true);
  });

  it("rejects passwords with only one character class", () => {
    for (const pw of ["abcdefghijkl", "ABCDEFGHIJKL", "1234567890", "!@#$%^&*()_+"]) {
      const r = PasswordSchema.safeParse(pw);
      expect(r.success, pw).toBe(false);
      expect(firstMessage(r)).toMatch(/Mix at least two/);
    }
  });

  it("rejects low-variety passwords (fewer than 5 distinct characters)", () => {
    const r = PasswordSchema.safeParse("abab1abab1");
    expect(r.success).toBe(false);
    expect(firstMessage(r)).toBe("Use more varied characters");
    expect(PasswordSchema.safeParse("aaaaaaaaa1").success).toBe(false);
  });

  it("rejects a missing password with a clear message", () => {
    expect(firstMessage(PasswordSchema.safeParse(undefined))).toBe("Password is required");
  });
});

describe("EmailSchema", () => {
  it("trims and lower-cases", () => {
    expect(EmailSchema.parse("  Ada.Admin@Example.COM  ")).toBe("ada.admin@example.com");
  });

  it("rejects invalid and missing emails", () => {
    expect(firstMessage(EmailSchema.safeParse("not-an-email"))).toBe("Enter a valid email address");
    expect(EmailSchema.safeParse("").success).toBe(false);
    expect(EmailSchema.safeParse("   ").success).toBe(false);
    expect(firstMessage(EmailSchema.safeParse(undefined))).toBe("Email is required");
    expect(EmailSchema.safeParse(`${"a".repeat(250)}@x.io`).success).toBe(false);
  });

  it("is what LoginSchema uses", () => {
    expect(LoginSchema.parse({ email: " X@Y.io ", password: "p" }).email).toBe("x@y.io");
    expect(LoginSchema.safeParse({ email: "x@y.io", password: "" }).success).toBe(false);
  });
});

describe("OrgSlugSchema", () => {
  it("accepts lower-case letters, digits and single hyphens", () => {
    for (const slug of ["demo", "ab", "acme-2026", "a1-b2-c3", "x".repeat(48)]) {
      expect(OrgSlugSchema.safeParse(slug).success, slug).toBe(true);
    }
  });

  it("trims and lower-cases before checking", () => {
    expect(OrgSlugSchema.parse("  Acme-Corp ")).toBe("acme-corp");
  });

  it("rejects bad shapes", () => {
    for (const slug of ["-acme", "acme-", "ac--me", "ac_me", "ac me", "acmé", "ac.me", "ac/me"]) {
      const r = OrgSlugSchema.safeParse(slug);
      expect(r.success, slug).toBe(false);
    }
    expect(firstMessage(OrgSlugSchema.safeParse("a_b"))).toBe("Use lower-case letters, digits and single hyphens");
  });

  it("enforces length 2..48", () => {
    expect(firstMessage(OrgSlugSchema.safeParse("a"))).toBe("Use at least 2 characters");
    expect(firstMessage(OrgSlugSchema.safeParse("x".repeat(49)))).toBe("Use at most 48 characters");
  });
});

describe("OrganizationCreateSchema", () => {
  it("normalises and validates the whole input, and takes no one's password", () => {
    const parsed = OrganizationCreateSchema.parse({
      slug: " Acme ",
      name: " Acme Ltd ",
      adminEmail: " Boss@Acme.IO",
      adminPassword: "Correct-Horse-42",
    });
    expect(parsed).toEqual({ slug: "acme", name: "Acme Ltd", adminEmail: "boss@acme.io" });
  });

  it("the command's password is optional, and a weak one is reported on adminPassword", () => {
    const input = { slug: "acme", name: "Acme", adminEmail: "a@acme.io" };
    expect(OrganizationCreateCommandSchema.parse({ ...input, adminPassword: "" })).toEqual(input);
    const r = OrganizationCreateCommandSchema.safeParse({ ...input, adminPassword: "short" });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path[0])).toContain("adminPassword");
  });
});

describe("RoleSchema", () => {
  it("accepts the five roles and nothing else", () => {
    for (const role of ["admin", "leadership", "ethics", "team", "auditor"]) {
      expect(RoleSchema.parse(role)).toBe(role);
    }
    expect(firstMessage(RoleSchema.safeParse("owner"))).toBe("Choose a role");
  });
});

describe("names refuse control and text-direction characters (issue 14, #7)", () => {
  const message = "Remove the control or text-direction characters";
  const hostile = ["Acme\u0000", "Acme\nInc", "Acme \u202eevil", "Acme \u2066x\u2069", "\u001b[31mAcme"];

  it.each(hostile)("%j is refused as an organisation, person or token name", (name) => {
    const org = OrganizationCreateCommandSchema.safeParse({
      slug: "acme",
      name,
      adminEmail: "a@acme.test",
      adminName: name,
      adminPassword: "Correct-Horse-42",
    });
    expect(org.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["name", message],
      ["adminName", message],
    ]);
    expect(firstMessage(PersonNameSchema.safeParse(name))).toBe(message);
    expect(
      firstMessage(InvitationAccountSchema.safeParse({ name, password: "Correct-Horse-42", confirmPassword: "Correct-Horse-42" })),
    ).toBe(message);
    expect(firstMessage(ApiTokenCreateSchema.safeParse({ name, scopes: "registry:read" }))).toBe(message);
  });

  it("ordinary names in any script are accepted", () => {
    for (const name of ["Zoë O'Brien-Łukasiewicz", "محمد عبد الله", "山田 太郎"]) expect(PersonNameSchema.parse(name)).toBe(name);
  });
});

describe("reserved organisation slugs (issue 14, #7)", () => {
  it("every fixed path word under /orgs/ is refused as an organisation slug", () => {
    const words = staticRouteWords("orgs.");
    expect(words).toContain("compare");
    for (const word of [...words, "new"])
      expect(firstMessage(OrgSlugSchema.safeParse(word)), word).toBe("This slug is reserved; choose another");
  });
});
