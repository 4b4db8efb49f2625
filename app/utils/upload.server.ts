import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";
import { lingerOnBody, lingerOnRequestBody } from "./http";

/** Uploads larger than this are refused while streaming, with 413. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_PARTS = 32;
/** Everything that is not a part's content (preamble, boundaries, part headers). */
const MAX_OVERHEAD_BYTES = 1024 * 1024;

export class UploadTooLarge extends Error {
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

/**
 * The body read from `reader`, calling `check` with the running byte count
 * before each chunk; an error `check` throws ends the stream. The caller owns
 * `reader`. `stop()` ends the reading and resolves once no read is in flight
 * (or after 2 s), so the caller can then read the rest alone: the request
 * body's stream stalls when two reads wait on it at once.
 */
function countedStream(reader: ReadableStreamDefaultReader<Uint8Array>, check: (bytesRead: number) => void) {
  let bytesRead = 0;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stopped) return;
      const read = reader.read();
      inFlight = read.catch(() => undefined);
      try {
        const { done, value } = await read;
        if (done) return controller.close();
        bytesRead += value.byteLength;
        check(bytesRead);
        controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const stop = async () => {
    stopped = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
  };
  return { stream, stop };
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
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType) || !request.body) {
    lingerOnRequestBody(request);
    throw new UploadUnreadable("Send the upload as multipart/form-data", 415);
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES + MAX_FIELD_BYTES) {
    lingerOnRequestBody(request);
    throw new UploadTooLarge();
  }
  // Part contents are limited below; the rest of the body is limited here, while it streams.
  let contentBytes = 0;
  let parts = 0;
  const source = request.body.getReader();
  const body = countedStream(source, (bytesRead) => {
    if (bytesRead - contentBytes > MAX_OVERHEAD_BYTES) throw new UploadTooLarge();
  });
  const counted = new Request(request.url, { method: request.method, headers: request.headers, body: body.stream, duplex: "half" } as RequestInit);
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
  } finally {
    // Whatever the parser left unread (the rest of a refused body, an epilogue) is dropped in the background.
    lingerOnBody(source, body.stop);
  }
  return { fields, file, cleanup };
}

export function fileStream(filePath: string): AsyncIterable<Uint8Array> {
  return fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 });
}
