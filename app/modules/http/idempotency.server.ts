import { and, eq, lte } from "drizzle-orm";
import { getDb, writeTransaction, type Db, type DbOrTx } from "../../../db/client";
import { idempotencyRecords } from "../../../db/schema";
import { openSecret, sealSecret } from "../../utils/keys.server";
import { authenticateApiToken } from "../auth/api-tokens.server";
import { apiError } from "./api.server";
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, REPLAYED_HEADER, RequestDigest } from "./idempotency";

/**
 * One-time keys for requests that create something (issue #14, §8): the JSON
 * API's `Idempotency-Key` header and the forms' one-time submission token
 * (`submit-once.server.ts`) share this store, `idempotency_records`.
 *
 * A request claims its (scope, key) before it runs. A repeat that comes while
 * the first still runs finds the claim (409, or a form waits for it); one that
 * comes after a success within 24 hours gets the first answer again, provided
 * it is the same request (same digest), else it is refused. A request that
 * fails gives its claim back, so the put-right request may use the key again.
 *
 * Every write here is bookkeeping: no cached reader reads these rows, so no
 * change counter moves.
 */

/** How long a key is remembered after its first use. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A claim never completed for this long is taken to be abandoned (its process
 * died between the work and storing the answer) and may be claimed again.
 * Longer than any request runs, a 256 MB upload included.
 */
export const ABANDONED_CLAIM_MS = 15 * 60 * 1000;

/**
 * Stored answers are sealed with the secrets key: an answer may carry what is
 * shown only once (a new webhook's signing secret, replayed to a retry of the
 * request that created it), and a copy of the database must not reveal it.
 * An answer stored before answers were sealed is plain JSON (never "v1.…").
 */
const sealAnswer = (body: string) => sealSecret(body);
const openAnswer = (stored: string) => (stored.startsWith("v1.") ? openSecret(stored) : stored);

/** An answer as stored and replayed. */
export type StoredAnswer = { status: number; headers: Record<string, string>; body: string };

export type Claim = { state: "claimed"; id: number } | { state: "running" } | { state: "done"; requestHash: string; answer: StoredAnswer };

const recordOf = (db: DbOrTx, scope: string, key: string) =>
  db
    .select()
    .from(idempotencyRecords)
    .where(and(eq(idempotencyRecords.scope, scope), eq(idempotencyRecords.key, key)))
    .get();

/** What a stored record means at `now`: done, still running, or free (none, expired, or abandoned). */
function stateOf(row: ReturnType<typeof recordOf>, now: Date): Exclude<Claim, { state: "claimed" }> | { state: "free" } {
  if (!row || row.expiresAt.getTime() <= now.getTime()) return { state: "free" };
  if (row.responseStatus !== null) {
    const headers = JSON.parse(row.responseHeaders) as Record<string, string>;
    return {
      state: "done",
      requestHash: row.requestHash,
      answer: { status: row.responseStatus, headers, body: openAnswer(row.responseBody) },
    };
  }
  return now.getTime() - row.createdAt.getTime() < ABANDONED_CLAIM_MS ? { state: "running" } : { state: "free" };
}

/** Reads a key's state without claiming it (no write lock): for a repeat waiting on the first request. */
export function peekIdempotencyKey(scope: string, key: string, now: Date = new Date(), db: Db = getDb()) {
  return stateOf(recordOf(db, scope, key), now);
}

/**
 * Claims (scope, key) for a request starting `now`. In a write transaction
 * taken up front, so two processes never both claim one key.
 */
export function claimIdempotencyKey(scope: string, key: string, now: Date = new Date(), db: Db = getDb()): Claim {
  return writeTransaction(
    "bookkeeping",
    (tx) => {
      const row = recordOf(tx, scope, key);
      const state = stateOf(row, now);
      if (state.state !== "free") return state;
      if (row) tx.delete(idempotencyRecords).where(eq(idempotencyRecords.id, row.id)).run();
      const claimed = tx
        .insert(idempotencyRecords)
        .values({ scope, key, requestHash: "", createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) })
        .returning({ id: idempotencyRecords.id })
        .get();
      return { state: "claimed", id: claimed.id };
    },
    db,
  );
}

