/**
 * Signing in over HTTP, through the real login form (`POST /login`), for
 * tests and the benchmark that talk to a running server without a browser.
 * (Playwright specs sign their pages in through the form: tests/e2e/fixtures.ts.)
 */

export const SESSION_COOKIE = "__portal_session";

export type SignedIn = {
  /** `__portal_session=…`, ready for a Cookie header. */
  cookie: string;
  /** The whole Set-Cookie header of the session cookie, with its attributes. */
  setCookie: string;
  /** Where the sign-in redirected to. */
  location: string | null;
};

/** Signs in as `email`; throws unless the server answers with a redirect and a session cookie. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<SignedIn> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: baseUrl },
    body: new URLSearchParams({ email, password, redirectTo: "" }).toString(),
  });
  const text = await response.text();
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (response.status !== 302 || !setCookie) {
    throw new Error(`sign-in as ${email} failed: HTTP ${response.status}, ${setCookie ? "" : "no session cookie, "}${text.slice(0, 200)}`);
  }
  return { cookie: setCookie.split(";")[0]!, setCookie, location: response.headers.get("location") };
}
