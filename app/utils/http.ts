/**
 * The one way routes refuse a request: throw the Response, and the
 * GeneralErrorBoundary renders it.
 */
export function httpError(status: 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429, message: string): Response {
  return new Response(message, { status, statusText: message });
}

export const notFound = (message = "Not found") => httpError(404, message);
export const forbidden = (message = "You do not have permission to do that") => httpError(403, message);

/** A 403 whose page needs more than words: `details` (with its `message`) reaches the GeneralErrorBoundary as `error.data`. */
export function forbiddenWith(details: { message: string; kind: string }): Response {
  return new Response(JSON.stringify(details), {
    status: 403,
    statusText: "Forbidden",
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}

/**
 * Request bodies are limited here, while they stream, and drained in ONE
 * place: the server (scripts/server) reads and drops whatever a request left
 * unread once its answer is sent, so the client reads a refusal (413, 415,
 * 401...) instead of a reset connection, and cuts off one that keeps sending.
 * So code here stops reading and never cancels the body: cancelling it would
 * close the connection before the refusal is read.
 */

/** The body passed a limit (the error `countedBody`'s check throws, by convention). */
export class BodyTooLarge extends Error {
  constructor(message = "The request body is too large") {
    super(message);
    this.name = "BodyTooLarge";
  }
}

/**
 * The request body as a stream that calls `check` with the running byte count
 * before passing each chunk on; an error `check` throws (a `BodyTooLarge`)
 * ends the stream, and the rest of the body is left unread for the server to drain.
 */
export function countedBody(request: Request, check: (bytesRead: number) => void): ReadableStream<Uint8Array> {
  const reader = request.body?.getReader();
  let bytesRead = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!reader) return controller.close();
      const next = await reader.read();
      if (next.done) return controller.close();
      bytesRead += next.value.byteLength;
      try {
        check(bytesRead);
      } catch (error) {
        releaseQuietly(reader);
        return controller.error(error);
      }
      controller.enqueue(next.value);
    },
    cancel() {
      if (reader) releaseQuietly(reader);
    },
  });
}

/**
 * A request body, read while counting: null as soon as it passes `maxBytes`
 * (declared or streamed), so a huge or endless body is never buffered.
 */
export async function readBodyUpTo(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return null;
  const reader = countedBody(request, (bytesRead) => {
    if (bytesRead > maxBytes) throw new BodyTooLarge();
  }).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } catch (error) {
    if (error instanceof BodyTooLarge) return null;
    throw error;
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Releases a reader; a read still pending is rejected, which its owner handles. */
function releaseQuietly(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  try {
    reader.releaseLock();
  } catch {
    // already released
  }
}

/** The media type a request's body declares, lower-case and without parameters ("multipart/form-data"); "" when it declares none. */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Only same-site relative paths may be redirected to after sign-in. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof to !== "string" || !to.startsWith("/") || /[\u0000-\u001F\u007F\\]/.test(to)) return fallback;
  // Browsers drop tabs and newlines and read "\\" as "/", so resolve the path as they would.
  const resolved = new URL(to, "http://portal.invalid");
  if (resolved.host !== "portal.invalid") return fallback;
  // The resolved form is ASCII (a Location header cannot carry characters above U+00FF: a 500 before),
  // and must not have become protocol-relative through dot segments ("/.//evil.com").
  const target = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  return target.startsWith("//") ? fallback : target;
}
