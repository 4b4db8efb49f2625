/**
 * The API refuses what its document says it does not take: every object the
 * OpenAPI document closes (`additionalProperties: false`) in a request body
 * refuses an unknown key with 422 at that key, where a form parsing the same
 * schema drops it. Found by walking the document, so a new body, or a new
 * object inside one, is checked without being listed here.
 */
import { describe, expect, it } from "vitest";
import { parseBody } from "./api.server";
import { API_ENDPOINTS, buildOpenApiDocument } from "./openapi";

type Json = Record<string, any>;
const doc = buildOpenApiDocument() as unknown as Json;

/** The paths (property names, "0" for an array's first item) of every closed object in a body schema. */
function closedObjects(schema: Json, path: string[] = []): string[][] {
  const found = schema.additionalProperties === false ? [path] : [];
  for (const [key, child] of Object.entries<Json>(schema.properties ?? {})) found.push(...closedObjects(child, [...path, key]));
  if (schema.items && typeof schema.items === "object") found.push(...closedObjects(schema.items, [...path, "0"]));
  for (const option of schema.anyOf ?? []) found.push(...closedObjects(option, path));
  return found;
}

/** A body with `{bogus: 1}` at `path` (arrays for "0"). */
function bodyWithUnknownKeyAt(path: string[]): unknown {
  return path.reduceRight<unknown>((inner, key) => (key === "0" ? [inner] : { [key]: inner }), { bogus: 1 });
}

/** The issues `parseBody` answers with (it throws the 422). */
function refusal(body: unknown, schema: Parameters<typeof parseBody>[1]): Promise<Json> {
  try {
    parseBody(body, schema);
  } catch (error) {
    if (error instanceof Response) return error.json().then((json: Json) => ({ status: error.status, ...json.error }));
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

const withBodies = API_ENDPOINTS.filter((e) => e.body);

describe("request bodies refuse unknown keys, as the document says", () => {
  it.each(withBodies.map((e) => [e.operationId, e] as const))("%s", async (_, endpoint) => {
    const schema = doc.paths[endpoint.path][endpoint.method].requestBody.content["application/json"].schema as Json;
    const closed = closedObjects(schema);
    expect(closed[0], "the body itself is closed").toEqual([]);
    for (const path of closed) {
      const answer = await refusal(bodyWithUnknownKeyAt(path), endpoint.body!);
      expect(answer.status).toBe(422);
      expect(answer.issues, path.join(".")).toContainEqual({
        path: [...path, "bogus"].join("."),
        message: expect.stringMatching(/^Unknown field; the fields here are \w/),
      });
    }
  });

  it("POST /models: the issue names the unknown key and the fields a model takes", async () => {
    const createModel = API_ENDPOINTS.find((e) => e.operationId === "createModel")!;
    const answer = await refusal({ name: "Churn", riskTier: "limited", bogus: 1, ownerEmial: "a@b.c" }, createModel.body!);
    expect(answer).toMatchObject({ status: 422, code: "invalid" });
    expect(answer.issues).toEqual([
      { path: "bogus", message: expect.stringContaining("name, slug, riskTier") },
      { path: "ownerEmial", message: expect.stringContaining("ownerEmail") },
    ]);
  });
});
