import { Form } from "@remix-run/react";
import { ConfirmedAction } from "./confirmed-action";
import { ROLE_LABELS, type Role } from "~/modules/auth/roles";
import { formatDate } from "~/utils/format";

export type PendingInvitationItem = {
  id: number;
  orgName: string;
  role: Role;
  invitedBy: string | null;
  /** ISO date-time. */
  expiresAt: string;
};

/**
 * The invitations waiting for the signed-in person, each with Accept and
 * Decline (which asks first: it cannot be taken back). The forms post to
 * /invitations, so any page (the account page, an invitation link) can show
 * this without an action of its own; that page shows a refused decline
 * (`declineError`) in its invitation.
 */
export function PendingInvitations({
  invitations,
  declineError,
}: {
  invitations: readonly PendingInvitationItem[];
  declineError?: (invitationId: number) => string | undefined;
}) {
  if (invitations.length === 0) return <p className="muted">No invitations are waiting for you.</p>;
  return (
    <ul style={{ listStyle: "none", padding: 0 }}>
      {invitations.map((invitation) => (
        <li key={invitation.id} className="card">
          <p>
            <strong>{invitation.orgName}</strong> invites you to join as <strong>{ROLE_LABELS[invitation.role]}</strong>
            {invitation.invitedBy ? <> (invited by {invitation.invitedBy})</> : null}.{" "}
            <span className="muted">Open until {formatDate(invitation.expiresAt)}.</span>
          </p>
          <div className="inline-form beside-unfolding">
            <Form method="post" action="/invitations?index">
              <input type="hidden" name="intent" value="accept" />
              <input type="hidden" name="invitationId" value={invitation.id} />
              <button type="submit" aria-label={`Accept the invitation to ${invitation.orgName}`}>
                Accept
              </button>
            </Form>
            <ConfirmedAction
              compact
              id={`decline-${invitation.id}`}
              summary="Decline…"
              action="/invitations?index"
              intent="decline"
              fields={{ invitationId: invitation.id }}
              confirmLabel={`I do not want to join ${invitation.orgName}`}
              submitLabel="Decline"
              submitAriaLabel={`Decline the invitation to ${invitation.orgName}`}
              error={declineError?.(invitation.id)}
            >
              The invitation closes for good: joining {invitation.orgName} later takes a new invitation from its administrators.
            </ConfirmedAction>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** The loader-side shape: dates as ISO strings, as the component takes them. */
export function toPendingInvitationItems(
  invitations: ReadonlyArray<{ id: number; orgName: string; role: Role; invitedBy: string | null; expiresAt: Date }>,
): PendingInvitationItem[] {
  return invitations.map(({ id, orgName, role, invitedBy, expiresAt }) => ({
    id,
    orgName,
    role,
    invitedBy,
    expiresAt: expiresAt.toISOString(),
  }));
}
