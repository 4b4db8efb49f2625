/**
 * HTTP against a running portal: `send` (one raw request, redirects not
 * followed) and `apiClient` (JSON API calls with a token, shaped like
 * Playwright's request context so specs read the same in both suites), and
 * assertions on the API's answers and its error envelope
 * `{"error": {"code", "message", "issues": [{"path", "message"}]}}`.
 *
 * Runner-neutral (node:assert, no vitest or Playwright import): the
 * integration suites, the Playwright specs and the benchmark all use it.
 */
import assert from "node:assert/strict";
import { checkApiAnswer } from "./openapi-check";

export const API = "/api/v1";

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// ---------------------------------------------------------------- the one place every answer passes

/**
 * Every answer `send` and `apiClient` receive passes here: each JSON answer of
 * the API is checked against the OpenAPI document (tests/setup/openapi-check.ts),
 * so every suite that calls the API also tests the document.
 */
function received(method: string, url: string, status: number, contentType: string, text: string): void {
  const path = new URL(url).pathname;
  if (!path.startsWith(`${API}/`) || path === `${API}/openapi.json`) return;
  if (contentType.includes("application/x-ndjson")) return checkApiAnswer({ method, path, status, body: parseJsonLines(text) });
  if (!contentType.includes("application/json") || text === "") return;
  checkApiAnswer({ method, path, status, body: JSON.parse(text) });
}

/** JSON lines (application/x-ndjson, as `GET /api/v1/audit/events` answers): one value per line. */
export function parseJsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

// ---------------------------------------------------------------- one raw request

export type Reply = { status: number; contentType: string; text: string; location: string | null; headers: Headers };

export type SendInit = RequestInit & {
  /** A `name=value` cookie (what `signIn` returns). */
  cookie?: string;
  /** An API token, sent as `Authorization: Bearer …`. */
  bearer?: string;
  duplex?: "half";
};

/** One request, redirects not followed. HTTP_DEBUG=1 logs each one with its status and time. */
export async function send(baseUrl: string, urlPath: string, init: SendInit = {}): Promise<Reply> {
  const { cookie, bearer: token, headers: given, ...rest } = init;
  const headers = new Headers(given);
  if (cookie) headers.set("cookie", cookie);
  if (token) headers.set("authorization", `Bearer ${token}`);
  const method = init.method ?? "GET";
  const started = Date.now();
  const label = `${method} ${urlPath.slice(0, 120)}`;
  try {
    const res = await fetch(`${baseUrl}${urlPath}`, { redirect: "manual", ...rest, headers });
    const text = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    if (process.env.HTTP_DEBUG) console.log(`${label} -> ${res.status} in ${Date.now() - started} ms (${text.length} chars)`);
    received(method, res.url, res.status, contentType, text);
    return { status: res.status, contentType, text, location: res.headers.get("location"), headers: res.headers };
  } catch (error) {
    if (process.env.HTTP_DEBUG)
      console.log(`${label} -> ${String(error)} ${String((error as Error).cause ?? "")} in ${Date.now() - started} ms`);
    throw error;
  }
}

