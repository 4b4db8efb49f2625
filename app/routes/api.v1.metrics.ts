import type { LoaderFunctionArgs } from "@remix-run/node";
import { cached } from "~/data-cache.server";
import { apiJson, apiRoute, methodNotAllowed, parseQuery, requireApiToken } from "~/modules/http/api.server";
import { RegistryMetricsSchema } from "~/modules/registry/registry-response-schemas";
import { MetricsWindowSchema } from "~/modules/registry/registry-schemas";
import { currentQuarterRange } from "~/utils/quarters";

export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
    const token = requireApiToken(request, "registry:read");
    const window = parseQuery(request, MetricsWindowSchema);
    const quarter = currentQuarterRange();
    const range = { from: window.from ?? quarter.from, to: window.to ?? quarter.to };
    return apiJson(RegistryMetricsSchema, cached.registryMetrics(token.orgId, range));
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
