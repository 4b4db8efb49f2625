import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { currentSession, destroyUserSession } from "~/modules/auth/session.server";
import { signOutOf } from "~/modules/auth/sso-logout.server";

export async function loader() {
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  // A session that came through a provider: the sign-in page offers signing out there too.
  const { redirectTo, headers } = await signOutOf(await currentSession(request));
  return destroyUserSession(request, redirectTo, headers);
}
