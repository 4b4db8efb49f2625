import { describe, expect, it } from "vitest";
import { z } from "zod";
import { refusingUnknownKeys, unknownKeyMessage } from "./unknown-keys";

const issues = (schema: z.ZodTypeAny, input: unknown) =>
  (schema.safeParse(input).error?.issues ?? []).map((i) => ({
    path: i.path.join("."),
    message: i.message,
    ...(i.code === "unrecognized_keys" ? { keys: i.keys } : {}),
  }));

describe("refusingUnknownKeys", () => {
  const Model = z.object({ name: z.string(), tags: z.array(z.string()).optional() });

  it("refuses a key the object does not know, naming the fields it takes; known keys pass", () => {
    expect(issues(refusingUnknownKeys(Model), { name: "a", bogus: 1 })).toEqual([
      { path: "", message: "Unknown field; the fields here are name, tags", keys: ["bogus"] },
    ]);
    expect(refusingUnknownKeys(Model).parse({ name: "a", tags: ["x"] })).toEqual({ name: "a", tags: ["x"] });
  });

  it("leaves the schema it was given stripping (the forms parse it, with their extra fields)", () => {
    refusingUnknownKeys(Model);
    expect(Model.parse({ name: "a", intent: "save" })).toEqual({ name: "a" });
  });

  it("reaches objects inside effects, optionals, defaults, arrays, records, unions and pipelines", () => {
    const Item = z.object({ id: z.string() });
    const schema = z.object({
      preprocessed: z.preprocess((v) => (typeof v === "string" ? { id: v } : v), Item.optional()),
      refined: Item.refine(() => true).optional(),
      list: z.array(Item).default([]),
      byName: z.record(Item).optional(),
      either: z.union([z.literal("none"), Item]).optional(),
      piped: z
        .string()
        .transform((v) => ({ id: v }))
        .pipe(Item)
        .optional(),
      nullable: Item.nullable().optional(),
    });
    const strict = refusingUnknownKeys(schema);
    const bogus = { id: "x", bogus: 1 };
    const refused = issues(strict, {
      preprocessed: bogus,
      refined: bogus,
      list: [{ id: "a" }, bogus],
      byName: { k: bogus },
      nullable: bogus,
    }).map((i) => i.path);
    expect(refused).toEqual(["preprocessed", "refined", "list.1", "byName.k", "nullable"]);
    expect(issues(strict, { either: bogus }).length).toBeGreaterThan(0);
    expect(strict.parse({ preprocessed: "a", either: { id: "b" }, list: [{ id: "c" }] })).toMatchObject({
      preprocessed: { id: "a" },
      either: { id: "b" },
      list: [{ id: "c" }],
    });
  });

  it("leaves passthrough objects, intersections and schemas without objects as they are (the same instance)", () => {
    const open = z.object({ a: z.string() }).passthrough();
    const both = z.object({ a: z.string() }).and(z.object({ b: z.string().optional() }));
    const leaves = z.object({ a: z.record(z.union([z.string(), z.number()])) }).strict();
    for (const schema of [open, both, leaves, z.string(), z.array(z.number())]) expect(refusingUnknownKeys(schema)).toBe(schema);
    expect(refusingUnknownKeys(both).parse({ a: "x", b: "y", c: "z" })).toEqual({ a: "x", b: "y" });
  });

  it("keeps a subclass's own parse (the hand-written rows check of bias audits)", () => {
    class FirstOnly extends z.ZodArray<z.ZodTypeAny> {
      override _parse(input: z.ParseInput): z.ParseReturnType<this["_output"]> {
        return Array.isArray(input.data) ? z.OK(input.data.slice(0, 1) as this["_output"]) : z.INVALID;
      }
    }
    const rows = new FirstOnly(z.array(z.object({ a: z.number() }))._def);
    const strict = refusingUnknownKeys(z.object({ rows }));
    expect(strict.shape.rows).toBeInstanceOf(FirstOnly);
    expect(strict.shape.rows).not.toBe(rows);
    expect(strict.parse({ rows: [{ a: 1 }, { b: 2 }] })).toEqual({ rows: [{ a: 1 }] });
  });

  it("keeps the object's own messages for its other issues", () => {
    const schema = z.object({ a: z.string() }, { invalid_type_error: "Send an object" });
    expect(issues(refusingUnknownKeys(schema), 5)).toEqual([{ path: "", message: "Send an object" }]);
  });

  it("is computed once per schema", () => {
    expect(refusingUnknownKeys(Model)).toBe(refusingUnknownKeys(Model));
  });
});

describe("unknownKeyMessage", () => {
  it("names the fields, or says there are none", () => {
    expect(unknownKeyMessage(["a", "b"])).toBe("Unknown field; the fields here are a, b");
    expect(unknownKeyMessage([])).toBe("Unknown field: send none here");
  });
});
