import { z } from "zod";

/** The one error envelope of the API (`apiError` builds it; the OpenAPI document declares it as `Error`). */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe("Stable machine-readable code, e.g. not_found, invalid, conflict"),
    message: z.string(),
    issues: z.array(z.object({ path: z.string().describe('Dotted path of the field, e.g. "config.groupColumns"'), message: z.string() })),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;
