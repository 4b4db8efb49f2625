import cluster from "node:cluster";

/**
 * Runs `count` worker processes of this script behind node:cluster (server
 * rendering is CPU-bound, and one process uses one core), replaces a worker
 * that dies unexpectedly, gives up when workers keep dying, and stops them all
 * on SIGINT/SIGTERM. Only the primary process calls it.
 */
export function superviseWorkers(count: number, { announce }: { announce: () => void }): void {
  let stopping = false;
  const recentDeaths: number[] = [];
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    console.error(`[portal] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    if (recentDeaths.length > count * 5) {
      console.error("[portal] workers keep dying: giving up");
      process.exit(1);
    }
    cluster.fork();
  });
  let listening = 0;
  cluster.on("listening", () => {
    if (++listening === count) announce();
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      setTimeout(() => process.exit(0), 4000).unref();
    });
  }
}
