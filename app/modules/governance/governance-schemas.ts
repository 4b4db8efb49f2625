import { z } from "zod";
import { optionalField } from "../../utils/validation";
import { CARD_SECTION_IDS, DECISIONS, FAIRNESS_PRESET_IDS } from "./governance-constants";

const Comment = (max = 5000) => optionalField(z.string().trim().max(max, `Use at most ${max} characters`));

export const CardReviewSchema = z.object({
  decision: z.enum(["approve", "request_changes"], { errorMap: () => ({ message: "Choose approve or request changes" }) }),
  comment: Comment(),
});

export const CardCommentSchema = z.object({
  section: z.enum([...CARD_SECTION_IDS, "general"], { errorMap: () => ({ message: "Choose a section" }) }),
  body: z.string().trim().min(1, "Write a comment").max(5000, "Use at most 5000 characters"),
});

export const AuditSignoffSchema = z.object({
  decision: z.enum(["accept", "reject"], { errorMap: () => ({ message: "Choose accept or reject" }) }),
  comment: Comment(),
});

export const ApprovalRequestOpenSchema = z.object({ reason: Comment(1000) });

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(DECISIONS, { errorMap: () => ({ message: "Choose approve or reject" }) }),
  comment: Comment(),
});

export const FairnessSettingsSchema = z.object({
  fairnessRatioMin: z.coerce.number({ invalid_type_error: "Enter a number" }).min(0.5, "Use a value from 0.5 to 1").max(1, "Use a value from 0.5 to 1"),
  fairnessDifferenceMax: z.coerce.number({ invalid_type_error: "Enter a number" }).min(0, "Use a value from 0 to 0.5").max(0.5, "Use a value from 0 to 0.5"),
  fairnessPreset: z.enum(FAIRNESS_PRESET_IDS, { errorMap: () => ({ message: "Choose a preset" }) }),
});
