import fs from "node:fs";
import path from "node:path";
import { generateKeyPairSync, sign } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb, writeTransaction } from "../../../db/client";
import { auditCheckpoints, organizations } from "../../../db/schema";
import { keysDirectory } from "../../utils/keys.server";
import { recordAuditEvent, verifyAuditChain, type Actor } from "./audit.server";
import { checkpointMessage, checkpointSignatureValid, publicKeyBase64, publicKeyId, type Checkpoint } from "./checkpoint";
import {
  auditPublicKey,
  auditSigningKey,
  checkpointForExport,
  recordRestore,
  verifyAuditTrail,
  writeCheckpoint,
  writeDailyCheckpoints,
} from "./checkpoints.server";
import { rewriteChain } from "../../../tests/setup/audit-attacker";

/**
 * Signed checkpoints against the two attackers of issue #14: one holding the
 * database file only, one holding the database and the signing key but not
 * the copy of a checkpoint that left the building.
 */

const alice: Actor = { type: "user", id: 1, label: "alice@example.com" };
const mallory = "mallory@example.com";
let orgId = 0;
let counter = 0;

function record(n = 1) {
  for (let i = 0; i < n; i++)
    writeTransaction({ orgId }, (tx) =>
      recordAuditEvent(tx, { orgId, actor: alice, action: "model.updated", entityType: "model", entityId: 7, after: { n: i } }),
    );
}

function checkpointNow(): Checkpoint {
  return writeTransaction("bookkeeping", (tx) => writeCheckpoint(tx, orgId, "manual"))!;
}

/** Raw SQL, as someone holding the file would run it: drops the triggers it needs to. */
function raw() {
  const db = getDb().$client;
  db.exec(`DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;
           DROP TRIGGER IF EXISTS audit_checkpoints_no_delete; DROP TRIGGER IF EXISTS audit_checkpoints_no_update;`);
  return db;
}

/** Changes one event's actor and recomputes every later hash with the project's own computeEventHash (the probe's attack). */
function rewriteActor(seq: number) {
  rewriteChain(raw(), orgId, (row) => {
    if (row.seq === seq) row.actor_label = mallory;
  });
}

function truncate(count: number) {
  raw()
    .prepare("delete from audit_events where id in (select id from audit_events where org_id = ? order by id desc limit ?)")
    .run(orgId, count);
}

beforeEach(() => {
  orgId = getDb()
    .insert(organizations)
    .values({ slug: `cp-${++counter}`, name: `Checkpoint org ${counter}` })
    .returning()
    .get().id;
  record(10);
});

describe("signed checkpoints", () => {
  it("signs the chain's head with an Ed25519 key kept in data/keys/, owner-only, not in the database", () => {
    const checkpoint = checkpointNow();
    expect(checkpoint).toMatchObject({ orgId, seq: 10, reason: "manual", keyId: auditSigningKey().keyId });
    expect(checkpointSignatureValid(checkpoint, auditSigningKey().publicKey)).toBe(true);
    const file = path.join(keysDirectory(), "audit-signing.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(auditPublicKey()).toMatchObject({ algorithm: "Ed25519", keyId: checkpoint.keyId, publicKey: checkpoint.publicKey });
    // Changing anything it covers breaks the signature.
    expect(checkpointSignatureValid({ ...checkpoint, seq: 9 }, auditSigningKey().publicKey)).toBe(false);
    expect(verifyAuditTrail(orgId)).toMatchObject({ ok: true, events: 10, headSeq: 10, checkpoints: 1 });
  });

  it("writes none for an empty chain", () => {
    const empty = getDb()
      .insert(organizations)
      .values({ slug: `cp-empty-${counter}`, name: "Empty" })
      .returning()
      .get().id;
    expect(writeTransaction("bookkeeping", (tx) => writeCheckpoint(tx, empty, "manual"))).toBeNull();
  });

  it("an export reuses the newest checkpoint while the head has not moved, and signs a new one when it has", () => {
    const first = checkpointForExport(orgId, "audit-export")!;
    expect(checkpointForExport(orgId, "board-report")!.id).toBe(first.id);
    record();
    const next = checkpointForExport(orgId, "board-report")!;
    expect(next).toMatchObject({ seq: 11, reason: "board-report" });
  });

  it("the daily job signs each chain whose head moved or whose newest checkpoint is a day old", () => {
    const now = new Date("2030-01-01T03:00:00Z");
    const written = writeDailyCheckpoints(now);
    expect(written.some((c) => c.orgId === orgId && c.seq === 10 && c.reason === "daily")).toBe(true);
    expect(writeDailyCheckpoints(new Date(now.getTime() + 3_600_000)).some((c) => c.orgId === orgId)).toBe(false);
    expect(writeDailyCheckpoints(new Date(now.getTime() + 25 * 3_600_000)).some((c) => c.orgId === orgId)).toBe(true);
  });
});

describe("an attacker holding the database file only", () => {
  it("a rewritten event with every later hash recomputed passes the chain but not the stored checkpoint", () => {
    checkpointNow();
    rewriteActor(4);
    expect(verifyAuditChain(orgId)).toEqual({ ok: true, events: 10 }); // what today's verify said
    const result = verifyAuditTrail(orgId);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 10 });
    expect(!result.ok && result.reason).toMatch(/event 10 differs from a stored checkpoint/);
  });

  it("a truncated tail is reported with the first missing sequence number", () => {
    checkpointNow();
    truncate(3);
    expect(verifyAuditChain(orgId).ok).toBe(true);
    expect(verifyAuditTrail(orgId)).toMatchObject({ ok: false, firstBrokenSeq: 8, firstBrokenId: 0 });
  });

  it("cannot replace the checkpoints with ones of its own: a forged signature is reported", () => {
    checkpointNow();
    rewriteActor(4);
    const db = raw();
    db.prepare("delete from audit_checkpoints where org_id = ?").run(orgId);
    const forger = generateKeyPairSync("ed25519");
    const head = db.prepare("select seq, hash from audit_events where org_id = ? order by id desc limit 1").get(orgId) as {
      seq: number;
      hash: string;
    };
    const createdAt = new Date();
    const message = checkpointMessage({ orgId, seq: head.seq, headHash: head.hash, createdAt: createdAt.toISOString(), reason: "daily" });
    getDb()
      .insert(auditCheckpoints)
      .values({
        orgId,
        seq: head.seq,
        headHash: head.hash,
        createdAt,
        reason: "daily",
        // Even claiming the installation's key id: the signature does not hold under it.
        keyId: auditSigningKey().keyId,
        signature: sign(null, Buffer.from(message), forger.privateKey).toString("base64"),
      })
      .run();
    const result = verifyAuditTrail(orgId);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not signed by this installation's key/);
  });

  it("with every stored checkpoint deleted, the outside copy still catches the rewrite", () => {
    const outside = checkpointNow();
    rewriteActor(2);
    raw().prepare("delete from audit_checkpoints where org_id = ?").run(orgId);
    expect(verifyAuditTrail(orgId).ok).toBe(true); // nothing left inside to compare with
    expect(verifyAuditTrail(orgId, [outside])).toMatchObject({ ok: false, firstBrokenSeq: 10 });
  });
});

