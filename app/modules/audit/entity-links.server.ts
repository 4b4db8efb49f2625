import { and, eq, inArray, is, Param, Placeholder, sql } from "drizzle-orm";
import { getDb, type Db } from "../../../db/client";
import { incidents, modelCards, models, modelVersions, monitoringSnapshots, roadmapCriteria, roadmapItems } from "../../../db/schema";
import { memoByKey } from "../../utils/memo-by-key";

/** Where an audit event's entity lives in the portal, and what to call it. */
/** `href` is a path of this site (the pages link it in-app). */
export type EntityLink = { href: `/${string}`; name: string };

/** Entities whose page is addressed by the entity's own id. */
const DIRECT: Record<string, (id: string) => { path: string; name: string }> = {
  assessment: (id) => ({ path: `assessments/${id}`, name: `Assessment #${id}` }),
  roadmap: (id) => ({ path: `roadmaps/${id}`, name: `Roadmap #${id}` }),
  bias_audit: (id) => ({ path: `bias-audits/${id}`, name: `Bias audit #${id}` }),
  approval_request: (id) => ({ path: `approvals/${id}`, name: `Approval request #${id}` }),
  approval_policy: (id) => ({ path: "admin/approval-policies", name: `Approval policy #${id}` }),
};

/** Entities that belong to a model version: their page is the version's (or the card's). */
const VERSION_PARTS = { model_card: modelCards, incident: incidents, monitoring_snapshot: monitoringSnapshots } as const;

/** The entity types whose name and page are looked up, in the order of the union's parts. */
const LOOKED_UP = ["model", "model_version", "model_card", "incident", "monitoring_snapshot", "roadmap_item", "roadmap_criterion"] as const;
type LookedUp = (typeof LOOKED_UP)[number];

const idsOf = (events: Array<{ entityType: string; entityId: string | null }>, type: string) => [
  ...new Set(events.filter((e) => e.entityType === type && e.entityId && /^\d+$/.test(e.entityId)).map((e) => Number(e.entityId))),
];

/** Id slots per entity type: a power of two (at least 1, unused ones bound to null), so a few shapes cover every page. */
const slotsFor = (count: number) => 2 ** Math.ceil(Math.log2(Math.max(count, 1)));

/** The union over the looked-up entity types, with `slots[i]` id placeholders for `LOOKED_UP[i]` (`<type>_<j>`). */
function linksUnion(db: Db, slots: number[]) {
  const idsIn = (type: LookedUp) => Array.from({ length: slots[LOOKED_UP.indexOf(type)]! }, (_, j) => sql.placeholder(`${type}_${j}`));
  const orgId = sql.placeholder("orgId");
  const modelRows = db
    .select({
      type: sql<string>`'model'`,
      id: models.id,
      slug: sql<string | null>`${models.slug}`,
      name: models.name,
      version: sql<string | null>`null`,
      roadmapId: sql<number | null>`null`,
    })
    .from(models)
    .where(and(eq(models.orgId, orgId), inArray(models.id, idsIn("model"))));
  const versionRows = db
    .select({
      type: sql<string>`'model_version'`,
      id: modelVersions.id,
      slug: models.slug,
      name: models.name,
      version: modelVersions.version,
      roadmapId: sql<number | null>`null`,
    })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(and(eq(modelVersions.orgId, orgId), inArray(modelVersions.id, idsIn("model_version"))));
  const partRows = Object.entries(VERSION_PARTS).map(([type, table]) =>
    db
      .select({
        type: sql<string>`${type}`,
        id: table.id,
        slug: models.slug,
        name: models.name,
        version: modelVersions.version,
        roadmapId: sql<number | null>`null`,
      })
      .from(table)
      .innerJoin(modelVersions, eq(modelVersions.id, table.versionId))
      .innerJoin(models, eq(models.id, modelVersions.modelId))
      .where(and(eq(table.orgId, orgId), inArray(table.id, idsIn(type as LookedUp)))),
  );
  const itemRows = db
    .select({
      type: sql<string>`'roadmap_item'`,
      id: roadmapItems.id,
      slug: sql<string | null>`null`,
      name: roadmapItems.title,
      version: sql<string | null>`null`,
      roadmapId: roadmapItems.roadmapId,
    })
    .from(roadmapItems)
    .where(and(eq(roadmapItems.orgId, orgId), inArray(roadmapItems.id, idsIn("roadmap_item"))));
  const criterionRows = db
    .select({
      type: sql<string>`'roadmap_criterion'`,
      id: roadmapCriteria.id,
      slug: sql<string | null>`null`,
      name: sql<string>`'Success criterion'`,
      version: sql<string | null>`null`,
      roadmapId: roadmapCriteria.roadmapId,
    })
    .from(roadmapCriteria)
    .where(and(eq(roadmapCriteria.orgId, orgId), inArray(roadmapCriteria.id, idsIn("roadmap_criterion"))));
  return modelRows
    .unionAll(versionRows)
    .unionAll(partRows[0]!)
    .unionAll(partRows[1]!)
    .unionAll(partRows[2]!)
    .unionAll(itemRows)
    .unionAll(criterionRows);
}

