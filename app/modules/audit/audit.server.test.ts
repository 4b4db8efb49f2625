import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { count, eq, isNull } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { auditEvents } from "../../../db/schema";
import { insertTestOrg } from "../../../tests/setup/factories";
import { listAuditEvents, recordAuditEvent, SYSTEM_ACTOR, verifyAuditChain, type Actor } from "./audit.server";
import { AuditFilterSchema, auditFilterRange } from "./audit-schemas";
import { computeEventHash, GENESIS_HASH } from "./hash";

const alice: Actor = { type: "user", id: 1, label: "alice@example.com" };
const bob: Actor = { type: "user", id: 2, label: "bob@example.com" };

function makeOrg(label: string): number {
  return insertTestOrg(label).id;
}

function record(orgId: number | null, action = "thing.done", extra: Partial<Parameters<typeof recordAuditEvent>[1]> = {}) {
  return writeTransaction(orgId === null ? "site" : { orgId }, (tx) =>
    recordAuditEvent(tx, { orgId, actor: alice, action, entityType: "thing", entityId: 1, after: { n: 1 }, ...extra }),
  );
}

function row(id: number) {
  return getDb().select().from(auditEvents).where(eq(auditEvents.id, id)).get()!;
}

function totalEvents(): number {
  return getDb().select({ n: count() }).from(auditEvents).get()!.n;
}

