import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { env } from "../app/utils/env.server";
import { noteQuery, queryCountingEnabled } from "./query-count";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** The handle a transaction callback receives; accepted wherever a Db is. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export function databaseFile(): string {
  return env().DATABASE_URL;
}

export function migrationsFolder(): string {
  return env().MIGRATIONS_DIR;
}

export function openDatabase(file: string = databaseFile()): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  if (queryCountingEnabled()) countStatementExecutions(sqlite);
  return drizzle(sqlite, { schema });
}

const COUNTING = Symbol.for("portal.countingStatements");

/** Counts every execution of a statement (prepared once or per call alike) for `withQueryCounter`. */
function countStatementExecutions(sqlite: Database.Database): void {
  const proto = Object.getPrototypeOf(sqlite.prepare("select 1")) as Record<string | symbol, unknown>;
  if (proto[COUNTING]) return;
  proto[COUNTING] = true;
  for (const method of ["run", "get", "all", "iterate"] as const) {
    const original = proto[method] as (this: Database.Statement, ...args: unknown[]) => unknown;
    proto[method] = function (this: Database.Statement, ...args: unknown[]) {
      noteQuery(this.source);
      return original.apply(this, args);
    };
  }
}

/** Built once per connection: tests and CLIs switch connections. */
function preparedOnce<T>(build: (db: Db) => T): (db?: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db = getDb()) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}

/**
 * A query with `sql.placeholder`s, for the statements every request runs
 * (session user, membership, audit head) and other hot reads: prepared once
 * per connection, which spares drizzle's query building (tens of microseconds
 * a query). A transaction's handle holds no statements of its own, so there it
 * is built for the one call.
 */
export function reusableQuery<Q extends { prepare: () => unknown }>(build: (db: DbOrTx) => Q): (db?: DbOrTx) => ReturnType<Q["prepare"]> {
  const prepared = preparedOnce((db) => build(db).prepare() as ReturnType<Q["prepare"]>);
  return (db = getDb()) => ("$client" in db ? prepared(db) : (build(db).prepare() as ReturnType<Q["prepare"]>));
}

type SqlParams = Record<string, number | string | null>;

/**
 * Hand-written SQL with named parameters (`:orgId`), for the aggregate reads
 * the query builder does not express plainly (e.g. the registry metrics):
 * prepared once per connection, like `reusableQuery`. A transaction's handle
 * holds no statements of its own, so there it runs through drizzle with the
 * parameters bound. `:` may appear in the text only before a parameter name.
 */
export function reusableSql<Row, P extends SqlParams = SqlParams>(text: string) {
  const prepared = preparedOnce((db) => db.$client.prepare<[P], Row>(text));
  const bound = (params: P) =>
    sql.join(text.split(/:([A-Za-z_]\w*)/).map((part, i) => (i % 2 === 1 ? sql`${params[part]}` : sql.raw(part))));
  return {
    all: (params: P, db: DbOrTx = getDb()): Row[] => ("$client" in db ? prepared(db).all(params) : db.all<Row>(bound(params))),
    get: (params: P, db: DbOrTx = getDb()): Row | undefined => ("$client" in db ? prepared(db).get(params) : db.get<Row>(bound(params))),
  };
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: migrationsFolder() });
}

let shared: Db | undefined;

/** The process-wide connection to DATABASE_URL, opened on first use. */
export function getDb(): Db {
  shared ??= openDatabase();
  return shared;
}

/** For tests and CLIs that switch databases inside one process. */
export function closeSharedDb(): void {
  shared?.$client.close();
  shared = undefined;
}

/**
 * What a write transaction changes, which decides the change counters it bumps
 * (`change_counters`, read by the data cache in app/data-cache.server.ts):
 * - `{ orgId }`: that organisation's data (`org:<id>`);
 * - `"site"`: shared data: users, organisations, memberships (`site`);
 * - `{ orgId, site: true }`: both, e.g. adding a member records it in the organisation's trail;
 * - `"bookkeeping"`: rows no cached reader reads (login throttle, sign-out, API
 *   token last use, the site-wide audit chain of sign-ins): bumps nothing.
 */
export type WriteScope = { orgId: number; site?: true } | "site" | "bookkeeping";

/** The counters a scope bumps. */
export function counterScopes(scope: WriteScope): string[] {
  if (scope === "bookkeeping") return [];
  if (scope === "site") return ["site"];
  return scope.site ? [`org:${scope.orgId}`, "site"] : [`org:${scope.orgId}`];
}

const totalChangesQuery = preparedOnce((db) => db.$client.prepare<[], number>("SELECT total_changes()").pluck());
const bumpCounterQuery = preparedOnce((db) =>
  db.$client.prepare<[string]>(
    "INSERT INTO change_counters (scope, version) VALUES (?, 1) ON CONFLICT (scope) DO UPDATE SET version = version + 1",
  ),
);

/**
 * Runs `fn` in a write transaction that takes the write lock up front
 * (BEGIN IMMEDIATE), so two processes never read the same audit-chain head.
 * When `fn` changed any row, the counters of `scope` move in the same
 * transaction: every process's cached readers see the write on their next read.
 */
export function writeTransaction<T>(scope: WriteScope, fn: (tx: Tx) => T, db: Db = getDb()): T {
  const counters = counterScopes(scope);
  return db.transaction(
    (tx) => {
      if (counters.length === 0) return fn(tx);
      const changesBefore = totalChangesQuery(db).get();
      const result = fn(tx);
      if (totalChangesQuery(db).get() !== changesBefore) for (const counter of counters) bumpCounterQuery(db).run(counter);
      return result;
    },
    { behavior: "immediate" },
  );
}
