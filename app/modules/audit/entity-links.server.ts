import { and, eq, inArray, sql } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { incidents, modelCards, models, modelVersions, monitoringSnapshots, roadmapCriteria, roadmapItems } from "../../../db/schema";
import { memoByKey } from "../../utils/memo-by-key";

/** Where an audit event's entity lives in the portal, and what to call it. */
export type EntityLink = { href: string; name: string };

/** Entities whose page is addressed by the entity's own id. */
const DIRECT: Record<string, (id: string) => { path: string; name: string }> = {
  assessment: (id) => ({ path: `assessments/${id}`, name: `Assessment #${id}` }),
  roadmap: (id) => ({ path: `roadmaps/${id}`, name: `Roadmap #${id}` }),
  bias_audit: (id) => ({ path: `bias-audits/${id}`, name: `Bias audit #${id}` }),
  approval_request: (id) => ({ path: `approvals/${id}`, name: `Approval request #${id}` }),
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
function buildLinksQuery(slots: number[]) {
  const idsIn = (type: LookedUp) => Array.from({ length: slots[LOOKED_UP.indexOf(type)]! }, (_, j) => sql.placeholder(`${type}_${j}`));
  const orgId = sql.placeholder("orgId");
  return reusableQuery((db) => {
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
  });
}

/** One prepared statement per shape (id slots per entity type): pages ask the same few shapes again and again. */
const linksQuery = memoByKey(
  (slots: number[]) => slots.join(","),
  (slots: number[]) => buildLinksQuery(slots),
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
  db: DbOrTx = getDb(),
): Map<string, EntityLink> {
  const links = new Map<string, EntityLink>();
  const base = `/orgs/${orgSlug}`;
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
  const rows = linksQuery(slots)(db).all(params);
  for (const row of rows) {
    const key = `${row.type}:${row.id}`;
    if (row.type === "roadmap_item") links.set(key, { href: `${base}/roadmaps/${row.roadmapId}/items/${row.id}`, name: row.name });
    else if (row.type === "roadmap_criterion")
      links.set(key, { href: `${base}/roadmaps/${row.roadmapId}`, name: `Success criterion of roadmap #${row.roadmapId}` });
    else if (row.type === "model") links.set(key, { href: `${base}/models/${row.slug}`, name: row.name });
    else {
      const version = `${base}/models/${row.slug}/versions/${encodeURIComponent(row.version ?? "")}`;
      links.set(key, { href: row.type === "model_card" ? `${version}/card` : version, name: `${row.name} ${row.version}` });
    }
  }
  return links;
}
