import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiRoute, methodNotAllowed, parseQuery, requireApiToken } from "~/modules/http/api.server";
import { computeRegistryMetrics } from "~/modules/registry/metrics.server";
import { MetricsWindowSchema } from "~/modules/registry/registry-schemas";
import { currentQuarterRange } from "~/utils/quarters";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const window = parseQuery(request, MetricsWindowSchema);
    const quarter = currentQuarterRange();
    return computeRegistryMetrics(token.orgId, { from: window.from ?? quarter.from, to: window.to ?? quarter.to });
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
