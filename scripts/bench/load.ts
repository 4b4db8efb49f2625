/** Loads one URL with autocannon (fixed connections and duration) and reduces the result to the numbers we report. */
import autocannon from "autocannon";

export type Target = {
  name: string;
  kind: "bare" | "html" | "api" | "pdf";
  path: string;
  headers?: Record<string, string>;
};

export type LoadResult = {
  name: string;
  kind: Target["kind"];
  url: string;
  durationSec: number;
  requestsPerSec: number;
  p50: number;
  p975: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Client-side error codes under load (e.g. ECONNRESET), with counts. */
  errorCodes: Record<string, number>;
  /** Unloaded time of one request (the check before the run). */
  singleMs?: number;
  /** The rendered-page cache's answer to a second request before the run (`hit`, `miss`), when the server says. */
  pageCache?: string;
  /** No request completed within the run: latencies are unknown (at least the run's duration). */
  noneCompleted: boolean;
  /** Throughput as a share of the bare server's (1 = as fast as the ceiling). */
  ratioToBare?: number;
  /** Measured with the rendered-page cache off: every request rendered, as a page's first view after a change is. */
  cacheOff?: boolean;
};

export const CONNECTIONS = 20;

/**
 * One request first, so a redirect to the login page or an error is caught before it is measured as
 * "fast"; then a second, to see whether the rendered-page cache will answer the run.
 */
export async function checkTarget(origin: string, target: Target): Promise<{ singleMs: number; pageCache?: string }> {
  const get = async () => {
    const response = await fetch(origin + target.path, { headers: target.headers, redirect: "manual" });
    const body = await response.arrayBuffer();
    if (response.status !== 200) {
      throw new Error(`${target.name}: GET ${target.path} answered ${response.status} (${Buffer.from(body).toString("utf8", 0, 200)})`);
    }
    return response.headers.get("x-page-cache") ?? undefined;
  };
  const started = performance.now();
  await get();
  const singleMs = performance.now() - started;
  return { singleMs, pageCache: await get() };
}

export async function load(origin: string, target: Target, durationSec: number): Promise<LoadResult> {
  const url = origin + target.path;
  const errorCodes: Record<string, number> = {};
  const run = autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationSec,
    // Like a browser: accept compressed bodies (the portal compresses; the bare server ignores it).
    headers: { "accept-encoding": "gzip", ...target.headers },
    timeout: 30,
  });
  run.on("reqError", (error: Error & { code?: string }) => {
    const code = error.code ?? error.message;
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  });
  const result = await run;
  const noneCompleted = result.requests.total === 0;
  return {
    noneCompleted,
    name: target.name,
    kind: target.kind,
    url: target.path,
    durationSec,
    requestsPerSec: result.requests.average,
    p50: noneCompleted ? Number.NaN : result.latency.p50,
    p975: noneCompleted ? Number.NaN : result.latency.p97_5,
    p99: noneCompleted ? Number.NaN : result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    errorCodes,
  };
}
