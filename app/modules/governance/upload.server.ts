import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";

/** Uploads larger than this are refused while streaming, with 413. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

export class UploadTooLarge extends Error {
  constructor() {
    super(`Uploads are limited to ${Math.round(MAX_UPLOAD_BYTES / 1024 / 1024)} MB`);
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
 */
export async function spoolMultipartUpload(request: Request): Promise<SpooledUpload> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES + MAX_FIELD_BYTES) throw new UploadTooLarge();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-upload-"));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  let file: SpooledUpload["file"] = null;
  const fields: Record<string, string> = {};
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (name === "file" && filename !== undefined) {
      const target = path.join(dir, randomBytes(8).toString("hex"));
      const out = fs.createWriteStream(target);
      let size = 0;
      try {
        for await (const chunk of data) {
          size += chunk.byteLength;
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
      if (size > MAX_FIELD_BYTES) throw new UploadTooLarge();
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
    fields[name] = text;
    return text;
  };
  try {
    await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    cleanup();
    throw error;
  }
  return { fields, file, cleanup };
}

export function fileStream(filePath: string): AsyncIterable<Uint8Array> {
  return fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 });
}
