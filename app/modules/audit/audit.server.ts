import { AsyncLocalStorage } from "node:async_hooks";
import { and, desc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { auditEvents } from "../../../db/schema";
import { memoByKey } from "../../utils/memo-by-key";
import { finishNow, finishYielding, type Steps } from "../../utils/steps";
import { eventLabel, eventSummary } from "./event-labels";
import { canonicalJson, computeEventHash, GENESIS_HASH, type AuditEventContent } from "./hash";
import { HISTORY_LIMIT, HISTORY_PAYLOAD_CHARS } from "./history";

export type Actor =
  { type: "user"; id: number; label: string } | { type: "token"; id: number; label: string } | { type: "system"; label: string };

export const SYSTEM_ACTOR: Actor = { type: "system", label: "system" };

export type AuditEventInput = {
  orgId: number | null;
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  /** When it happened; defaults to now. Only the seed passes one, to record demo history at its real dates. */
  at?: Date;
};

const recordingClock = new AsyncLocalStorage<Date>();

/**
 * Runs `fn` with its audit events stamped at `at` instead of now (unless an event
 * names its own time). Only the demo seed uses it: it replays months of history
 * through the domain modules, which take `now` for their rows; this gives their
 * audit events the same dates. The caller keeps each chain in time order.
 */
export function recordingAt<T>(at: Date, fn: () => T): T {
  return recordingClock.run(at, fn);
}

function chainFilter(orgId: number | null): SQL {
  return orgId === null ? isNull(auditEvents.orgId) : eq(auditEvents.orgId, orgId);
}

/**
 * The one way to write an audit event. Call it with the transaction that makes
 * the change, so the change and its record commit or roll back together.
 */
export function recordAuditEvent(tx: DbOrTx, input: AuditEventInput): { id: number; hash: string } {
  const head = tx
    .select({ hash: auditEvents.hash, seq: auditEvents.seq })
    .from(auditEvents)
    .where(chainFilter(input.orgId))
    .orderBy(desc(auditEvents.id))
    .limit(1)
    .get();
  const prevHash = head?.hash ?? GENESIS_HASH;
  const content: AuditEventContent = {
    orgId: input.orgId,
    actorType: input.actor.type,
    actorId: input.actor.type === "system" ? null : input.actor.id,
    actorLabel: input.actor.label,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId == null ? null : String(input.entityId),
    payload: canonicalJson({ before: input.before, after: input.after, details: input.details }),
    createdAt: (input.at ?? recordingClock.getStore() ?? new Date()).getTime(),
  };
  const hash = computeEventHash(prevHash, content);
  const row = tx
    .insert(auditEvents)
    .values({ ...content, createdAt: new Date(content.createdAt), prevHash, hash, seq: (head?.seq ?? 0) + 1 })
    .returning({ id: auditEvents.id })
    .get();
  return { id: row.id, hash };
}

/** Autosaves by one person on one thing within this window share one audit entry: the first of the run. */
export const AUTOSAVE_RUN_MS = 15 * 60_000;

/**
 * Whether an autosave continues `actor`'s run on an entity: its latest audit
 * event is `action` by the same actor less than AUTOSAVE_RUN_MS ago. Then the
 * save records nothing new, so typing does not flood the trail; anything else
 * in between (another person, a submission) starts a new entry.
 */
export function continuesAutosaveRun(
  tx: DbOrTx,
  {
    orgId,
    entityType,
    entityId,
    action,
    actor,
    now = new Date(),
  }: { orgId: number; entityType: string; entityId: string | number; action: string; actor: Actor; now?: Date },
): boolean {
  if (actor.type === "system") return false;
  const last = tx
    .select({ action: auditEvents.action, actorType: auditEvents.actorType, actorId: auditEvents.actorId, at: auditEvents.createdAt })
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, entityType), eq(auditEvents.entityId, String(entityId))))
    .orderBy(desc(auditEvents.id))
    .limit(1)
    .get();
  return (
    last?.action === action &&
    last.actorType === actor.type &&
    last.actorId === actor.id &&
    now.getTime() - last.at.getTime() < AUTOSAVE_RUN_MS
  );
}

export type ChainVerification = { ok: true; events: number } | { ok: false; events: number; firstBrokenId: number; reason: string };

const VERIFY_BATCH = 5000;
const GENESIS: VerifiedPrefix = { afterId: 0, prevHash: GENESIS_HASH, events: 0 };

