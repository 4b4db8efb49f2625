import { describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { auditEvents, organizations } from "../../../db/schema";
import { withQueryCounter } from "../../../db/query-count";
import { createModel, createVersion } from "../registry/registry.server";
import {
  auditChainState,
  auditEventRow,
  listAuditEvents,
  listAuditFacets,
  recordAuditEvent,
  recordingAt,
  SYSTEM_ACTOR,
} from "./audit.server";
import { auditEntityLinks } from "./entity-links.server";

function makeOrg(slug: string) {
  return getDb()
    .insert(organizations)
    .values({ slug, name: `Org ${slug}` })
    .returning()
    .get();
}

describe("recordingAt", () => {
  it("stamps the events recorded inside it at the given time, and only those", async () => {
    const org = makeOrg("clock-org");
    const past = new Date("2025-03-04T05:06:07Z");
    await recordingAt(past, async () => {
      await Promise.resolve();
      writeTransaction({ orgId: org.id }, (tx) =>
        recordAuditEvent(tx, { orgId: org.id, actor: SYSTEM_ACTOR, action: "thing.done", entityType: "thing" }),
      );
    });
    writeTransaction({ orgId: org.id }, (tx) =>
      recordAuditEvent(tx, { orgId: org.id, actor: SYSTEM_ACTOR, action: "thing.done", entityType: "thing" }),
    );
    const [newest, oldest] = listAuditEvents(org.id, {}, { limit: 2 }).events;
    expect(oldest!.createdAt.toISOString()).toBe(past.toISOString());
    expect(Math.abs(newest!.createdAt.getTime() - Date.now())).toBeLessThan(5_000);
    expect([oldest!.seq, newest!.seq]).toEqual([1, 2]);
  });
});

describe("auditChainState", () => {
  it("verifies the whole chain once, then only the events added since", async () => {
    const org = makeOrg("chain-state-org");
    const record = () =>
      writeTransaction({ orgId: org.id }, (tx) =>
        recordAuditEvent(tx, { orgId: org.id, actor: SYSTEM_ACTOR, action: "thing.done", entityType: "thing" }),
      );
    for (let i = 0; i < 3; i++) record();
    expect(await auditChainState(org.id)).toMatchObject({ ok: true, events: 3 });
    record();
    const again = await withQueryCounter(async (counter) => ({ state: await auditChainState(org.id), queries: counter.queries }));
    expect(again.state).toMatchObject({ ok: true, events: 4 });
    expect(again.queries).toBe(1);
  });

  it("walks a long chain a batch at a time, serving other work between batches, and shares one walk among callers", async () => {
    const org = makeOrg("chain-long-org");
    writeTransaction({ orgId: org.id }, (tx) => {
      for (let i = 0; i < 12_000; i++)
        recordAuditEvent(tx, { orgId: org.id, actor: SYSTEM_ACTOR, action: "thing.done", entityType: "thing" });
    });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const walks = await withQueryCounter(async (counter) => ({
        states: await Promise.all([auditChainState(org.id), auditChainState(org.id)]),
        queries: counter.queries,
      }));
      expect(walks.states.map((s) => s.events)).toEqual([12_000, 12_000]);
      expect(walks.states.every((s) => s.ok)).toBe(true);
      // Three batches of at most 5,000 events for both callers; timers ran between them.
      expect(walks.queries).toBe(3);
      expect(turns).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
  });

  it("reports a broken chain", async () => {
    const org = makeOrg("chain-broken-org");
    getDb()
      .insert(auditEvents)
      .values({
        orgId: org.id,
        actorType: "system",
        actorLabel: "x",
        action: "thing.done",
        entityType: "thing",
        payload: "{}",
        createdAt: new Date(),
        prevHash: "bad",
        hash: "bad",
        seq: 1,
      })
      .run();
    expect(await auditChainState(org.id)).toMatchObject({ ok: false, events: 1 });
  });
});

describe("auditEntityLinks and auditEventRow", () => {
  it("links each event to its entity's page with a readable name, in one query", async () => {
    const org = makeOrg("links-org");
    const model = createModel(org.id, { name: "Churn model", slug: "churn", riskTier: "limited" }, SYSTEM_ACTOR, "ui");
    createVersion(org.id, "churn", { version: "1.0.0" }, SYSTEM_ACTOR, "ui");
    const { events } = listAuditEvents(org.id, {}, { limit: 10 });
    const withMissing = [
      ...events,
      { entityType: "assessment", entityId: "7" },
      { entityType: "model", entityId: "999" },
      { entityType: "organization", entityId: String(org.id) },
    ];
    const { links, queries } = await withQueryCounter(async (counter) => ({
      links: auditEntityLinks(org.id, org.slug, withMissing),
      queries: counter.queries,
    }));
    expect(queries).toBe(1);
    expect(links.get(`model:${model.id}`)).toEqual({ href: "/orgs/links-org/models/churn", name: "Churn model" });
    const versionEvent = events.find((e) => e.entityType === "model_version")!;
    expect(links.get(`model_version:${versionEvent.entityId}`)).toEqual({
      href: "/orgs/links-org/models/churn/versions/1.0.0",
      name: "Churn model 1.0.0",
    });
    expect(links.get("assessment:7")).toEqual({ href: "/orgs/links-org/assessments/7", name: "Assessment #7" });
    expect(links.has("model:999")).toBe(false);
    expect(links.has(`organization:${org.id}`)).toBe(false);

    const row = auditEventRow({ ...versionEvent, payload: JSON.stringify(versionEvent.payload) });
    expect(row).toMatchObject({
      label: "Version registered",
      action: "model_version.created",
      summary: "version: 1.0.0 · stage: development",
    });
    expect(row.seq).toBe(versionEvent.seq);
    expect(row.payload).toContain('\n  "after"');
  });
});

describe("listAuditFacets", () => {
  it("reads only new events after the first call, and stays sorted and per organisation", () => {
    const org = makeOrg("facets-org");
    const other = makeOrg("facets-other");
    const record = (orgId: number, label: string, action: string, entityType: string) =>
      writeTransaction({ orgId }, (tx) => recordAuditEvent(tx, { orgId, actor: { type: "system", label }, action, entityType }));
    expect(listAuditFacets(org.id)).toEqual({ actors: [], entityTypes: [], actions: [] });
    record(org.id, "zoe", "model.created", "model");
    record(org.id, "adam", "model.updated", "model");
    expect(listAuditFacets(org.id)).toEqual({
      actors: ["adam", "zoe"],
      entityTypes: ["model"],
      actions: ["model.created", "model.updated"],
    });
    record(other.id, "elsewhere", "token.created", "api_token");
    record(org.id, "mia", "incident.opened", "incident");
    expect(listAuditFacets(org.id)).toEqual({
      actors: ["adam", "mia", "zoe"],
      entityTypes: ["incident", "model"],
      actions: ["incident.opened", "model.created", "model.updated"],
    });
    expect(listAuditFacets(other.id)).toEqual({ actors: ["elsewhere"], entityTypes: ["api_token"], actions: ["token.created"] });
  });
});
