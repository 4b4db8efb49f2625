/**
 * The training pipeline's writes: monitoring snapshots POSTed with the bench
 * API token, one at a time before each server-time sample and at a steady
 * rate beside the mixed load. Each write changes the organisation's data, so
 * nothing read before it may be served after it.
 */
import http from "node:http";
import { replyText, send, type Reply } from "./http-client";
import { summarize, type Summary } from "./stats";

export type Pipeline = { token: string; models: ReadonlyArray<{ slug: string; version: string }> };

export type PipelineStats = {
  perSecond: number;
  posts: number;
  /** Answers other than 201 Created, and the first such answer (status and the start of its body). */
  failed: number;
  firstFailure?: string;
  errors: number;
  errorCodes: Record<string, number>;
  latency: Summary;
};

/** POSTs the `n`-th snapshot (the pipeline's models in turn) and returns the answer, whatever its status. */
export function postSnapshot(agent: http.Agent, origin: string, pipeline: Pipeline, n: number): Promise<Reply> {
  const model = pipeline.models[n % pipeline.models.length]!;
  return send(agent, origin, {
    method: "POST",
    path: `/api/v1/models/${model.slug}/versions/${model.version}/monitoring`,
    headers: { authorization: `Bearer ${pipeline.token}`, "content-type": "application/json" },
    body: JSON.stringify({ metrics: { auc: 0.75 + (n % 10) / 100, latency_ms: 40 + (n % 30) } }),
  });
}

/** Posts `perSecond` snapshots a second (without waiting for slow answers) until `stop()`, which reports every post. */
export function runPipeline(origin: string, pipeline: Pipeline, perSecond: number): { stop: () => Promise<PipelineStats> } {
  // A connection per post, as a pipeline job opens one: no socket left idle for the server to close under the next post.
  const agent = new http.Agent({ keepAlive: false });
  const latencies: number[] = [];
  const errorCodes: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let posts = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let errors = 0;
  const post = () => {
    const n = posts++;
    const done = postSnapshot(agent, origin, pipeline, n).then(
      (reply) => {
        latencies.push(reply.ms);
        if (reply.status === 201) return;
        failed++;
        firstFailure ??= `${reply.status}: ${replyText(reply)}`;
      },
      (error: Error & { code?: string }) => {
        errors++;
        const code = error.code ?? error.message;
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      },
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  const timer = setInterval(post, 1000 / perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      return { perSecond, posts, failed, firstFailure, errors, errorCodes, latency: summarize(latencies) };
    },
  };
}
