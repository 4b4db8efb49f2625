import { describe, it, expect } from "vitest";
import { canonicalJson, computeEventHash, GENESIS_HASH, type AuditEventContent } from "./hash";

const base: AuditEventContent = {
  orgId: 1,
  actorType: "user",
  actorId: 7,
  actorLabel: "ada@example.com",
  action: "member.added",
  entityType: "user",
  entityId: "42",
  payload: '{"after":{"role":"team"}}',
  createdAt: Date.UTC(2026, 0, 31, 12, 0, 0),
};

describe("GENESIS_HASH", () => {
  it("is 64 zeros", () => {
    expect(GENESIS_HASH).toBe("0".repeat(64));
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at the top level", () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
  });

  it("sorts keys at every depth, including objects inside arrays", () => {
    const value = { z: { y: 1, x: { d: 1, c: 2 } }, a: [{ k: 1, j: 2 }, 3] };
    expect(canonicalJson(value)).toBe('{"a":[{"j":2,"k":1},3],"z":{"x":{"c":2,"d":1},"y":1}}');
  });

  it("gives the same string whatever the insertion order", () => {
    const one = { a: 1, nested: { p: [1, 2], q: "x" } };
    const two = { nested: { q: "x", p: [1, 2] }, a: 1 };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it("drops undefined properties at every depth but keeps null", () => {
    expect(canonicalJson({ a: undefined, b: null, c: { d: undefined, e: 1 } })).toBe('{"b":null,"c":{"e":1}}');
    expect(canonicalJson({ before: undefined, after: { role: "team" }, details: undefined })).toBe('{"after":{"role":"team"}}');
  });

  it("serialises dates as ISO strings and leaves primitives alone", () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2026, 0, 1)) })).toBe('{"at":"2026-01-01T00:00:00.000Z"}');
    expect(canonicalJson("x")).toBe('"x"');
    expect(canonicalJson(5)).toBe("5");
    expect(canonicalJson(null)).toBe("null");
  });
});

describe("computeEventHash", () => {
  it("returns a 64-char lower-case hex digest and is deterministic", () => {
    const a = computeEventHash(GENESIS_HASH, base);
    const b = computeEventHash(GENESIS_HASH, { ...base });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
  });

  it("does not depend on key order of the event object", () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as AuditEventContent;
    expect(computeEventHash(GENESIS_HASH, reordered)).toBe(computeEventHash(GENESIS_HASH, base));
  });

  it("changes when prevHash changes", () => {
    expect(computeEventHash("1".repeat(64), base)).not.toBe(computeEventHash(GENESIS_HASH, base));
  });

  const changes: Array<[keyof AuditEventContent, AuditEventContent[keyof AuditEventContent]]> = [
    ["orgId", 2],
    ["orgId", null],
    ["actorType", "token"],
    ["actorId", 8],
    ["actorId", null],
    ["actorLabel", "eve@example.com"],
    ["action", "member.removed"],
    ["entityType", "organization"],
    ["entityId", "43"],
    ["entityId", null],
    ["payload", '{"after":{"role":"admin"}}'],
    ["createdAt", base.createdAt + 1],
  ];
  it.each(changes)("changes when %s changes (to %j)", (field, value) => {
    const original = computeEventHash(GENESIS_HASH, base);
    const changed = computeEventHash(GENESIS_HASH, { ...base, [field]: value } as AuditEventContent);
    expect(changed).not.toBe(original);
  });
});
