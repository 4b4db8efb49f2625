/**
 * Loads one URL with autocannon (fixed connections and duration) and reduces
 * the result to the numbers we report: the bare server, the sign-in page, the
 * API and the PDF. The pages themselves are loaded together (mixed-load.ts).
 */
import autocannon, { type Options } from "autocannon";
import { cpuMeter, type CpuUse } from "./cpu";
import type { Server } from "./servers";

export type Target = {
  name: string;
  kind: "bare" | "signIn" | "api" | "pdf";
  path: string;
  headers?: Record<string, string>;
};

/** What one autocannon run measured; latencies are NaN when no request completed within the run. */
export type LoadStats = {
  durationSec: number;
  connections: number;
  requestsPerSec: number;
  p50: number;
  p975: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Client-side error codes under load (e.g. ECONNRESET), with counts. */
  errorCodes: Record<string, number>;
  /** The server's and the load generator's CPU time during the run (Linux). */
  cpu?: CpuUse;
};

export type LoadResult = LoadStats & {
  name: string;
  kind: Target["kind"];
  url: string;
  /** Unloaded time of one request (the check before the run). */
  singleMs?: number;
};

/** One request first, so a redirect to the login page or an error is caught before it is measured as "fast". */
export async function checkTarget(origin: string, target: Target): Promise<number> {
  const started = performance.now();
  const response = await fetch(origin + target.path, { headers: target.headers, redirect: "manual" });
  const body = await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`${target.name}: GET ${target.path} answered ${response.status} (${Buffer.from(body).toString("utf8", 0, 200)})`);
  }
  return performance.now() - started;
}

/**
 * Runs autocannon against `server` with `options` and reduces its result;
 * `onRun` may listen to the run's events. Every connection accepts compressed bodies, like a browser
 * (the portal compresses; the bare server ignores it).
 */
export async function autocannonRun(
  server: Server,
  options: Omit<Options, "url"> & { path: string; connections: number; duration: number },
  onRun?: (run: ReturnType<typeof autocannon>) => void,
): Promise<LoadStats> {
  const errorCodes: Record<string, number> = {};
  const cpu = cpuMeter(server.cpuMs);
  const { path, ...rest } = options;
  const run = autocannon({ timeout: 30, ...rest, url: server.origin + path, headers: { "accept-encoding": "gzip", ...options.headers } });
  run.on("reqError", (error) => {
    const code = error.code ?? error.message;
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  });
  onRun?.(run);
  const result = await run;
  const cpuUse = cpu.stop(result.requests.total);
  const none = result.requests.total === 0;
  return {
    durationSec: options.duration,
    connections: options.connections,
    requestsPerSec: result.requests.average,
    p50: none ? Number.NaN : result.latency.p50,
    p975: none ? Number.NaN : result.latency.p97_5,
    p99: none ? Number.NaN : result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    errorCodes,
    cpu: cpuUse,
  };
}

export async function load(server: Server, target: Target, durationSec: number, connections: number): Promise<LoadResult> {
  const stats = await autocannonRun(server, { path: target.path, connections, duration: durationSec, headers: target.headers });
  return { name: target.name, kind: target.kind, url: target.path, ...stats };
}
