import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { CurrentPasswordField, FormError, TextField } from "~/components/forms";
import { SubmitButton } from "~/components/submit-once";
import { LoginSchema, SignInEmailSchema } from "~/modules/auth/auth-schemas";
import { authenticator, clientIp, InvalidCredentialsError, ssoAuthenticator, SsoRequiredError } from "~/modules/auth/authenticator.server";
import { landingPath } from "~/modules/auth/landing.server";
import { providerSettingsForEmail, singleSignOnOffered } from "~/modules/auth/org-sso.server";
import { OidcSignInError } from "~/modules/auth/oidc-strategy.server";
import { createUserSession, getSessionUser } from "~/modules/auth/session.server";
import { providerLogoutOffer } from "~/modules/auth/sso-logout.server";
import { loginThrottle } from "~/modules/auth/throttle.server";
import { readFormData } from "~/utils/form-action.server";
import { safeRedirect } from "~/utils/http";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Sign in · AI Maturity & Governance Portal" }];

/**
 * Without single sign-on: email and password. With it (OIDC_* variables, or an organisation's provider with an
 * approved domain), the email comes first: people of a provider's domains continue to that provider, everyone else
 * to the password (without JavaScript too).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSessionUser(request)) throw redirect("/");
  const signedOutOfSso = new URL(request.url).searchParams.get("signedOut") === "sso";
  return {
    emailFirst: singleSignOnOffered(),
    // After signing out of a session that came through a provider: the person may sign out there too.
    providerLogoutUrl: signedOutOfSso ? await providerLogoutOffer(request) : null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  // remix-auth reads the body again, so validate a clone first.
  const form = await readFormData(request.clone());
  if (!form.has("password") && singleSignOnOffered()) {
    const step = parseForm(form, SignInEmailSchema);
    if (!step.ok) return data({ step: "email", errors: step.errors, values: step.values }, { status: 400 });
    const { email } = step.data;
    // An approved domain of an organisation with its provider, else OIDC_DOMAINS, else the password.
    if (!providerSettingsForEmail(email)) return data({ step: "password", errors: {}, values: { email } });
    try {
      // Throws the redirect to the provider.
      await ssoAuthenticator.authenticate("oidc", request);
    } catch (error) {
      if (error instanceof OidcSignInError)
        return data({ step: "email", errors: { form: error.message }, values: { email } }, { status: error.status });
      throw error;
    }
  }
  const parsed = parseForm(form, LoginSchema);
  if (!parsed.ok) return data({ step: "password", errors: parsed.errors, values: parsed.values }, { status: 400 });
  const { email, redirectTo } = parsed.data;
  const throttle = loginThrottle(email, clientIp(request));
  if (throttle.refused) {
    return data(
      {
        step: "password",
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
    return createUserSession(request, user.id, safeRedirect(redirectTo, landingPath(user.id, { email: user.email, ssoIssuer: null })));
  } catch (error) {
    if (error instanceof InvalidCredentialsError) {
      return data({ step: "password", errors: { form: error.message }, values: { email } }, { status: 401 });
    }
    if (error instanceof SsoRequiredError) {
      // On the email field, with the email step's button: it continues to the provider.
      return data({ step: "email", errors: { email: error.message }, values: { email } }, { status: 403 });
    }
    throw error;
  }
}

function passwordSearch(searchParams: URLSearchParams): string {
  const search = new URLSearchParams(searchParams);
  search.set("with", "password");
  return search.toString();
}

export default function Login() {
  const { emailFirst, providerLogoutUrl } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  // `?with=password`: the break-glass account and site administrators, whose domain would continue to the provider.
  const askPassword = !emailFirst || actionData?.step === "password" || (!actionData && searchParams.get("with") === "password");
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <div className="card auth-card">
      <h1>Sign in</h1>
      {searchParams.get("joined") === "1" ? (
        <p role="status" className="notice">
          Your account is ready and you have joined the organisation. Sign in to open it.
        </p>
      ) : null}
      {searchParams.get("reset") === "1" ? (
        <p role="status" className="notice">
          Your new password is set, and every device was signed out. Sign in with it.
        </p>
      ) : null}
      {providerLogoutUrl ? (
        <p role="status" className="notice">
          You are signed out of the portal, but still signed in at your identity provider.{" "}
          <a href={providerLogoutUrl}>Sign out there too</a>
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
          autoFocus={!askPassword || !emailFirst}
          defaultValue={actionData?.values?.email ?? searchParams.get("email") ?? ""}
          error={errors.email}
        />
        {askPassword ? (
          <>
            <CurrentPasswordField error={errors.password} focus={emailFirst} />
            <SubmitButton busyLabel="Signing in…">Sign in</SubmitButton>
          </>
        ) : (
          <>
            <p className="hint">Your organisation may sign you in through its own sign-in page.</p>
            <SubmitButton busyLabel="Continuing…">Continue</SubmitButton>
          </>
        )}
      </Form>
      {emailFirst && !askPassword ? (
        <p>
          <Link to={`/login?${passwordSearch(searchParams)}`}>Sign in with a password instead</Link>
        </p>
      ) : null}
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </div>
  );
}
