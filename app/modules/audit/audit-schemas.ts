import { z } from "zod";
import { calendarDay } from "../../utils/validation";

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => v || undefined);

/** A day filter: empty means none; otherwise a real calendar day from 2000 to 2100. */
const optionalDate = z
  .string()
  .optional()
  .transform((v) => v || undefined)
  .pipe(calendarDay("Use a date like 2026-01-31").optional());

/** Query string of the audit log page and its CSV export. */
export const AuditFilterSchema = z
  .object({
    actor: optionalText,
    entityType: optionalText,
    entityId: optionalText,
    action: optionalText,
    from: optionalDate,
    to: optionalDate,
    before: z.coerce.number().int().positive().optional().catch(undefined),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "The end date is before the start date" });
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** Turns the page's date filters (inclusive days, UTC) into the module's instants. */
export function auditFilterRange(filter: AuditFilter) {
  return {
    actor: filter.actor,
    entityType: filter.entityType,
    entityId: filter.entityId,
    action: filter.action,
    from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
    to: filter.to ? new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
  };
}

/**
 * The audit log's verify form: optionally a sequence number and head hash
 * read off a copy kept outside (a printed board report, an export) to check
 * the log against as well.
 */
export const AuditAnchorFormSchema = z
  .object({
    seq: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || undefined)
      .pipe(z.coerce.number({ message: "Use a whole number" }).int("Use a whole number").positive("Use a whole number").optional()),
    headHash: z
      .string()
      .trim()
      .toLowerCase()
      .optional()
      .transform((v) => v || undefined)
      .pipe(
        z
          .string()
          .regex(/^[0-9a-f]{64}$/, "A head hash is 64 characters, 0-9 and a-f")
          .optional(),
      ),
  })
  .superRefine((v, ctx) => {
    if (v.seq !== undefined && v.headHash === undefined)
      ctx.addIssue({ code: "custom", path: ["headHash"], message: "Give the head hash too" });
    if (v.seq === undefined && v.headHash !== undefined)
      ctx.addIssue({ code: "custom", path: ["seq"], message: "Give the sequence number too" });
  });
