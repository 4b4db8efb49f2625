import { z } from "zod";
import { EmailSchema } from "../auth/auth-schemas";
import { optionalField } from "../../utils/validation";
import { WORK_STATUSES } from "./roadmap-constants";

const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2027-01-01")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "That date does not exist");

export const RoadmapGenerateSchema = z.object({ startDate: optionalField(DateSchema) });

const Evidence = optionalField(z.string().trim().max(2000, "Use at most 2000 characters"));

/** PATCH /api/v1/roadmap-items/:id and the item form. */
export const RoadmapItemUpdateSchema = z
  .object({
    status: optionalField(z.enum(WORK_STATUSES, { errorMap: () => ({ message: `Choose one of: ${WORK_STATUSES.join(", ")}` }) })),
    ownerEmail: optionalField(z.union([EmailSchema, z.literal("none")])),
    team: optionalField(z.string().trim().max(80, "Use at most 80 characters")),
    evidence: Evidence,
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to change" });
export type RoadmapItemUpdate = z.infer<typeof RoadmapItemUpdateSchema>;

export const BulkAssignSchema = z.object({
  itemIds: z.preprocess((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]), z.array(z.coerce.number().int().positive()).min(1, "Select at least one item").max(500)),
  ownerEmail: optionalField(z.union([EmailSchema, z.literal("none")])),
  team: optionalField(z.string().trim().max(80)),
});

export const ItemCommentSchema = z.object({ body: z.string().trim().min(1, "Write a comment").max(2000, "Use at most 2000 characters") });

export const CriterionTickSchema = z.object({
  criterionId: z.coerce.number().int().positive(),
  met: z.enum(["yes", "no"], { errorMap: () => ({ message: "Choose met or not met" }) }),
  evidence: z.string().trim().min(3, "Give the evidence").max(2000),
});
