import { AsyncLocalStorage } from "node:async_hooks";
import { env } from "../app/utils/env.server";

/**
 * Counts the SQL statements run on behalf of one unit of work (a request in
 * development, a loader call in tests), so pages whose query count grows with
 * the rows they list (N+1) show up. Every statement execution counts.
 *
 * The store lives on globalThis because in development Vite loads a second
 * copy of this module for the app, next to the server's own.
 */
export type QueryCounter = { queries: number; statements: string[] };

const KEY = Symbol.for("portal.queryCounter");
const globals = globalThis as typeof globalThis & { [KEY]?: AsyncLocalStorage<QueryCounter> };
const storage = (globals[KEY] ??= new AsyncLocalStorage<QueryCounter>());

/** Whether connections opened now record statements (development and tests, or PORTAL_QUERY_COUNT=1). */
export function queryCountingEnabled(): boolean {
  return env().PORTAL_QUERY_COUNT;
}

export function noteQuery(sql: string): void {
  const counter = storage.getStore();
  if (!counter) return;
  counter.queries++;
  if (counter.statements.length < 500) counter.statements.push(sql);
}

/** Runs `fn` (sync or async) with a fresh counter; the counter is complete once `fn` has settled. */
export function withQueryCounter<T>(fn: (counter: QueryCounter) => T): T {
  const counter: QueryCounter = { queries: 0, statements: [] };
  return storage.run(counter, () => fn(counter));
}
