import { z, type ZodArray, type ZodRecord, type ZodTypeAny } from "zod";

/**
 * Collections whose size is checked before their items are read.
 *
 * Zod checks an array's `.max()` only after parsing every item, and a record
 * has no size limit at all: a JSON body under its 1 MB limit holding 300,000
 * items cost a worker seconds and answered with as many issues. These
 * wrappers refuse an oversized collection with one issue (fatal: nothing
 * inside it is parsed). Request schemas in the OpenAPI document take the
 * input side of effects, so they still show the array or record itself.
 */

/** An array schema with `.max(n, message)`, its length checked before any item. */
export function lengthFirst<S extends ZodArray<ZodTypeAny>>(schema: S) {
  const max = schema._def.maxLength;
  if (!max) throw new Error("lengthFirst: give the array schema a .max()");
  return z.preprocess((value, ctx) => {
    if (Array.isArray(value) && value.length > max.value) {
      ctx.addIssue({
        code: z.ZodIssueCode.too_big,
        type: "array",
        maximum: max.value,
        inclusive: true,
        message: max.message ?? `At most ${max.value} items`,
        fatal: true,
      });
    }
    return value;
  }, schema);
}

/** Whether a plain object has more than `max` own keys, counted without listing them all. */
function moreKeysThan(value: object, max: number): boolean {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++count > max) return true;
  return false;
}

/** A record of at most `max` keys, counted before any value is read. */
export function keysFirst<S extends ZodRecord>(schema: S, max: number, message: string) {
  return z.preprocess((value, ctx) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && moreKeysThan(value, max)) {
      ctx.addIssue({ code: z.ZodIssueCode.too_big, type: "set", maximum: max, inclusive: true, message, fatal: true });
    }
    return value;
  }, schema);
}
