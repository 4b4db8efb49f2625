import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { FormError, SelectField, TextField } from "~/components/forms";
import { MemberAddSchema, MemberRemoveSchema, RoleChangeSchema, UserCreateSchema, UserDeactivateSchema } from "~/modules/auth/auth-schemas";
import { requireMember } from "~/modules/auth/membership.server";
import {
  addMember,
  changeRole,
  createUserInOrganization,
  deactivateUser,
  listMembers,
  removeMember,
} from "~/modules/auth/organizations.server";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "~/modules/auth/roles";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Members · Admin" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, user } = await requireMember(request, params.orgSlug, ["admin"]);
  return {
    org,
    currentUserId: user.id,
    members: listMembers(org.id).map((m) => ({ ...m, since: m.since.toISOString() })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["admin"]);
  return runIntentAction(await readFormData(request), {
    "create-user": intent(UserCreateSchema, (input) => createUserInOrganization(org.id, input, actor), "User created and added."),
    "add-member": intent(MemberAddSchema, (input) => addMember(org.id, input, actor), "Member added."),
    "change-role": intent(RoleChangeSchema, (input) => changeRole(org.id, input.userId, input.role, actor), "Role changed."),
    "remove-member": intent(MemberRemoveSchema, (input) => removeMember(org.id, input.userId, actor), "Member removed."),
    "deactivate-user": intent(
      UserDeactivateSchema,
      (input) => deactivateUser(org.id, input.userId, actor),
      "User deactivated; their sessions have ended.",
    ),
  });
}

const roleOptions = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

export default function MembersAdmin() {
  const { org, members, currentUserId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? (result.errors ?? {}) : {});
  const valuesFor = (intent: string) => (result && !result.ok && result.intent === intent ? (result.values ?? {}) : {});
  const rowErrors = { ...errorsFor("change-role"), ...errorsFor("remove-member"), ...errorsFor("deactivate-user") };
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      {result?.ok ? (
        <p className="notice" role="status">
          {result.notice}
        </p>
      ) : null}
      <FormError error={rowErrors.userId ?? rowErrors.form ?? rowErrors.role} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Members of this organisation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>{member.name}</td>
                <td>{member.email}</td>
                <td>
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
                    <button type="submit" className="small secondary">
                      Change
                    </button>
                  </Form>
                </td>
                <td>{member.active ? "Active" : "Deactivated"}</td>
                <td className="inline-form">
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove-member" />
                    <input type="hidden" name="userId" value={member.userId} />
                    <button type="submit" className="small danger" aria-label={`Remove ${member.email}`}>
                      Remove
                    </button>
                  </Form>
                  {member.active && member.userId !== currentUserId ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="deactivate-user" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <button type="submit" className="small danger" aria-label={`Deactivate ${member.email}`}>
                        Deactivate
                      </button>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="grid" style={{ marginTop: "1.5rem" }}>
        <section className="card" aria-labelledby="create-user-title">
          <h2 id="create-user-title">Create a user</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="create-user" />
            <FormError error={errorsFor("create-user").form} />
            <TextField
              label="Name"
              name="name"
              required
              defaultValue={valuesFor("create-user").name}
              error={errorsFor("create-user").name}
            />
            <TextField
              label="Email"
              name="email"
              type="email"
              required
              defaultValue={valuesFor("create-user").email}
              error={errorsFor("create-user").email}
            />
            <TextField
              label="Initial password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              hint="At least 10 characters, mixing two of: lower case, upper case, digits, symbols."
              error={errorsFor("create-user").password}
            />
            <SelectField
              label="Role"
              name="role"
              options={roleOptions}
              defaultValue={valuesFor("create-user").role ?? "team"}
              error={errorsFor("create-user").role}
            />
            <button type="submit">Create user</button>
          </Form>
        </section>
        <section className="card" aria-labelledby="add-member-title">
          <h2 id="add-member-title">Add an existing account</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="add-member" />
            <FormError error={errorsFor("add-member").form} />
            <TextField
              label="Email"
              name="email"
              type="email"
              required
              defaultValue={valuesFor("add-member").email}
              error={errorsFor("add-member").email}
            />
            <SelectField
              label="Role"
              name="role"
              options={roleOptions}
              defaultValue={valuesFor("add-member").role ?? "team"}
              error={errorsFor("add-member").role}
            />
            <button type="submit">Add member</button>
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
