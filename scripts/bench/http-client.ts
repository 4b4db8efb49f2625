/**
 * One HTTP request over a node:http keep-alive agent, timed from the moment
 * it is sent to the last byte of the answer. The benchmark's own requests
 * (server time per page, pipeline writes) go through here; the load runs use
 * autocannon.
 */
import http from "node:http";
import { gunzipSync } from "node:zlib";

export type Reply = { status: number; ms: number; bytes: number; body: Buffer; encoding?: string };
export type Send = { method?: string; path: string; headers?: Record<string, string>; body?: string };

/** An agent that keeps its connections open between requests; `maxSockets: 1` makes every request use the same one. */
export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

export function send(agent: http.Agent, origin: string, request: Send): Promise<Reply> {
  const url = new URL(request.path, origin);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  return new Promise<Reply>((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url,
      {
        agent,
        method: request.method ?? "GET",
        // Like a browser: accept compressed bodies.
        headers: { "accept-encoding": "gzip", ...request.headers, ...(body ? { "content-length": String(body.length) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            bytes: all.length,
            body: all,
            encoding: res.headers["content-encoding"],
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${request.method ?? "GET"} ${request.path} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The start of the answer's body as text (uncompressed), for error messages. */
export function replyText(reply: Reply, chars = 300): string {
  const body = reply.encoding === "gzip" ? gunzipSync(reply.body) : reply.body;
  return body.toString("utf8", 0, chars);
}

/** Throws unless the answer has the expected status, quoting the start of the body. */
export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) {
    throw new Error(`${what} answered ${reply.status}, expected ${status}: ${replyText(reply)}`);
  }
  return reply;
}
