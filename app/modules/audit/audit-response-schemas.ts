import { z } from "zod";
import { queryWholeNumber } from "../../utils/validation";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hash in hex");

/** What verify adds beside `ok`/`events`: the chain's head and how it compares with the signed checkpoints. */
const trailFields = {
  headSeq: z.number().int().describe("The chain's last sequence number (0 when empty)"),
  headHash: sha256Hex.nullable().describe("The hash of its last event"),
  checkpoints: z.number().int().describe("Signed checkpoints (stored, and any given) compared with the chain"),
  latestCheckpoint: z
    .object({ seq: z.number().int(), headHash: sha256Hex, createdAt: z.string(), reason: z.string() })
    .nullable()
    .describe("The newest stored checkpoint"),
  rollbacks: z
    .array(z.object({ seq: z.number().int(), restoredFromSeq: z.number().int(), replacedSeq: z.number().int(), at: z.string() }))
    .describe("Audited restores: at event `seq` the database was restored from a backup at `restoredFromSeq`"),
  rolledBackCheckpoints: z.number().int().describe("Checkpoints of positions an audited restore discarded (not a break)"),
};

/** `GET /api/v1/audit/verify`: the organisation's hash chain recomputed event by event and compared with its checkpoints. */
export const AuditVerificationSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), events: z.number().int().describe("Events checked"), ...trailFields }),
  z.object({
    ok: z.literal(false),
    events: z.number().int().describe("Events checked before the break"),
    firstBrokenId: z.number().int().describe("The first event whose hash does not match (0 when events are missing from the end)"),
    firstBrokenSeq: z
      .number()
      .int()
      .describe(
        "The first sequence number that disagrees with the chain or a checkpoint (the given `seq` and `headHash` only when nothing else disagrees)",
      ),
    brokenBy: z
      .enum(["chain", "checkpoint", "anchor"])
      .describe(
        "What found it: the chain itself, a signed checkpoint, or only the `seq` and `headHash` given with the request (which may hold a typing error; nobody is alerted)",
      ),
    reason: z.string(),
    ...trailFields,
  }),
]);

/** `GET /api/v1/audit/verify?seq=&headHash=`: also compare with a copy kept outside (a board report, an export). */
export const AuditVerifyQuerySchema = z
  .object({
    seq: queryWholeNumber({ min: 1 }).describe("A sequence number from a copy kept outside"),
    headHash: sha256Hex.optional().describe("The head hash that copy gives for it"),
  })
  .strict()
  .refine((q) => (q.seq === undefined) === (q.headHash === undefined), "Give seq and headHash together");

/** `GET /api/v1/audit/public-key?keyId=`: 404 unless `keyId` (a checkpoint's) names this installation's key. */
export const AuditPublicKeyQuerySchema = z
  .object({ keyId: sha256Hex.optional().describe("A checkpoint's keyId: answers 404 unless it is this installation's key") })
  .strict();

/** `GET /api/v1/audit/public-key`: the key that signs checkpoints. */
export const AuditPublicKeySchema = z.object({
  algorithm: z.literal("Ed25519"),
  keyId: sha256Hex.describe("SHA-256 of the SPKI DER encoding: each checkpoint's keyId"),
  publicKey: z.string().describe("SPKI DER, base64"),
  pem: z.string().describe("The same key in PEM"),
});

/** One line of `GET /api/v1/audit/events`: an event exactly as stored, so its hash can be recomputed. */
export const AuditEventLineSchema = z.object({
  id: z.number().int(),
  orgId: z.number().int().nullable(),
  seq: z.number().int().nullable(),
  createdAt: z.number().int().describe("Milliseconds since 1970 (hashed as its ISO 8601 form)"),
  actorType: z.enum(["user", "token", "system"]),
  actorId: z.number().int().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  payload: z.string().describe("JSON text, exactly as stored and hashed"),
  prevHash: sha256Hex,
  hash: sha256Hex,
});

export const AuditEventsQuerySchema = z
  .object({
    afterSeq: queryWholeNumber({ min: 0, fallback: 0 }).describe("Start after this sequence number"),
    limit: queryWholeNumber({ min: 1, max: 5000, fallback: 1000 }),
  })
  .strict();
