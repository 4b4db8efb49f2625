import { z } from "zod";
import { TimestampSchema } from "../../utils/validation";
import { ITEM_STATUSES, ROADMAP_STATUSES } from "./roadmap-constants";

/**
 * What the roadmap API answers. The API routes type their answers with these
 * and the OpenAPI document declares them, so both say the same thing.
 */

const DaySchema = z.string().date();

export const RoadmapDetailSchema = z.object({
  id: z.number().int(),
  assessmentId: z.number().int(),
  transition: z.object({ from: z.number().int(), to: z.number().int() }).describe("From one maturity level to the next"),
  title: z.string(),
  status: z.enum(ROADMAP_STATUSES),
  startDate: DaySchema,
  items: z.array(
    z.object({
      id: z.number().int(),
      title: z.string(),
      components: z.array(z.string()),
      workstream: z.string(),
      dueDate: DaySchema,
      status: z.enum(ITEM_STATUSES),
      priority: z.number().int(),
      owner: z.string().nullable().describe("The owner's email"),
      team: z.string().nullable(),
      evidence: z.string().nullable(),
      catchUp: z.boolean().describe("Carried over from the level below: a gap to close first"),
    }),
  ),
  successCriteria: z.array(
    z.object({
      id: z.number().int(),
      text: z.string(),
      automatic: z.boolean(),
      met: z.boolean().nullable().describe("null: not known yet"),
      value: z.number().nullable(),
    }),
  ),
  progress: z.object({ done: z.number().int(), total: z.number().int(), closed: z.number().int() }),
});

export const RoadmapItemSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  title: z.string(),
  components: z.array(z.string()),
  workstream: z.string(),
  workstreamKey: z.string(),
  startMonth: z.number().int(),
  endMonth: z.number().int(),
  dueDate: DaySchema,
  priority: z.number().int(),
  catchUp: z.boolean(),
  status: z.enum(ITEM_STATUSES),
  owner: z.object({ email: z.string(), name: z.string().nullable() }).nullable(),
  team: z.string().nullable(),
  evidence: z.string().nullable(),
  completedAt: TimestampSchema.nullable(),
  closedReason: z.string().nullable(),
  carried: z.boolean(),
  overdue: z.boolean(),
  roadmapId: z.number().int(),
  roadmapStatus: z.enum(ROADMAP_STATUSES),
  comments: z.array(z.object({ id: z.number().int(), author: z.string(), body: z.string(), at: TimestampSchema })),
});