/** Walks one organisation's chain in id order, recomputing every hash. */
export function verifyAuditChain(orgId: number | null, db: DbOrTx = getDb()): ChainVerification {
  return finishNow(auditChainWalk(orgId, db));
}

/** The same walk, a batch of events per step (app/utils/steps.ts), for a check that runs it between other work. */
export function* auditChainWalk(orgId: number | null, db: DbOrTx = getDb()): Steps<ChainVerification> {
  return (yield* walkChainFrom(orgId, GENESIS, db)).result;
}

type VerifiedPrefix = { afterId: number; prevHash: string; events: number };
const verifiedByConnection = new WeakMap<DbOrTx, Map<number, VerifiedPrefix>>();
const walksInProgress = new WeakMap<DbOrTx, Map<number, Promise<ChainVerification>>>();

/**
 * The chain's state for the dashboard, without re-reading the whole chain on
 * every visit: events are append-only, so this process remembers how far it has
 * verified and recomputes only the events added since. The first call walks the
 * whole chain, a batch at a time with other requests served in between (a
 * large organisation's trail takes seconds), and callers arriving meanwhile
 * share that walk. A broken chain is re-checked from the start each time. The
 * audit log's "Verify hash chain" button always walks the whole chain.
 */
export async function auditChainState(orgId: number, db: DbOrTx = getDb()): Promise<ChainVerification & { verifiedAt: string }> {
  let walks = walksInProgress.get(db);
  if (!walks) walksInProgress.set(db, (walks = new Map()));
  let walk = walks.get(orgId);
  if (!walk) {
    walk = verifyOnwards(orgId, db).finally(() => walks.delete(orgId));
    walks.set(orgId, walk);
  }
  return { ...(await walk), verifiedAt: new Date().toISOString() };
}

async function verifyOnwards(orgId: number, db: DbOrTx): Promise<ChainVerification> {
  let byOrg = verifiedByConnection.get(db);
  if (!byOrg) verifiedByConnection.set(db, (byOrg = new Map()));
  const { result, verified } = await finishYielding(walkChainFrom(orgId, byOrg.get(orgId) ?? GENESIS, db));
  if (result.ok) byOrg.set(orgId, verified);
  else byOrg.delete(orgId);
  return result;
}

function* walkChainFrom(
  orgId: number | null,
  start: VerifiedPrefix,
  db: DbOrTx,
): Steps<{ result: ChainVerification; verified: VerifiedPrefix }> {
  let expectedPrev = start.prevHash;
  let events = start.events;
  let afterId = start.afterId;
  // Keyset batches keep memory flat on chains of millions of events; each batch is one step.
  for (;;) {
    const batch = db
      .select()
      .from(auditEvents)
      .where(and(chainFilter(orgId), sql`${auditEvents.id} > ${afterId}`))
      .orderBy(auditEvents.id)
      .limit(VERIFY_BATCH)
      .all();
    for (const row of batch) {
      events++;
      if (row.prevHash !== expectedPrev) {
        return { result: { ok: false, events, firstBrokenId: row.id, reason: "previous hash does not match" }, verified: start };
      }
      const recomputed = computeEventHash(row.prevHash, {
        orgId: row.orgId,
        actorType: row.actorType,
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        payload: row.payload,
        createdAt: row.createdAt.getTime(),
      });
      if (recomputed !== row.hash) {
        return { result: { ok: false, events, firstBrokenId: row.id, reason: "content does not match its hash" }, verified: start };
      }
      expectedPrev = row.hash;
      afterId = row.id;
    }
    if (batch.length < VERIFY_BATCH) return { result: { ok: true, events }, verified: { afterId, prevHash: expectedPrev, events } };
    yield;
  }
}

export type AuditEventFilters = {
  actor?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
};

