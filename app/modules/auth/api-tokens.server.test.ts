import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { apiTokens, auditEvents } from "../../../db/schema";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { authenticateApiToken, createApiToken, hashToken, listApiTokens, revokeApiToken } from "./api-tokens.server";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";

const ADMIN: Actor = { type: "system", label: "test-admin" };

const newOrg = () => insertTestOrg("token-org");

function tokenRow(id: number) {
  return getDb().select().from(apiTokens).where(eq(apiTokens.id, id)).get()!;
}

function eventsOf(orgId: number) {
  return getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(auditEvents.id).all();
}

describe("hashToken", () => {
  it("is the hex SHA-256 of the secret", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("createApiToken", () => {
  it("returns a secret once and stores only its SHA-256 hash and a 12-character prefix", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "ci", scopes: ["registry:read", "registry:write"] }, ADMIN);
    expect(created.token).toMatch(/^amp_[A-Za-z0-9_-]{43}$/); // 32 random bytes in base64url
    expect(created).toMatchObject({ name: "ci", scopes: ["registry:read", "registry:write"] });

    const row = tokenRow(created.id);
    expect(row.orgId).toBe(org.id);
    expect(row.tokenHash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(row.prefix).toBe(created.token.slice(0, 12));
    expect(row.prefix).toHaveLength(12);
    expect(row.scopes).toBe("registry:read,registry:write");
    expect(row.createdByLabel).toBe("test-admin");
    expect(row.lastUsedAt).toBeNull();
    expect(row.revokedAt).toBeNull();
    // The secret appears in no column of the row.
    expect(Object.values(row).some((v) => typeof v === "string" && v.includes(created.token))).toBe(false);
  });

  it("two tokens get different secrets", () => {
    const org = newOrg();
    const a = createApiToken(org.id, { name: "a", scopes: ["registry:read"] }, ADMIN);
    const b = createApiToken(org.id, { name: "b", scopes: ["registry:read"] }, ADMIN);
    expect(a.token).not.toBe(b.token);
    expect(tokenRow(a.id).tokenHash).not.toBe(tokenRow(b.id).tokenHash);
  });

  it("records api_token.created without the secret or its hash", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "deploy", scopes: ["registry:promote"] }, ADMIN);
    const events = eventsOf(org.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "api_token.created",
      entityType: "api_token",
      entityId: String(created.id),
      actorLabel: "test-admin",
    });
    expect(JSON.parse(events[0]!.payload).after).toEqual({
      name: "deploy",
      prefix: created.token.slice(0, 12),
      scopes: ["registry:promote"],
    });
    expect(events[0]!.payload).not.toContain(created.token);
    expect(events[0]!.payload).not.toContain(hashToken(created.token));
  });
});

describe("authenticateApiToken", () => {
  it("returns the organisation, scopes and a token actor for the right secret", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "pipeline", scopes: ["registry:read", "audit:read"] }, ADMIN);
    expect(authenticateApiToken(created.token)).toEqual({
      id: created.id,
      orgId: org.id,
      orgSlug: org.slug,
      name: "pipeline",
      scopes: ["registry:read", "audit:read"],
      actor: { type: "token", id: created.id, label: "token:pipeline" },
    });
  });

  it("returns null for a wrong, altered, prefix-less or oversized secret", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "x", scopes: ["registry:read"] }, ADMIN);
    const last = created.token.at(-1)!;
    const altered = created.token.slice(0, -1) + (last === "A" ? "B" : "A");
    expect(authenticateApiToken(altered)).toBeNull();
    expect(authenticateApiToken("amp_wrong")).toBeNull();
    expect(authenticateApiToken(created.token.slice(4))).toBeNull();
    expect(authenticateApiToken(`${created.token} `)).toBeNull();
    expect(authenticateApiToken(`amp_${"a".repeat(300)}`)).toBeNull();
    expect(authenticateApiToken("")).toBeNull();
    // The stored hash itself is not a credential.
    expect(authenticateApiToken(tokenRow(created.id).tokenHash)).toBeNull();
  });

  it("sets lastUsedAt on use", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "x", scopes: ["registry:read"] }, ADMIN);
    const t0 = Date.now();
    expect(authenticateApiToken(created.token)).not.toBeNull();
    const t1 = Date.now();
    const lastUsedAt = tokenRow(created.id).lastUsedAt!;
    expect(lastUsedAt).toBeInstanceOf(Date);
    expect(lastUsedAt.getTime()).toBeGreaterThanOrEqual(t0);
    expect(lastUsedAt.getTime()).toBeLessThanOrEqual(t1);
    expect(listApiTokens(org.id)[0]!.lastUsedAt).toBe(lastUsedAt.toISOString());
  });

  it("returns null after the token is revoked", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "x", scopes: ["registry:read"] }, ADMIN);
    expect(authenticateApiToken(created.token)).not.toBeNull();
    revokeApiToken(org.id, created.id, ADMIN);
    expect(authenticateApiToken(created.token)).toBeNull();
    expect(tokenRow(created.id).revokedAt).toBeInstanceOf(Date);
  });
});

describe("revokeApiToken", () => {
  it("records api_token.revoked with before/after, once (revoking again is a no-op)", () => {
    const org = newOrg();
    const created = createApiToken(org.id, { name: "old", scopes: ["registry:read"] }, ADMIN);
    expect(revokeApiToken(org.id, created.id, ADMIN)).toBe("old");
    const revokedAt = tokenRow(created.id).revokedAt;
    expect(revokeApiToken(org.id, created.id, ADMIN)).toBe("old");
    expect(tokenRow(created.id).revokedAt).toEqual(revokedAt);
    const events = eventsOf(org.id);
    expect(events.map((e) => e.action)).toEqual(["api_token.created", "api_token.revoked"]);
    const payload = JSON.parse(events[1]!.payload);
    const prefix = created.token.slice(0, 12);
    expect(payload.before).toEqual({ name: "old", prefix, revoked: false });
    expect(payload.after).toEqual({ name: "old", prefix, revoked: true });
    expect(events[1]!.entityId).toBe(String(created.id));
    expect(verifyAuditChain(org.id)).toEqual({ ok: true, events: 2 });
  });

  it("another organisation's token → not_found, and it stays live", () => {
    const a = newOrg();
    const b = newOrg();
    const created = createApiToken(a.id, { name: "a", scopes: ["registry:read"] }, ADMIN);
    const error = catchDomain(() => revokeApiToken(b.id, created.id, ADMIN));
    expect(error.code).toBe("not_found");
    expect(error.field).toBe("tokenId");
    expect(tokenRow(created.id).revokedAt).toBeNull();
    expect(authenticateApiToken(created.token)?.orgId).toBe(a.id);
    expect(eventsOf(b.id)).toHaveLength(0);
  });

  it("an unknown id → not_found", () => {
    const org = newOrg();
    expect(catchDomain(() => revokeApiToken(org.id, 987_654, ADMIN)).code).toBe("not_found");
  });
});

describe("listApiTokens", () => {
  it("lists only the organisation's tokens, without secrets", () => {
    const a = newOrg();
    const b = newOrg();
    const created = createApiToken(a.id, { name: "listed", scopes: ["registry:read", "roadmap:read"] }, ADMIN);
    createApiToken(b.id, { name: "elsewhere", scopes: ["registry:read"] }, ADMIN);
    const list = listApiTokens(a.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: created.id,
      name: "listed",
      prefix: created.token.slice(0, 12),
      scopes: ["registry:read", "roadmap:read"],
      createdBy: "test-admin",
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(list)).not.toContain(created.token);
  });
});
