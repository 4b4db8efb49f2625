import { zodToJsonSchema } from "zod-to-json-schema";
import { FrameworkSchema } from "./framework-schema";

type JsonSchemaDocument = { $schema: string; type: "object" } & Record<string, unknown>;

let generated: JsonSchemaDocument | undefined;

/**
 * The JSON Schema (draft 7) of a framework version's JSON, generated from the
 * zod schema the portal parses `content/` and uploads with (the input side:
 * fields with defaults are optional). It cannot say what the cross-checks of
 * framework-validation.ts say (ids that must refer to each other): upload or
 * `npm run framework:validate` checks those. Generated once.
 */
export function frameworkJsonSchema(): JsonSchemaDocument {
  generated ??= {
    ...(zodToJsonSchema(FrameworkSchema, { target: "jsonSchema7", effectStrategy: "input", $refStrategy: "none" }) as JsonSchemaDocument),
    title: "Framework version",
    description: "A maturity framework version as the portal reads it from content/ and from site administrators' uploads",
  };
  return generated;
}
