import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/forms";
import { ROLE_LABELS } from "~/modules/auth/roles";
import { listUserOrganizations } from "~/modules/auth/membership.server";
import { requireUser } from "~/modules/auth/session.server";
import { OrgSlugSchema } from "~/modules/auth/auth-schemas";

/** Lists the signed-in user's organisations; `?org=slug` (the header switcher) jumps to one. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const wanted = OrgSlugSchema.safeParse(new URL(request.url).searchParams.get("org"));
  if (wanted.success) throw redirect(`/orgs/${wanted.data}`);
  return { organizations: listUserOrganizations(user.id) };
}

export default function Organisations() {
  const { organizations } = useLoaderData<typeof loader>();
  if (organizations.length === 0) {
    return (
      <EmptyState title="You do not belong to an organisation yet">
        <p>Ask an administrator of your organisation to add you as a member.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <h1>Your organisations</h1>
      <ul>
        {organizations.map((org) => (
          <li key={org.slug}>
            <Link to={`/orgs/${org.slug}`}>{org.name}</Link> <span className="role-badge">{ROLE_LABELS[org.role]}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
