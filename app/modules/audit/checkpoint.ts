import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { CHECKPOINT_REASONS } from "./audit-constants";

/**
 * A signed checkpoint of one audit chain: "the chain of organisation X had
 * `seq` events, the last with hash `headHash`, at `createdAt`", signed with the
 * installation's Ed25519 key (kept outside the database). What it is signed
 * over is `checkpointMessage`, so anyone with the public key can check one
 * without the portal.
 */
export const CheckpointSchema = z.object({
  version: z.literal(1).default(1),
  /** null: the site-wide chain of sign-in events. */
  orgId: z.number().int().nullable(),
  seq: z.number().int().positive().describe("The last sequence number the checkpoint covers"),
  headHash: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hash in hex"),
  createdAt: z.string().datetime().describe("When it was signed (ISO 8601, UTC)"),
  reason: z.enum(CHECKPOINT_REASONS),
  keyId: z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 of the public key in hex"),
  signature: z.string().min(1).describe("Ed25519 signature of the checkpoint message, base64"),
  /** The signing public key (SPKI DER, base64): lets a copy be checked on its own. */
  publicKey: z.string().optional(),
});
export type Checkpoint = z.output<typeof CheckpointSchema>;

/** The exact bytes a checkpoint's signature covers (documented in the README for outside auditors). */
export function checkpointMessage(c: Pick<Checkpoint, "orgId" | "seq" | "headHash" | "createdAt" | "reason">): string {
  return ["portal-audit-checkpoint/v1", c.orgId === null ? "site" : String(c.orgId), c.seq, c.headHash, c.createdAt, c.reason].join("\n");
}

/** A public key's id: SHA-256 of its SPKI DER encoding, hex. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

export function publicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "der" }).toString("base64");
}

export function publicKeyFromBase64(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64, "base64"), format: "der", type: "spki" });
}

/**
 * Whether the checkpoint's signature holds under `publicKey`: false when it was
 * signed by another key (its `keyId` differs) or anything it covers was changed.
 */
export function checkpointSignatureValid(c: Checkpoint, publicKey: KeyObject): boolean {
  if (c.keyId !== publicKeyId(publicKey)) return false;
  try {
    return verify(null, Buffer.from(checkpointMessage(c)), publicKey, Buffer.from(c.signature, "base64"));
  } catch {
    return false;
  }
}

/** A checkpoint file: one checkpoint, a list of them, or `npm run audit:checkpoint`'s output ({checkpoints: [...]}) */
export function parseCheckpointFile(text: string): Checkpoint[] {
  const json: unknown = JSON.parse(text);
  const list = Array.isArray(json)
    ? json
    : json && typeof json === "object" && "checkpoints" in json
      ? (json as { checkpoints: unknown }).checkpoints
      : [json];
  return z.array(CheckpointSchema).parse(list);
}

/** The event a checkpoint names, as the chain holds it now. */
export type ChainPoint = { id: number; seq: number; hash: string };

/** An audited restore: the chain was rolled back to `restoredFromSeq`; it had reached `replacedSeq` before. */
export type Rollback = { seq: number; at: Date; restoredFromSeq: number; replacedSeq: number; replacedHeadHash: string | null };

export type CheckpointFinding =
  | { kind: "agrees"; checkpoint: Checkpoint }
  | { kind: "rolled-back"; checkpoint: Checkpoint; rollbackSeq: number }
  | { kind: "rewritten"; checkpoint: Checkpoint; point: ChainPoint }
  | { kind: "truncated"; checkpoint: Checkpoint; headSeq: number };

/**
 * Compares one checkpoint with the chain: the event at its sequence number
 * must still carry its head hash. A disagreement is explained by an audited
 * restore when the checkpoint was signed before it and names a position the
 * restore discarded (after the backup's head, up to the replaced head).
 */
export function compareCheckpoint(
  checkpoint: Checkpoint,
  point: ChainPoint | undefined,
  headSeq: number,
  rollbacks: readonly Rollback[],
): CheckpointFinding {
  if (point && point.hash === checkpoint.headHash) return { kind: "agrees", checkpoint };
  const signedAt = Date.parse(checkpoint.createdAt);
  const rollback = rollbacks.find(
    (r) =>
      signedAt <= r.at.getTime() &&
      checkpoint.seq > r.restoredFromSeq &&
      checkpoint.seq <= r.replacedSeq &&
      (checkpoint.seq !== r.replacedSeq || r.replacedHeadHash === null || r.replacedHeadHash === checkpoint.headHash),
  );
  if (rollback) return { kind: "rolled-back", checkpoint, rollbackSeq: rollback.seq };
  return point ? { kind: "rewritten", checkpoint, point } : { kind: "truncated", checkpoint, headSeq };
}
