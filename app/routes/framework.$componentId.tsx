import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { FrameworkComponentDetails } from "~/components/framework-pages";
import { getSessionUser } from "~/modules/auth/session.server";
import { componentView, findFrameworkFor } from "~/modules/framework/framework";
import { notFound } from "~/utils/http";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.component.name ?? "Component"} · Framework` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  // Public for built-in versions; an uploaded one is for signed-in people only (404 otherwise).
  const framework = await findFrameworkFor(version, async () => !!(await getSessionUser(request)));
  const view = framework && componentView(framework, params.componentId);
  if (!view) throw notFound("No such framework component");
  return { ...view, versionQuery: version ? `?version=${encodeURIComponent(version)}` : "" };
}

export default function FrameworkComponentPage() {
  const view = useLoaderData<typeof loader>();
  return <FrameworkComponentDetails view={view} backHref={`/framework${view.versionQuery}`} />;
}
