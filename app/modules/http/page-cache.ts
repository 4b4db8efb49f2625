/**
 * The rendered-page cache. Server rendering is most of a page's cost, and
 * people reload the same pages (dashboards, lists, the audit log) far more
 * often than anything changes. A rendered page is kept only while nothing has
 * been written to the database and the clock has not reached the next minute
 * (pages show "overdue" and "due this week" figures), and only for the very
 * request that produced it: same URL, host, protocol and the byte-identical
 * Cookie header, which carries the signed session. Signing out, deactivating
 * a user or changing a role are writes, so they empty the cache too.
 *
 * Each response carries a fresh CSP nonce: a page is stored cut at its nonce
 * and joined again with the next request's.
 */
import zlib from "node:zlib";
import { promisify } from "node:util";

export type CachedPage = {
  status: number;
  headers: Array<[string, string]>;
  /** The body cut wherever the nonce of the request that rendered it appeared. */
  parts: Buffer[];
  /** The same parts deflated, made on the first repeat request that accepts gzip (see `gzipWithNonce`). */
  deflatedParts?: Buffer[];
  /** That deflation while it runs, so requests arriving meanwhile wait for it rather than start their own. */
  deflating?: Promise<Buffer[]>;
  /** The body's length (what Content-Length says when sent plain). */
  bytes: number;
};

export type PageRequest = { method: string; protocol: string; host: string; url: string; cookie: string };

export type PageCacheLimits = { maxEntries: number; maxBytes: number };

export const DEFAULT_PAGE_CACHE_LIMITS: PageCacheLimits = { maxEntries: 500, maxBytes: 48 * 1024 * 1024 };

/** GET requests for pages and their `.data` navigations; the JSON API and HEAD are left alone. */
export function isCacheableRequest(request: Pick<PageRequest, "method" | "url">): boolean {
  return request.method === "GET" && !request.url.startsWith("/api/");
}

/** Only plain successes of documents and Remix data: no redirect, error, cookie change or download. */
export function isCacheableResponse(status: number, headers: Headers): boolean {
  if (status !== 200 || headers.has("set-cookie") || headers.has("content-disposition")) return false;
  if (/no-store/i.test(headers.get("cache-control") ?? "")) return false;
  return /^text\/(html|x-script)\b/i.test(headers.get("content-type") ?? "");
}

export function pageCacheKey(request: PageRequest): string {
  return [request.method, request.protocol, request.host, request.url, request.cookie].join("\n");
}

/** What keeps an entry valid: the database's data version and the current minute. */
export function pageCacheValidity(dataVersion: number, now = Date.now()): string {
  return `${dataVersion}@${Math.floor(now / 60_000)}`;
}

export function cutAtNonce(body: Buffer, nonce: string): Buffer[] {
  const parts: Buffer[] = [];
  if (nonce === "") return [body];
  let start = 0;
  for (let at = body.indexOf(nonce, start, "utf8"); at !== -1; at = body.indexOf(nonce, start, "utf8")) {
    parts.push(body.subarray(start, at));
    start = at + Buffer.byteLength(nonce);
  }
  parts.push(body.subarray(start));
  return parts;
}

export function joinWithNonce(parts: Buffer[], nonce: string): Buffer {
  if (parts.length === 1) return parts[0]!;
  const glue = Buffer.from(nonce, "utf8");
  const pieces: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) pieces.push(glue);
    pieces.push(part);
  });
  return Buffer.concat(pieces);
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** A final, empty block with fixed Huffman codes: the end of the deflate stream. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Each part deflated on its own and ended with a full flush, so it starts and
 * ends on a byte boundary and refers to nothing before it. Compressing a page
 * costs more than rendering it from the cache; this way it is done once.
 */
export function deflateParts(parts: Buffer[]): Promise<Buffer[]> {
  return Promise.all(parts.map((part) => deflateRaw(part, { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 6 })));
}

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * One gzip member (RFC 1952) around the deflated parts, with the nonce between
 * them as uncompressed ("stored") deflate blocks (RFC 1951 3.2.4); the checksum
 * covers the page as sent.
 */
export function gzipWithNonce(parts: Buffer[], deflatedParts: Buffer[], nonce: string): Buffer {
  const glue = Buffer.from(nonce, "utf8");
  const stored = Buffer.alloc(5);
  stored.writeUInt16LE(glue.length, 1);
  stored.writeUInt16LE(~glue.length & 0xffff, 3);
  const pieces: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  parts.forEach((part, i) => {
    if (i > 0) {
      pieces.push(stored, glue);
      crc = zlib.crc32(glue, crc);
      size += glue.length;
    }
    pieces.push(deflatedParts[i]!);
    // Node 20's crc32 answers 0 for some empty buffers whatever the running value: skip them.
    if (part.length > 0) crc = zlib.crc32(part, crc);
    size += part.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  pieces.push(FINAL_EMPTY_BLOCK, trailer);
  return Buffer.concat(pieces);
}

/** Least recently used pages, bounded by count and bytes, all dropped at once when the validity changes. */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;
  private validity = "";

  constructor(private readonly limits: PageCacheLimits = DEFAULT_PAGE_CACHE_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Call before a lookup with the validity read for this request; a change empties the cache. */
  revalidate(validity: string): void {
    if (validity === this.validity) return;
    this.validity = validity;
    this.entries.clear();
    this.bytes = 0;
  }

  /** What an entry holds in memory: its key (URL and cookie), headers, body and any deflated copy. */
  static footprint(key: string, page: CachedPage): number {
    const headers = page.headers.reduce((n, [name, value]) => n + name.length + value.length, 0);
    const deflated = page.deflatedParts?.reduce((n, part) => n + part.length, 0) ?? 0;
    return key.length + headers + page.bytes + deflated;
  }

  /** Records that a stored page grew (its deflated copy was made), evicting others if the budget is passed. */
  grew(key: string, page: CachedPage, before: number): void {
    // Emptied or stored afresh meanwhile: that entry was counted when it was set.
    if (this.entries.get(key) !== page) return;
    this.bytes += PageCache.footprint(key, page) - before;
    this.evict();
  }

  get(key: string): CachedPage | undefined {
    const page = this.entries.get(key);
    if (page) {
      this.entries.delete(key);
      this.entries.set(key, page);
    }
    return page;
  }

  /**
   * Stores a page rendered under `validity` (read before rendering began). A write that
   * landed while it rendered has moved the validity on, and the page is not kept.
   */
  set(key: string, validity: string, page: CachedPage): boolean {
    const size = PageCache.footprint(key, page);
    if (validity !== this.validity || size > this.limits.maxBytes / 4) return false;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= PageCache.footprint(key, previous);
    }
    this.entries.set(key, page);
    this.bytes += size;
    this.evict();
    return true;
  }

  private evict(): void {
    for (const [oldest, evicted] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= PageCache.footprint(oldest, evicted);
    }
  }
}