/** Stores the answer of a claimed request that succeeded, with the digest of the request it answers. */
export function completeIdempotencyKey(id: number, requestHash: string, answer: StoredAnswer, db: Db = getDb()): void {
  writeTransaction(
    "bookkeeping",
    (tx) =>
      tx
        .update(idempotencyRecords)
        .set({
          requestHash,
          responseStatus: answer.status,
          responseHeaders: JSON.stringify(answer.headers),
          responseBody: sealAnswer(answer.body),
        })
        .where(eq(idempotencyRecords.id, id))
        .run(),
    db,
  );
}

/** Gives a claim back (the request failed and changed nothing): the key may be used again. */
export function releaseIdempotencyKey(id: number, db: Db = getDb()): void {
  writeTransaction("bookkeeping", (tx) => tx.delete(idempotencyRecords).where(eq(idempotencyRecords.id, id)).run(), db);
}

/** For the scheduler: deletes the keys past their 24 hours. Returns how many. */
export function purgeIdempotencyRecords(now: Date = new Date(), db: Db = getDb()): number {
  return writeTransaction(
    "bookkeeping",
    (tx) => tx.delete(idempotencyRecords).where(lte(idempotencyRecords.expiresAt, now)).run().changes,
    db,
  );
}

/**
 * The request with its body passing through `digest` as the handler reads it;
 * `finish` digests whatever the handler left unread.
 */
function digestingRequest(request: Request, digest: RequestDigest): { request: Request; finish: () => Promise<void> } {
  if (!request.body) return { request, finish: async () => {} };
  const source = request.body.getReader();
  let done = false;
  const read = async () => {
    const next = await source.read();
    if (next.done) done = true;
    else digest.update(next.value);
    return next;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return {
    request: new Request(request.url, { method: request.method, headers: request.headers, body, duplex: "half" } as RequestInit),
    finish: async () => {
      while (!done) await read();
    },
  };
}

/** Bodies digested for a repeat are read up to this many bytes (the largest upload and its form fields). */
const MAX_DIGESTED_BYTES = 257 * 1024 * 1024;

/** Digests a whole body without keeping it; false when it passes MAX_DIGESTED_BYTES. */
async function digestWholeBody(request: Request, digest: RequestDigest): Promise<boolean> {
  if (!request.body) return true;
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_DIGESTED_BYTES) return false;
    digest.update(chunk);
  }
  return true;
}

// ---------------------------------------------------------------- the API's Idempotency-Key

function replay(answer: StoredAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: { ...answer.headers, [REPLAYED_HEADER]: "true" } });
}

/**
 * Runs an API request under its `Idempotency-Key`, if it has one: keys are
 * per API token (one token's keys never meet another's). The same key and the
 * same request within 24 hours → the first answer, replayed; the same key with
 * another request → 422; while the first is still running → 409. Only
 * successes (2xx) are kept: a refusal changed nothing, so its key stays free.
 * Without a key, or without a valid token (the handler answers 401), the
 * request simply runs.
 */
export async function withIdempotencyKey(request: Request, run: (request: Request) => Promise<Response>): Promise<Response> {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return run(request);
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    return apiError(400, "malformed_idempotency_key", `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 visible ASCII characters`);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const token = bearer ? authenticateApiToken(bearer) : null;
  if (!token) return run(request);

  const scope = `api:token:${token.id}`;
  const claim = claimIdempotencyKey(scope, key);
  const digest = new RequestDigest(request);
  if (claim.state === "running") {
    return apiError(
      409,
      "idempotency_key_in_use",
      `A request with this ${IDEMPOTENCY_HEADER} is still running: retry once it has finished to get its answer`,
    );
  }
  if (claim.state === "done") {
    if (!(await digestWholeBody(request, digest))) return apiError(413, "payload_too_large", "The request body is too large");
    if (digest.digest() !== claim.requestHash) {
      return apiError(
        422,
        "idempotency_key_reused",
        `This ${IDEMPOTENCY_HEADER} was used for another request in the last 24 hours: send a new key with a new request`,
      );
    }
    return replay(claim.answer);
  }

  const digesting = digestingRequest(request, digest);
  let response: Response;
  try {
    response = await run(digesting.request);
  } catch (error) {
    releaseIdempotencyKey(claim.id);
    throw error;
  }
  if (response.status < 200 || response.status > 299) {
    releaseIdempotencyKey(claim.id);
    return response;
  }
  try {
    await digesting.finish();
    const body = await response.text();
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "location"]) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    completeIdempotencyKey(claim.id, digest.digest(), { status: response.status, headers, body });
    return new Response(body, { status: response.status, headers: response.headers });
  } catch (error) {
    releaseIdempotencyKey(claim.id);
    throw error;
  }
}
