import { z } from "zod";
import { EmailSchema } from "../auth/auth-schemas";
import { lengthFirst } from "../../utils/bounded";
import { calendarDay, NameTextSchema, optionalField } from "../../utils/validation";
import { WORK_STATUSES } from "./roadmap-constants";

/** A roadmap's start: a real day from 2000 to 2100, so every due date stays a real date too. */
const DateSchema = calendarDay("Use a date such as 2027-01-01");

/** The roadmap a generation was confirmed to replace: its id, or "none" when none was active. */
const ReplacesRoadmapSchema = z.union(
  [z.literal("none"), z.coerce.number({ invalid_type_error: "Give a roadmap id or none" }).int().positive()],
  {
    errorMap: () => ({ message: "Give the id of the active roadmap this replaces, or none" }),
  },
);

/**
 * POST /api/v1/assessments/:id/roadmap. `replacesRoadmapId` names the active
 * roadmap the caller means to replace ("none" when none): a different one
 * by then is refused (409), and so is generating again from the active
 * roadmap's own assessment without naming it.
 */
export const RoadmapGenerateSchema = z.object({
  startDate: optionalField(DateSchema),
  replacesRoadmapId: optionalField(ReplacesRoadmapSchema),
});

/** The confirmation form of the generation preview: what was previewed, confirmed. */
export const RoadmapGenerateConfirmSchema = RoadmapGenerateSchema.extend({
  assessmentId: z.coerce.number().int().positive({ message: "Choose an assessment" }),
  replacesRoadmapId: ReplacesRoadmapSchema,
  acknowledge: z.literal("yes").optional(),
}).refine((v) => v.replacesRoadmapId === "none" || v.acknowledge === "yes", {
  path: ["acknowledge"],
  message: "Tick the box to confirm that this replaces the active roadmap",
});

/** The preview page's query: which assessment, and optionally another start date. */
export const RoadmapPreviewQuerySchema = z.object({
  assessmentId: z.coerce.number().int().positive().optional().catch(undefined),
  startDate: optionalField(DateSchema).catch(undefined),
});

/** Optional text where empty (or null) means "clear it", as an edit form that saves as you go sends it. */
const clearableText = (max: number, text: z.ZodString = z.string().trim()) =>
  z.preprocess((value) => (value === null ? "" : value), text.max(max, `Use at most ${max} characters`).optional());

/** An evidence note or link; an empty one clears it (an item marked done cannot be left without). */
const Evidence = clearableText(2000);

/**
 * PATCH /api/v1/roadmap-items/:id and the item form. `dueDate` (planners only in the portal: admins and
 * leadership) moves the item's due date to any real day, a past one included: an open item due before
 * today is overdue at once.
 */
export const RoadmapItemUpdateSchema = z
  .object({
    status: optionalField(z.enum(WORK_STATUSES, { errorMap: () => ({ message: `Choose one of: ${WORK_STATUSES.join(", ")}` }) })),
    ownerEmail: optionalField(z.union([EmailSchema, z.literal("none")])),
    team: clearableText(80, NameTextSchema),
    evidence: Evidence,
    dueDate: optionalField(
      DateSchema.describe("The item's new due date (YYYY-MM-DD). A date already past makes an open item overdue at once."),
    ),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to change" });
export type RoadmapItemUpdate = z.infer<typeof RoadmapItemUpdateSchema>;

export const BulkAssignSchema = z.object({
  itemIds: z.preprocess(
    (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]),
    lengthFirst(z.array(z.coerce.number().int().positive()).min(1, "Select at least one item").max(500, "Select at most 500 items")),
  ),
  ownerEmail: optionalField(z.union([EmailSchema, z.literal("none")])),
  team: optionalField(NameTextSchema.max(80)),
});

export const ItemCommentSchema = z.object({ body: z.string().trim().min(1, "Write a comment").max(2000, "Use at most 2000 characters") });

export const CriterionTickSchema = z.object({
  criterionId: z.coerce.number().int().positive(),
  met: z.enum(["yes", "no"], { errorMap: () => ({ message: "Choose met or not met" }) }),
  evidence: z.string().trim().min(3, "Give the evidence").max(2000),
});
