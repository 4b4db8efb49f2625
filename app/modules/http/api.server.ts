import type { z, ZodError, ZodTypeAny } from "zod";
import type { ApiScope } from "../auth/api-scopes";
import { authenticateApiToken, type AuthenticatedToken } from "../auth/api-tokens.server";
import { DomainError } from "../../utils/errors";
import { readBodyUpTo } from "../../utils/http";
import { refusingUnknownKeys } from "../../utils/unknown-keys";
import type { ApiErrorBody } from "./api-schemas";

/**
 * JSON API plumbing: one error envelope, bearer-token auth with scopes, body
 * parsing with zod. Handlers throw; `apiRoute` turns what they throw into the
 * documented statuses.
 */

export type ApiIssue = { path: string; message: string };

export function apiError(status: number, code: string, message: string, issues: ApiIssue[] = []): Response {
  // After a 413 the server drains the unread rest of the body (see `countedBody`) rather than closing the
  // connection at once: the client, still sending, would see a reset instead of this answer.
  const body: ApiErrorBody = { error: { code, message, issues } };
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * A successful answer, typed by the zod schema the OpenAPI document declares
 * for the operation (`API_ENDPOINTS` in openapi.ts). Checked by the compiler,
 * not parsed at run time: the contract tests validate live answers against the
 * document instead, so hot list endpoints pay nothing.
 */
export function apiJson<S extends ZodTypeAny>(_schema: S, body: z.infer<S>, init?: ResponseInit): Response {
  return Response.json(body, init);
}

/**
 * The issues of a failed parse as the API reports them: an unknown key is an
 * issue at that key (zod reports the keys together, at their object), and an
 * issue reported twice (a value failing two checks with one message) is one.
 */
export function issuesOf(error: ZodError): ApiIssue[] {
  const issues = error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((key) => ({ path: [...i.path, key].join("."), message: i.message }))
      : [{ path: i.path.join("."), message: i.message }],
  );
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.message]);
    return !seen.has(key) && !!seen.add(key);
  });
}

const DOMAIN_STATUS = { not_found: 404, conflict: 409, invalid: 422, forbidden: 403 } as const;

/** A numeric id from the path, or 0 (which matches nothing, so the lookup answers 404). */
export function pathId(raw: string | undefined): number {
  return /^\d{1,15}$/.test(raw ?? "") ? Number(raw) : 0;
}

/** The bearer secret of the request, if it sends one. */
const bearerSecret = (request: Request) => /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];

/** Whether the request carries a valid API token, whatever its scopes (for public endpoints that show more to clients with one). */
export function hasApiToken(request: Request): boolean {
  const secret = bearerSecret(request);
  return !!secret && !!authenticateApiToken(secret);
}

export function requireApiToken(request: Request, scope: ApiScope): AuthenticatedToken {
  const secret = bearerSecret(request);
  if (!secret) throw apiError(401, "unauthorized", "Send an API token: Authorization: Bearer <token>");
  const token = authenticateApiToken(secret);
  if (!token) throw apiError(401, "unauthorized", "The API token is invalid or has been revoked");
  if (!token.scopes.includes(scope)) {
    throw apiError(403, "forbidden", `This token lacks the ${scope} scope`);
  }
  return token;
}

const MAX_JSON_BYTES = 1_000_000;

/**
 * 400 when the body is not a UTF-8 JSON object, 413 when too large (refused
 * while reading, also for a chunked body without a length), 422 when it fails
 * the schema or has a key the schema does not know (`parseBody`).
 */
export async function readJsonBody<S extends ZodTypeAny>(request: Request, schema: S): Promise<z.output<S>> {
  const bytes = await readBodyUpTo(request, MAX_JSON_BYTES);
  if (!bytes) throw apiError(413, "payload_too_large", `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw apiError(400, "malformed_json", "The request body is not valid JSON (UTF-8)");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw apiError(400, "malformed_json", "The request body must be a JSON object");
  }
  return parseBody(body, schema);
}

/**
 * 422 with the issues when a body already read (`readJsonBody`) fails
 * `schema`, or has a key `schema` does not know (the document's
 * `additionalProperties: false`; forms parse the same schemas and drop such keys).
 */
export function parseBody<S extends ZodTypeAny>(body: unknown, schema: S): z.output<S> {
  const parsed = refusingUnknownKeys(schema).safeParse(body);
  if (!parsed.success) throw apiError(422, "invalid", "The request has invalid values", issuesOf(parsed.error));
  return parsed.data;
}

export function parseQuery<S extends ZodTypeAny>(request: Request, schema: S): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw apiError(422, "invalid", "The query has invalid values", issuesOf(parsed.error));
  return parsed.data;
}

/**
 * Runs an API handler: thrown Responses pass through, domain refusals get
 * their status, anything else is a logged 500 with no details leaked.
 */
export async function apiRoute(handler: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof DomainError) {
      return apiError(
        DOMAIN_STATUS[error.code],
        error.code,
        error.message,
        error.issues ?? (error.field ? [{ path: error.field, message: error.message }] : []),
      );
    }
    console.error(error);
    return apiError(500, "internal", "Something went wrong on our side");
  }
}

export function created<S extends ZodTypeAny>(schema: S, body: z.infer<S>): Response {
  return apiJson(schema, body, { status: 201 });
}

/** 204: done, nothing to answer (a DELETE). */
export function noContent(): Response {
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
}

export function methodNotAllowed(allowed: string[]): Response {
  const body: ApiErrorBody = { error: { code: "method_not_allowed", message: `Use ${allowed.join(", ")}`, issues: [] } };
  return new Response(JSON.stringify(body), {
    status: 405,
    headers: { Allow: allowed.join(", "), "Content-Type": "application/json" },
  });
}
