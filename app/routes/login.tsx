import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { FormError, TextField } from "~/components/forms";
import { LoginSchema } from "~/modules/auth/auth-schemas";
import { authenticator, clientIp, InvalidCredentialsError } from "~/modules/auth/authenticator.server";
import { landingPath } from "~/modules/auth/landing.server";
import { createUserSession, getSessionUser } from "~/modules/auth/session.server";
import { loginThrottle } from "~/modules/auth/throttle.server";
import { readFormData } from "~/utils/form-action.server";
import { safeRedirect } from "~/utils/http";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Sign in · AI Maturity & Governance Portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSessionUser(request)) throw redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  // remix-auth reads the body again, so validate a clone first.
  const parsed = parseForm(await readFormData(request.clone()), LoginSchema);
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const { email, redirectTo } = parsed.data;
  const throttle = loginThrottle(email, clientIp(request));
  if (throttle.refused) {
    return data(
      {
        errors: { form: "Too many failed sign-in attempts from here. Please wait 15 minutes before trying again." },
        values: { email },
      },
      { status: 429 },
    );
  }
  // An account under attack from many addresses answers slowly, the right password included: slowed, never locked.
  if (throttle.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, throttle.delayMs));
  try {
    const user = await authenticator.authenticate("form", request);
    return createUserSession(request, user.id, safeRedirect(redirectTo, landingPath(user.id)));
  } catch (error) {
    if (error instanceof InvalidCredentialsError) {
      return data({ errors: { form: error.message }, values: { email } }, { status: 401 });
    }
    throw error;
  }
}

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <div className="card auth-card">
      <h1>Sign in</h1>
      {searchParams.get("reset") === "1" ? (
        <p role="status" className="notice">
          Your new password is set, and every device was signed out. Sign in with it.
        </p>
      ) : null}
      <Form method="post" noValidate>
        <FormError error={errors.form} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          // eslint-disable-next-line jsx-a11y/no-autofocus -- the sign-in page has one job: the cursor starts in its first field
          autoFocus
          defaultValue={actionData?.values?.email ?? searchParams.get("email") ?? ""}
          error={errors.email}
        />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
        <button type="submit" disabled={submitting}>
          {submitting ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </div>
  );
}
