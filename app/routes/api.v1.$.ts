import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { assessmentHandlers } from "~/api/assessments.server";
import { frameworkAndAuditHandlers } from "~/api/framework-and-audit.server";
import { governanceHandlers } from "~/api/governance.server";
import { registryHandlers } from "~/api/registry.server";
import { roadmapHandlers } from "~/api/roadmaps.server";
import { webhookHandlers } from "~/api/webhooks.server";
import { apiRouter } from "~/modules/http/api-router.server";

/**
 * The JSON API (`/api/v1/...`, documented at /api/v1/openapi.json). Its
 * endpoints' handlers live in app/api/, one module per part of the API, and
 * are routed by the endpoint list the OpenAPI document is built from.
 */
const handle = apiRouter({
  ...registryHandlers,
  ...governanceHandlers,
  ...assessmentHandlers,
  ...roadmapHandlers,
  ...frameworkAndAuditHandlers,
  ...webhookHandlers,
});

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
