/**
 * Server time per page: each page requested alone over ONE keep-alive
 * loopback connection, right after a pipeline write to the same organisation
 * (awaited), so nothing the page reads is warm from the request before.
 * Rounds go through every page in turn, so a burst of other work on the
 * machine spreads over all pages instead of landing on one.
 */
import { expectStatus, keepAliveAgent, send } from "./http-client";
import type { BenchPage, PageKey } from "./pages";
import { postSnapshot, type Pipeline } from "./pipeline";
import { summarize, type Summary } from "./stats";

export type ServerTime = { key: PageKey; name: string; path: string; samplesMs: number[] } & Summary;

export type ServerTimeRun = {
  rounds: number;
  /** Connections the requests used: 1 unless the server closed the connection. */
  connections: number;
  pages: ServerTime[];
};

export async function measureServerTime(
  origin: string,
  pages: ReadonlyArray<BenchPage & { cookie?: string }>,
  pipeline: Pipeline,
  rounds: number,
): Promise<ServerTimeRun> {
  const agent = keepAliveAgent(1);
  const sockets = new Set<unknown>();
  agent.on("free", (socket: unknown) => sockets.add(socket));
  const samples = new Map<PageKey, number[]>(pages.map((page) => [page.key, []]));
  let writes = 0;
  try {
    // One round more than counted: the first runs each page's code once (JIT, lazy imports).
    for (let round = 0; round <= rounds; round++) {
      for (const page of pages) {
        expectStatus(await postSnapshot(agent, origin, pipeline, writes++), 201, "The pipeline's monitoring snapshot");
        const reply = expectStatus(
          await send(agent, origin, { path: page.path, headers: page.cookie ? { cookie: page.cookie } : {} }),
          200,
          `${page.name} (GET ${page.path})`,
        );
        if (round > 0) samples.get(page.key)!.push(reply.ms);
      }
    }
  } finally {
    agent.destroy();
  }
  return {
    rounds,
    connections: sockets.size,
    pages: pages.map((page) => {
      const samplesMs = samples.get(page.key)!;
      return { key: page.key, name: page.name, path: page.path, samplesMs, ...summarize(samplesMs) };
    }),
  };
}
