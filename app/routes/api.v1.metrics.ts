import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRoute, methodNotAllowed, parseQuery, requireApiToken } from "~/modules/http/api.server";
import { cachedRegistryMetrics } from "~/modules/registry/metrics.server";
import { RegistryMetricsSchema } from "~/modules/registry/registry-response-schemas";
import { MetricsWindowSchema } from "~/modules/registry/registry-schemas";
import { currentQuarterRange } from "~/utils/quarters";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const window = parseQuery(request, MetricsWindowSchema);
    const quarter = currentQuarterRange();
    const range = { from: window.from ?? quarter.from, to: window.to ?? quarter.to };
    return apiJson(RegistryMetricsSchema, cachedRegistryMetrics(token.orgId, range));
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
