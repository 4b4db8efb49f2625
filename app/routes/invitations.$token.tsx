import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmedAction } from "~/components/confirmed-action";
import { FormError, TextField } from "~/components/forms";
import { SubmitButton } from "~/components/submit-once";
import { PendingInvitations, toPendingInvitationItems } from "~/components/pending-invitations";
import { InvitationAccountSchema, InvitationLinkDeclineSchema } from "~/modules/auth/auth-schemas";
import { createAccountFromInvitation, declineInvitationByToken, findInvitationByToken } from "~/modules/auth/invitations.server";
import { ROLE_LABELS } from "~/modules/auth/roles";
import { createUserSession, getSessionUser } from "~/modules/auth/session.server";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Invitation · AI Maturity & Governance Portal" }];

/** Signing in leads to one's invitations, not back here: the link's secret stays out of the query (and request logs). */
const SIGN_IN_TO_ANSWER = `/login?${new URLSearchParams({ redirectTo: "/invitations" })}`;

const CLOSED = "This invitation link no longer works: it was used, declined or revoked, or it expired. Ask for a new one.";

/** The link is the credential: a token that names no open invitation gets 404, whoever asks. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const invitation = findInvitationByToken(params.token ?? "");
  if (!invitation) return data({ invitation: null, viewer: null, pending: [] }, { status: 404 });
  const user = await getSessionUser(request);
  const isInvitee = user?.email === invitation.email;
  return {
    invitation: {
      orgName: invitation.orgName,
      role: invitation.role,
      email: invitation.email,
      invitedBy: invitation.invitedBy,
      expiresAt: invitation.expiresAt.toISOString(),
    },
    viewer: user ? { email: user.email, isInvitee } : null,
    pending: isInvitee ? toPendingInvitationItems([invitation]) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  if (!findInvitationByToken(token)) throw notFound(CLOSED);
  return runIntentAction(await readFormData(request), {
    // They just chose their password: signed in at once, as the sign-in form would, and into the organisation. One
    // whose pages refuse a password session (single sign-on required) sends them to sign in, saying the account is ready.
    "create-account": intent(
      InvitationAccountSchema,
      async (input) => {
        const joined = await createAccountFromInvitation(token, input);
        const organisation = `/orgs/${joined.orgSlug}`;
        if (!joined.passwordOpens) return redirect(`/login?${new URLSearchParams({ redirectTo: organisation, joined: "1" })}`);
        return createUserSession(request, joined.userId, organisation, { signedInBy: { email: joined.email, via: "invitation" } });
      },
      (response) => response,
    ),
    // The link is closed now: its own page would say "no longer works", so a page of its own says what happened.
    decline: intent(
      InvitationLinkDeclineSchema,
      () => declineInvitationByToken(token),
      () => redirect("/invitations/declined"),
    ),
  });
}

export default function InvitationLink() {
  const { invitation, viewer, pending } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (name: string): Record<string, string | undefined> =>
    result && !result.ok && result.intent === name ? (result.errors ?? {}) : {};
  const errors = errorsFor("create-account");
  const declineErrors = errorsFor("decline");
  if (!invitation) {
    return (
      <div className="card auth-card">
        <h1>Invitation</h1>
        <p>{CLOSED}</p>
      </div>
    );
  }
  return (
    <div className="card auth-card">
      <h1>Join {invitation.orgName}</h1>
      <p>
        You are invited to join <strong>{invitation.orgName}</strong> as <strong>{ROLE_LABELS[invitation.role]}</strong>
        {invitation.invitedBy ? <> by {invitation.invitedBy}</> : null}. The invitation is for{" "}
        <strong style={{ overflowWrap: "anywhere" }}>{invitation.email}</strong>.
      </p>
      {viewer ? (
        viewer.isInvitee ? (
          <PendingInvitations invitations={pending} />
        ) : (
          <p role="alert" className="form-error" style={{ overflowWrap: "anywhere" }}>
            You are signed in as {viewer.email}. Sign out, then open this link again to answer as {invitation.email}.
          </p>
        )
      ) : (
        <>
          <p>
            Already have an account with this email? <Link to={SIGN_IN_TO_ANSWER}>Sign in</Link> to accept.
          </p>
          <h2>New here? Choose your name and password</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="create-account" />
            <FormError error={errors.form} />
            <TextField label="Your name" name="name" autoComplete="name" required error={errors.name} />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              hint="At least 10 characters, mixing two of: lower case, upper case, digits, symbols."
              error={errors.password}
            />
            <TextField
              label="Password again"
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              required
              error={errors.confirmPassword}
            />
            <SubmitButton>Create my account and join</SubmitButton>
          </Form>
          <div style={{ marginTop: "1rem" }}>
            <ConfirmedAction
              id="decline"
              summary="Not for you, or not wanted? Decline the invitation…"
              intent="decline"
              fields={{}}
              confirmLabel={`Decline the invitation to ${invitation.orgName}`}
              submitLabel="Decline the invitation"
              error={declineErrors.confirm ?? declineErrors.form}
            >
              You do not join {invitation.orgName}, and this link stops working for good: joining later takes a new invitation from its
              administrators.
            </ConfirmedAction>
          </div>
        </>
      )}
    </div>
  );
}
