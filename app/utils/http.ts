/**
 * The one way routes refuse a request: throw the Response, and the
 * GeneralErrorBoundary renders it.
 */
export function httpError(status: 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429, message: string): Response {
  return new Response(message, { status, statusText: message });
}

export const notFound = (message = "Not found") => httpError(404, message);
export const forbidden = (message = "You do not have permission to do that") =>
  httpError(403, message);

/**
 * How long, and how much, of a refused body is still read (and dropped) after
 * the refusal is sent: long enough for a client that keeps sending to read the
 * refusal before its connection is cut.
 */
const LINGER_BYTES = 256 * 1024 * 1024;
const LINGER_MS = 2_000;

/** Reads and drops up to LINGER_BYTES within LINGER_MS: true when the body ended. */
async function dropBody(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  const deadline = Date.now() + LINGER_MS;
  let dropped = 0;
  while (dropped <= LINGER_BYTES) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), remaining);
      }),
    ]).catch(() => null);
    clearTimeout(timer);
    if (!next) return false;
    if (next.done) return true;
    dropped += next.value.byteLength;
  }
  return false;
}

/**
 * After refusing a body that is not read to its end: reads and drops the rest
 * in the background (the refusal goes out at once), so the client reads the
 * refusal instead of a reset connection and the connection can carry its next
 * request; one still sending after LINGER_BYTES or LINGER_MS is cut off.
 * `before` runs first (to let another reader of the body finish).
 */
export function lingerOnBody(reader: ReadableStreamDefaultReader<Uint8Array>, before?: () => Promise<unknown>): void {
  void (async () => {
    await before?.();
    if (await dropBody(reader)) releaseQuietly(reader);
    else await reader.cancel();
  })().catch(() => undefined);
}

/** `lingerOnBody` for a request whose body nobody has started to read. */
export function lingerOnRequestBody(request: Request): void {
  if (request.body && !request.body.locked) lingerOnBody(request.body.getReader());
}

/**
 * A request body, read while counting: null as soon as it passes `maxBytes`
 * (declared or streamed), so a huge or endless body is never buffered (the
 * rest is dropped in the background, see `lingerOnBody`).
 */
export async function readBodyUpTo(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (!request.body) return declared > maxBytes ? null : new Uint8Array(0);
  const reader = request.body.getReader();
  if (declared > maxBytes) {
    lingerOnBody(reader);
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      releaseQuietly(reader);
      throw error;
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      lingerOnBody(reader);
      return null;
    }
    chunks.push(next.value);
  }
  releaseQuietly(reader);
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Releases a reader; a read still pending is rejected, which its owner handles. */
export function releaseQuietly(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  try {
    reader.releaseLock();
  } catch {
    // already released
  }
}

/** Only same-site relative paths may be redirected to after sign-in. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || /[\u0000-\u001F\u007F\\]/.test(to)) return fallback;
  // Browsers drop tabs and newlines and read "\\" as "/", so resolve the path as they would.
  const resolved = new URL(to, "http://portal.invalid");
  return resolved.host === "portal.invalid" ? to : fallback;
}
