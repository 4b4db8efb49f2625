import { describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { organizations } from "../../../db/schema";
import { auditHead, cachedUntilNextChange, listAuditFacets, recordAuditEvent } from "./audit.server";

describe("cachedUntilNextChange", () => {
  it("computes once per audit head and again after the organisation changes", () => {
    const db = getDb();
    const org = db.insert(organizations).values({ slug: "cache-org", name: "Cache" }).returning().get();
    const other = db.insert(organizations).values({ slug: "cache-other", name: "Other" }).returning().get();
    let calls = 0;
    const read = () => cachedUntilNextChange(org.id, "k", () => ++calls);
    expect(auditHead(org.id)).toBe(0);
    expect(read()).toBe(1);
    expect(read()).toBe(1);
    // A change in another organisation does not invalidate this one.
    writeTransaction({ orgId: other.id }, (tx) => recordAuditEvent(tx, { orgId: other.id, actor: { type: "system", label: "t" }, action: "x.changed", entityType: "x" }));
    expect(read()).toBe(1);
    const { id } = writeTransaction({ orgId: org.id }, (tx) => recordAuditEvent(tx, { orgId: org.id, actor: { type: "system", label: "t" }, action: "x.changed", entityType: "x" }));
    expect(auditHead(org.id)).toBe(id);
    expect(read()).toBe(2);
    expect(read()).toBe(2);
    // Keys are separate entries.
    expect(cachedUntilNextChange(org.id, "other-key", () => "fresh")).toBe("fresh");
  });
});

describe("listAuditFacets", () => {
  it("reads only new events after the first call, and stays sorted and per organisation", () => {
    const db = getDb();
    const org = db.insert(organizations).values({ slug: "facets-org", name: "Facets" }).returning().get();
    const other = db.insert(organizations).values({ slug: "facets-other", name: "Other" }).returning().get();
    const record = (orgId: number, label: string, action: string, entityType: string) =>
      writeTransaction({ orgId }, (tx) => recordAuditEvent(tx, { orgId, actor: { type: "system", label }, action, entityType }));
    expect(listAuditFacets(org.id)).toEqual({ actors: [], entityTypes: [], actions: [] });
    record(org.id, "zoe", "model.created", "model");
    record(org.id, "adam", "model.updated", "model");
    expect(listAuditFacets(org.id)).toEqual({ actors: ["adam", "zoe"], entityTypes: ["model"], actions: ["model.created", "model.updated"] });
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
