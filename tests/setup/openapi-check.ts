import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { buildOpenApiDocument } from "../../app/modules/http/openapi";

/**
 * Checks a live API answer against the OpenAPI document the portal serves:
 * finds the operation for the method and path, the response declared for the
 * status, and validates the JSON body with Ajv. Undocumented keys fail too
 * (objects are closed here, though the document leaves them open for clients),
 * so the document cannot fall behind what the server sends.
 */

type Json = Record<string, unknown>;

const SERVER_BASE = "/api/v1";
const document = buildOpenApiDocument(SERVER_BASE) as unknown as {
  paths: Record<string, Record<string, Json>>;
  components: Json;
  webhooks: Record<string, { post: Json }>;
};

/** Every object schema with properties and no `additionalProperties` refuses other keys. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== "object") return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closeObjects(v)])) as Json;
  if (copy.properties && !("additionalProperties" in copy)) copy.additionalProperties = false;
  return copy;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ components: closeObjects(document.components) }, "openapi");

const routes = Object.entries(document.paths).map(([template, operations]) => ({
  template,
  operations,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{\w+\\?\}/g, "[^/]+")}$`),
}));

const validators = new Map<string, ValidateFunction>();

function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi${ref}` });
    validators.set(ref, validate);
  }
  return validate;
}

const preview = (body: unknown) => {
  const text = JSON.stringify(body);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
};

/**
 * Throws a readable error unless `body` is what the document declares for
 * `status` of the operation at `method` + `path` (a concrete path such as
 * `/api/v1/models/churn/versions`, with or without the `/api/v1` prefix and a query).
 */
export function expectMatchesDocument({
  method,
  path,
  status,
  body,
}: {
  method: string;
  path: string;
  status: number;
  body: unknown;
}): void {
  const pathname = new URL(path, "http://portal.invalid").pathname;
  const relative = pathname.startsWith(`${SERVER_BASE}/`) ? pathname.slice(SERVER_BASE.length) : pathname;
  const route = routes.find((r) => r.pattern.test(relative));
  const verb = method.toLowerCase();
  const operation = route?.operations[verb];
  if (!route || !operation) throw new Error(`The API document has no operation ${method.toUpperCase()} ${relative}`);
  const name = `${operation.operationId as string} (${method.toUpperCase()} ${route.template})`;
  const responses = operation.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  const response = responses[String(status)];
  if (!response) {
    throw new Error(
      `${name} answered ${status}, which the document does not declare (it declares ${Object.keys(responses).join(", ")}); body: ${preview(body)}`,
    );
  }
  // A response without content (204): the answer must have no body either.
  if (!response.content) {
    if (body !== undefined) throw new Error(`${name} answered ${status}, declared without a body, with ${preview(body)}`);
    return;
  }
  // JSON lines (application/x-ndjson): `body` is the parsed lines, each checked against the schema of one line.
  const lines = response.content?.["application/x-ndjson"];
  const ref = (lines ?? response.content?.["application/json"])?.schema?.$ref;
  if (!ref) throw new Error(`${name}: the document declares no JSON schema for ${status}`);
  const validate = validatorFor(ref);
  if (lines && !Array.isArray(body)) throw new Error(`${name} answered ${status}: JSON lines expected, got ${preview(body)}`);
  for (const item of lines ? (body as unknown[]) : [body]) expectValid(validate, item, `${name} answered ${status}`, ref);
}

/**
 * Throws a readable error unless `body` (a webhook delivery's parsed JSON) is
 * what the document's `webhooks` entry for its event type declares.
 */
export function expectWebhookMatchesDocument(body: { type?: unknown }): void {
  const entry = typeof body.type === "string" ? document.webhooks[body.type] : undefined;
  if (!entry) throw new Error(`The API document declares no webhook event ${String(body.type)}`);
  const content = entry.post.requestBody as { content: Record<string, { schema: { $ref: string } }> };
  const ref = content.content["application/json"]!.schema.$ref;
  expectValid(validatorFor(ref), body, `The ${body.type as string} webhook`, ref);
}

/** `what`: the answer or message checked, e.g. "getModel (GET /models/{slug}) answered 200". */
function expectValid(validate: ValidateFunction, body: unknown, what: string, ref: string): void {
  if (!validate(body)) {
    const problems = (validate.errors ?? []).map(
      (e) =>
        `  ${e.instancePath || "(the body)"} ${e.message}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`,
    );
    throw new Error(`${what} came with a body that does not match ${ref}:\n${problems.join("\n")}\nbody: ${preview(body)}`);
  }
}

/**
 * The check every API answer the shared test client receives goes through
 * (tests/setup/api-client.ts): a declared operation and status are validated
 * in full by `expectMatchesDocument`; any other refusal (an unknown path, a
 * method the route does not take, a body too large, throttling) must still be
 * the documented error envelope. A success the document does not declare fails.
 */
export function checkApiAnswer({ method, path, status, body }: { method: string; path: string; status: number; body: unknown }): void {
  const pathname = new URL(path, "http://portal.invalid").pathname;
  const relative = pathname.startsWith(`${SERVER_BASE}/`) ? pathname.slice(SERVER_BASE.length) : pathname;
  const operation = routes.find((r) => r.pattern.test(relative))?.operations[method.toLowerCase()];
  const declared = operation && String(status) in (operation.responses as Json);
  if (declared || status < 400) return expectMatchesDocument({ method, path, status, body });
  const validate = validatorFor("#/components/schemas/Error");
  if (!validate(body)) {
    throw new Error(`${method.toUpperCase()} ${relative} answered ${status} with a body that is not the error envelope: ${preview(body)}`);
  }
}