const FILTERS = ["actor", "entityType", "entityId", "action", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

/** The filters that are set, as conditions on placeholders of the same names. */
function filterConditions(filters: readonly Filter[]): SQL[] {
  const placeholder = (name: string) => sql.placeholder(name);
  const conditions: Record<Filter, () => SQL> = {
    actor: () => eq(auditEvents.actorLabel, placeholder("actor")),
    entityType: () => eq(auditEvents.entityType, placeholder("entityType")),
    entityId: () => eq(auditEvents.entityId, placeholder("entityId")),
    action: () => eq(auditEvents.action, placeholder("action")),
    from: () => sql`${auditEvents.createdAt} >= ${placeholder("from")}`,
    to: () => sql`${auditEvents.createdAt} < ${placeholder("to")}`,
  };
  return [eq(auditEvents.orgId, sql.placeholder("orgId")), ...filters.map((filter) => conditions[filter]())];
}

/** One prepared statement per shape (at most 2⁷ of them): the audit log and the dashboard ask the same few again and again. */
const listQuery = memoByKey(
  (filters: readonly Filter[], paged: boolean) => `${filters.join(",")}|${paged}`,
  (filters: readonly Filter[], paged: boolean) =>
    reusableQuery((db) =>
      db
        .select()
        .from(auditEvents)
        .where(and(...filterConditions(filters), ...(paged ? [sql`${auditEvents.id} < ${sql.placeholder("beforeId")}`] : [])))
        .orderBy(desc(auditEvents.id))
        .limit(sql.placeholder("limit")),
    ),
);

/** The ids just newer than a page's first event, oldest first: where the page before it starts. */
const newerIdsQuery = memoByKey(
  (filters: readonly Filter[]) => filters.join(","),
  (filters: readonly Filter[]) =>
    reusableQuery((db) =>
      db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(and(...filterConditions(filters), sql`${auditEvents.id} > ${sql.placeholder("afterId")}`))
        .orderBy(auditEvents.id)
        .limit(sql.placeholder("limit")),
    ),
);

/**
 * Newest first, keyset-paginated on id so deep pages stay cheap; each payload as stored (JSON text).
 * `nextBeforeId` opens the next (older) page; `newerBeforeId` the one before it: `null` when that is the
 * newest page (no `before`), undefined on the newest page itself.
 */
export function listStoredAuditEvents(
  orgId: number,
  filters: AuditEventFilters,
  page: { beforeId?: number; limit: number },
  db: DbOrTx = getDb(),
) {
  const set = FILTERS.filter((filter) => filters[filter]);
  const params: Record<string, string | number> = { orgId, limit: page.limit + 1 };
  for (const filter of set) {
    const value = filters[filter]!;
    params[filter] = value instanceof Date ? value.getTime() : value;
  }
  if (page.beforeId) params.beforeId = page.beforeId;
  const rows = listQuery(set, Boolean(page.beforeId))(db).all(params);
  const hasMore = rows.length > page.limit;
  const events = rows.slice(0, page.limit);
  let newerBeforeId: number | null | undefined;
  if (page.beforeId) {
    const { beforeId: _beforeId, ...filterParams } = params;
    const newer = newerIdsQuery(set)(db).all({ ...filterParams, afterId: events[0]?.id ?? page.beforeId - 1 });
    newerBeforeId = newer.length === 0 ? undefined : newer.length > page.limit ? newer[page.limit - 1]!.id + 1 : null;
  }
  return { events, nextBeforeId: hasMore ? events.at(-1)?.id : undefined, newerBeforeId };
}

/** Newest first, keyset-paginated on id so deep pages stay cheap; payloads parsed. */
export function listAuditEvents(
  orgId: number,
  filters: AuditEventFilters,
  page: { beforeId?: number; limit: number },
  db: DbOrTx = getDb(),
) {
  const { events, ...pages } = listStoredAuditEvents(orgId, filters, page, db);
  return {
    events: events.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> })),
    ...pages,
  };
}

type Facets = { head: number; actors: Set<string>; entityTypes: Set<string>; actions: Set<string> };
const facetsByConnection = new WeakMap<DbOrTx, Map<number, Facets>>();

const facetsSinceQuery = reusableQuery((db) =>
  db
    .selectDistinct({ actor: auditEvents.actorLabel, entityType: auditEvents.entityType, action: auditEvents.action })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.orgId, sql.placeholder("orgId")),
        gt(auditEvents.id, sql.placeholder("after")),
        lte(auditEvents.id, sql.placeholder("upTo")),
      ),
    ),
);

/**
 * The actors, entity types and actions to filter the audit log by. Events are
 * append-only (triggers refuse updates and deletes), so after the first full
 * read only the events since the last one seen are read: a change costs an
 * index lookup, where reading 200,000 events again took about 100 ms.
 */
