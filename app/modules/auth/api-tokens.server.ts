import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb, writeTransaction } from "../../../db/client";
import { apiTokens, organizations } from "../../../db/schema";
import { DomainError } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import type { ApiScope } from "./api-scopes";

const TOKEN_PREFIX = "amp_";

/** Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export type ApiTokenCreate = { name: string; scopes: ApiScope[] };

/** Returns the secret once; only its hash is stored. */
export function createApiToken(orgId: number, input: ApiTokenCreate, actor: Actor) {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row = writeTransaction({ orgId }, (tx) => {
    const row = tx
      .insert(apiTokens)
      .values({
        orgId,
        name: input.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, 12),
        scopes: input.scopes.join(","),
        createdByLabel: actor.label,
      })
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "api_token.created",
      entityType: "api_token",
      entityId: row.id,
      after: { name: row.name, prefix: row.prefix, scopes: input.scopes },
    });
    return row;
  });
  return { token, id: row.id, name: row.name, scopes: input.scopes };
}

export function listApiTokens(orgId: number) {
  return getDb()
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.orgId, orgId))
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      scopes: t.scopes.split(",").filter(Boolean),
      createdBy: t.createdByLabel,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    }));
}

/** Revokes a token (again: nothing more happens); returns its name. */
export function revokeApiToken(orgId: number, tokenId: number, actor: Actor): string {
  return writeTransaction({ orgId }, (tx) => {
    const token = tx
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.orgId, orgId), eq(apiTokens.id, tokenId)))
      .get();
    if (!token) throw new DomainError("not_found", "Token not found", "tokenId");
    if (token.revokedAt) return token.name;
    tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, token.id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "api_token.revoked",
      entityType: "api_token",
      entityId: token.id,
      before: { name: token.name, prefix: token.prefix, revoked: false },
      after: { name: token.name, prefix: token.prefix, revoked: true },
    });
    return token.name;
  });
}

export type AuthenticatedToken = {
  id: number;
  orgId: number;
  orgSlug: string;
  name: string;
  scopes: ApiScope[];
  actor: Actor;
};

const LAST_USED_RESOLUTION_MS = 60_000;

/** The live (not revoked) token behind a bearer secret, or null. */
export function authenticateApiToken(secret: string): AuthenticatedToken | null {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const db = getDb();
  const row = db
    .select({ token: apiTokens, orgSlug: organizations.slug })
    .from(apiTokens)
    .innerJoin(organizations, eq(organizations.id, apiTokens.orgId))
    .where(and(eq(apiTokens.tokenHash, hashToken(secret)), isNull(apiTokens.revokedAt)))
    .get();
  if (!row) return null;
  const { token } = row;
  const now = Date.now();
  // Record use at most once a minute, so reads stay reads.
  if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    writeTransaction("bookkeeping", (tx) =>
      tx
        .update(apiTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiTokens.id, token.id))
        .run(),
    );
  }
  return {
    id: token.id,
    orgId: token.orgId,
    orgSlug: row.orgSlug,
    name: token.name,
    scopes: token.scopes.split(",").filter(Boolean) as ApiScope[],
    actor: { type: "token", id: token.id, label: `token:${token.name}` },
  };
}
