import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { FrameworkOverview } from "~/components/framework-pages";
import { getSessionUser } from "~/modules/auth/session.server";
import { findFrameworkFor } from "~/modules/framework/framework";
import { notFound } from "~/utils/http";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.framework.name ?? "Framework"} maturity framework` },
  { name: "description", content: data?.framework.summary ?? "" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  // Public for built-in versions; an uploaded one is for signed-in people only (404 otherwise).
  const framework = await findFrameworkFor(version, async () => !!(await getSessionUser(request)));
  if (!framework) throw notFound("No framework with that version");
  // Component links keep the version asked for.
  return { framework, versionQuery: version ? `?version=${encodeURIComponent(version)}` : "" };
}

export default function FrameworkOverviewPage() {
  const { framework, versionQuery } = useLoaderData<typeof loader>();
  return <FrameworkOverview framework={framework} componentHref={(id) => `/framework/${id}${versionQuery}`} />;
}
