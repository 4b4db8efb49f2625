import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { EmptyState } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";

export const meta: MetaFunction = () => [{ title: "Assessments" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireMember(request, params.orgSlug);
  return null;
}

export default function AssessmentsPage() {
  return (
    <EmptyState title="Assessments">
      <p>Quarterly maturity assessments of the Technology &amp; Operations dimension will live here. None have been run for this organisation yet.</p>
    </EmptyState>
  );
}
