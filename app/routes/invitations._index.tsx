import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult, FormError } from "~/components/forms";
import { PendingInvitations, toPendingInvitationItems } from "~/components/pending-invitations";
import { InvitationIdSchema } from "~/modules/auth/auth-schemas";
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
    decline: intent(InvitationIdSchema, (input) => declineInvitation(user, input.invitationId), "Invitation declined."),
  });
}

export default function Invitations() {
  const { invitations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Invitations</h1>
      <ActionResult result={result} />
      <FormError error={result?.errors?.invitationId} />
      <p className="muted">The administrator of an organisation invited you. You join only if you accept.</p>
      <PendingInvitations invitations={invitations} />
    </>
  );
}
