import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { destroyUserSession } from "~/modules/auth/session.server";
import { env } from "~/utils/env.server";

export async function loader() {
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  // A session that came through the provider: the sign-in page offers signing out there too.
  return destroyUserSession(request, (ended) => (ended?.ssoIssuer && env().OIDC ? "/login?signedOut=sso" : "/login"));
}
