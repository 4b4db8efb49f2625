import { z } from "zod";
import { PasswordSchema, PersonNameSchema } from "./auth-schemas";

/** The account page's forms (`/account`) and the admin's "end sessions". */
export const AccountRenameSchema = z.object({ name: PersonNameSchema });

export const PasswordChangeSchema = z
  .object({
    currentPassword: z.string({ required_error: "Enter your current password" }).min(1, "Enter your current password").max(200),
    newPassword: PasswordSchema,
    confirmPassword: z.string({ required_error: "Repeat the new password" }),
  })
  .refine((input) => input.newPassword === input.confirmPassword, {
    message: "The two new passwords differ",
    path: ["confirmPassword"],
  });
export type PasswordChange = z.infer<typeof PasswordChangeSchema>;

export const SessionEndSchema = z.object({ sessionId: z.coerce.number({ invalid_type_error: "Choose a session" }).int().positive() });

/** The form says what it ends, so a stray post with the intent alone does nothing. */
export const SignOutEverywhereSchema = z.object({
  sessions: z.literal("all", { errorMap: () => ({ message: "Say which sessions to end" }) }),
});

export const MemberSessionsEndSchema = z.object({ userId: z.coerce.number().int().positive() });
