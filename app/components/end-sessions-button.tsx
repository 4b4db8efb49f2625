import { Form } from "@remix-run/react";

/** For a member's row on the members page: an admin ends every session of that person (`/orgs/:org/admin/sessions`). */
export function EndMemberSessionsButton({ orgSlug, userId, name }: { orgSlug: string; userId: number; name: string }) {
  return (
    <Form method="post" action={`/orgs/${orgSlug}/admin/sessions`} className="inline-form">
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="small secondary" aria-label={`Sign ${name} out everywhere`}>
        Sign out everywhere
      </button>
    </Form>
  );
}
