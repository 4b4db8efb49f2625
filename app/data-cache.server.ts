/**
 * The data cache: the one place where reads are memoised. Each cached reader
 * below names its key and what invalidates it. Invalidation is by change
 * counters (`change_counters`): `writeTransaction` (db/client.ts) bumps
 * `org:<id>` with every write to that organisation's data and `site` with every
 * write to shared data (users, organisations, memberships), in the same
 * transaction as the write. A reader compares the counters it depends on (one
 * indexed query) with those its entry was computed under, so a write by any
 * process is seen on the next read. Entries hold data, never rendered pages
 * (the board report's PDF bytes are the one file: built from the database
 * alone), in a bounded LRU per reader.
 *
 * Why not `@epic-web/cachified`: it is asynchronous and time-to-live oriented;
 * these readers are synchronous (better-sqlite3) and valid exactly until a
 * counter moves, so it would add an `await` to every caller and a TTL we do
 * not want, in place of the few lines below.
 *
 * Routes and API handlers call `cached.*`; domain modules never cache, and
 * never import this module (it imports them).
 */
import { eq, inArray, sql } from "drizzle-orm";
import { getDb, reusableQuery, type Db } from "../db/client";
import { changeCounters } from "../db/schema";
import * as assessments from "./modules/assessment/assessments.server";
import * as frameworkVersions from "./modules/assessment/framework-versions.server";
import type { Role } from "./modules/auth/roles";
import * as dashboard from "./modules/dashboard/dashboard.server";
import { installUploadedFrameworks } from "./modules/framework/framework";
import * as inbox from "./modules/governance/inbox.server";
import * as metrics from "./modules/registry/metrics.server";
import type { ModelListQuery } from "./modules/registry/registry-schemas";
import * as registry from "./modules/registry/registry.server";
import * as reports from "./modules/reports/assessment-report.server";
import type { RoadmapView } from "./modules/roadmap/roadmap-constants";
import * as roadmaps from "./modules/roadmap/roadmaps.server";

/** The counters a reader depends on: its organisation's, or that and the site's (for readers of names and emails). */
type InvalidatedBy = "org counter" | "org + site counters";

type Entry = { versions: string; value: unknown };

/** Least recently used first: a Map iterates in insertion order, and a hit re-inserts its key. */
class Lru {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly max: number) {}
  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }
  set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
  delete(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
  get size(): number {
    return this.entries.size;
  }
}

const counterQuery = reusableQuery((db) =>
  db
    .select({ scope: changeCounters.scope, version: changeCounters.version })
    .from(changeCounters)
    .where(inArray(changeCounters.scope, [sql.placeholder("org"), "site"])),
);

/** The versions an entry of `orgId` is valid under (a missing counter is 0). One primary-key lookup of two rows. */
function counterVersions(orgId: number, invalidatedBy: InvalidatedBy, db: Db): string {
  const scope = `org:${orgId}`;
  let org = 0;
  let site = 0;
  for (const row of counterQuery(db).all({ org: scope })) {
    if (row.scope === scope) org = row.version;
    else site = row.version;
  }
  return invalidatedBy === "org counter" ? String(org) : `${org}/${site}`;
}

const stores: Lru[] = [];
let storesConnection: Db | undefined;

/** The connection readers read through; tests and CLIs switch databases, and entries of another file mean nothing here. */
function currentConnection(): Db {
  const db = getDb();
  if (db !== storesConnection) {
    for (const s of stores) s.clear();
    storesConnection = db;
  }
  return db;
}

/**
 * Declares a cached reader of one organisation's data: `key` names an entry
 * among the organisation's (add the date when the value depends on it), `max`
 * bounds the entries kept. A value that is a promise is dropped if it rejects.
 */
function cachedReader<A extends unknown[], T>(declaration: {
  invalidatedBy: InvalidatedBy;
  max: number;
  key: (...args: A) => string;
  read: (orgId: number, ...args: A) => T;
}): ((orgId: number, ...args: A) => T) & { store: Lru } {
  const store = new Lru(declaration.max);
  stores.push(store);
  const reader = (orgId: number, ...args: A): T => {
    const db = currentConnection();
    // The counters are read before the data, so an entry is never older than the versions it is stored under.
    const versions = counterVersions(orgId, declaration.invalidatedBy, db);
    const key = `${orgId}:${declaration.key(...args)}`;
    const hit = store.get(key);
    if (hit && hit.versions === versions) return hit.value as T;
    const value = declaration.read(orgId, ...args);
    const entry = { versions, value };
    store.set(key, entry);
    if (value instanceof Promise) value.catch(() => store.delete(key, entry));
    return value;
  };
  return Object.assign(reader, { store });
}

const siteCounterQuery = reusableQuery((db) =>
  db.select({ version: changeCounters.version }).from(changeCounters).where(eq(changeCounters.scope, "site")),
);

/**
 * Declares a cached reader of shared (site-wide) data, without arguments: one
 * entry, valid until the site counter moves (one primary-key lookup per read).
 */
function siteReader<T>(read: () => T): () => T {
  const store = new Lru(1);
  stores.push(store);
  return () => {
    const db = currentConnection();
    const versions = String(siteCounterQuery(db).get()?.version ?? 0);
    const hit = store.get("site");
    if (hit && hit.versions === versions) return hit.value as T;
    const value = read();
    store.set("site", { versions, value });
    return value;
  };
}

/**
 * The published framework versions site administrators uploaded, by version: site counter.
 * Installed as `findFramework`'s source of uploaded versions, so built-in versions cost no
 * query and an uploaded one a counter lookup once the entry is warm.
 */
