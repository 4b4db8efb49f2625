import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { MemberSessionsEndSchema } from "~/modules/auth/account-schemas";
import { endMemberSessions } from "~/modules/auth/account.server";
import { requireMember } from "~/modules/auth/membership.server";
import { DomainError } from "~/utils/errors";
import { readFormData } from "~/utils/form-action.server";
import { httpError, notFound } from "~/utils/http";
import { parseForm } from "~/utils/validation";

/**
 * An admin ends every session of a member (a lost laptop, a shared computer):
 * POST only, from the button on the members page, which it returns to. A GET
 * goes back to the members page.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  throw redirect(`/orgs/${org.slug}/admin`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["admin"]);
  const parsed = parseForm(await readFormData(request), MemberSessionsEndSchema);
  if (!parsed.ok) throw httpError(400, "Say whose sessions to end");
  try {
    endMemberSessions(org.id, parsed.data.userId, actor);
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") throw notFound(error.message);
    throw error;
  }
  throw redirect(`/orgs/${org.slug}/admin`);
}
