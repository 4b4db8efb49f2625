/**
 * The mixed load: connections signed in as different people, each requesting
 * the member pages in its own random order, while the pipeline writes
 * monitoring snapshots at a steady rate, so pages are read from data that
 * keeps changing, as in real use.
 */
import type { Client } from "autocannon";
import { seededRandom } from "../../app/utils/seeded-random";
import { expectStatus, keepAliveAgent, send } from "./http-client";
import { autocannonRun, type LoadStats } from "./load";
import { pageMix, type BenchPage, type PageKey } from "./pages";
import { runPipeline, type Pipeline, type PipelineStats } from "./pipeline";
import type { Server } from "./servers";
import { percentile } from "./stats";

/** A signed-in person: their login and session cookie. */
export type Session = { email: string; cookie: string };

export type MixedPageStats = { key: PageKey; name: string; requests: number; non2xx: number; p50: number; p975: number };

export type MixedLoadResult = LoadStats & {
  users: string[];
  /** Each page's share of the run, as the client timed it (every answer, not only 2xx). */
  pages: MixedPageStats[];
  pipeline: PipelineStats;
  /** The portal's WEB_CONCURRENCY for this run (`default`: the server's own choice). */
  workers: string;
};

/** New connections each person warms up on: node:cluster hands them to its workers in turn (at most 4 by default). */
const WARM_CONNECTIONS_PER_PERSON = 4;

/**
 * Every person requests every page on each of four new keep-alive
 * connections, one after the other, before a load: this checks that each sees
 * each page (a redirect or a 403 would be measured as a fast answer) and runs
 * each page's code for each person in every worker of a fresh portal (JIT,
 * lazy imports, first cache fills, and what a worker does once per person's
 * page: the auditor's dashboard walks the whole audit chain the first time),
 * since node:cluster hands new connections to its workers in turn. One at a
 * time: a cold page on a busy machine is slow enough already.
 */
export async function warmUp(server: Server, pages: readonly BenchPage[], sessions: readonly Session[]): Promise<void> {
  for (const { email, cookie } of sessions) {
    for (let connection = 0; connection < WARM_CONNECTIONS_PER_PERSON; connection++) {
      const agent = keepAliveAgent(1);
      try {
        for (const page of pages) {
          expectStatus(
            await send(agent, server.origin, { path: page.path, headers: { cookie } }),
            200,
            `${page.name} as ${email} (GET ${page.path})`,
          );
        }
      } finally {
        agent.destroy();
      }
    }
  }
}

export type MixedLoadOptions = { durationSec: number; connections: number; snapshotsPerSecond: number; seed: number; workers: string };

export async function mixedLoad(
  server: Server,
  pages: readonly BenchPage[],
  sessions: readonly Session[],
  pipeline: Pipeline,
  options: MixedLoadOptions,
): Promise<MixedLoadResult> {
  const pageOf = new WeakMap<Client, BenchPage>();
  const timings = new Map<PageKey, { ms: number[]; non2xx: number }>(pages.map((page) => [page.key, { ms: [], non2xx: 0 }]));
  let clients = 0;
  // Connection i is person i mod 5, with its own page order.
  const setupClient = (client: Client) => {
    const i = clients++;
    const { cookie } = sessions[i % sessions.length]!;
    const next = pageMix(pages, seededRandom(options.seed + i));
    client.setRequests([
      {
        method: "GET",
        setupRequest: (request) => {
          const page = next();
          pageOf.set(client, page);
          return { ...request, path: page.path, headers: { ...request.headers, cookie } };
        },
      },
    ]);
  };
  const writes = runPipeline(server.origin, pipeline, options.snapshotsPerSecond);
  let stats: LoadStats;
  try {
    stats = await autocannonRun(
      server,
      { path: pages[0]!.path, connections: options.connections, duration: options.durationSec, setupClient },
      (run) =>
        // A client answers its requests in order, and builds the next one only after the answer: pageOf is this answer's page.
        run.on("response", (client, statusCode, _bytes, ms) => {
          const timing = timings.get(pageOf.get(client)!.key)!;
          timing.ms.push(ms);
          if (statusCode < 200 || statusCode > 299) timing.non2xx++;
        }),
    );
  } catch (error) {
    await writes.stop();
    throw error;
  }
  const pipelineStats = await writes.stop();
  return {
    ...stats,
    users: [...new Set(sessions.map((s) => s.email))],
    workers: options.workers,
    pipeline: pipelineStats,
    pages: pages.map((page) => {
      const { ms, non2xx } = timings.get(page.key)!;
      return { key: page.key, name: page.name, requests: ms.length, non2xx, p50: percentile(ms, 50), p975: percentile(ms, 97.5) };
    }),
  };
}
