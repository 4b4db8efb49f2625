import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { EmptyState } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";

export const meta: MetaFunction = () => [{ title: "Reviews" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireMember(request, params.orgSlug);
  return null;
}

export default function ReviewsPage() {
  return (
    <EmptyState title="Reviews">
      <p>Model cards, bias audits and approval requests waiting for review will appear here. Nothing is waiting.</p>
    </EmptyState>
  );
}
