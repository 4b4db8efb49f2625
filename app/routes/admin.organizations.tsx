import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { OneTimeResult } from "~/components/one-time-result";
import { FormError, TextField } from "~/components/forms";
import { SiteAdminTabs } from "~/components/site-admin-tabs";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { OrganizationAdminInviteSchema, OrganizationCreateSchema } from "~/modules/auth/auth-schemas";
import {
  createOrganizationWithInvitation,
  invitationCreatedNotice,
  INVITATION_SHOWN_ONCE,
  invitationPath,
  inviteOrganizationAdministrator,
  pendingAdministratorInvitations,
} from "~/modules/auth/invitations.server";
import { listAllOrganizations } from "~/modules/auth/organizations.server";
import { requireSiteAdmin } from "~/modules/auth/session.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { formatDate } from "~/utils/format";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Organisations · Site admin" }];

/** The state of the administrator invitation of an organisation without an active administrator. */
type AdminInvitationState = "none" | "pending" | "expired";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSiteAdmin(request);
  const organizations = listAllOrganizations();
  const now = new Date();
  const pending = pendingAdministratorInvitations(organizations.filter((o) => o.admins === 0).map((o) => o.id));
  return {
    organizations: organizations.map((o) => {
      const until = pending.get(o.id);
      // Without an active administrator, no one but a site administrator can invite anyone in.
      const adminInvitation: AdminInvitationState | null = o.admins > 0 ? null : !until ? "none" : until > now ? "pending" : "expired";
      return { ...o, createdAt: o.createdAt.toISOString(), adminInvitation, invitationEnds: until?.toISOString() ?? null };
    }),
  };
}

/** What a repeated form says instead of the invitation link, which only the first answer showed. */
const SHOWN_ONCE =
  "Done already: this form was sent twice; the organisation was created once, and its invitation link was shown to the first sending only.";

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireSiteAdmin(request);
  const actor = { type: "user" as const, id: user.id, label: user.email };
  const origin = new URL(request.url).origin;
  const formData = await readFormData(request);
  // A post without an intent creates an organisation, as the form did before it had one.
  if (!formData.has("intent")) formData.set("intent", "create");
  // Both forms carry a one-time token: sent twice, they create once, and the first link keeps working.
  return submitOnce(
    request,
    user.id,
    formData,
    () =>
      runIntentAction(formData, {
        // The same answers whether or not an account exists for the email: the administrator joins by accepting.
        create: intent(
          OrganizationCreateSchema,
          (input) => createOrganizationWithInvitation(input, actor),
          ({ org, invitation }) => ({
            notice: `Organisation "${org.name}" created. Its administrator joins by accepting the invitation. ${invitationCreatedNotice(`Invitation for ${invitation.email}`)}`,
            reveal: origin + invitationPath(invitation.token),
          }),
        ),
        "invite-admin": intent(
          OrganizationAdminInviteSchema,
          (input) => inviteOrganizationAdministrator(input.orgId, input.email, actor),
          ({ org, invitation }) => ({
            notice: invitationCreatedNotice(`Invitation for ${invitation.email} to administer "${org.name}"`),
            reveal: origin + invitationPath(invitation.token),
          }),
        ),
      }),
    formData.get("intent") === "invite-admin" ? INVITATION_SHOWN_ONCE : SHOWN_ONCE,
  );
}

/** What an organisation without an active administrator shows, by the state of its administrator invitation. */
function adminInvitationText(state: AdminInvitationState, ends: string | null): string {
  if (state === "pending") return `No administrator yet: invitation pending until ${formatDate(ends)}`;
  if (state === "expired") return `No administrator yet: invitation expired on ${formatDate(ends)}`;
  return "No administrator yet: no invitation pending";
}

