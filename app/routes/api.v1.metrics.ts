import type { LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { apiRoute, methodNotAllowed, parseQuery, requireApiToken } from "~/modules/http/api.server";
import { MetricsWindowSchema } from "~/modules/registry/registry-schemas";
import { currentQuarterRange } from "~/utils/quarters";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const window = parseQuery(request, MetricsWindowSchema);
    const quarter = currentQuarterRange();
    const range = { from: window.from ?? quarter.from, to: window.to ?? quarter.to };
    return cached.registryMetrics(token.orgId, range);
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
