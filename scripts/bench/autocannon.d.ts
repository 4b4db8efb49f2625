/** The part of autocannon's API the benchmark uses (the package ships no types). */
declare module "autocannon" {
  type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    total: number;
  };
  export type Result = {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    duration: number;
  };
  export type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: Request & { headers: Record<string, string> }, context: Record<string, unknown>) => Request;
  };
  /** One connection. */
  export type Client = { setRequests(requests: Request[]): void };
  export type Options = {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    method?: string;
    timeout?: number;
    /** Called with each connection's client as it is created (`this` is the client too). */
    setupClient?: (client: Client) => void;
  };
  export type Instance = Promise<Result> & {
    on(event: "reqError", listener: (error: Error & { code?: string }) => void): Instance;
    /** Every answer, with the client that got it, its status, size and time (ms). */
    on(event: "response", listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): Instance;
  };
  function autocannon(options: Options): Instance;
  export default autocannon;
}
