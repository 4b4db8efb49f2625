import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { OneTimeResult } from "~/components/one-time-result";
import { ActionResult, FormError, SelectField, TextField, useFormPostUnderWay } from "~/components/forms";
import {
  InvitationCreateSchema,
  InvitationRevokeSchema,
  MemberRemoveSchema,
  RoleChangeSchema,
  UserDeactivateSchema,
} from "~/modules/auth/auth-schemas";
import {
  createInvitation,
  invitationCreatedNotice,
  INVITATION_SHOWN_ONCE,
  invitationPath,
  listInvitations,
  revokeInvitation,
} from "~/modules/auth/invitations.server";
import { requireMember } from "~/modules/auth/membership.server";
import { MemberSessionsEndSchema } from "~/modules/auth/account-schemas";
import { endMemberSessions } from "~/modules/auth/account.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { ConfirmedAction } from "~/components/confirmed-action";
import { changeRole, deactivateUser, listMemberIdentities, listMembers, removeMember } from "~/modules/auth/organizations.server";
import { isBreakGlass, providerName } from "~/modules/auth/sso-policy";
import { ssoPolicyOf } from "~/modules/auth/sso-policy.server";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "~/modules/auth/roles";
import { formatDate, formatDateTime } from "~/utils/format";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Members · Admin" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, user } = await requireMember(request, params.orgSlug, ["admin"]);
  const policy = ssoPolicyOf(org.id);
  const identities = listMemberIdentities(org.id);
  return {
    org,
    currentUserId: user.id,
    ssoRequired: policy?.required ? { providers: policy.issuers.map(providerName), breakGlassEmail: policy.breakGlassEmail } : null,
    members: listMembers(org.id).map((m) => ({
      ...m,
      since: m.since.toISOString(),
      // Newest first: each provider the person signed in through, and when last.
      ssoSignIns: identities
        .filter((identity) => identity.userId === m.userId)
        .map((identity) => ({ provider: providerName(identity.issuer), at: identity.lastSignInAt.toISOString() })),
      breakGlass: isBreakGlass(m.email, policy?.breakGlassEmail ?? null),
    })),
    invitations: listInvitations(org.id).map((i) => ({
      ...i,
      createdAt: i.createdAt.toISOString(),
      expiresAt: i.expiresAt.toISOString(),
      respondedAt: i.respondedAt?.toISOString() ?? null,
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, ["admin"]);
  const origin = new URL(request.url).origin;
  const formData = await readFormData(request);
  // Inviting carries a one-time token: sent twice, it makes one invitation, and the first link keeps working.
  return submitOnce(
    request,
    user.id,
    formData,
    () =>
      runIntentAction(formData, {
        // The same answer whether or not an account exists for the email: the link to pass on.
        invite: intent(
          InvitationCreateSchema,
          (input) => createInvitation(org.id, input, actor),
          (created) => ({
            notice: invitationCreatedNotice(`Invitation for ${created.email}`),
            reveal: origin + invitationPath(created.token),
          }),
        ),
        "revoke-invitation": intent(
          InvitationRevokeSchema,
          (input) => revokeInvitation(org.id, input.invitationId, actor),
          "Invitation revoked; its link no longer works.",
        ),
        "change-role": intent(RoleChangeSchema, (input) => changeRole(org.id, input.userId, input.role, actor), "Role changed."),
        "remove-member": intent(MemberRemoveSchema, (input) => removeMember(org.id, input.userId, actor), "Member removed."),
        "deactivate-user": intent(
          UserDeactivateSchema,
          (input) => deactivateUser(org.id, input.userId, actor),
          "User deactivated; their sessions have ended.",
        ),
        // A lost laptop, a shared computer: the member signs in again wherever they are.
        "end-sessions": intent(
          MemberSessionsEndSchema,
          (input) => endMemberSessions(org.id, input.userId, actor),
          (ended) =>
            ended.sessions === 0
              ? `${ended.name} (${ended.email}) was not signed in anywhere: no session to end.`
              : `${ended.name} (${ended.email}) is signed out everywhere: ${ended.sessions === 1 ? "1 session" : `${ended.sessions} sessions`} ended.`,
        ),
      }),
    INVITATION_SHOWN_ONCE,
  );
}

/** The forms of a member's row that confirm first and show their refusal in the row. */
type RowAction = "end-sessions" | "remove-member" | "deactivate-user";

const roleOptions = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

const INVITATION_STATUS_LABELS = {
  pending: "Waiting for an answer",
  accepted: "Accepted",
  declined: "Declined",
  revoked: "Revoked",
  expired: "Expired",
} as const;

export default function MembersAdmin() {
  const { org, members, invitations, currentUserId, ssoRequired } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // The banner goes while another form is sent: "Role changed." never stands above the next form's refusal.
  const posting = useFormPostUnderWay();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? (result.errors ?? {}) : {});
  const valuesFor = (intent: string) => (result && !result.ok && result.intent === intent ? (result.values ?? {}) : {});
  /** A row's refused confirmation (or other refusal of that row's sign-out, remove or deactivate form), shown in its row. */
  const confirmError = (name: RowAction, userId: number) => {
    const errors: Record<string, string | undefined> = errorsFor(name);
    return String(valuesFor(name).userId) === String(userId) ? (errors.confirm ?? errors.form ?? errors.userId) : undefined;
  };
  // Sign-out, remove and deactivate show their refusal in the member's row; for a member no longer listed, up here.
  const unlisted = (name: RowAction) =>
    members.some((member) => String(member.userId) === String(valuesFor(name).userId)) ? {} : errorsFor(name);
  /** A refused revoke in its invitation's row, while it is still pending there; otherwise up here. */
  const revoking = invitations.find(
    (invitation) => invitation.status === "pending" && String(invitation.id) === String(valuesFor("revoke-invitation").invitationId),
  );
  const revokeError = (invitationId: number) => {
    const errors: Record<string, string | undefined> = errorsFor("revoke-invitation");
    return revoking?.id === invitationId ? (errors.confirm ?? errors.form ?? errors.invitationId) : undefined;
  };
  const rowErrors = {
    ...errorsFor("change-role"),
    ...(revoking ? {} : errorsFor("revoke-invitation")),
    ...unlisted("end-sessions"),
    ...unlisted("remove-member"),
    ...unlisted("deactivate-user"),
  };
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      {posting ? null : (
        <>
          {result?.ok && result.intent === "invite" ? (
            <OneTimeResult notice={result.notice} value={result.reveal} testId="invitation-link" />
          ) : (
            <ActionResult result={result?.ok ? result : undefined} />
          )}
          <FormError error={rowErrors.userId ?? rowErrors.invitationId ?? rowErrors.form ?? rowErrors.role ?? rowErrors.confirm} />
        </>
      )}
      {ssoRequired ? (
        <p className="notice">
          This organisation requires single sign-on through {ssoRequired.providers.join(" or ")}: its pages refuse sessions that signed in
          with a password
          {ssoRequired.breakGlassEmail ? <>, except the break-glass account {ssoRequired.breakGlassEmail}&rsquo;s</> : null}.
        </p>
      ) : null}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Members of this organisation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Sign-in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>{member.name}</td>
                <td>{member.email}</td>
                <td>
                  <span className="print-only">{ROLE_LABELS[member.role]}</span>
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="change-role" />
                    <input type="hidden" name="userId" value={member.userId} />
                    <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                      Role of {member.email}
                    </label>
                    <select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
                      {roleOptions.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className="small secondary" aria-label={`Change ${member.email}’s role`}>
                      Change
                    </button>
                  </Form>
                </td>
                <td>{member.active ? "Active" : "Deactivated"}</td>
                <td>
                  {member.ssoSignIns.length === 0 ? (
                    <span>Password only</span>
                  ) : (
                    member.ssoSignIns.map((signIn) => (
                      <span key={signIn.provider} className="sign-in-line">
                        {`Single sign-on (${signIn.provider}), last ${formatDateTime(signIn.at)}`}
                      </span>
                    ))
                  )}
                  {ssoRequired ? (
                    <span className="muted sign-in-line">{member.breakGlass ? "Break-glass: password allowed" : "SSO required"}</span>
                  ) : null}
                </td>
                <td>
                  <div className="inline-form">
                    {member.active && member.userId !== currentUserId ? (
                      <ConfirmedAction
                        compact
                        id={`end-sessions-${member.userId}`}
                        summary="Sign out everywhere…"
                        intent="end-sessions"
                        fields={{ userId: member.userId }}
                        confirmLabel={`Sign ${member.name} out on every device`}
                        submitLabel="Sign out everywhere"
                        submitAriaLabel={`Sign ${member.email} out everywhere`}
                        error={confirmError("end-sessions", member.userId)}
                      >
                        Every session of {member.name} ends at once, in this organisation and any other: they sign in again wherever they
                        are. Their account and membership stay.
                      </ConfirmedAction>
                    ) : null}
                    <ConfirmedAction
                      compact
                      id={`remove-${member.userId}`}
                      summary="Remove…"
                      intent="remove-member"
                      fields={{ userId: member.userId }}
                      confirmLabel={`Remove ${member.name} from ${org.name}`}
                      submitLabel="Remove"
                      submitAriaLabel={`Remove ${member.email}`}
                      error={confirmError("remove-member", member.userId)}
                    >
                      {member.userId === currentUserId
                        ? `You lose access to ${org.name} at once; coming back takes an invitation from another administrator.`
                        : `${member.name} loses access to ${org.name} at once; coming back takes a new invitation, which they accept. Their account, and what they did here, stay.`}
                    </ConfirmedAction>
                    {member.active && member.userId !== currentUserId ? (
                      <ConfirmedAction
                        compact
                        id={`deactivate-${member.userId}`}
                        summary="Deactivate…"
                        intent="deactivate-user"
                        fields={{ userId: member.userId }}
                        confirmLabel={`Close ${member.name}'s account for good`}
                        submitLabel="Deactivate"
                        submitAriaLabel={`Deactivate ${member.email}`}
                        error={confirmError("deactivate-user", member.userId)}
                      >
                        Closes the account everywhere: every session ends, and {member.name} can no longer sign in, with a password or
                        single sign-on. This cannot be undone in the portal. To only take away access here, remove them instead.
                      </ConfirmedAction>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 style={{ marginTop: "1.5rem" }}>Invitations</h2>
      {invitations.length === 0 ? (
        <p className="muted">No invitations yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Invitations to this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Invited</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{ROLE_LABELS[invitation.role]}</td>
                  <td>
                    {INVITATION_STATUS_LABELS[invitation.status]}
                    {invitation.status === "pending" ? (
                      <span className="muted"> until {formatDate(invitation.expiresAt)}</span>
                    ) : invitation.respondedAt ? (
                      <span className="muted"> {formatDate(invitation.respondedAt)}</span>
                    ) : null}
                  </td>
                  <td>
                    {formatDate(invitation.createdAt)}
                    {invitation.invitedBy ? <span className="muted"> by {invitation.invitedBy}</span> : null}
                  </td>
                  <td>
                    {invitation.status === "pending" ? (
                      <ConfirmedAction
                        compact
                        id={`revoke-invitation-${invitation.id}`}
                        summary="Revoke…"
                        intent="revoke-invitation"
                        fields={{ invitationId: invitation.id }}
                        confirmLabel={`Revoke the invitation for ${invitation.email} for good`}
                        submitLabel="Revoke"
                        submitAriaLabel={`Revoke the invitation for ${invitation.email}`}
                        error={revokeError(invitation.id)}
                      >
                        Its link stops working at once, and {invitation.email} can no longer accept it, here or after signing in. To invite
                        them again later, send a new invitation.
                      </ConfirmedAction>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="two-col" style={{ marginTop: "1.5rem" }}>
        <section className="card" aria-labelledby="invite-title">
          <h2 id="invite-title">Invite a person</h2>
          <p className="muted">
            They join once they accept: after signing in if they have an account, or through the link shown here, where a new person chooses
            their own password.
          </p>
          {/* A new form after each invitation, so the next one starts empty. */}
          <Form method="post" noValidate key={result?.ok && result.intent === "invite" ? result.reveal : "invite"}>
            <input type="hidden" name="intent" value="invite" />
            <FormError error={errorsFor("invite").form} />
            <TextField
              label="Email"
              name="email"
              type="email"
              required
              defaultValue={valuesFor("invite").email}
              error={errorsFor("invite").email}
            />
            <SelectField
              label="Role"
              name="role"
              options={roleOptions}
              defaultValue={valuesFor("invite").role ?? "team"}
              error={errorsFor("invite").role}
            />
            <SubmissionToken />
            <SubmitButton>Invite</SubmitButton>
          </Form>
        </section>
        <section className="card" aria-labelledby="roles-title">
          <h2 id="roles-title">Roles</h2>
          <dl>
            {ROLES.map((role) => (
              <div key={role}>
                <dt>
                  <strong>{ROLE_LABELS[role]}</strong>
                </dt>
                <dd className="muted">{ROLE_DESCRIPTIONS[role]}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </>
  );
}