/** Runs `tamper` with the append-only trigger `name` dropped, and puts the trigger back afterwards. */
function withoutTrigger(name: "audit_events_no_update" | "audit_events_no_delete", tamper: () => void) {
  const client = getDb().$client;
  const { sql } = client.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(name) as { sql: string };
  client.exec(`DROP TRIGGER ${name}`);
  try {
    tamper();
  } finally {
    client.exec(sql);
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("recordAuditEvent", () => {
  it("starts each chain at the genesis hash and links each event to the previous one", () => {
    const org = makeOrg("chain-a");
    const first = record(org, "a.first");
    const second = record(org, "a.second");
    const third = record(org, "a.third");

    expect(row(first.id).prevHash).toBe(GENESIS_HASH);
    expect(row(first.id).hash).toBe(first.hash);
    expect(row(second.id).prevHash).toBe(first.hash);
    expect(row(third.id).prevHash).toBe(second.hash);
    expect(new Set([first.hash, second.hash, third.hash]).size).toBe(3);
  });

  it("stores a hash that matches the stored content", () => {
    const org = makeOrg("chain-a");
    const { id } = record(org, "a.check", { before: { role: "team" }, after: { role: "admin" }, details: { why: "x" } });
    const r = row(id);
    expect(JSON.parse(r.payload)).toEqual({ before: { role: "team" }, after: { role: "admin" }, details: { why: "x" } });
    expect(r.entityId).toBe("1");
    expect(r.actorType).toBe("user");
    expect(r.actorId).toBe(1);
    const recomputed = computeEventHash(r.prevHash, {
      orgId: r.orgId,
      actorType: r.actorType,
      actorId: r.actorId,
      actorLabel: r.actorLabel,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      payload: r.payload,
      createdAt: r.createdAt.getTime(),
    });
    expect(recomputed).toBe(r.hash);
  });

  it("records the system actor with a null actor id", () => {
    const org = makeOrg("chain-b");
    const { id } = writeTransaction({ orgId: org }, (tx) =>
      recordAuditEvent(tx, { orgId: org, actor: SYSTEM_ACTOR, action: "b.system", entityType: "organization" }),
    );
    const r = row(id);
    expect(r.actorType).toBe("system");
    expect(r.actorId).toBeNull();
    expect(r.actorLabel).toBe("system");
    expect(r.entityId).toBeNull();
  });

  it("keeps independent chains per organisation, interleaved writes notwithstanding", () => {
    const c = makeOrg("chain-c");
    const d = makeOrg("chain-d");
    const c1 = record(c);
    const d1 = record(d);
    const c2 = record(c);
    const d2 = record(d);
    expect(row(c1.id).prevHash).toBe(GENESIS_HASH);
    expect(row(d1.id).prevHash).toBe(GENESIS_HASH);
    expect(row(c2.id).prevHash).toBe(c1.hash);
    expect(row(d2.id).prevHash).toBe(d1.hash);
    expect(verifyAuditChain(c)).toEqual({ ok: true, events: 2 });
    expect(verifyAuditChain(d)).toEqual({ ok: true, events: 2 });
  });

  it("treats org null as its own site-wide chain", () => {
    const before = getDb().select({ n: count() }).from(auditEvents).where(isNull(auditEvents.orgId)).get()!.n;
    expect(before).toBe(0);
    const s1 = record(null, "auth.login_succeeded");
    record(makeOrg("chain-a"), "a.between");
    const s2 = record(null, "auth.login_failed");
    expect(row(s1.id).orgId).toBeNull();
    expect(row(s1.id).prevHash).toBe(GENESIS_HASH);
    expect(row(s2.id).prevHash).toBe(s1.hash);
    expect(verifyAuditChain(null)).toEqual({ ok: true, events: 2 });
  });

  it("leaves no event when the surrounding transaction rolls back", () => {
    const org = makeOrg("chain-b");
    record(org, "b.committed");
    const before = totalEvents();
    expect(() =>
      writeTransaction({ orgId: org }, (tx) => {
        recordAuditEvent(tx, { orgId: org, actor: alice, action: "b.rolled_back", entityType: "thing" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(totalEvents()).toBe(before);
    expect(getDb().select().from(auditEvents).where(eq(auditEvents.action, "b.rolled_back")).all()).toHaveLength(0);
    // The chain head is unaffected: the next event links to the last committed one.
    const heads = getDb().select().from(auditEvents).where(eq(auditEvents.orgId, org)).all();
    const next = record(org, "b.after_rollback");
    expect(row(next.id).prevHash).toBe(heads.at(-1)!.hash);
    expect(verifyAuditChain(org).ok).toBe(true);
  });
});

describe("verifyAuditChain", () => {
  it("is ok with zero events for an organisation without any", () => {
    const empty = makeOrg("verify-empty");
    expect(verifyAuditChain(empty)).toEqual({ ok: true, events: 0 });
  });

  it("is ok and counts N events", () => {
    const org = makeOrg("verify-n");
    for (let i = 0; i < 25; i++) record(org, `v.${i}`, { after: { i } });
    expect(verifyAuditChain(org)).toEqual({ ok: true, events: 25 });
  });
});

describe("append-only triggers", () => {
  let org: number;
  let id: number;
  beforeEach(() => {
    org = makeOrg("triggers");
    id = record(org, "t.original").id;
  });

  it("refuse UPDATE on audit_events", () => {
    const stmt = getDb().$client.prepare("UPDATE audit_events SET action = 't.changed' WHERE id = ?");
    expect(() => stmt.run(id)).toThrow(/append-only/);
    expect(row(id).action).toBe("t.original");
  });

  it("refuse DELETE on audit_events", () => {
    const stmt = getDb().$client.prepare("DELETE FROM audit_events WHERE id = ?");
    expect(() => stmt.run(id)).toThrow(/append-only/);
    expect(row(id)).toBeDefined();
  });

  it("refuse UPDATE through drizzle too", () => {
    expect(() => getDb().update(auditEvents).set({ payload: "{}" }).where(eq(auditEvents.id, id)).run()).toThrow(/append-only/);
    expect(verifyAuditChain(org)).toEqual({ ok: true, events: 1 });
  });
});

describe("listAuditEvents", () => {
  let org: number;
  let ids: number[];
  beforeEach(() => {
    org = makeOrg("listing");
    ids = [];
    vi.useFakeTimers({ toFake: ["Date"] });
    const at = (iso: string) => vi.setSystemTime(new Date(iso));
    at("2026-01-10T10:00:00.000Z");
    ids.push(record(org, "model.created", { actor: alice, entityType: "model", entityId: 10 }).id);
    at("2026-01-11T23:59:59.999Z");
    ids.push(record(org, "member.added", { actor: bob, entityType: "user", entityId: 20 }).id);
    at("2026-01-12T00:00:00.000Z");
    ids.push(record(org, "member.added", { actor: alice, entityType: "model", entityId: 11 }).id);
    at("2026-01-13T08:00:00.000Z");
    ids.push(record(org, "model.created", { actor: bob, entityType: "user", entityId: 21 }).id);
    at("2026-01-14T08:00:00.000Z");
    ids.push(record(org, "model.created", { actor: alice, entityType: "model", entityId: 12 }).id);
    vi.useRealTimers();
    // An event in another organisation must never show up.
    record(makeOrg("listing-other"), "model.created", { actor: alice, entityType: "model" });
  });

  const list = (filters: Parameters<typeof listAuditEvents>[1], page = { limit: 50 } as { beforeId?: number; limit: number }) =>
    listAuditEvents(org, filters, page);

  it("returns the organisation's events newest first with parsed payloads", () => {
    const { events, nextBeforeId } = list({});
    expect(events.map((e) => e.id)).toEqual([...ids].reverse());
    expect(nextBeforeId).toBeUndefined();
    expect(events[0]!.payload).toEqual({ after: { n: 1 } });
    expect(events.every((e) => e.orgId === org)).toBe(true);
  });

  it("filters by actor label", () => {
    expect(list({ actor: "bob@example.com" }).events.map((e) => e.id)).toEqual([ids[3], ids[1]]);
  });

  it("filters by entity type and entity id", () => {
    expect(list({ entityType: "model" }).events.map((e) => e.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(list({ entityType: "model", entityId: "11" }).events.map((e) => e.id)).toEqual([ids[2]]);
  });

  it("filters by action and combines filters", () => {
    expect(list({ action: "member.added" }).events.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(list({ action: "model.created", actor: "alice@example.com" }).events.map((e) => e.id)).toEqual([ids[4], ids[0]]);
  });

  it("filters by an inclusive day range parsed from the page's query", () => {
    const filter = AuditFilterSchema.parse({ from: "2026-01-11", to: "2026-01-12" });
    const range = auditFilterRange(filter);
    // The last millisecond of the 11th and the first of the 12th are both inside.
    expect(list(range).events.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    // A single day.
    const oneDay = auditFilterRange(AuditFilterSchema.parse({ from: "2026-01-13", to: "2026-01-13" }));
    expect(list(oneDay).events.map((e) => e.id)).toEqual([ids[3]]);
    // Open-ended ranges.
    expect(list(auditFilterRange(AuditFilterSchema.parse({ from: "2026-01-13" }))).events.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    expect(list(auditFilterRange(AuditFilterSchema.parse({ to: "2026-01-10" }))).events.map((e) => e.id)).toEqual([ids[0]]);
  });

  it("refuses day filters that are not real days from 2000 to 2100, and takes an empty one as none", () => {
    const problem = (from: string) => AuditFilterSchema.safeParse({ from }).error?.issues[0]?.message;
    expect(problem("0000-01-01")).toBe("Use a date from 2000 to 2100");
    expect(problem("9999-12-31")).toBe("Use a date from 2000 to 2100");
    expect(problem("2026-02-30")).toBe("That date does not exist");
    expect(problem("31/01/2026")).toBe("Use a date like 2026-01-31");
    expect(AuditFilterSchema.parse({ from: "", to: "" })).toMatchObject({ from: undefined, to: undefined });
  });

  it("refuses an end date before the start date, on the end date", () => {
    const inverted = AuditFilterSchema.safeParse({ from: "2026-03-02", to: "2026-03-01" });
    expect(inverted.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["to", "The end date is before the start date"]]);
    expect(AuditFilterSchema.safeParse({ from: "2026-03-01", to: "2026-03-01" }).success).toBe(true);
  });

  it("paginates by keyset with beforeId / nextBeforeId", () => {
    const page1 = list({}, { limit: 2 });
    expect(page1.events.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    expect(page1.nextBeforeId).toBe(ids[3]);

    const page2 = list({}, { limit: 2, beforeId: page1.nextBeforeId });
    expect(page2.events.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(page2.nextBeforeId).toBe(ids[1]);

    const page3 = list({}, { limit: 2, beforeId: page2.nextBeforeId });
    expect(page3.events.map((e) => e.id)).toEqual([ids[0]]);
    expect(page3.nextBeforeId).toBeUndefined();
  });

  it("steps back to newer pages: newerBeforeId opens the page before, null when that is the newest", () => {
    const page1 = list({}, { limit: 2 });
    expect(page1.newerBeforeId).toBeUndefined();
    const page2 = list({}, { limit: 2, beforeId: page1.nextBeforeId });
    expect(page2.newerBeforeId).toBeNull();
    const page3 = list({}, { limit: 2, beforeId: page2.nextBeforeId });
    expect(list({}, { limit: 2, beforeId: page3.newerBeforeId! }).events.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    // With a filter, the page before counts matching events only.
    const m2 = list({ entityType: "model" }, { limit: 1, beforeId: ids[4] });
    expect(m2.events.map((e) => e.id)).toEqual([ids[2]]);
    expect(m2.newerBeforeId).toBeNull();
    const m3 = list({ entityType: "model" }, { limit: 1, beforeId: m2.nextBeforeId });
    expect(list({ entityType: "model" }, { limit: 1, beforeId: m3.newerBeforeId! }).events.map((e) => e.id)).toEqual([ids[2]]);
  });

  it("has no next page when the results fit exactly", () => {
    const exact = list({ action: "member.added" }, { limit: 2 });
    expect(exact.events).toHaveLength(2);
    expect(exact.nextBeforeId).toBeUndefined();
  });

  it("paginates filtered results", () => {
    const p1 = list({ entityType: "model" }, { limit: 1 });
    expect(p1.events.map((e) => e.id)).toEqual([ids[4]]);
    const p2 = list({ entityType: "model" }, { limit: 1, beforeId: p1.nextBeforeId });
    expect(p2.events.map((e) => e.id)).toEqual([ids[2]]);
    const p3 = list({ entityType: "model" }, { limit: 1, beforeId: p2.nextBeforeId });
    expect(p3.events.map((e) => e.id)).toEqual([ids[0]]);
    expect(p3.nextBeforeId).toBeUndefined();
  });
});

describe("AuditFilterSchema / auditFilterRange", () => {
  it("turns empty strings into undefined and trims text", () => {
    const parsed = AuditFilterSchema.parse({ actor: "  alice@example.com ", entityType: "", from: "", to: "" });
    expect(parsed).toEqual({ actor: "alice@example.com" });
  });

  it("parses dates as whole UTC days, `to` inclusive", () => {
    const range = auditFilterRange(AuditFilterSchema.parse({ from: "2026-01-31", to: "2026-01-31" }));
    expect(range.from?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(range.to?.toISOString()).toBe("2026-02-01T00:00:00.000Z");
  });

  it("rejects a malformed date with a helpful message", () => {
    for (const bad of ["31/01/2026", "2026-1-31", "yesterday", "2026-01-31T00:00"]) {
      const result = AuditFilterSchema.safeParse({ from: bad });
      expect(result.success, bad).toBe(false);
      if (!result.success) expect(result.error.issues[0]!.message).toBe("Use a date like 2026-01-31");
    }
    expect(AuditFilterSchema.safeParse({ to: "01-31-2026" }).success).toBe(false);
  });

  it("ignores a non-numeric `before` rather than failing", () => {
    expect(AuditFilterSchema.parse({ before: "abc" }).before).toBeUndefined();
    expect(AuditFilterSchema.parse({ before: "12" }).before).toBe(12);
  });

  // Regression: the regex accepts impossible calendar dates; "2026-13-45" becomes an
  // Invalid Date (NaN timestamp) and "2026-02-30" silently becomes 2 March.
  it("rejects an impossible calendar date that matches the YYYY-MM-DD shape", () => {
    expect(AuditFilterSchema.safeParse({ from: "2026-13-45" }).success).toBe(false);
    expect(AuditFilterSchema.safeParse({ to: "2026-02-30" }).success).toBe(false);
  });
});

// These tests drop an append-only trigger to tamper with the chain, and put it back.
describe("tamper detection (triggers dropped)", () => {
  it("detects an edited payload at that event", () => {
    const org = makeOrg("tamper-edit");
    const other = makeOrg("tamper-edit-other");
    const e1 = record(org, "x.1");
    const e2 = record(org, "x.2");
    const e3 = record(org, "x.3");
    record(other, "y.1");
    expect(verifyAuditChain(org)).toEqual({ ok: true, events: 3 });

    withoutTrigger("audit_events_no_update", () => {
      getDb().$client.prepare("UPDATE audit_events SET payload = ? WHERE id = ?").run('{"after":{"n":999}}', e2.id);
    });
    expect(JSON.parse(row(e2.id).payload)).toEqual({ after: { n: 999 } });

    const result = verifyAuditChain(org);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.firstBrokenId).toBe(e2.id);
      expect(result.reason).toMatch(/content/);
      expect(result.events).toBe(2);
    }
    expect(e1.id).toBeLessThan(e2.id);
    expect(e3.id).toBeGreaterThan(e2.id);
    // The other organisation's chain is unaffected.
    expect(verifyAuditChain(other)).toEqual({ ok: true, events: 1 });
  });

  it("detects an edited hash+content pair (rehashed row) at the next event", () => {
    const org = makeOrg("tamper-rehash");
    record(org, "r.1");
    const e2 = record(org, "r.2");
    const e3 = record(org, "r.3");
    const r2 = row(e2.id);
    const forgedPayload = '{"after":{"n":2}}';
    const forgedHash = computeEventHash(r2.prevHash, {
      orgId: r2.orgId,
      actorType: r2.actorType,
      actorId: r2.actorId,
      actorLabel: r2.actorLabel,
      action: r2.action,
      entityType: r2.entityType,
      entityId: r2.entityId,
      payload: forgedPayload,
      createdAt: r2.createdAt.getTime(),
    });
    withoutTrigger("audit_events_no_update", () => {
      getDb().$client.prepare("UPDATE audit_events SET payload = ?, hash = ? WHERE id = ?").run(forgedPayload, forgedHash, e2.id);
    });
    const result = verifyAuditChain(org);
    expect(result).toMatchObject({ ok: false, firstBrokenId: e3.id, reason: "previous hash does not match" });
  });

  it("detects a deleted middle event at the following event", () => {
    const org = makeOrg("tamper-delete");
    record(org, "d.1");
    const e2 = record(org, "d.2");
    const e3 = record(org, "d.3");
    record(org, "d.4");
    expect(verifyAuditChain(org)).toEqual({ ok: true, events: 4 });

    withoutTrigger("audit_events_no_delete", () => {
      getDb().$client.prepare("DELETE FROM audit_events WHERE id = ?").run(e2.id);
    });
    expect(getDb().select().from(auditEvents).where(eq(auditEvents.id, e2.id)).get()).toBeUndefined();

    const result = verifyAuditChain(org);
    expect(result).toMatchObject({ ok: false, firstBrokenId: e3.id, reason: "previous hash does not match", events: 2 });
  });

  it("detects a deleted first event at the new first event", () => {
    const org = makeOrg("tamper-delete-first");
    const e1 = record(org, "f.1");
    const e2 = record(org, "f.2");
    withoutTrigger("audit_events_no_delete", () => {
      getDb().$client.prepare("DELETE FROM audit_events WHERE id = ?").run(e1.id);
    });
    expect(verifyAuditChain(org)).toMatchObject({ ok: false, firstBrokenId: e2.id });
  });
});
