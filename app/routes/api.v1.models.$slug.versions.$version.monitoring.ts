import type { ActionFunctionArgs } from "@remix-run/node";
import { apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { recordMonitoringSnapshot } from "~/modules/registry/registry.server";
import { MonitoringSnapshotRecordSchema } from "~/modules/registry/registry-response-schemas";
import { MonitoringSnapshotSchema } from "~/modules/registry/registry-schemas";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, MonitoringSnapshotSchema);
    return created(
      MonitoringSnapshotRecordSchema,
      recordMonitoringSnapshot(token.orgId, params.slug ?? "", params.version ?? "", input, token.actor),
    );
  });
