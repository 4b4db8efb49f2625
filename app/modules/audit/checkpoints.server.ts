import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import { getDb, writeTransaction, type Db, type DbOrTx } from "../../../db/client";
import { auditCheckpoints, auditEvents, organizations } from "../../../db/schema";
import { env } from "../../utils/env.server";
import { KEY_FILES, keysDirectory, readOrCreateKeyFile } from "../../utils/keys.server";
import type { CheckpointReason } from "./audit-constants";
import type { z } from "zod";
import { finishNow, finishYielding, type Steps } from "../../utils/steps";
import { auditChainWalk, recordAuditEvent, SYSTEM_ACTOR } from "./audit.server";
import type { AuditVerificationSchema } from "./audit-response-schemas";
import {
  checkpointMessage,
  checkpointSignatureValid,
  compareCheckpoint,
  publicKeyBase64,
  publicKeyFromBase64,
  publicKeyId,
  type ChainPoint,
  type Checkpoint,
  type CheckpointFinding,
  type Rollback,
} from "./checkpoint";

/**
 * Signed checkpoints of the audit chains. The Ed25519 private key is
 * AUDIT_SIGNING_KEY (PEM, PKCS#8; `\n` escapes allowed; or the DER in base64)
 * or data/keys/audit-signing.key, created on first use: never in the database,
 * so someone holding only the database file cannot sign a checkpoint.
 */
type SigningKey = { privateKey: KeyObject; publicKey: KeyObject; keyId: string; publicKeyBase64: string };
let cachedKey: { source: string; key: SigningKey } | undefined;

function parsePrivateKey(text: string): KeyObject {
  const key = text.includes("-----BEGIN")
    ? createPrivateKey(text.replace(/\\n/g, "\n"))
    : createPrivateKey({ key: Buffer.from(text, "base64"), format: "der", type: "pkcs8" });
  if (key.asymmetricKeyType !== "ed25519") throw new Error("The audit signing key must be an Ed25519 private key");
  return key;
}

/** The installation's audit signing key (created into data/keys/ when there is none). */
export function auditSigningKey(): SigningKey {
  const fromEnv = env().AUDIT_SIGNING_KEY;
  const source = fromEnv ? `env:${fromEnv}` : `file:${keysDirectory()}`;
  if (cachedKey?.source !== source) {
    const text =
      fromEnv ??
      readOrCreateKeyFile(KEY_FILES.auditSigning, () =>
        generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      );
    const privateKey = parsePrivateKey(text);
    const publicKey = createPublicKey(privateKey);
    cachedKey = { source, key: { privateKey, publicKey, keyId: publicKeyId(publicKey), publicKeyBase64: publicKeyBase64(publicKey) } };
  }
  return cachedKey.key;
}