const publishedFrameworks = siteReader(() => frameworkVersions.publishedUploadedFrameworks());
installUploadedFrameworks({ find: (version) => publishedFrameworks().get(version), versions: () => [...publishedFrameworks().keys()] });

const today = () => new Date().toISOString().slice(0, 10);

/** The navigation badges of one member: org counter + the date ("due" moves with it); role in the key. */
const navigationBadges = cachedReader({
  invalidatedBy: "org counter",
  max: 1000,
  key: (userId: number, role: Role) => `nav-badges:${userId}:${role}:${today()}`,
  read: (orgId, userId, role) => inbox.navigationBadges(orgId, userId, role),
});

/** Every assessment with its scores: org counter. */
const assessmentList = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: () => "assessments",
  read: (orgId) => assessments.listAssessments(orgId),
});

/** One assessment in full: org counter + the date (the current quarter's registry figures run "so far, to today"). */
const assessment = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: (id: number) => `assessment:${id}:${today()}`,
  read: (orgId, id) => assessments.getAssessment(orgId, id),
});

/**
 * An assessment's board report as PDF bytes (not a page: a file whose every
 * input is in the database): org + site counters (the organisation's name,
 * owners' names) + the date (overdue items) + the audit checkpoint it carries.
 */
const assessmentReport = cachedReader({
  invalidatedBy: "org + site counters",
  max: 20,
  // The audit anchor (the checkpoint it is produced with) is part of the key: a new head, a new report.
  key: (orgName: string, id: number, anchor: reports.AuditAnchor | null) =>
    `assessment-pdf:${id}:${orgName}:${today()}:${anchor ? `${anchor.seq}:${anchor.headHash}:${anchor.createdAt}` : ""}`,
  read: (orgId, orgName, id, anchor) => {
    const detail = assessment(orgId, id);
    if (!detail) return null;
    return reports.assessmentBoardReport(
      orgName,
      detail,
      previousFinalized(orgId, detail.period),
      roadmaps.roadmapSummaryForAssessment(orgId, detail.id),
      reports.assessmentWithdrawal(orgId, detail.id),
      anchor,
    );
  },
});

/** Where the organisation stands (dashboard): org counter. */
const maturityStanding = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: () => "maturity-standing",
  read: (orgId) => dashboard.maturityStanding(orgId),
});

/** The active roadmap's progress and most overdue items (dashboard): org + site counters (owners' names) + the date. */
const activeRoadmapProgress = cachedReader({
  invalidatedBy: "org + site counters",
  max: 200,
  key: () => `active-roadmap:${today()}`,
  read: (orgId) => dashboard.activeRoadmapProgress(orgId),
});

/**
 * One page of a roadmap's view, with its progress, burn-up and success
 * criteria: org + site counters (owners' emails and names) + the date
 * (overdue items); view, page and the reader's email ("My items") in the key.
 * The criteria's registry figures come from `registryMetrics` (shared with the dashboard).
 */
const roadmapView = cachedReader({
  invalidatedBy: "org + site counters",
  max: 200,
  key: (roadmapId: number, options: { view: RoadmapView; page: number; me: string }) =>
    `roadmap:${roadmapId}:${options.view}:${options.page}:${options.me}:${today()}`,
  read: (orgId, roadmapId, options) =>
    roadmaps.getRoadmapView(orgId, roadmapId, { ...options, registryFigures: (window) => registryMetrics(orgId, window) }),
});

/** One page of the model list (page and `GET /api/v1/models`): org counter; the query in the key. */
const modelList = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: (query: ModelListQuery) => `models:${JSON.stringify(query)}`,
  read: (orgId, query) => registry.listModels(orgId, query),
});

/** The owner teams and tags to filter the model list by: org counter. */
const modelFacets = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: () => "model-facets",
  read: (orgId) => registry.listModelFacets(orgId),
});

/** The registry metrics of a window (dashboard and `GET /api/v1/metrics`): org counter; the window in the key. */
const registryMetrics = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: (window: metrics.MetricsWindow) => `metrics:${window.from.toISOString()}:${window.to.toISOString()}`,
  read: (orgId, window) => metrics.computeRegistryMetrics(orgId, window),
});

/** Every registry figure of a window, with the evidence-only ones (`GET /api/v1/metrics`): org counter; the window in the key. */
const evidenceMetrics = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: (window: metrics.MetricsWindow) => `evidence-metrics:${window.from.toISOString()}:${window.to.toISOString()}`,
  read: (orgId, window) => metrics.computeEvidenceMetrics(orgId, window),
});

// ---------------------------------------------------------------- pages (model list, model, reviews, assessments)

/** The latest finalised assessment before `period` (the assessment page's deltas, the board report), one row: org counter; the period in the key. */
const previousFinalized = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: (period: string) => `previous-finalized:${period}`,
  read: (orgId, period) => assessments.previousFinalized(orgId, period),
});

/** Every assessment with its scores, without the frozen evidence (the assessment list and its trend): org counter. */
const assessmentScores = cachedReader({
  invalidatedBy: "org counter",
  max: 200,
  key: () => "assessment-scores",
  read: (orgId) => assessments.listAssessmentScores(orgId),
});

/** The cached readers, for routes and API handlers. */
export const cached = {
  navigationBadges,
  assessmentList,
  assessment,
  assessmentReport,
  maturityStanding,
  activeRoadmapProgress,
  roadmapView,
  modelList,
  modelFacets,
  registryMetrics,
  evidenceMetrics,
  previousFinalized,
  assessmentScores,
};