/** POSTs `body` as JSON with an API token. */
export function postJson(baseUrl: string, token: string, urlPath: string, body: unknown): Promise<Reply> {
  return send(baseUrl, urlPath, {
    method: "POST",
    bearer: token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Runs `count` tasks with at most `limit` in flight; results in task order. */
export async function runBounded<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

// ---------------------------------------------------------------- an API client

/** What the assertions below read of an answer: Playwright's APIResponse fits too. */
export interface ResponseLike {
  status(): number;
  url(): string;
  headers(): Record<string, string>;
  text(): Promise<string>;
}

export class ApiResponse implements ResponseLike {
  constructor(
    private readonly reply: Reply,
    private readonly requestUrl: string,
  ) {}
  status() {
    return this.reply.status;
  }
  ok() {
    return this.reply.status >= 200 && this.reply.status < 300;
  }
  url() {
    return this.requestUrl;
  }
  headers(): Record<string, string> {
    return Object.fromEntries(this.reply.headers);
  }
  async text() {
    return this.reply.text;
  }

  async json(): Promise<any> {
    return JSON.parse(this.reply.text);
  }
}

export type FilePart = { name: string; mimeType: string; buffer: Buffer };

export type RequestOptions = {
  /** An object or array is sent as JSON; a string or bytes as they are. */
  data?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string | number | boolean>;
  /** Sent as `multipart/form-data`. */
  multipart?: Record<string, string | FilePart>;
  headers?: Record<string, string>;
  /** 0: do not follow redirects. */
  maxRedirects?: number;
};

export type ApiClient = {
  baseUrl: string;
  fetch(path: string, options?: RequestOptions & { method?: string }): Promise<ApiResponse>;
  get(path: string, options?: RequestOptions): Promise<ApiResponse>;
  post(path: string, options?: RequestOptions): Promise<ApiResponse>;
  put(path: string, options?: RequestOptions): Promise<ApiResponse>;
  patch(path: string, options?: RequestOptions): Promise<ApiResponse>;
  delete(path: string, options?: RequestOptions): Promise<ApiResponse>;
};

function bodyOf(options: RequestOptions): { body?: BodyInit; contentType?: string } {
  if (options.multipart) {
    const form = new FormData();
    for (const [key, value] of Object.entries(options.multipart)) {
      if (typeof value === "string") form.append(key, value);
      else form.append(key, new Blob([new Uint8Array(value.buffer)], { type: value.mimeType }), value.name);
    }
    return { body: form };
  }
  if (options.form) {
    const params = new URLSearchParams(Object.entries(options.form).map(([k, v]) => [k, String(v)]));
    return { body: params.toString(), contentType: "application/x-www-form-urlencoded" };
  }
  const { data } = options;
  if (data === undefined) return {};
  if (typeof data === "string") return { body: data };
  if (data instanceof Uint8Array) return { body: new Uint8Array(data) };
  return { body: JSON.stringify(data), contentType: "application/json" };
}

/** Requests against `baseUrl` with these headers on each (e.g. `bearer(token)`). */
export function apiClient(baseUrl: string, defaults: { headers?: Record<string, string> } = {}): ApiClient {
  const call = async (path: string, options: RequestOptions & { method?: string } = {}) => {
    const { body, contentType } = bodyOf(options);
    const headers = new Headers(defaults.headers);
    if (contentType) headers.set("content-type", contentType);
    for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value);
    const url = `${baseUrl}${path}`;
    const reply = await send(baseUrl, path, {
      method: options.method ?? "GET",
      headers,
      body,
      redirect: options.maxRedirects === 0 ? "manual" : "follow",
    });
    return new ApiResponse(reply, url);
  };
  return {
    baseUrl,
    fetch: call,
    get: (path, options) => call(path, { ...options, method: "GET" }),
    post: (path, options) => call(path, { ...options, method: "POST" }),
    put: (path, options) => call(path, { ...options, method: "PUT" }),
    patch: (path, options) => call(path, { ...options, method: "PATCH" }),
    delete: (path, options) => call(path, { ...options, method: "DELETE" }),
  };
}

// ---------------------------------------------------------------- assertions

export type ApiError = { code: string; message: string; issues: { path: string; message: string }[] };

/** Asserts the status and the error envelope (and its code, when given); returns the error for further checks. */
export async function expectApiError(response: ResponseLike, status: number, code?: string): Promise<ApiError> {
  const text = await response.text();
  assert.equal(response.status(), status, `${response.url()} answered ${response.status()}: ${text}`);
  assert.match(response.headers()["content-type"] ?? "", /application\/json/, `${response.url()}: error content type`);
  const body = JSON.parse(text) as { error: ApiError };
  assert.deepEqual(Object.keys(body), ["error"], `${response.url()}: ${text}`);
  assert.equal(typeof body.error.code, "string", `${response.url()}: error code`);
  assert.equal(typeof body.error.message, "string", `${response.url()}: error message`);
  assert.ok(body.error.message.length > 0, `${response.url()}: empty error message`);
  assert.ok(Array.isArray(body.error.issues), `${response.url()}: issues is not an array`);
  if (code) assert.equal(body.error.code, code, `${response.url()}: error code`);
  return body.error;
}

/** Asserts an exact success status and returns the parsed JSON. */

export async function expectJson<T = any>(response: ResponseLike, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status(), status, `${response.url()} answered ${response.status()}: ${text}`);
  return JSON.parse(text) as T;
}