export function listAuditFacets(orgId: number, db: DbOrTx = getDb()) {
  let byOrg = facetsByConnection.get(db);
  if (!byOrg) facetsByConnection.set(db, (byOrg = new Map()));
  const head = auditHead(orgId, db);
  let facets = byOrg.get(orgId);
  if (!facets || head < facets.head)
    byOrg.set(orgId, (facets = { head: 0, actors: new Set(), entityTypes: new Set(), actions: new Set() }));
  if (head !== facets.head) {
    const added = facetsSinceQuery(db).all({ orgId, after: facets.head, upTo: head });
    for (const row of added) {
      facets.actors.add(row.actor);
      facets.entityTypes.add(row.entityType);
      facets.actions.add(row.action);
    }
    facets.head = head;
  }
  const sorted = (values: Set<string>) => [...values].sort();
  return { actors: sorted(facets.actors), entityTypes: sorted(facets.entityTypes), actions: sorted(facets.actions) };
}

/** Every matching event, newest first, in keyset batches: for streamed exports. */
export function* auditEventBatches(orgId: number, filters: AuditEventFilters, batchSize = 1000) {
  let beforeId: number | undefined;
  for (;;) {
    const { events, nextBeforeId } = listAuditEvents(orgId, filters, { beforeId, limit: batchSize });
    if (events.length) yield events;
    if (!nextBeforeId) return;
    beforeId = nextBeforeId;
  }
}

/** Events about any of the given entities (entity type → ids), newest first: the history tab of a page. */
export function listEntityHistory(
  orgId: number,
  refs: Record<string, Array<string | number>>,
  limit = HISTORY_LIMIT,
  db: DbOrTx = getDb(),
) {
  const wanted = Object.entries(refs).filter(([, ids]) => ids.length > 0);
  if (wanted.length === 0) return [];
  const params: Record<string, string | number> = { orgId, limit };
  wanted.forEach(([type, ids], i) => {
    params[`type${i}`] = type;
    ids.forEach((id, j) => (params[`id${i}_${j}`] = String(id)));
  });
  return entityHistoryQuery(wanted.map(([, ids]) => ids.length))(db)
    .all(params)
    .map(auditEventRow);
}

/**
 * An event as the pages' event tables show it: a readable action and a one-line
 * summary, with the raw action and the payload (long ones cut; the CSV export
 * keeps them whole) for the detail view.
 */
export function auditEventRow(e: {
  id: number;
  seq: number | null;
  createdAt: Date;
  actorLabel: string;
  actorType: string;
  action: string;
  entityType: string;
  entityId: string | null;
  payload: string;
}) {
  const pretty = prettyPayload(e.payload);
  return {
    id: e.id,
    seq: e.seq ?? e.id,
    at: e.createdAt.toISOString(),
    actor: e.actorLabel,
    actorType: e.actorType,
    action: e.action,
    label: eventLabel(e.action),
    summary: pretty.summary,
    entityType: e.entityType,
    entityId: e.entityId,
    payload: pretty.text.length > HISTORY_PAYLOAD_CHARS ? `${pretty.text.slice(0, HISTORY_PAYLOAD_CHARS)}…` : pretty.text,
  };
}

/** The stored payload indented for reading, and its one-line summary. */
function prettyPayload(payload: string): { text: string; summary: string } {
  try {
    const parsed = JSON.parse(payload) as { before?: unknown; after?: unknown; details?: unknown };
    return { text: JSON.stringify(parsed, null, 2), summary: eventSummary(parsed) };
  } catch {
    return { text: payload, summary: "" };
  }
}

/** One prepared statement per shape (how many ids of each entity type), since each page asks the same shapes again. */
const entityHistoryQuery = memoByKey(
  (idCounts: number[]) => idCounts.join(","),
  (idCounts: number[]) => buildEntityHistoryQuery(idCounts),
);

function buildEntityHistoryQuery(idCounts: number[]) {
  return reusableQuery((db) =>
    db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.orgId, sql.placeholder("orgId")),
          or(
            ...idCounts.map((count, i) =>
              and(
                eq(auditEvents.entityType, sql.placeholder(`type${i}`)),
                inArray(
                  auditEvents.entityId,
                  Array.from({ length: count }, (_, j) => sql.placeholder(`id${i}_${j}`)),
                ),
              ),
            ),
          ),
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(sql.placeholder("limit")),
  );
}

/** The id of an organisation's newest audit event (events are append-only: it only grows). */
export function auditHead(orgId: number, db: DbOrTx = getDb()): number {
  return auditHeadQuery(db).get({ orgId })?.id ?? 0;
}

const auditHeadQuery = reusableQuery((db) =>
  db
    .select({ id: sql<number | null>`max(${auditEvents.id})` })
    .from(auditEvents)
    .where(eq(auditEvents.orgId, sql.placeholder("orgId"))),
);
