import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { EmptyState } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";

export const meta: MetaFunction = () => [{ title: "Roadmaps" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireMember(request, params.orgSlug);
  return null;
}

export default function RoadmapsPage() {
  return (
    <EmptyState title="Roadmaps">
      <p>Improvement roadmaps generated from finalised assessments will live here. There are none yet.</p>
    </EmptyState>
  );
}
