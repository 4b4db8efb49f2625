import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";
import { BodyTooLarge, countedBody } from "./http";

/** Uploads larger than this are refused while streaming, with 413. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_PARTS = 32;
/** Everything that is not a part's content (preamble, boundaries, part headers). */
const MAX_OVERHEAD_BYTES = 1024 * 1024;

export class UploadTooLarge extends BodyTooLarge {
  constructor() {
    super(`Uploads are limited to ${Math.round(MAX_UPLOAD_BYTES / 1024 / 1024)} MB`);
  }
}

/** The body is not multipart/form-data (415), or cannot be parsed as such (400). */
export class UploadUnreadable extends Error {
  constructor(
    message: string,
    readonly status: 400 | 415,
  ) {
    super(message);
  }
}

export type SpooledUpload = {
  fields: Record<string, string>;
  file: { path: string; name: string; size: number } | null;
  /** Removes the spooled file; call it in `finally`. */
  cleanup: () => void;
};

/**
 * Reads a multipart upload without holding the file in memory: the `file`
 * part is streamed to a temp file (so form fields may come before or after
 * it), other parts are small text fields. Later parsing streams from disk.
 * Limits are checked while the body streams; what a refusal leaves unread
 * is drained by the server (see `countedBody`).
 */
export async function spoolMultipartUpload(request: Request): Promise<SpooledUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType) || !request.body) {
    throw new UploadUnreadable("Send the upload as multipart/form-data", 415);
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES + MAX_FIELD_BYTES) {
    throw new UploadTooLarge();
  }
  // Part contents are limited below; the rest of the body is limited here, while it streams.
  let contentBytes = 0;
  let parts = 0;
  const body = countedBody(request, (bytesRead) => {
    if (bytesRead - contentBytes > MAX_OVERHEAD_BYTES) throw new UploadTooLarge();
  });
  const counted = new Request(request.url, { method: request.method, headers: request.headers, body, duplex: "half" } as RequestInit);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-upload-"));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  let file: SpooledUpload["file"] = null;
  const fields: Record<string, string> = {};
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (++parts > MAX_PARTS) throw new UploadTooLarge();
    if (name === "file" && filename !== undefined) {
      const target = path.join(dir, randomBytes(8).toString("hex"));
      const out = fs.createWriteStream(target);
      let size = 0;
      try {
        for await (const chunk of data) {
          size += chunk.byteLength;
          contentBytes += chunk.byteLength;
          if (size > MAX_UPLOAD_BYTES) throw new UploadTooLarge();
          if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
        }
      } finally {
        await new Promise<void>((resolve) => out.end(() => resolve()));
      }
      if (size > 0 || filename) file = { path: target, name: filename || "upload.csv", size };
      return "file";
    }
    let text = "";
    let size = 0;
    const decoder = new TextDecoder();
    for await (const chunk of data) {
      size += chunk.byteLength;
      contentBytes += chunk.byteLength;
      if (size > MAX_FIELD_BYTES) throw new UploadTooLarge();
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
    fields[name] = text;
    return text;
  };
  try {
    await unstable_parseMultipartFormData(counted, handler);
  } catch (error) {
    cleanup();
    if (error instanceof UploadTooLarge) throw error;
    // Disk errors stay server errors; anything else came from parsing the client's body.
    if ((error as NodeJS.ErrnoException)?.code) throw error;
    throw new UploadUnreadable("The multipart body could not be read", 400);
  }
  return { fields, file, cleanup };
}

export async function* fileStream(filePath: string): AsyncIterable<Uint8Array> {
  // Opened only when read: a stream opened at once and never read (the audit refused before reading it, say
  // for an unknown model version) would fail to open after the spooled file is removed, with nobody listening.
  yield* fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 });
}

/** The first `maxBytes` of a spooled file, and whether that is all of it. */
export async function spooledFileStart(
  file: { path: string; size: number },
  maxBytes: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const bytes = new Uint8Array(Math.min(file.size, maxBytes));
  const handle = await fs.promises.open(file.path, "r");
  try {
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), complete: file.size <= maxBytes };
  } finally {
    await handle.close();
  }
}
