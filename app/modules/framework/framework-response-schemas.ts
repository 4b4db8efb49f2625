import { z } from "zod";
import { optionalField } from "../../utils/validation";
import { ComponentSchema, FrameworkLevelSchema, FrameworkSchema, QuestionSchema } from "./framework-schema";

/** The framework as `GET /api/v1/framework` answers it: what clients score against, without the page prose. */
export const FrameworkSummarySchema = FrameworkSchema.pick({
  id: true,
  version: true,
  name: true,
  roadmaps: true,
  evidenceRules: true,
  bands: true,
  levelCutoffs: true,
  evidencePolicy: true,
  replaces: true,
}).extend({
  levels: z.array(FrameworkLevelSchema.pick({ level: true, name: true, alias: true, summary: true })),
  components: z.array(ComponentSchema.pick({ id: true, name: true, weight: true, capabilities: true })),
  questions: z.array(QuestionSchema.pick({ id: true, componentId: true, title: true, prompt: true, responses: true, guidance: true })),
});

/** `GET /api/v1/framework?version=`: a framework version (default: the current one). */
export const FrameworkQuerySchema = z.object({ version: optionalField(z.string().max(20)) });
