import { z, type ZodTypeAny } from "zod";

/**
 * Request schemas strip keys they do not know: a form posts more than its
 * schema reads (`intent`, one-time tokens, buttons), and the forms share
 * their schemas with the JSON API. The API instead refuses unknown keys, as
 * its OpenAPI document says (`additionalProperties: false` on every object
 * of a request body): a misspelt optional field ("ownerEmial") would
 * otherwise be dropped without a word.
 *
 * `refusingUnknownKeys(schema)` is the same schema with every plain object in
 * it strict: an unknown key is an `unrecognized_keys` issue naming the fields
 * the object takes. Objects that pass unknown keys through stay as they are,
 * and so do intersections (each side would refuse the other's keys; the
 * document declares none of their objects closed). Memoised per schema.
 */
export function refusingUnknownKeys<S extends ZodTypeAny>(schema: S): S {
  let strict = strictVersions.get(schema);
  if (!strict) {
    strict = strictVersion(schema);
    strictVersions.set(schema, strict);
  }
  return strict as S;
}

const strictVersions = new WeakMap<ZodTypeAny, ZodTypeAny>();

/** The message of an unknown key in an object with these fields. */
export function unknownKeyMessage(fields: string[]): string {
  return fields.length ? `Unknown field; the fields here are ${fields.join(", ")}` : "Unknown field: send none here";
}

type AnyDef = { typeName: z.ZodFirstPartyTypeKind; errorMap?: z.ZodErrorMap } & Record<string, unknown>;

/** `schema` again, of its own class (a subclass keeps its parse), with `changes` to its definition. */
function rebuilt(schema: ZodTypeAny, changes: Record<string, unknown>): ZodTypeAny {
  const Class = schema.constructor as new (def: unknown) => ZodTypeAny;
  return new Class({ ...(schema._def as AnyDef), ...changes });
}

/** `schema` with its inner schema at `key` of its definition made strict, or itself when nothing inside changes. */
function withInner(schema: ZodTypeAny, key: string): ZodTypeAny {
  const inner = (schema._def as AnyDef)[key] as ZodTypeAny;
  const strict = refusingUnknownKeys(inner);
  return strict === inner ? schema : rebuilt(schema, { [key]: strict });
}

function strictVersion(schema: ZodTypeAny): ZodTypeAny {
  const def = schema._def as AnyDef;
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodObject:
      return strictObject(schema as z.AnyZodObject);
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return withInner(schema, "schema");
    case z.ZodFirstPartyTypeKind.ZodOptional:
    case z.ZodFirstPartyTypeKind.ZodNullable:
    case z.ZodFirstPartyTypeKind.ZodDefault:
    case z.ZodFirstPartyTypeKind.ZodCatch:
    case z.ZodFirstPartyTypeKind.ZodReadonly:
      return withInner(schema, "innerType");
    case z.ZodFirstPartyTypeKind.ZodArray:
      return withInner(schema, "type");
    case z.ZodFirstPartyTypeKind.ZodRecord:
      return withInner(schema, "valueType");
    case z.ZodFirstPartyTypeKind.ZodPipeline:
      return withInner(schema, "in");
    case z.ZodFirstPartyTypeKind.ZodUnion: {
      const options = def.options as ZodTypeAny[];
      const strict = options.map(refusingUnknownKeys);
      return strict.every((option, i) => option === options[i]) ? schema : rebuilt(schema, { options: strict });
    }
    default:
      // Intersections, discriminated unions, lazy schemas and leaves stay as they are.
      return schema;
  }
}

function strictObject(schema: z.AnyZodObject): ZodTypeAny {
  const def = schema._def;
  const shape = schema.shape as z.ZodRawShape;
  const strictShape = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, refusingUnknownKeys(field)]));
  const stripping = def.unknownKeys === "strip" && def.catchall instanceof z.ZodNever;
  if (!stripping && Object.keys(shape).every((key) => strictShape[key] === shape[key])) return schema;
  const message = unknownKeyMessage(Object.keys(shape));
  const errorMap: z.ZodErrorMap = (issue, ctx) =>
    issue.code === z.ZodIssueCode.unrecognized_keys ? { message } : (def.errorMap?.(issue, ctx) ?? { message: ctx.defaultError });
  return rebuilt(schema, { shape: () => strictShape, ...(stripping ? { unknownKeys: "strict", errorMap } : {}) });
}
