import { eq } from "drizzle-orm";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { getDb, writeTransaction } from "../../../db/client";
import { users } from "../../../db/schema";
import { recordAuditEvent } from "../audit/audit.server";
import { LoginSchema } from "./auth-schemas";
import { OidcStrategy } from "./oidc-strategy.server";
import { providerSettingsById, providerSettingsForEmail } from "./org-sso.server";
import { decoyPasswordHash, verifyPassword } from "./password.server";
import { clientIp, type SessionUser } from "./session.server";
import { passwordSignInRefusal } from "./sso-password.server";
import { completeSsoSignIn, type SsoOutcome } from "./sso.server";
import { clearLoginFailures, recordLoginFailure } from "./throttle.server";

export class InvalidCredentialsError extends Error {
  constructor() {
    super("Email or password is incorrect");
  }
}

/** The right password of someone single sign-on is required of (sso-password.server.ts): the message says so. */
export class SsoRequiredError extends Error {}

export const authenticator = new Authenticator<SessionUser>();

authenticator.use(
  new FormStrategy(async ({ form, request }) => {
    const { email, password } = LoginSchema.parse(Object.fromEntries(form));
    const ip = clientIp(request);
    const userAgent = (request.headers.get("user-agent") ?? "").slice(0, 300);
    const user = getDb().select().from(users).where(eq(users.email, email)).get();
    const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!user || !valid || !user.active) {
      writeTransaction("bookkeeping", (tx) => {
        recordLoginFailure(tx, email, ip, userAgent);
        recordAuditEvent(tx, {
          orgId: null,
          actor: user ? { type: "user", id: user.id, label: user.email } : { type: "system", label: email },
          action: "auth.login_failed",
          entityType: "user",
          entityId: user?.id ?? null,
          details: { email, ip, userAgent, reason: !user ? "unknown email" : !valid ? "wrong password" : "deactivated" },
        });
      });
      throw new InvalidCredentialsError();
    }
    // Checked after the password, so the answer tells nothing about the account to someone without it.
    const ssoRefusal = passwordSignInRefusal(user);
    if (ssoRefusal) {
      writeTransaction("bookkeeping", (tx) =>
        recordAuditEvent(tx, {
          orgId: null,
          actor: { type: "user", id: user.id, label: user.email },
          action: "auth.login_failed",
          entityType: "user",
          entityId: user.id,
          details: { email, ip, userAgent, reason: "single sign-on required" },
        }),
      );
      throw new SsoRequiredError(ssoRefusal);
    }
    writeTransaction("bookkeeping", (tx) => {
      clearLoginFailures(tx, email, ip);
      recordAuditEvent(tx, {
        orgId: null,
        actor: { type: "user", id: user.id, label: user.email },
        action: "auth.login_succeeded",
        entityType: "user",
        entityId: user.id,
        details: { ip },
      });
    });
    return { id: user.id, email: user.email, name: user.name, isSiteAdmin: user.isSiteAdmin };
  }),
  "form",
);

export { clientIp } from "./session.server";

/** Sign-in through an OpenID Connect provider (the site-wide one of OIDC_* variables, or an organisation's): what `completeSsoSignIn` decides. */
export const ssoAuthenticator = new Authenticator<SsoOutcome>();

ssoAuthenticator.use(
  new OidcStrategy<SsoOutcome>({ forEmail: providerSettingsForEmail, byId: providerSettingsById }, async ({ claims, request, settings }) =>
    completeSsoSignIn(settings, claims, { ip: clientIp(request), userAgent: (request.headers.get("user-agent") ?? "").slice(0, 300) }),
  ),
  "oidc",
);
