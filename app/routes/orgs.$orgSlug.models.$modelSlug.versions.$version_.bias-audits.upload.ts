import type { ActionFunctionArgs } from "@remix-run/node";
import { requireMember } from "~/modules/auth/membership.server";
import { biasAuditFormAction } from "~/modules/governance/bias-audit-upload.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { BIAS_AUDIT_RUNNERS } from "~/modules/governance/bias-audits.server";
import { notFound } from "~/utils/http";

/** The JSON twin of the upload form's action, for the upload with a progress bar. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, BIAS_AUDIT_RUNNERS);
  return biasAuditFormAction(request, org, params, actor, "json", (upload, run) => submitOnce(request, user.id, upload, run));
}

export async function loader() {
  throw notFound();
}
