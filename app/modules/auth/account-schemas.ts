import { z } from "zod";
import { confirmation } from "../../utils/validation";
import { EmailSchema, PasswordSchema, PersonNameSchema } from "./auth-schemas";

/** The account page's forms (`/account`) and the admin's "end sessions". */
export const AccountRenameSchema = z.object({ name: PersonNameSchema });

/** A new password typed twice, plus the form's other fields; refused when the two differ. */
function withNewPasswordTwice<T extends z.ZodRawShape>(shape: T) {
  return z
    .object({ ...shape, newPassword: PasswordSchema, confirmPassword: z.string({ required_error: "Repeat the new password" }) })
    .refine((input) => input.newPassword === input.confirmPassword, {
      message: "The two new passwords differ",
      path: ["confirmPassword"],
    });
}

export const PasswordChangeSchema = withNewPasswordTwice({
  currentPassword: z.string({ required_error: "Enter your current password" }).min(1, "Enter your current password").max(200),
});
export type PasswordChange = z.infer<typeof PasswordChangeSchema>;

export const SessionEndSchema = z.object({ sessionId: z.coerce.number({ invalid_type_error: "Choose a session" }).int().positive() });

/** The form says what it ends, so a stray post with the intent alone does nothing. */
export const SignOutEverywhereSchema = z.object({
  sessions: z.literal("all", { errorMap: () => ({ message: "Say which sessions to end" }) }),
});

/** An admin signs a member out on every device: it cannot be taken back, so it is confirmed. */
export const MemberSessionsEndSchema = z.object({
  userId: z.coerce.number().int().positive(),
  confirm: confirmation("Tick the box to confirm: they are signed out on every device"),
});

/** "Forgot your password": the email to send a reset link to. */
export const PasswordResetRequestSchema = z.object({ email: EmailSchema });

/** A new password through a reset link, typed twice. */
export const PasswordResetSchema = withNewPasswordTwice({});
