import { Form, Link } from "@remix-run/react";
import type { SsoRequiredRefusal } from "~/modules/auth/sso-policy";

/**
 * The page of an organisation that requires single sign-on, refused to a session that did not come through its
 * provider: why, and the sign-in through it (the sign-in form's email step, which continues to the provider and
 * comes back to the refused page).
 */
export function SsoRequired({ refusal }: { refusal: SsoRequiredRefusal }) {
  return (
    <section className="error-page" role="alert" aria-labelledby="error-title">
      <p className="error-code">403</p>
      <h1 id="error-title">Single sign-on required</h1>
      <p>{refusal.message}</p>
      {refusal.email ? (
        <Form method="post" action="/login" reloadDocument>
          <input type="hidden" name="email" value={refusal.email} />
          <input type="hidden" name="redirectTo" value={refusal.redirectTo} />
          <button type="submit">{`Sign in through ${refusal.provider}`}</button>
        </Form>
      ) : null}
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}
