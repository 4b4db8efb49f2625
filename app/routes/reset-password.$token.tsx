import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, TextField } from "~/components/forms";
import { SubmitButton } from "~/components/submit-once";
import { PasswordResetSchema } from "~/modules/auth/account-schemas";
import { findPasswordReset, resetPassword } from "~/modules/auth/password-reset.server";
import { clientIp } from "~/modules/auth/session.server";
import { readFormData, runFormAction } from "~/utils/form-action.server";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Choose a new password · AI Maturity & Governance Portal" }];

const CLOSED = "This link no longer works: it was used, or it is more than an hour old. Ask for a new one.";

/** The link is the credential: one that opens no reset gets 404. The page shows which account it is for. */
export async function loader({ params }: LoaderFunctionArgs) {
  const reset = findPasswordReset(params.token ?? "");
  if (!reset) return data({ email: null }, { status: 404 });
  return { email: reset.email };
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (!findPasswordReset(params.token ?? "")) throw notFound(CLOSED);
  return runFormAction(
    await readFormData(request),
    PasswordResetSchema,
    ({ newPassword }) => resetPassword(params.token ?? "", newPassword, clientIp(request)),
    ({ email }) => redirect(`/login?${new URLSearchParams({ reset: "1", email })}`),
  );
}

export default function ResetPassword() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  if (!email) {
    return (
      <div className="card auth-card">
        <h1>Choose a new password</h1>
        <p>{CLOSED}</p>
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="card auth-card">
      <h1>Choose a new password</h1>
      <p>
        For <strong style={{ overflowWrap: "anywhere" }}>{email}</strong>. Every device signed in to this account is signed out.
      </p>
      <Form method="post" noValidate>
        <FormError error={errors.form} />
        <input type="hidden" name="username" autoComplete="username" value={email} />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 10 characters, mixing two of: lower case, upper case, digits, symbols."
          error={errors.newPassword}
        />
        <TextField
          label="New password again"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={errors.confirmPassword}
        />
        <SubmitButton busyLabel="Saving…">Set the new password</SubmitButton>
      </Form>
    </div>
  );
}