describe("an attacker holding the database and the key, but not the outside copy", () => {
  it("re-signs the stored checkpoints after a rewrite and a truncation; the outside copy still disagrees", () => {
    const outside = checkpointNow();
    rewriteActor(3);
    truncate(2);
    raw().prepare("delete from audit_checkpoints where org_id = ?").run(orgId);
    checkpointNow(); // signed with the real key
    expect(verifyAuditTrail(orgId).ok).toBe(true);
    const result = verifyAuditTrail(orgId, [outside]);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 9 });
    expect(!result.ok && result.reason).toMatch(/given checkpoint/);
  });

  it("an outside copy checks against the public key it carries, and refuses an altered copy", () => {
    const outside = checkpointNow();
    expect(verifyAuditTrail(orgId, [outside])).toMatchObject({ ok: true, checkpoints: 2 });
    const altered = { ...outside, headHash: "0".repeat(64) };
    expect(verifyAuditTrail(orgId, [altered])).toMatchObject({ ok: false });
    const other = generateKeyPairSync("ed25519");
    const otherKey = { ...outside, keyId: publicKeyId(other.publicKey), publicKey: publicKeyBase64(other.publicKey) };
    expect(verifyAuditTrail(orgId, [otherKey]).ok).toBe(false);
  });
});

describe("an audited restore", () => {
  it("tells a rollback from a truncation: the restore is recorded and signed, and older copies are explained", () => {
    record(2);
    const outside = checkpointNow(); // seq 12, then the database is restored from a backup at seq 10
    const replaced = { seq: 12, hash: outside.headHash };
    truncate(2); // what restoring the older backup does to the chain: the backup had neither these events nor this checkpoint
    raw().prepare("delete from audit_checkpoints where org_id = ?").run(orgId);
    writeTransaction("bookkeeping", (tx) => recordRestore(tx, orgId, replaced, "portal-backup.db"));
    const result = verifyAuditTrail(orgId, [outside]);
    expect(result).toMatchObject({ ok: true, rolledBackCheckpoints: 1, rollbacks: [{ seq: 11, restoredFromSeq: 10, replacedSeq: 12 }] });
  });

  it("a restore event without a signed checkpoint explains nothing", () => {
    record(2);
    const outside = checkpointNow();
    truncate(2);
    writeTransaction({ orgId }, (tx) =>
      recordAuditEvent(tx, {
        orgId,
        actor: alice,
        action: "audit.restored",
        entityType: "database",
        entityId: "restore",
        details: { restoredFromSeq: 10, replacedSeq: 12, replacedHeadHash: outside.headHash },
      }),
    );
    expect(verifyAuditTrail(orgId, [outside]).ok).toBe(false);
  });
});
