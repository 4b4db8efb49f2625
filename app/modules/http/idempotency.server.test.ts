import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { changeCounters, idempotencyRecords } from "../../../db/schema";
import {
  ABANDONED_CLAIM_MS,
  claimIdempotencyKey,
  completeIdempotencyKey,
  IDEMPOTENCY_TTL_MS,
  peekIdempotencyKey,
  purgeIdempotencyRecords,
  releaseIdempotencyKey,
} from "./idempotency.server";

const T0 = new Date("2026-06-01T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const answer = { status: 201, headers: { "content-type": "application/json" }, body: '{"id":7}' };
const counters = () => getDb().select().from(changeCounters).all();
const recordsOf = (scope: string) => getDb().select().from(idempotencyRecords).where(eq(idempotencyRecords.scope, scope)).all();

describe("idempotency records", () => {
  it("a key is claimed once: a repeat finds it running, then done with the stored answer and digest", () => {
    const claim = claimIdempotencyKey("test:a", "k1", T0);
    expect(claim.state).toBe("claimed");
    expect(claimIdempotencyKey("test:a", "k1", at(1000))).toEqual({ state: "running" });
    expect(peekIdempotencyKey("test:a", "k1", at(1000))).toEqual({ state: "running" });
    expect(peekIdempotencyKey("test:a", "k2", at(1000))).toEqual({ state: "free" });
    // Another scope's same key is its own.
    expect(claimIdempotencyKey("test:b", "k1", at(1000)).state).toBe("claimed");
    completeIdempotencyKey((claim as { id: number }).id, "digest-1", answer);
    expect(claimIdempotencyKey("test:a", "k1", at(2000))).toEqual({ state: "done", requestHash: "digest-1", answer });
    expect(peekIdempotencyKey("test:a", "k1", at(2000))).toEqual({ state: "done", requestHash: "digest-1", answer });
  });

  it("keeps answers sealed: a secret shown once is not readable in the database", () => {
    const secret = "whsec_c2VjcmV0IHNob3duIG9uY2UsIHJlcGxheWVkIHRvIGEgcmV0cnk=";
    const claim = claimIdempotencyKey("test:sealed", "k", T0) as { id: number };
    const created = { ...answer, body: JSON.stringify({ id: 9, secret }) };
    completeIdempotencyKey(claim.id, "digest", created);
    const [row] = recordsOf("test:sealed");
    expect(row!.responseBody).toMatch(/^v1\./);
    expect(row!.responseBody).not.toContain("whsec_");
    expect(peekIdempotencyKey("test:sealed", "k", at(1000))).toEqual({ state: "done", requestHash: "digest", answer: created });
  });

  it("a released claim (the request failed) frees the key", () => {
    const claim = claimIdempotencyKey("test:c", "k", T0);
    releaseIdempotencyKey((claim as { id: number }).id);
    expect(recordsOf("test:c")).toEqual([]);
    expect(claimIdempotencyKey("test:c", "k", at(1)).state).toBe("claimed");
  });

  it("a claim never completed is taken over once abandoned; an answer is remembered for 24 hours, then the key is new", () => {
    claimIdempotencyKey("test:d", "k", T0);
    expect(claimIdempotencyKey("test:d", "k", at(ABANDONED_CLAIM_MS - 1)).state).toBe("running");
    const takeover = claimIdempotencyKey("test:d", "k", at(ABANDONED_CLAIM_MS));
    expect(takeover.state).toBe("claimed");
    completeIdempotencyKey((takeover as { id: number }).id, "d", answer);
    const storedAt = ABANDONED_CLAIM_MS;
    expect(claimIdempotencyKey("test:d", "k", at(storedAt + IDEMPOTENCY_TTL_MS - 1)).state).toBe("done");
    expect(claimIdempotencyKey("test:d", "k", at(storedAt + IDEMPOTENCY_TTL_MS)).state).toBe("claimed");
    expect(recordsOf("test:d")).toHaveLength(1);
  });

  it("purgeIdempotencyRecords(now) deletes the keys past their 24 hours, only those, and moves no change counter", () => {
    const old = claimIdempotencyKey("test:e", "old", T0) as { id: number };
    completeIdempotencyKey(old.id, "o", answer);
    claimIdempotencyKey("test:e", "fresh", at(IDEMPOTENCY_TTL_MS / 2));
    const before = counters();
    expect(purgeIdempotencyRecords(at(IDEMPOTENCY_TTL_MS))).toBeGreaterThanOrEqual(1);
    expect(recordsOf("test:e").map((r) => r.key)).toEqual(["fresh"]);
    expect(purgeIdempotencyRecords(at(IDEMPOTENCY_TTL_MS))).toBe(0);
    expect(counters()).toEqual(before);
  });

  it("claiming, completing and releasing are bookkeeping: no change counter moves", () => {
    const before = counters();
    const claim = claimIdempotencyKey("test:f", "k", T0) as { id: number };
    completeIdempotencyKey(claim.id, "f", answer);
    releaseIdempotencyKey((claimIdempotencyKey("test:f", "other", T0) as { id: number }).id);
    expect(recordsOf("test:f").map((r) => r.key)).toEqual(["k"]);
    expect(counters()).toEqual(before);
  });
});
