import Database from "better-sqlite3";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import { databaseFile } from "../../../db/client";
import {
  cutAtNonce,
  deflateParts,
  gzipWithNonce,
  isCacheableRequest,
  isCacheableResponse,
  joinWithNonce,
  PageCache,
  pageCacheKey,
  pageCacheValidity,
  type CachedPage,
} from "./page-cache";

/**
 * SQLite's `PRAGMA data_version` on a connection of our own changes whenever
 * any other connection commits: this process's app connection, the other
 * workers, a CLI. One call costs about a microsecond.
 */
export function databaseDataVersion(file = databaseFile()): () => number {
  const connection = new Database(file, { fileMustExist: true });
  const statement = connection.prepare("pragma data_version").pluck();
  return () => statement.get() as number;
}

type Options = {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: string | undefined;
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
  /** Omitted: every request is rendered (development, PORTAL_PAGE_CACHE=off). */
  pageCache?: { cache: PageCache; dataVersion: () => number };
};

/**
 * Remix's Express handler, with the rendered-page cache in front of it. Answers
 * carry `X-Page-Cache: hit`, or `miss` when the page rendered has been stored.
 */
export function createPortalRequestHandler({ build, mode, getLoadContext, pageCache }: Options) {
  const handleRequest = createRequestHandler(build, mode);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const nonce = String(res.locals.cspNonce ?? "");
      const lookup = pageCache && isCacheableRequest({ method: req.method, url: req.originalUrl }) ? pageCache : undefined;
      let key = "";
      let validity = "";
      if (lookup) {
        validity = pageCacheValidity(lookup.dataVersion());
        lookup.cache.revalidate(validity);
        key = pageCacheKey({
          method: req.method,
          protocol: req.protocol,
          host: `${req.get("x-forwarded-host") ?? ""}|${req.get("host") ?? ""}`,
          url: req.originalUrl,
          cookie: req.get("cookie") ?? "",
        });
        const hit = lookup.cache.get(key);
        if (hit) {
          // The first repeat that takes gzip deflates the page once (off the main thread), for every later one.
          if (!hit.deflatedParts && acceptsGzip(req, hit)) {
            const cache = lookup.cache;
            hit.deflating ??= deflateParts(hit.parts).then((parts) => {
              const before = PageCache.footprint(key, hit);
              hit.deflatedParts = parts;
              cache.grew(key, hit, before);
              return parts;
            });
            await hit.deflating;
          }
          return sendCachedPage(req, res, hit, nonce, "hit");
        }
      }
      const response = await handleRequest(toFetchRequest(req, res), getLoadContext(req, res));
      if (lookup && isCacheableResponse(response.status, response.headers)) {
        const body = Buffer.from(await response.arrayBuffer());
        const page: CachedPage = { status: response.status, headers: [...response.headers.entries()], parts: cutAtNonce(body, nonce), bytes: body.byteLength };
        // Sent plain here: `compression` gzips it as it does any page.
        return sendCachedPage(req, res, page, nonce, lookup.cache.set(key, validity, page) ? "miss" : undefined);
      }
      await sendResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

const acceptsGzip = (req: ExpressRequest, page: CachedPage) => page.bytes >= 1024 && req.acceptsEncodings("gzip", "identity") === "gzip";

/** Gzipped from the deflated copy when there is one and the client takes it (compression skips a response that already has an encoding). */
function sendCachedPage(req: ExpressRequest, res: ExpressResponse, page: CachedPage, nonce: string, outcome: "hit" | "miss" | undefined): void {
  const gzip = page.deflatedParts !== undefined && acceptsGzip(req, page);
  const body = gzip ? gzipWithNonce(page.parts, page.deflatedParts!, nonce) : joinWithNonce(page.parts, nonce);
  res.status(page.status);
  for (const [name, value] of page.headers) {
    if (name !== "content-length") res.append(name, value);
  }
  if (gzip) res.set("Content-Encoding", "gzip");
  res.vary("Accept-Encoding");
  res.set("Content-Length", String(body.byteLength));
  if (outcome) res.set("X-Page-Cache", outcome);
  res.end(body);
}

/** As @remix-run/express does it (which does not export these): the URL respects "trust proxy". */
function toFetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const portOf = (host: string | undefined) => Number.parseInt(host?.split(":")[1] ?? "", 10);
  const forwardedPort = portOf(req.get("x-forwarded-host"));
  const hostPort = portOf(req.get("host"));
  const port = Number.isSafeInteger(forwardedPort) ? forwardedPort : Number.isSafeInteger(hostPort) ? hostPort : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value) headers.set(name, value);
  }
  // Loaders and actions stop when the client goes away before the answer is sent.
  let controller: AbortController | null = new AbortController();
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new Request(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`, init);
}

async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
