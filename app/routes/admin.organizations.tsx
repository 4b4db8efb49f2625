import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { OrganizationCreateSchema } from "~/modules/auth/auth-schemas";
import { createOrganization, listAllOrganizations } from "~/modules/auth/organizations.server";
import { requireSiteAdmin } from "~/modules/auth/session.server";
import { runFormActionOnce } from "~/modules/http/submit-once.server";

export const meta: MetaFunction = () => [{ title: "Organisations · Site admin" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSiteAdmin(request);
  return {
    organizations: listAllOrganizations().map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireSiteAdmin(request);
  return runFormActionOnce(
    request,
    user.id,
    OrganizationCreateSchema,
    (input) => createOrganization(input, { type: "user", id: user.id, label: user.email }),
    (_output, input) => `Organisation "${input.name}" created with ${input.adminEmail} as its administrator.`,
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
        {result?.ok ? (
          <p className="notice" role="status">
            {result.notice}
          </p>
        ) : null}
        <Form method="post" noValidate>
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
            defaultValue={values.adminEmail}
            error={errors.adminEmail}
          />
          <TextField label="Administrator name" name="adminName" defaultValue={values.adminName} error={errors.adminName} />
          <TextField
            label="Administrator password"
            name="adminPassword"
            type="password"
            autoComplete="new-password"
            hint="Used only when the administrator has no account yet."
            required
            error={errors.adminPassword}
          />
          <SubmitButton>Create organisation</SubmitButton>
        </Form>
      </section>
    </>
  );
}
