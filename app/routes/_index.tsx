import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { landingPath } from "~/modules/auth/landing.server";
import { currentSession, getSessionUser } from "~/modules/auth/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  if (!user) return null;
  throw redirect(landingPath(user.id, { email: user.email, ssoIssuer: (await currentSession(request))?.ssoIssuer ?? null }));
}

export default function Landing() {
  return (
    <div className="landing">
      <h1>Know where you stand with AI, and govern the models you run</h1>
      <p className="lead">
        Run quarterly maturity assessments of your Technology &amp; Operations capability, check every self-rating against the facts in your
        model registry, and turn the gaps into a roadmap your teams own.
      </p>
      <p>
        <Link to="/login" className="button">
          Sign in
        </Link>{" "}
        <Link to="/framework" className="button secondary">
          Read the maturity framework
        </Link>
      </p>
    </div>
  );
}
