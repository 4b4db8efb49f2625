import { z } from "zod";

/** `GET /api/v1/audit/verify`: the organisation's hash chain recomputed event by event. */
export const AuditVerificationSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), events: z.number().int().describe("Events checked") }),
  z.object({
    ok: z.literal(false),
    events: z.number().int().describe("Events checked before the break"),
    firstBrokenId: z.number().int().describe("The first event whose hash does not match"),
    reason: z.string(),
  }),
]);
