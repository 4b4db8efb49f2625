import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ssoAuthenticator } from "~/modules/auth/authenticator.server";
import { landingPath } from "~/modules/auth/landing.server";
import { clearedOidcFlowCookie, oidcLinkCookie, oidcRedirectTo, OidcSignInError } from "~/modules/auth/oidc-strategy.server";
import { createUserSession } from "~/modules/auth/session.server";
import { singleSignOnOffered } from "~/modules/auth/org-sso.server";
import { notFound, safeRedirect } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Single sign-on · AI Maturity & Governance Portal" }];

/**
 * Where the identity provider sends the browser back (`<PUBLIC_URL>/auth/oidc/callback`). Public: the pending
 * sign-in's signed cookie and the provider's validated ID token are the credentials. Every answer ends the
 * pending sign-in; a refusal is a page that says why, with no session.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!singleSignOnOffered()) throw notFound("Single sign-on is not set up on this portal");
  const headers = new Headers({ "Set-Cookie": await clearedOidcFlowCookie() });
  try {
    const redirectTo = await oidcRedirectTo(request);
    const outcome = await ssoAuthenticator.authenticate("oidc", request);
    if (outcome.kind === "signed-in") {
      // Lands in an organisation this session opens: not one whose own provider (another one) requires single sign-on.
      const landing = landingPath(outcome.user.id, { email: outcome.user.email, ssoIssuer: outcome.issuer });
      return createUserSession(request, outcome.user.id, safeRedirect(redirectTo, landing), {
        sso: { issuer: outcome.issuer, provider: outcome.provider },
        headers,
      });
    }
    if (outcome.kind === "link") {
      headers.append("Set-Cookie", await oidcLinkCookie().serialize(outcome.token));
      // The page asked for before signing in is where the link page goes once the account is proven.
      return redirect(redirectTo ? `/auth/oidc/link?${new URLSearchParams({ redirectTo })}` : "/auth/oidc/link", { headers });
    }
    return data({ message: outcome.message }, { status: outcome.status, headers });
  } catch (error) {
    if (error instanceof OidcSignInError) return data({ message: error.message }, { status: error.status, headers });
    throw error;
  }
}

export default function SingleSignOnRefused() {
  const { message } = useLoaderData<typeof loader>();
  return (
    <div className="card auth-card">
      <h1>Single sign-on did not sign you in</h1>
      <p role="alert">{message}</p>
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </div>
  );
}
