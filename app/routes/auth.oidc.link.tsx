import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CurrentPasswordField, FormError } from "~/components/forms";
import { SubmitButton } from "~/components/submit-once";
import { SsoLinkSchema } from "~/modules/auth/auth-schemas";
import { clientIp } from "~/modules/auth/authenticator.server";
import { landingPath } from "~/modules/auth/landing.server";
import { oidcLinkCookie } from "~/modules/auth/oidc-strategy.server";
import { createUserSession } from "~/modules/auth/session.server";
import { completeSsoLink, findPendingLink, WrongPasswordError } from "~/modules/auth/sso.server";
import { loginThrottle } from "~/modules/auth/throttle.server";
import { providerSettingsById, singleSignOnOffered } from "~/modules/auth/org-sso.server";
import { readFormData } from "~/utils/form-action.server";
import { notFound, safeRedirect } from "~/utils/http";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Link your account · AI Maturity & Governance Portal" }];

const EXPIRED = "There is no account to link here, or the request expired after 15 minutes. Sign in through single sign-on again.";

/**
 * A first sign-in through the provider for an email that already has an account: the identity is linked only
 * after the person signs in with the account's password once (docs/decisions/0009). The pending link's secret
 * is the cookie the callback set; without it there is nothing to link.
 */
async function pendingLinkOf(request: Request) {
  if (!singleSignOnOffered()) throw notFound("Single sign-on is not set up on this portal");
  const token = (await oidcLinkCookie().parse(request.headers.get("Cookie"))) as string | null;
  return { token, pending: findPendingLink(token) };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { pending } = await pendingLinkOf(request);
  return { email: pending?.email ?? null };
}

export async function action({ request }: ActionFunctionArgs) {
  const { token, pending } = await pendingLinkOf(request);
  // The provider the sign-in went through: the link maps groups into its organisation only.
  const settings = pending ? providerSettingsById(pending.provider) : null;
  if (!token || !pending || !settings) return data({ errors: { form: EXPIRED } }, { status: 410 });
  const parsed = parseForm(await readFormData(request), SsoLinkSchema);
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 400 });
  const ip = clientIp(request);
  if (loginThrottle(pending.email, ip).refused) {
    return data({ errors: { form: "Too many wrong passwords from here. Please wait 15 minutes before trying again." } }, { status: 429 });
  }
  const userAgent = (request.headers.get("user-agent") ?? "").slice(0, 300);
  const outcome = await completeSsoLink(settings, token, parsed.data.password, { ip, userAgent });
  if (outcome instanceof WrongPasswordError) {
    return data({ errors: { password: outcome.message } }, { status: 401 });
  }
  const cleared = new Headers({ "Set-Cookie": await oidcLinkCookie().serialize("", { maxAge: 0 }) });
  if (outcome.kind === "signed-in") {
    const landing = landingPath(outcome.user.id, { email: outcome.user.email, ssoIssuer: outcome.issuer });
    const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"), landing);
    return createUserSession(request, outcome.user.id, redirectTo, {
      sso: { issuer: outcome.issuer, provider: outcome.provider },
      headers: cleared,
    });
  }
  const message = outcome.kind === "refused" ? outcome.message : EXPIRED;
  return data({ errors: { form: message } }, { status: outcome.kind === "refused" ? outcome.status : 410, headers: cleared });
}

export default function LinkAccount() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  return (
    <div className="card auth-card">
      <h1>Link your account</h1>
      {email ? (
        <Form method="post" noValidate>
          <p>
            An account with <strong>{email}</strong> already exists here. To sign in through single sign-on from now on, prove it is yours:
            enter its password once.
          </p>
          <FormError error={errors.form} />
          <CurrentPasswordField error={errors.password} focus />
          <SubmitButton busyLabel="Linking…">Link and sign in</SubmitButton>
        </Form>
      ) : (
        <p role="alert">{EXPIRED}</p>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </div>
  );
}
