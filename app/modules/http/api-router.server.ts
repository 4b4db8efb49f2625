import { apiError, apiRoute, methodNotAllowed } from "./api.server";
import { withIdempotencyKey } from "./idempotency.server";
import { API_ENDPOINTS, takesMultipart } from "./openapi";

/** Where the API lives: every endpoint's path in the OpenAPI document is relative to it. */
export const API_BASE = "/api/v1";

/** The path parameters the API's endpoints use; those a path does not have are "". */
export type ApiPathParams = Record<"slug" | "version" | "id", string>;
export type ApiCall = { request: Request; params: ApiPathParams };
export type ApiHandler = (call: ApiCall) => Response | Promise<Response>;
/** Handlers by the `operationId` of the endpoint they serve. */
export type ApiHandlers = Record<string, ApiHandler>;

type ApiPath = { pattern: RegExp; names: Array<keyof ApiPathParams>; handlers: Map<string, { handler: ApiHandler; jsonBody: boolean }> };

/**
 * A body sent as another media type than JSON: 415 before it is read. Without a Content-Type the body is read as JSON,
 * as before. An endpoint that also takes multipart (`takesMultipart`) checks its own types.
 */
function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Remix leaves a parameter that is not valid percent-encoding as it came; so do we. */
function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The whole JSON API behind one route (`app/routes/api.v1.$.ts`), routed by
 * the endpoint list the OpenAPI document is generated from (`API_ENDPOINTS`),
 * so the document and the routing cannot disagree. Why not a route module per
 * endpoint: Remix matches a request against every route several times per
 * request, and two dozen API routes made every page slower (docs/decisions/0008).
 *
 * Checks once, when built, that every endpoint has a handler and every handler
 * an endpoint. A path with no handler for the request's method answers 405 with
 * `Allow`; HEAD is served as GET; an unknown path answers the API's 404.
 * A POST runs under its `Idempotency-Key`, when it sends one (idempotency.server.ts).
 */
export function apiRouter(handlers: ApiHandlers): (request: Request) => Promise<Response> {
  const missing = API_ENDPOINTS.filter((endpoint) => !handlers[endpoint.operationId]).map((endpoint) => endpoint.operationId);
  const extra = Object.keys(handlers).filter((id) => !API_ENDPOINTS.some((endpoint) => endpoint.operationId === id));
  if (missing.length || extra.length) {
    throw new Error(
      `API handlers do not match the endpoints: missing ${missing.join(", ") || "none"}; unknown ${extra.join(", ") || "none"}`,
    );
  }
  const paths = new Map<string, ApiPath>();
  for (const endpoint of API_ENDPOINTS) {
    let path = paths.get(endpoint.path);
    if (!path) {
      const names: Array<keyof ApiPathParams> = [];
      const source = endpoint.path.replace(/\{(\w+)\}/g, (_, name: keyof ApiPathParams) => {
        names.push(name);
        return "([^/]+)";
      });
      path = { pattern: new RegExp(`^${API_BASE}${source}/?$`), names, handlers: new Map() };
      paths.set(endpoint.path, path);
    }
    const jsonBody = Boolean(endpoint.body) && !takesMultipart(endpoint);
    path.handlers.set(endpoint.method.toUpperCase(), { handler: handlers[endpoint.operationId]!, jsonBody });
  }

  return (request) =>
    apiRoute(() => {
      const pathname = new URL(request.url).pathname;
      for (const path of paths.values()) {
        const match = path.pattern.exec(pathname);
        if (!match) continue;
        const route = path.handlers.get(request.method === "HEAD" ? "GET" : request.method);
        if (!route) return methodNotAllowed([...path.handlers.keys()]);
        const { handler, jsonBody } = route;
        const contentType = request.headers.get("content-type");
        if (jsonBody && contentType !== null && !isJsonMediaType(contentType)) {
          return apiError(415, "unsupported_media_type", `Send the body as application/json, not ${contentType.split(";")[0]!.trim()}`);
        }
        const params: ApiPathParams = { slug: "", version: "", id: "" };
        path.names.forEach((name, i) => (params[name] = decoded(match[i + 1]!)));
        if (request.method !== "POST") return handler({ request, params });
        return withIdempotencyKey(request, (keyed) => apiRoute(() => handler({ request: keyed, params })));
      }
      return apiError(404, "not_found", "No such API endpoint");
    });
}
