import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkpointMessage,
  checkpointSignatureValid,
  compareCheckpoint,
  parseCheckpointFile,
  publicKeyBase64,
  publicKeyId,
  type Checkpoint,
  type Rollback,
} from "./checkpoint";

const keys = generateKeyPairSync("ed25519");
const hash = (c: string) => c.repeat(64);

function signed(fields: Pick<Checkpoint, "seq" | "headHash" | "createdAt">): Checkpoint {
  const base = { version: 1 as const, orgId: 3, reason: "manual" as const, ...fields };
  return {
    ...base,
    keyId: publicKeyId(keys.publicKey),
    publicKey: publicKeyBase64(keys.publicKey),
    signature: sign(null, Buffer.from(checkpointMessage(base)), keys.privateKey).toString("base64"),
  };
}

const cp = signed({ seq: 10, headHash: hash("a"), createdAt: "2026-12-01T10:00:00.000Z" });

describe("checkpoint signatures", () => {
  it("sign exactly the documented message: chain, sequence, head hash, time and reason", () => {
    expect(checkpointMessage(cp)).toBe(`portal-audit-checkpoint/v1\n3\n10\n${hash("a")}\n2026-12-01T10:00:00.000Z\nmanual`);
    expect(checkpointMessage({ ...cp, orgId: null })).toContain("\nsite\n");
    expect(checkpointSignatureValid(cp, keys.publicKey)).toBe(true);
    for (const altered of [{ seq: 11 }, { headHash: hash("b") }, { createdAt: "2026-12-02T10:00:00.000Z" }, { reason: "restore" as const }])
      expect(checkpointSignatureValid({ ...cp, ...altered }, keys.publicKey)).toBe(false);
    expect(checkpointSignatureValid(cp, generateKeyPairSync("ed25519").publicKey)).toBe(false);
    expect(checkpointSignatureValid({ ...cp, signature: "not base64 !" }, keys.publicKey)).toBe(false);
  });

  it("reads a file of one checkpoint, a list, or audit:checkpoint's {checkpoints}, and refuses anything else", () => {
    expect(parseCheckpointFile(JSON.stringify(cp))).toEqual([cp]);
    expect(parseCheckpointFile(JSON.stringify([cp, cp]))).toHaveLength(2);
    expect(parseCheckpointFile(JSON.stringify({ checkpoints: [cp] }))).toEqual([cp]);
    expect(() => parseCheckpointFile(JSON.stringify({ seq: 1 }))).toThrow();
    expect(() => parseCheckpointFile("not json")).toThrow();
  });
});

describe("compareCheckpoint", () => {
  const rollback: Rollback = {
    seq: 9,
    at: new Date("2026-12-05T00:00:00Z"),
    restoredFromSeq: 8,
    replacedSeq: 10,
    replacedHeadHash: hash("a"),
  };

  it("agrees when the chain still holds the hash at that sequence number", () => {
    expect(compareCheckpoint(cp, { id: 1, seq: 10, hash: hash("a") }, 12, []).kind).toBe("agrees");
  });

  it("a different hash is a rewrite; a missing position is a truncation", () => {
    expect(compareCheckpoint(cp, { id: 1, seq: 10, hash: hash("b") }, 12, []).kind).toBe("rewritten");
    expect(compareCheckpoint(cp, undefined, 7, [])).toMatchObject({ kind: "truncated", headSeq: 7 });
  });

  it("an audited restore explains a checkpoint signed before it, of a position it discarded, and nothing else", () => {
    expect(compareCheckpoint(cp, { id: 1, seq: 10, hash: hash("c") }, 10, [rollback])).toMatchObject({
      kind: "rolled-back",
      rollbackSeq: 9,
    });
    const later = signed({ seq: 10, headHash: hash("a"), createdAt: "2026-12-06T00:00:00.000Z" });
    expect(compareCheckpoint(later, undefined, 9, [rollback]).kind).toBe("truncated");
    const kept = signed({ seq: 8, headHash: hash("a"), createdAt: "2026-12-01T00:00:00.000Z" });
    expect(compareCheckpoint(kept, { id: 1, seq: 8, hash: hash("d") }, 9, [rollback]).kind).toBe("rewritten");
    const otherHead = signed({ seq: 10, headHash: hash("e"), createdAt: "2026-12-01T00:00:00.000Z" });
    expect(compareCheckpoint(otherHead, undefined, 9, [rollback]).kind).toBe("truncated");
  });
});
