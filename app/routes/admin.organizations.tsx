import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { NoticeWithLink } from "~/components/notice-with-link";
import { FormError, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { OrganizationCreateSchema } from "~/modules/auth/auth-schemas";
import { createOrganizationWithInvitation, INVITATION_LIFETIME_DAYS, invitationPath } from "~/modules/auth/invitations.server";
import { listAllOrganizations } from "~/modules/auth/organizations.server";
import { requireSiteAdmin } from "~/modules/auth/session.server";
import { runFormActionOnce } from "~/modules/http/submit-once.server";

export const meta: MetaFunction = () => [{ title: "Organisations · Site admin" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSiteAdmin(request);
  return {
    organizations: listAllOrganizations().map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })),
  };
}

/** What a repeated form says instead of the invitation link, which only the first answer showed. */
const SHOWN_ONCE =
  "Done already: this form was sent twice; the organisation was created once, and its invitation link was shown to the first sending only.";

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireSiteAdmin(request);
  const origin = new URL(request.url).origin;
  return runFormActionOnce(
    request,
    user.id,
    OrganizationCreateSchema,
    (input) => createOrganizationWithInvitation(input, { type: "user", id: user.id, label: user.email }),
    // The same answer whether or not an account exists for the email: the administrator joins by accepting.
    ({ org, invitation }) => ({
      notice: `Organisation "${org.name}" created. Its administrator joins by accepting the invitation for ${invitation.email}: copy this link and send it to them; it works once, for ${INVITATION_LIFETIME_DAYS} days. If they already have an account, they can also accept after signing in, under Invitations.`,
      reveal: origin + invitationPath(invitation.token),
    }),
    SHOWN_ONCE,
  );
}

export default function SiteOrganizations() {
  const { organizations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const values: Record<string, string | undefined> = result?.values ?? {};
  return (
    <>
      <h1>Organisations</h1>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Members</th>
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
                <td>{org.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section className="card" style={{ marginTop: "1.5rem", maxWidth: 520 }} aria-labelledby="new-org">
        <h2 id="new-org">Create an organisation</h2>
        {result?.ok ? <NoticeWithLink notice={result.notice} link={result.reveal} /> : null}
        {/* A new form after each organisation, so the next one starts empty. */}
        <Form method="post" noValidate key={result?.ok ? result.reveal : "create"}>
          <FormError error={errors.form} />
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
