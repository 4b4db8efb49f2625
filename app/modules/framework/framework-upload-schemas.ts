import { z } from "zod";
import { confirmation, optionalField } from "../../utils/validation";

/** The site admin's upload form: the JSON (pasted, or the chosen file's text), optionally in place of a draft. */
export const FrameworkUploadSchema = z.object({
  content: z.string().trim().min(1, "Choose a JSON file or paste the framework version's JSON"),
  replaceId: optionalField(z.coerce.number().int().positive()),
});

/** Deleting a draft. */
export const FrameworkDraftSchema = z.object({ versionId: z.coerce.number().int().positive() });

/** Publishing a draft: irreversible, so the form asks for an explicit confirmation. */
export const FrameworkPublishSchema = FrameworkDraftSchema.extend({
  confirm: confirmation("Tick the box to confirm: published versions can never be changed"),
});
