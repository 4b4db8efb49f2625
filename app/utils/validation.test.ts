import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LoginSchema } from "../modules/auth/auth-schemas";
import { fieldErrors, lenientQuery, NameTextSchema, parseForm, queryWholeNumber, requiredNameText, submittedValues } from "./validation";

describe("fieldErrors", () => {
  it("keeps the first message per field path and joins nested paths with dots", () => {
    const schema = z.object({
      name: z
        .string()
        .min(3, "too short")
        .regex(/^[a-z]+$/, "letters only"),
      address: z.object({ city: z.string().min(1, "city required") }),
    });
    const result = schema.safeParse({ name: "A1", address: { city: "" } });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues.filter((i) => i.path[0] === "name")).toHaveLength(2);
    expect(fieldErrors(result.error)).toEqual({ name: "too short", "address.city": "city required" });
  });

  it("puts errors without a path under 'form'", () => {
    const schema = z
      .object({ a: z.string(), b: z.string() })
      .refine((v) => v.a === v.b, "Values must match")
      .refine(() => false, "second root message");
    const result = schema.safeParse({ a: "x", b: "y" });
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldErrors(result.error)).toEqual({ form: "Values must match" });
  });
});

describe("parseForm", () => {
  it("returns the parsed data on success", () => {
    const form = new FormData();
    form.set("email", " Ada@Example.com ");
    form.set("password", "secret");
    expect(parseForm(form, LoginSchema)).toEqual({ ok: true, data: { email: "ada@example.com", password: "secret" } });
  });

  it("returns errors and the typed values without any password field", () => {
    const form = new FormData();
    form.set("email", "not-an-email");
    form.set("password", "secret");
    form.set("newPassword", "secret2");
    form.set("Password_confirm", "secret3");
    form.set("redirectTo", "/orgs/demo");
    const result = parseForm(form, LoginSchema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({ email: "Enter a valid email address" });
    expect(result.values).toEqual({ email: "not-an-email", redirectTo: "/orgs/demo" });
    expect(JSON.stringify(result.values)).not.toContain("secret");
  });

  it("passes repeated fields as arrays", () => {
    const schema = z.object({ tags: z.array(z.string()).min(2), one: z.string() });
    const form = new FormData();
    form.append("tags", "a");
    form.append("tags", "b");
    form.append("one", "x");
    expect(parseForm(form, schema)).toEqual({ ok: true, data: { tags: ["a", "b"], one: "x" } });
  });

  it("echoes every value of a repeated field (ticked checkboxes) back, to tick them again", () => {
    const schema = z.object({ url: z.string().url("not a URL"), events: z.array(z.string()) });
    const form = new FormData();
    form.set("url", "nope");
    form.append("events", "a");
    form.append("events", "b");
    const result = parseForm(form, schema);
    expect(result).toEqual({
      ok: false,
      errors: { url: "not a URL" },
      values: { url: "nope", events: "b" },
      lists: { events: ["a", "b"] },
    });
    expect(submittedValues(result.ok ? undefined : result, "events")).toEqual(["a", "b"]);
    expect(submittedValues({ values: { events: "a" } }, "events")).toEqual(["a"]);
    expect(submittedValues(undefined, "events")).toEqual([]);
  });

  it("skips File values when echoing values back", () => {
    const schema = z.object({ name: z.string().min(5, "too short") });
    const form = new FormData();
    form.set("name", "abc");
    form.set("upload", new Blob(["data"]), "f.txt");
    const result = parseForm(form, schema);
    expect(result).toEqual({ ok: false, errors: { name: "too short" }, values: { name: "abc" } });
  });

  it("reads a form with many repeated fields in one pass, not once per field (issue 14)", () => {
    // A 30 KB post of 10,000 `a=` fields once cost a worker 4 s (and 40,000 ran it out of memory):
    // each field name looked up every entry again.
    class CountingForm extends FormData {
      lookups = 0;
      override getAll(name: string) {
        this.lookups++;
        return super.getAll(name);
      }
      override get(name: string) {
        this.lookups++;
        return super.get(name);
      }
    }
    const form = new CountingForm();
    for (let i = 0; i < 10_000; i++) form.append("a", String(i));
    form.append("one", "x");
    const schema = z.object({ a: z.array(z.string()), one: z.string() });
    const result = parseForm(form, schema);
    expect(result.ok && result.data.a).toHaveLength(10_000);
    expect(result.ok && result.data.a.at(-1)).toBe("9999");
    expect(form.lookups).toBeLessThanOrEqual(2);
  });
});

describe("queryWholeNumber", () => {
  const Page = queryWholeNumber({ min: 1, max: 100, fallback: 25 });
  const After = queryWholeNumber({ min: 0, fallback: 0 });
  const message = (schema: z.ZodTypeAny, value: unknown) => schema.safeParse(value).error?.issues.map((i) => i.message);

  it("reads query text and numbers; absent or empty is the fallback", () => {
    expect([Page.parse("7"), Page.parse(7), Page.parse(undefined), Page.parse("")]).toEqual([7, 7, 25, 25]);
    expect(After.parse("12345678")).toBe(12_345_678);
  });

  it("refuses anything else with one message in words, never zod's 'received nan'", () => {
    for (const value of ["abc", "1.5", "0", "101", "-1", " "]) {
      expect(message(Page, value), value).toEqual(["Use a whole number from 1 to 100"]);
    }
    expect(message(After, "abc")).toEqual(["Use a whole number, 0 or more"]);
    expect(message(After, "-1")).toEqual(["Use a whole number, 0 or more"]);
  });
});

describe("lenientQuery", () => {
  const Strict = z.object({ kind: z.enum(["a", "b"]).optional(), page: queryWholeNumber({ min: 1, fallback: 1 }) });
  const Lenient = lenientQuery(Strict);

  it("reads good values as the strict schema does, and a bad value as not given", () => {
    expect(Lenient.parse({ kind: "b", page: "3" })).toEqual(Strict.parse({ kind: "b", page: "3" }));
    expect(Lenient.parse({ kind: "c", page: "zero" })).toEqual({ kind: undefined, page: 1 });
    expect(Strict.safeParse({ kind: "c", page: "zero" }).success).toBe(false);
  });

  it("refuses a schema with a required field: it has nothing to fall back to", () => {
    expect(() => lenientQuery(z.object({ id: z.string() }))).toThrow(/id must be optional or have a default/);
  });
});

describe("requiredNameText", () => {
  const Name = requiredNameText("Name", 2).max(5, "Too long");
  const messages = (schema: z.ZodTypeAny, value: unknown) => schema.safeParse(value).error?.issues.map((i) => i.message);

  it("says a name is required when it is missing, empty or blank, and how many characters a short one needs", () => {
    for (const value of [undefined, "", "   "]) expect(messages(Name, value), String(value)).toEqual(["Name is required"]);
    expect(messages(Name, " x ")).toEqual(["Name needs at least 2 characters"]);
    expect(messages(requiredNameText("Title", 3), "ab")).toEqual(["Title needs at least 3 characters"]);
    expect(messages(requiredNameText("Name", 2, "Name the token after what uses it"), "")).toEqual(["Name the token after what uses it"]);
  });

  it("keeps the other rules of a name and their messages", () => {
    expect(Name.parse(" ab ")).toBe("ab");
    expect(messages(Name, "abcdef")).toEqual(["Too long"]);
    expect(messages(Name, "a\u202eb")).toEqual(["Remove the control or text-direction characters"]);
    expect(messages(Name, 5)).toEqual(["Expected string, received number"]);
  });

  it("leaves NameTextSchema's own messages alone", () => {
    expect(messages(NameTextSchema.min(2), "x")).toEqual(["String must contain at least 2 character(s)"]);
  });
});
