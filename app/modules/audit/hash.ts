import { createHash } from "node:crypto";

/** The prev_hash of the first event in every chain. */
export const GENESIS_HASH = "0".repeat(64);

export type AuditEventContent = {
  orgId: number | null;
  actorType: "user" | "token" | "system";
  actorId: number | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  payload: string;
  createdAt: number;
};

/** JSON with object keys sorted at every depth, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function computeEventHash(prevHash: string, event: AuditEventContent): string {
  const body = canonicalJson({ ...event, createdAt: new Date(event.createdAt).toISOString() });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}
