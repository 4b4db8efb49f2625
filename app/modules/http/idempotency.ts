import { createHash } from "node:crypto";

/**
 * What makes two API requests "the same" for `Idempotency-Key`
 * (idempotency.server.ts), and the header names the OpenAPI document shows.
 */

/** The request header; every POST of the API accepts it. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";
/** A key: 1 to 255 visible ASCII characters (a UUID, say). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
/** Answers replayed from the store carry this header, set to "true". */
export const REPLAYED_HEADER = "Idempotent-Replayed";

/**
 * The digest of a request: method, path, media type and body. A multipart
 * body is digested with its boundary blanked out, since a client sending the
 * same parts again may well choose another boundary. Fed chunk by chunk, so a
 * streamed upload is never held in memory.
 */
export class RequestDigest {
  private readonly hash = createHash("sha256");
  private readonly boundary: Buffer | null;
  private carry: Buffer = Buffer.alloc(0);

  constructor(request: Request) {
    const contentType = request.headers.get("content-type") ?? "";
    const [mediaType = ""] = contentType.split(";");
    const boundary = /;\s*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    this.boundary = boundary ? Buffer.from(boundary) : null;
    this.hash.update(JSON.stringify([request.method, new URL(request.url).pathname, mediaType.trim().toLowerCase()]));
  }

  update(chunk: Uint8Array): void {
    if (!this.boundary) {
      this.hash.update(chunk);
      return;
    }
    let rest = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = rest.indexOf(this.boundary); at !== -1; at = rest.indexOf(this.boundary)) {
      this.hash.update(rest.subarray(0, at));
      this.hash.update("\u0000boundary\u0000");
      rest = rest.subarray(at + this.boundary.length);
    }
    // Keep what could be the start of a boundary split across chunks.
    const keep = Math.min(rest.length, this.boundary.length - 1);
    this.hash.update(rest.subarray(0, rest.length - keep));
    this.carry = Buffer.from(rest.subarray(rest.length - keep));
  }

  digest(): string {
    this.hash.update(this.carry);
    this.carry = Buffer.alloc(0);
    return this.hash.digest("hex");
  }
}