/** A row of the union, by position: type, id, slug, name, version, roadmap id. */
type LinkRow = [type: string, id: number, slug: string | null, name: string, version: string | null, roadmapId: number | null];

/**
 * The union's statement for one shape, prepared once per connection and run
 * with positional values: filling a hundred named placeholders through drizzle
 * took longer than the query itself.
 */
function buildLinksStatement(slots: number[]) {
  const statements = new WeakMap<Db, (values: Record<string, number | null>) => LinkRow[]>();
  return (db: Db) => {
    let run = statements.get(db);
    if (!run) {
      const { sql: text, params } = linksUnion(db, slots).toSQL();
      const statement = db.$client.prepare<unknown[], LinkRow>(text).raw();
      const valueOf = params.map((p): ((values: Record<string, number | null>) => unknown) => {
        const named = is(p, Placeholder) ? p.name : is(p, Param) && is(p.value, Placeholder) ? p.value.name : undefined;
        return named === undefined ? () => p : (values) => values[named];
      });
      run = (values) => statement.all(valueOf.map((value) => value(values)));
      statements.set(db, run);
    }
    return run;
  };
}

/** One prepared statement per shape (id slots per entity type): pages ask the same few shapes again and again. */
const linksQuery = memoByKey(
  (slots: number[]) => slots.join(","),
  (slots: number[]) => buildLinksStatement(slots),
  100,
);

/**
 * Links for a page of audit events, in ONE query whatever the page holds (a
 * union over the entity types that need a lookup), so the audit log's query
 * count does not grow with what it lists. Entities that no longer exist get no link.
 */
export function auditEntityLinks(
  orgId: number,
  orgSlug: string,
  events: Array<{ entityType: string; entityId: string | null }>,
  db: Db = getDb(),
): Map<string, EntityLink> {
  const links = new Map<string, EntityLink>();
  const base = `/orgs/${orgSlug}` as const;
  for (const e of events) {
    const direct = e.entityId ? DIRECT[e.entityType]?.(e.entityId) : undefined;
    if (direct) links.set(`${e.entityType}:${e.entityId}`, { href: `${base}/${direct.path}`, name: direct.name });
  }
  const ids = LOOKED_UP.map((type) => idsOf(events, type));
  const slots = ids.map((list) => slotsFor(list.length));
  const params: Record<string, number | null> = { orgId };
  LOOKED_UP.forEach((type, i) => {
    for (let j = 0; j < slots[i]!; j++) params[`${type}_${j}`] = ids[i]![j] ?? null;
  });
  for (const [type, id, slug, name, version, roadmapId] of linksQuery(slots)(db)(params)) {
    const key = `${type}:${id}`;
    if (type === "roadmap_item") links.set(key, { href: `${base}/roadmaps/${roadmapId}/items/${id}`, name });
    else if (type === "roadmap_criterion")
      links.set(key, { href: `${base}/roadmaps/${roadmapId}`, name: `Success criterion of roadmap #${roadmapId}` });
    else if (type === "model") links.set(key, { href: `${base}/models/${slug}`, name });
    else {
      const page = `${base}/models/${slug}/versions/${encodeURIComponent(version ?? "")}` as const;
      links.set(key, { href: type === "model_card" ? `${page}/card` : page, name: `${name} ${version}` });
    }
  }
  return links;
}
