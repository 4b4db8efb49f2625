import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { databaseFile, getDb, openDatabase, writeTransaction, type WriteScope } from "../db/client";
import { withQueryCounter } from "../db/query-count";
import { changeCounters, loginFailures, models, users } from "../db/schema";
import { insertTestOrg } from "../tests/setup/factories";
import { cached } from "./data-cache.server";
import { ModelListQuerySchema } from "./modules/registry/registry-schemas";

/** A second connection to the same file: what another worker process does looks the same from here. */
const other = openDatabase(databaseFile());
afterAll(() => other.$client.close());

/** How many statements a read ran: 1 is the counters alone (a hit). */
function queriesOf(read: () => unknown): number {
  return withQueryCounter((counter) => {
    read();
    return counter.queries;
  });
}

function addModel(orgId: number, ownerTeam: string, db = getDb()) {
  writeTransaction(
    { orgId },
    (tx) =>
      tx
        .insert(models)
        .values({ orgId, slug: ownerTeam.toLowerCase(), name: ownerTeam, riskTier: "minimal", ownerTeam, createdVia: "ui" })
        .run(),
    db,
  );
}

const version = (scope: string) => getDb().select().from(changeCounters).where(eq(changeCounters.scope, scope)).get()?.version ?? 0;

describe("writeTransaction's change counters", () => {
  it("move with a write of their scope, and not for bookkeeping or a write that changed nothing", () => {
    const org = insertTestOrg("counters");
    const bump = (scope: WriteScope, write: (tx: Parameters<Parameters<typeof writeTransaction>[1]>[0]) => unknown) => {
      const before = { org: version(`org:${org.id}`), site: version("site") };
      writeTransaction(scope, write);
      return { org: version(`org:${org.id}`) - before.org, site: version("site") - before.site };
    };
    expect(
      bump({ orgId: org.id }, (tx) =>
        tx.insert(models).values({ orgId: org.id, slug: "m", name: "M", riskTier: "minimal", createdVia: "ui" }).run(),
      ),
    ).toEqual({ org: 1, site: 0 });
    expect(bump({ orgId: org.id }, (tx) => tx.update(models).set({ name: "N" }).where(eq(models.id, -1)).run())).toEqual({
      org: 0,
      site: 0,
    });
    expect(bump("bookkeeping", (tx) => tx.insert(loginFailures).values({ email: "a@b.c", ip: "1" }).run())).toEqual({ org: 0, site: 0 });
    expect(bump("site", (tx) => tx.insert(users).values({ email: "s@b.c", name: "S", passwordHash: "x" }).run())).toEqual({
      org: 0,
      site: 1,
    });
    expect(bump({ orgId: org.id, site: true }, (tx) => tx.update(users).set({ name: "T" }).where(eq(users.email, "s@b.c")).run())).toEqual({
      org: 1,
      site: 1,
    });
  });

  it("roll back with the write", () => {
    const org = insertTestOrg("rollback");
    const before = version(`org:${org.id}`);
    expect(() =>
      writeTransaction({ orgId: org.id }, (tx) => {
        tx.insert(models).values({ orgId: org.id, slug: "m", name: "M", riskTier: "minimal", createdVia: "ui" }).run();
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(version(`org:${org.id}`)).toBe(before);
  });
});

describe("the data cache", () => {
  it("answers from memory until the organisation's counter moves, whichever connection wrote", () => {
    const org = insertTestOrg("cache");
    const elsewhere = insertTestOrg("elsewhere");
    addModel(org.id, "Risk");
    expect(cached.modelFacets(org.id).teams).toEqual(["Risk"]);
    expect(queriesOf(() => cached.modelFacets(org.id))).toBe(1);
    // Another organisation's write leaves this entry alone.
    addModel(elsewhere.id, "Elsewhere");
    expect(queriesOf(() => cached.modelFacets(org.id))).toBe(1);
    // A write through another connection, as another worker would make it.
    addModel(org.id, "Fraud", other);
    expect(cached.modelFacets(org.id).teams).toEqual(["Fraud", "Risk"]);
    expect(queriesOf(() => cached.modelFacets(org.id))).toBe(1);
  });

  it("is not invalidated by bookkeeping", () => {
    const org = insertTestOrg("bookkeeping");
    cached.modelFacets(org.id);
    writeTransaction("bookkeeping", (tx) => tx.insert(loginFailures).values({ email: "x@y.z", ip: "2" }).run(), other);
    expect(queriesOf(() => cached.modelFacets(org.id))).toBe(1);
  });

  it("renews readers of shared data when the site counter moves, and only those", () => {
    const org = insertTestOrg("site");
    cached.modelFacets(org.id);
    cached.activeRoadmapProgress(org.id);
    writeTransaction("site", (tx) => tx.insert(users).values({ email: "site@example.com", name: "Site", passwordHash: "x" }).run(), other);
    expect(queriesOf(() => cached.modelFacets(org.id))).toBe(1);
    expect(queriesOf(() => cached.activeRoadmapProgress(org.id))).toBeGreaterThan(1);
  });

  it("keeps at most its bound of entries per reader, dropping the least recently used", () => {
    const org = insertTestOrg("lru");
    const { max } = cached.modelList.store;
    const query = (page: number) => ModelListQuerySchema.parse({ page, pageSize: 10 });
    for (let page = 1; page <= max + 5; page++) cached.modelList(org.id, query(page));
    expect(cached.modelList.store.size).toBe(max);
    // Pages 1 to 5 were dropped; page 6 is kept, and reading it makes it the most recent.
    expect(queriesOf(() => cached.modelList(org.id, query(6)))).toBe(1);
    expect(queriesOf(() => cached.modelList(org.id, query(1)))).toBeGreaterThan(1);
    expect(queriesOf(() => cached.modelList(org.id, query(6)))).toBe(1);
    expect(cached.modelList.store.size).toBe(max);
  });
});
