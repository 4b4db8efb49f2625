import { frameworkJsonSchema } from "~/modules/framework/framework-json-schema";
import { methodNotAllowed } from "~/modules/http/api.server";

/**
 * `GET /api/v1/framework/schema.json`: the JSON Schema of a framework version's
 * JSON (public, like the built-in versions), generated from the zod schema
 * uploads are checked with, for editors and CI. Served beside the API's
 * operations, like /api/v1/openapi.json: a schema document, not an API answer.
 */
export const loader = () =>
  Response.json(frameworkJsonSchema(), { headers: { "Cache-Control": "public, max-age=300", "Content-Type": "application/schema+json" } });

/** Other methods get the API's 405, in its error envelope. */
export const action = () => methodNotAllowed(["GET"]);
