import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult, FormError } from "~/components/forms";
import { PendingInvitations, toPendingInvitationItems } from "~/components/pending-invitations";
import { InvitationDeclineSchema, InvitationIdSchema } from "~/modules/auth/auth-schemas";
import { acceptInvitation, declineInvitation, listPendingInvitationsForUser } from "~/modules/auth/invitations.server";
import { requireUser } from "~/modules/auth/session.server";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Invitations · AI Maturity & Governance Portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { invitations: toPendingInvitationItems(listPendingInvitationsForUser(user)) };
}

/** Only invitations addressed to the signed-in person's email can be answered; any other id is not found. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return runIntentAction(await readFormData(request), {
    accept: intent(
      InvitationIdSchema,
      (input) => acceptInvitation(user, input.invitationId),
      (joined) => redirect(`/orgs/${joined.orgSlug}`),
    ),
    decline: intent(InvitationDeclineSchema, (input) => declineInvitation(user, input.invitationId), "Invitation declined."),
  });
}

export default function Invitations() {
  const { invitations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // A refused decline shows in its invitation while that is listed; anything else up here.
  const refused = result && !result.ok ? result : undefined;
  const declining = refused?.intent === "decline" ? invitations.find((i) => String(i.id) === refused.values?.invitationId) : undefined;
  const declineError = (invitationId: number) =>
    declining?.id === invitationId ? (refused?.errors?.confirm ?? refused?.errors?.invitationId) : undefined;
  return (
    <>
      <h1>Invitations</h1>
      <ActionResult result={result} />
      {declining ? null : <FormError error={refused?.errors?.invitationId ?? refused?.errors?.confirm} />}
      <p className="muted">The administrator of an organisation invited you. You join only if you accept.</p>
      <PendingInvitations invitations={invitations} declineError={declineError} />
    </>
  );
}
