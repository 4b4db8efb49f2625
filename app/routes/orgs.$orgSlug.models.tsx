import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { EmptyState } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";

export const meta: MetaFunction = () => [{ title: "Models" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireMember(request, params.orgSlug);
  return null;
}

export default function ModelsPage() {
  return (
    <EmptyState title="Models">
      <p>The model registry (models, versions, lifecycle stages and incidents) will live here. No models are registered yet.</p>
    </EmptyState>
  );
}
