/**
 * An organisation's single sign-on policy (issue #17): when it requires single sign-on, its pages refuse a session
 * that did not come through one of its providers, except the one break-glass account's.
 */
export type SsoPolicy = {
  /** Whether the organisation's pages refuse sessions that did not come through one of `issuers`. */
  required: boolean;
  /** The issuers of the organisation's providers. */
  issuers: string[];
  /** The email (lower case) of the one account exempt from `required`, or null. */
  breakGlassEmail: string | null;
  /** The email domains the providers sign in: someone outside them cannot meet `required`. */
  domains: string[];
};

/** What the refusal page needs: `error.data` of the 403 `requireMember` throws. */
export type SsoRequiredRefusal = {
  kind: "sso-required";
  message: string;
  /** The provider's name for people. */
  provider: string;
  /** The signed-in account's email, which the sign-in form sends on (null: the provider cannot sign it in). */
  email: string | null;
  /** The page that was refused, to come back to. */
  redirectTo: string;
};

export function isSsoRequiredRefusal(data: unknown): data is SsoRequiredRefusal {
  return typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === "sso-required";
}

/** The same issuer, with or without a trailing slash (`https://login.example.com` and `https://login.example.com/`). */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/** Whether `email` is the break-glass account's. */
export function isBreakGlass(email: string, breakGlassEmail: string | null): boolean {
  return breakGlassEmail !== null && email.trim().toLowerCase() === breakGlassEmail;
}

/**
 * Whether a session (its account's email, and the issuer it came through, null for a password session) may open the
 * pages of an organisation under `policy` (null: the organisation has no provider). Site administrators are not
 * exempt: the break-glass account is the one exception, and it may be a site administrator's.
 */
export function sessionMeetsSsoPolicy(policy: SsoPolicy | null, session: { email: string; ssoIssuer: string | null }): boolean {
  if (!policy?.required) return true;
  const { ssoIssuer } = session;
  if (ssoIssuer !== null && policy.issuers.some((issuer) => sameIssuer(issuer, ssoIssuer))) return true;
  return isBreakGlass(session.email, policy.breakGlassEmail);
}

/**
 * The refusal of a session that does not meet `policy` (see sessionMeetsSsoPolicy), for a page at `redirectTo`.
 * The sign-in through the provider is offered only to someone it can sign in: of its domains, not a site
 * administrator (never signed in through a provider: only the break-glass account opens such pages with a password).
 */
export function ssoRequiredRefusal(
  policy: SsoPolicy,
  user: { email: string; isSiteAdmin: boolean },
  redirectTo: string,
): SsoRequiredRefusal {
  const provider = providerName(policy.issuers[0] ?? "");
  const { email } = user;
  const canSignIn = !user.isSiteAdmin && policy.domains.includes(email.slice(email.lastIndexOf("@") + 1).toLowerCase());
  const requires = `This organisation requires signing in through ${provider}`;
  return {
    kind: "sso-required",
    message: canSignIn
      ? `${requires}. You signed in with a password; it still opens any other organisation you belong to.`
      : user.isSiteAdmin
        ? `${requires}. Site administrators never sign in through single sign-on: only the break-glass account named in OIDC_BREAK_GLASS opens its pages with a password.`
        : `${requires}, which cannot sign in ${email}. Ask this organisation's administrators for access.`,
    provider,
    email: canSignIn ? email : null,
    redirectTo,
  };
}

/** The provider's name for people: the host of its issuer (`login.microsoftonline.com`). */
export function providerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}