/** The public half, for `GET /api/v1/audit/public-key` and outside auditors. */
export function auditPublicKey() {
  const key = auditSigningKey();
  return {
    algorithm: "Ed25519" as const,
    keyId: key.keyId,
    publicKey: key.publicKeyBase64,
    pem: key.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function chainFilter(orgId: number | null): SQL {
  return orgId === null ? isNull(auditEvents.orgId) : eq(auditEvents.orgId, orgId);
}

function checkpointChain(orgId: number | null): SQL {
  return orgId === null ? isNull(auditCheckpoints.orgId) : eq(auditCheckpoints.orgId, orgId);
}

/** The newest event of a chain: its position and hash. */
export function chainHead(orgId: number | null, db: DbOrTx = getDb()): ChainPoint | undefined {
  const row = db
    .select({ id: auditEvents.id, seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(chainFilter(orgId))
    .orderBy(desc(auditEvents.id))
    .limit(1)
    .get();
  return row ? { id: row.id, seq: row.seq ?? 0, hash: row.hash } : undefined;
}

type CheckpointRow = typeof auditCheckpoints.$inferSelect;

function toCheckpoint(row: CheckpointRow, publicKey?: string): Checkpoint & { id: number } {
  return {
    id: row.id,
    version: 1,
    orgId: row.orgId,
    seq: row.seq,
    headHash: row.headHash,
    createdAt: row.createdAt.toISOString(),
    reason: row.reason,
    keyId: row.keyId,
    signature: row.signature,
    ...(publicKey ? { publicKey } : {}),
  };
}

export type StoredCheckpoint = Checkpoint & { id: number };

/**
 * Signs and stores a checkpoint of the chain's current head; none for a chain
 * without events. Call inside the transaction whose head it should pin.
 */
export function writeCheckpoint(tx: DbOrTx, orgId: number | null, reason: CheckpointReason, now = new Date()): StoredCheckpoint | null {
  const head = chainHead(orgId, tx);
  if (!head) return null;
  const key = auditSigningKey();
  const createdAt = new Date(now.getTime());
  const message = checkpointMessage({ orgId, seq: head.seq, headHash: head.hash, createdAt: createdAt.toISOString(), reason });
  const signature = sign(null, Buffer.from(message), key.privateKey).toString("base64");
  const row = tx
    .insert(auditCheckpoints)
    .values({ orgId, seq: head.seq, headHash: head.hash, createdAt, reason, keyId: key.keyId, signature })
    .returning()
    .get();
  return toCheckpoint(row, key.publicKeyBase64);
}

/** The chain's newest checkpoint, with the public key that signed it when it is this installation's. */
export function latestCheckpoint(orgId: number | null, db: DbOrTx = getDb()): StoredCheckpoint | null {
  const row = db
    .select()
    .from(auditCheckpoints)
    .where(checkpointChain(orgId))
    .orderBy(desc(auditCheckpoints.seq), desc(auditCheckpoints.id))
    .limit(1)
    .get();
  if (!row) return null;
  const key = auditSigningKey();
  return toCheckpoint(row, row.keyId === key.keyId ? key.publicKeyBase64 : undefined);
}

/**
 * The checkpoint an export (board report, audit CSV) is produced with: the
 * newest one when it already pins the chain's current head, else a new one.
 * Either way the export names a signed (sequence number, head hash) that the
 * chain must keep.
 */
export function checkpointForExport(orgId: number, reason: CheckpointReason, now = new Date()): StoredCheckpoint | null {
  return writeTransaction("bookkeeping", (tx) => {
    const head = chainHead(orgId, tx);
    if (!head) return null;
    const latest = latestCheckpoint(orgId, tx);
    if (latest && latest.seq === head.seq && latest.headHash === head.hash && latest.publicKey) return latest;
    return writeCheckpoint(tx, orgId, reason, now);
  });
}

/** Every chain: each organisation's, then the site-wide one (null). */
export function allChains(db: DbOrTx = getDb()): Array<number | null> {
  const ids = db.select({ id: organizations.id }).from(organizations).orderBy(organizations.id).all();
  return [...ids.map((o) => o.id), null];
}

const DAY_MS = 86_400_000;

/**
 * The scheduler's daily job: a checkpoint of every chain whose head moved
 * since its newest checkpoint, or whose newest checkpoint is a day old.
 */
export function writeDailyCheckpoints(now = new Date(), db: Db = getDb()): StoredCheckpoint[] {
  return writeTransaction(
    "bookkeeping",
    (tx) => {
      const written: StoredCheckpoint[] = [];
      for (const orgId of allChains(tx)) {
        const head = chainHead(orgId, tx);
        if (!head) continue;
        const latest = latestCheckpoint(orgId, tx);
        const fresh = latest && now.getTime() - Date.parse(latest.createdAt) < DAY_MS;
        if (latest && latest.seq === head.seq && latest.headHash === head.hash && fresh) continue;
        const checkpoint = writeCheckpoint(tx, orgId, "daily", now);
        if (checkpoint) written.push(checkpoint);
      }
      return written;
    },
    db,
  );
}

/** The audit event of a restore: entity `database`/`restore`, details as below. */
export const RESTORE_ACTION = "audit.restored";
type RestoreDetails = { restoredFromSeq: number; replacedSeq: number; replacedHeadHash: string | null; backup: string };

/**
 * Records a restore in a chain of the restored database: an event "restored
 * from a backup at sequence N" (with the head the replaced database had
 * reached) and a new checkpoint, so verify tells the rollback from a
 * truncation. Run on the restored copy before it goes live.
 */
export function recordRestore(
  tx: DbOrTx,
  orgId: number | null,
  replaced: { seq: number; hash: string } | undefined,
  backup: string,
  now = new Date(),
): StoredCheckpoint | null {
  const restoredFromSeq = chainHead(orgId, tx)?.seq ?? 0;
  const details: RestoreDetails = {
    restoredFromSeq,
    replacedSeq: replaced?.seq ?? 0,
    replacedHeadHash: replaced?.hash ?? null,
    backup,
  };
  recordAuditEvent(tx, {
    orgId,
    actor: SYSTEM_ACTOR,
    action: RESTORE_ACTION,
    entityType: "database",
    entityId: "restore",
    details: { ...details, summary: `Restored from a backup at sequence ${restoredFromSeq}` },
    at: now,
  });
  return writeCheckpoint(tx, orgId, "restore", now);
}

/** verify's answer (`GET /api/v1/audit/verify`, the audit page, the CLI): see AuditVerificationSchema. */
export type TrailVerification = z.infer<typeof AuditVerificationSchema>;

type Problem = { seq: number; id: number; reason: string; by?: "chain" | "anchor" };

function pointAt(orgId: number | null, seq: number, db: DbOrTx): ChainPoint | undefined {
  const row = db
    .select({ id: auditEvents.id, seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(and(chainFilter(orgId), eq(auditEvents.seq, seq)))
    .get();
  return row ? { id: row.id, seq: row.seq ?? seq, hash: row.hash } : undefined;
}

function signedBy(checkpoint: Checkpoint, installationKey: KeyObject): boolean {
  if (!checkpoint.publicKey) return checkpointSignatureValid(checkpoint, installationKey);
  try {
    return checkpointSignatureValid(checkpoint, publicKeyFromBase64(checkpoint.publicKey));
  } catch {
    return false;
  }
}

/** Where a checkpoint compared with the chain came from: stored, given as a file, or a number and hash typed in (no date). */
type CheckpointSource = "stored" | "given" | "anchor";

function describe(finding: Exclude<CheckpointFinding, { kind: "agrees" | "rolled-back" }>, source: CheckpointSource): string {
  const { seq, createdAt } = finding.checkpoint;
  const which =
    source === "anchor"
      ? `the sequence number and head hash given (event ${seq})`
      : `${source === "given" ? "the given" : "a stored"} checkpoint of sequence ${seq} (${createdAt})`;
  return finding.kind === "truncated"
    ? `events are missing: ${which} names events up to ${finding.checkpoint.seq}, the chain ends at ${finding.headSeq}`
    : `event ${finding.checkpoint.seq} differs from ${which}: an earlier event was rewritten`;
}

/**
 * The whole check: the hash chain recomputed event by event, then compared
 * with every stored checkpoint (each signature checked against this
 * installation's key) and any `given` checkpoint (an outside copy: checked
 * against the public key it carries) and any anchor (a sequence number and
 * head hash read off a printed report). A rewrite, even with every later hash
 * recomputed, or a truncated tail disagrees with a checkpoint taken before it.
 */
export function verifyAuditTrail(...args: Parameters<typeof auditTrailCheck>): TrailVerification {
  return finishNow(auditTrailCheck(...args));
}

/** The same check for a request: other requests are served between batches of events (a large trail takes seconds). */
export function verifyAuditTrailYielding(...args: Parameters<typeof auditTrailCheck>): Promise<TrailVerification> {
  return finishYielding(auditTrailCheck(...args));
}

function* auditTrailCheck(
  orgId: number | null,
  given: readonly Checkpoint[] = [],
  db: DbOrTx = getDb(),
  anchors: ReadonlyArray<{ seq: number; headHash: string }> = [],
): Steps<TrailVerification> {
  const chain = yield* auditChainWalk(orgId, db);
  const head = chainHead(orgId, db);
  const headSeq = head?.seq ?? 0;
  const key = auditSigningKey();
  const stored = db.select().from(auditCheckpoints).where(checkpointChain(orgId)).orderBy(auditCheckpoints.seq, auditCheckpoints.id).all();
  const problems: Problem[] = [];
  if (!chain.ok) {
    const broken = db.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.id, chain.firstBrokenId)).get();
    problems.push({ seq: broken?.seq ?? 0, id: chain.firstBrokenId, reason: chain.reason, by: "chain" });
  }

  const valid = new Map<number, Checkpoint>();
  for (const row of stored) {
    const checkpoint = toCheckpoint(row);
    if (checkpointSignatureValid(checkpoint, key.publicKey)) valid.set(row.id, checkpoint);
    else
      problems.push({
        seq: row.seq,
        id: pointAt(orgId, row.seq, db)?.id ?? 0,
        reason: `stored checkpoint #${row.id} (sequence ${row.seq}) is not signed by this installation's key`,
      });
  }

  const rollbacks: Rollback[] = db
    .select()
    .from(auditEvents)
    .where(and(chainFilter(orgId), eq(auditEvents.entityType, "database"), eq(auditEvents.entityId, "restore")))
    .all()
    .filter((e) => e.action === RESTORE_ACTION)
    // Only a restore signed with the key counts: without it, anyone could append one to explain away a truncation.
    .filter((e) => [...valid.values()].some((c) => c.reason === "restore" && c.seq === e.seq && c.headHash === e.hash))
    .map((e) => {
      const details = (JSON.parse(e.payload) as { details?: Partial<RestoreDetails> }).details ?? {};
      return {
        seq: e.seq ?? 0,
        at: e.createdAt,
        restoredFromSeq: details.restoredFromSeq ?? 0,
        replacedSeq: details.replacedSeq ?? 0,
        replacedHeadHash: details.replacedHeadHash ?? null,
      };
    });

  let rolledBack = 0;
  const compare = (checkpoint: Checkpoint, source: CheckpointSource) => {
    const finding = compareCheckpoint(checkpoint, pointAt(orgId, checkpoint.seq, db), headSeq, rollbacks);
    if (finding.kind === "rolled-back") rolledBack++;
    const by = source === "anchor" ? "anchor" : undefined;
    if (finding.kind === "rewritten") problems.push({ seq: checkpoint.seq, id: finding.point.id, reason: describe(finding, source), by });
    else if (finding.kind === "truncated") problems.push({ seq: headSeq + 1, id: 0, reason: describe(finding, source), by });
  };
  for (const checkpoint of valid.values()) compare(checkpoint, "stored");
  for (const checkpoint of given) {
    if (checkpoint.orgId !== orgId) continue;
    if (!signedBy(checkpoint, key.publicKey)) {
      problems.push({ seq: checkpoint.seq, id: 0, reason: `the given checkpoint of sequence ${checkpoint.seq} has an invalid signature` });
      continue;
    }
    compare(checkpoint, "given");
  }

  // A (sequence number, head hash) read off a copy kept outside (a printed report): trusted as given, no signature needed.
  for (const anchor of anchors) {
    const unsigned = {
      version: 1,
      orgId,
      ...anchor,
      createdAt: new Date(0).toISOString(),
      reason: "manual",
      keyId: "",
      signature: "",
    } as const;
    compare(unsigned, "anchor");
  }

  const newest = [...valid.values()].at(-1);
  const base = {
    headSeq,
    headHash: head?.hash ?? null,
    checkpoints: valid.size + given.filter((c) => c.orgId === orgId).length + anchors.length,
    latestCheckpoint: newest ? { seq: newest.seq, headHash: newest.headHash, createdAt: newest.createdAt, reason: newest.reason } : null,
    rollbacks: rollbacks.map((r) => ({
      seq: r.seq,
      restoredFromSeq: r.restoredFromSeq,
      replacedSeq: r.replacedSeq,
      at: r.at.toISOString(),
    })),
    rolledBackCheckpoints: rolledBack,
  };
  if (problems.length === 0) return { ok: true, events: chain.events, ...base };
  // What the trail's own evidence (the chain, signed checkpoints) finds comes first: a number and hash typed in carry
  // no signature and may hold a typing error, so they are the answer only when nothing else disagrees.
  const signed = problems.filter((p) => p.by !== "anchor");
  const first = (signed.length ? signed : problems).reduce((a, b) => (b.seq < a.seq ? b : a));
  return {
    ok: false,
    events: chain.events,
    firstBrokenId: first.id,
    reason: first.reason,
    firstBrokenSeq: first.seq,
    brokenBy: first.by ?? "checkpoint",
    ...base,
  };
}

/** Events of a chain in order, exactly as stored, after a sequence number: `GET /api/v1/audit/events`. */
export function listStoredChainEvents(orgId: number, afterSeq: number, limit: number, db: DbOrTx = getDb()) {
  const rows = db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), gt(auditEvents.seq, afterSeq)))
    .orderBy(auditEvents.seq)
    .limit(limit + 1)
    .all();
  const events = rows.slice(0, limit);
  return { events, nextAfterSeq: rows.length > limit ? (events.at(-1)?.seq ?? undefined) : undefined };
}
