import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { FormError, TextField } from "~/components/forms";
import { SubmitButton } from "~/components/submit-once";
import { PasswordResetRequestSchema } from "~/modules/auth/account-schemas";
import { requestPasswordReset } from "~/modules/auth/password-reset.server";
import { clientIp, getSessionUser } from "~/modules/auth/session.server";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Forgot your password · AI Maturity & Governance Portal" }];

/** The one answer, whether or not the email has an account, and whether or not a link went out (throttled). */
const SENT = "If an account has this email, a link to choose a new password is on its way. It works once, for an hour.";

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSessionUser(request)) throw redirect("/account");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  if (await getSessionUser(request)) throw redirect("/account");
  return runFormAction(
    await readFormData(request),
    PasswordResetRequestSchema,
    ({ email }) => requestPasswordReset(email, clientIp(request)),
    SENT,
  );
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  return (
    <div className="card auth-card">
      <h1>Forgot your password?</h1>
      {result?.ok ? (
        <p role="status">{result.notice}</p>
      ) : (
        <Form method="post" noValidate>
          <p>Give the email you sign in with; we send a link to choose a new password.</p>
          <FormError error={errors.form} />
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            required
            defaultValue={result?.values?.email ?? ""}
            error={errors.email}
          />
          <SubmitButton busyLabel="Sending…">Send me a link</SubmitButton>
        </Form>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </div>
  );
}
