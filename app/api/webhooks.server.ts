import { z } from "zod";
import type { ApiScope } from "~/modules/auth/api-scopes";
import {
  apiError,
  apiJson,
  created,
  noContent,
  parseBody,
  pathId,
  readJsonBody,
  requireApiToken,
  type ApiIssue,
} from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";
import { EVENT_TYPES, type EventType } from "~/modules/notifications/notification-constants";
import { CreatedWebhookSchema, WebhookDeliveryListSchema, WebhookListSchema } from "~/modules/notifications/notification-response-schemas";
import { WebhookCreateSchema } from "~/modules/notifications/notification-schemas";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
} from "~/modules/notifications/webhooks.server";

/**
 * The read scope each event needs: a webhook never carries more than the
 * token that registers it may read. (Typed as ApiScope: an event naming a
 * scope that does not exist fails to compile.)
 */
function readScopeOf(type: EventType): ApiScope | null {
  return EVENT_TYPES[type].scope;
}

/** One issue per event, at its index in the body as sent, whose read scope the token lacks. */
function missingEventScopes(events: readonly EventType[], scopes: readonly ApiScope[]): ApiIssue[] {
  return events.flatMap((type, index) => {
    const scope = readScopeOf(type);
    return scope && !scopes.includes(scope)
      ? [{ path: `events.${index}`, message: `Receiving ${type} needs the ${scope} scope, which this token lacks` }]
      : [];
  });
}

/** Webhook endpoints registered by pipelines, and their delivery logs. */
export const webhookHandlers = {
  createWebhook: async ({ request }) => {
    const token = requireApiToken(request, "webhooks:write");
    // Read as sent first: refusals name each event by its index in the body, before repeats are dropped.
    const body = await readJsonBody(request, z.object({}).passthrough());
    const input = parseBody(body, WebhookCreateSchema);
    const missing = missingEventScopes(body.events as EventType[], token.scopes);
    if (missing.length) throw apiError(403, "forbidden", "This token lacks the read scope of some of these events", missing);
    return created(CreatedWebhookSchema, createWebhookEndpoint(token.orgId, input, token.actor));
  },

  listWebhooks: ({ request }) => {
    const token = requireApiToken(request, "webhooks:read");
    return apiJson(WebhookListSchema, { webhooks: listWebhookEndpoints(token.orgId) });
  },

  deleteWebhook: ({ request, params }) => {
    const token = requireApiToken(request, "webhooks:write");
    deleteWebhookEndpoint(token.orgId, pathId(params.id), token.actor);
    return noContent();
  },

  listWebhookDeliveries: ({ request, params }) => {
    const token = requireApiToken(request, "webhooks:read");
    return apiJson(WebhookDeliveryListSchema, { deliveries: listWebhookDeliveries(token.orgId, pathId(params.id)) });
  },
} satisfies ApiHandlers;