export default function SiteOrganizations() {
  const { organizations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const forIntent = (name: string) => (result?.intent === name ? result : undefined);
  const created = forIntent("create");
  const invited = forIntent("invite-admin");
  const errors: Record<string, string | undefined> = created?.errors ?? {};
  const values: Record<string, string | undefined> = created?.values ?? {};
  const inviteErrors: Record<string, string | undefined> = invited?.errors ?? {};
  const inviteValues: Record<string, string | undefined> = invited?.values ?? {};
  const withoutAdmin = organizations.filter((org) => org.adminInvitation !== null);
  return (
    <>
      <h1>Organisations</h1>
      <SiteAdminTabs />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Members</th>
              <th scope="col">Administrator</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {organizations.map((org) => (
              <tr key={org.id}>
                <td>
                  <Link to={`/orgs/${org.slug}`}>{org.name}</Link>
                </td>
                <td className="mono">{org.slug}</td>
                <td>{org.members}</td>
                <td>
                  {org.adminInvitation === null ? (
                    org.admins
                  ) : (
                    // Short here, so the table stays narrow on a phone; the organisation's card below says the rest.
                    <a href={`#invite-${org.id}`}>None yet</a>
                  )}
                </td>
                <td>{org.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {withoutAdmin.length > 0 || invited ? (
        <section style={{ marginTop: "1.5rem", maxWidth: 520 }} aria-labelledby="no-admin">
          <h2 id="no-admin">Organisations without an administrator</h2>
          <p className="hint">
            Until someone accepts an administrator invitation, no one can invite people into these organisations. Invite an administrator
            again if the first invitation was lost or expired: any earlier link for the same email stops working.
          </p>
          {invited?.ok ? <OneTimeResult notice={invited.notice} value={invited.reveal} testId="invitation-link" /> : null}
          {/* Here when the refused form is not on the page (its organisation has an administrator now). */}
          <FormError
            error={
              invited && !invited.ok && !withoutAdmin.some((org) => String(org.id) === inviteValues.orgId)
                ? (inviteErrors.form ?? inviteErrors.orgId)
                : undefined
            }
          />
          {withoutAdmin.map((org) => {
            const mine = inviteValues.orgId === String(org.id);
            return (
              <section key={org.id} id={`invite-${org.id}`} className="card" aria-labelledby={`invite-${org.id}-name`}>
                <h3 id={`invite-${org.id}-name`}>{org.name}</h3>
                <p>{adminInvitationText(org.adminInvitation!, org.invitationEnds)}</p>
                {/* A new form after each invitation, so the next one starts empty. */}
                <Form method="post" noValidate key={invited?.ok ? invited.reveal : "invite"}>
                  <FormError error={mine ? inviteErrors.form : undefined} />
                  <input type="hidden" name="intent" value="invite-admin" />
                  <input type="hidden" name="orgId" value={org.id} />
                  <SubmissionToken />
                  <TextField
                    label="Administrator email"
                    name="email"
                    type="email"
                    required
                    defaultValue={mine ? inviteValues.email : undefined}
                    error={mine ? inviteErrors.email : undefined}
                  />
                  <SubmitButton>Invite an administrator</SubmitButton>
                </Form>
              </section>
            );
          })}
        </section>
      ) : null}
      <section className="card" style={{ marginTop: "1.5rem", maxWidth: 520 }} aria-labelledby="new-org">
        <h2 id="new-org">Create an organisation</h2>
        {created?.ok ? <OneTimeResult notice={created.notice} value={created.reveal} testId="invitation-link" /> : null}
        {/* A new form after each organisation, so the next one starts empty. */}
        <Form method="post" noValidate key={created?.ok ? created.reveal : "create"}>
          <FormError error={errors.form} />
          <input type="hidden" name="intent" value="create" />
          <SubmissionToken />
          <TextField label="Name" name="name" required defaultValue={values.name} error={errors.name} />
          <TextField
            label="Slug"
            name="slug"
            required
            hint="Used in addresses: /orgs/your-slug"
            defaultValue={values.slug}
            error={errors.slug}
          />
          <TextField
            label="Administrator email"
            name="adminEmail"
            type="email"
            required
            hint="They are invited, and join once they accept: after signing in, or through the link shown here, where a new person chooses their own password."
            defaultValue={values.adminEmail}
            error={errors.adminEmail}
          />
          <SubmitButton>Create organisation</SubmitButton>
        </Form>
      </section>
    </>
  );
}
