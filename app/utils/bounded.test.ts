import { describe, expect, it } from "vitest";
import { z } from "zod";
import { keysFirst, lengthFirst } from "./bounded";

/** An item schema that counts how often it is asked to parse. */
function countingItem() {
  const reads = { count: 0 };
  const schema = z.unknown().superRefine(() => {
    reads.count++;
  });
  return { reads, schema };
}

describe("lengthFirst", () => {
  it("refuses an over-long array with the schema's own message and one issue, reading no item", () => {
    const { reads, schema } = countingItem();
    const result = lengthFirst(z.array(schema).max(3, "At most 3")).safeParse([1, 2, 3, 4]);
    expect(result.success ? [] : result.error.issues.map((i) => i.message)).toEqual(["At most 3"]);
    expect(reads.count).toBe(0);
  });

  it("parses an array within the limit item by item, and leaves other values to the array schema", () => {
    const { reads, schema } = countingItem();
    expect(lengthFirst(z.array(schema).max(3)).parse([1, 2, 3])).toEqual([1, 2, 3]);
    expect(reads.count).toBe(3);
    expect(lengthFirst(z.array(z.number()).max(3)).safeParse("x").success).toBe(false);
  });
});

describe("keysFirst", () => {
  it("refuses a record with too many keys with one issue, reading no value", () => {
    const { reads, schema } = countingItem();
    const result = keysFirst(z.record(schema), 2, "At most 2 keys").safeParse({ a: 1, b: 2, c: 3 });
    expect(result.success ? [] : result.error.issues.map((i) => i.message)).toEqual(["At most 2 keys"]);
    expect(reads.count).toBe(0);
  });

  it("parses a record within the limit value by value", () => {
    const { reads, schema } = countingItem();
    expect(keysFirst(z.record(schema), 2, "At most 2 keys").parse({ a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(reads.count).toBe(2);
  });
});
