import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "Invitation declined · AI Maturity & Governance Portal" }];

/** Where declining through an invitation link ends: the link itself no longer works. Public, shows nothing of the invitation. */
export function loader() {
  return null;
}

export default function InvitationDeclined() {
  return (
    <div className="card auth-card">
      <h1>Invitation declined</h1>
      <p role="status">You declined the invitation. Nothing else happens, and the link no longer works.</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </div>
  );
}
