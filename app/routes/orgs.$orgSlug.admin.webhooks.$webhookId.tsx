import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ActionResult } from "~/components/forms";
import { AppLink } from "~/components/link";
import { TableScroll } from "~/components/table";
import { AttemptError, attemptOutcome, eventTypeLabel, WEBHOOK_NOTICES, WebhookButtons, WebhookFacts } from "~/components/webhooks";
import { requireMember } from "~/modules/auth/membership.server";
import { WebhookIdSchema } from "~/modules/notifications/admin-page-schemas";
import { webhookEndpointStates } from "~/modules/notifications/outbox-log.server";
import { enableWebhookEndpoint, getWebhookEndpoint, listWebhookDeliveries, sendTestEvent } from "~/modules/notifications/webhooks.server";
import { DomainError } from "~/utils/errors";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Webhook delivery log · Admin" }];

/** How many attempts the log shows, newest first. */
const LOG_LENGTH = 100;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  const parsed = WebhookIdSchema.safeParse({ webhookId: params.webhookId });
  if (!parsed.success) throw notFound("Webhook not found");
  const id = parsed.data.webhookId;
  try {
    const endpoint = getWebhookEndpoint(org.id, id);
    const state = webhookEndpointStates(org.id, [id]).get(id)!;
    return { org, webhook: { ...endpoint, ...state }, deliveries: listWebhookDeliveries(org.id, id, LOG_LENGTH) };
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") throw notFound(error.message);
    throw error;
  }
}

/** The endpoint's buttons (the form names the webhook, as on the list page); deleting is on the list page. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["admin"]);
  const formData = await readFormData(request);
  return runIntentAction(formData, {
    "send-test": intent(WebhookIdSchema, (input) => sendTestEvent(org.id, input.webhookId, actor), WEBHOOK_NOTICES.testSent),
    enable: intent(WebhookIdSchema, (input) => enableWebhookEndpoint(org.id, input.webhookId, actor), WEBHOOK_NOTICES.enabled),
  });
}

export default function WebhookDeliveryLog() {
  const { org, webhook, deliveries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      <p>
        <AppLink to={`/orgs/${org.slug}/admin/webhooks`}>← All webhooks</AppLink>
      </p>
      <ActionResult result={result} />
      <section className="card webhook-card" aria-labelledby="webhook-title">
        <h2 id="webhook-title" className="mono">
          {webhook.url}
        </h2>
        {webhook.description ? <p>{webhook.description}</p> : null}
        <WebhookFacts webhook={webhook} />
        <div className="inline-form">
          <WebhookButtons webhook={webhook} />
        </div>
      </section>

      <h2 style={{ marginTop: "1.5rem" }}>Delivery log</h2>
      <p className="muted">
        Every attempt to deliver a message to this endpoint, newest first (the latest {LOG_LENGTH}). The message id is the{" "}
        <code>webhook-id</code> header the receiver got: a retry repeats it, so receivers can drop duplicates.
      </p>
      {deliveries.length === 0 ? (
        <p className="muted">No delivery attempts yet. Send a test event to try the endpoint.</p>
      ) : (
        <TableScroll label="Delivery attempts">
          <table className="delivery-table">
            <caption className="visually-hidden">Delivery attempts to {webhook.url}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Result</th>
                <th scope="col">Response time</th>
                <th scope="col">Error</th>
                <th scope="col">Message id</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d, index) => (
                <tr key={`${d.messageId}-${d.attemptedAt}-${index}`} data-testid="delivery-attempt">
                  <td className="when-cell">{formatDateTime(d.attemptedAt)}</td>
                  <td className="words-cell">
                    {eventTypeLabel(d.eventType)}
                    <div className="muted mono">{d.eventType}</div>
                  </td>
                  <td className={d.ok ? "ok-text" : "bad-text"}>{attemptOutcome(d)}</td>
                  <td className="nowrap">{d.durationMs} ms</td>
                  <td className="prose-cell">{d.error ? <AttemptError error={d.error} /> : "—"}</td>
                  <td className="mono address-cell">{d.messageId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
