import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ConfirmedAction } from "~/components/confirmed-action";
import { ActionResult, FormError, TextField } from "~/components/forms";
import { AppLink } from "~/components/link";
import { OneTimeResult } from "~/components/one-time-result";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { WEBHOOK_NOTICES, WebhookButtons, WebhookFacts } from "~/components/webhooks";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { WebhookDeleteSchema, WebhookFormSchema, WebhookIdSchema } from "~/modules/notifications/admin-page-schemas";
import { EVENT_TYPE_LABELS, WEBHOOK_EVENT_TYPES } from "~/modules/notifications/notification-constants";
import { webhookEndpointStates } from "~/modules/notifications/outbox-log.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  listWebhookEndpoints,
  sendTestEvent,
} from "~/modules/notifications/webhooks.server";
import { env } from "~/utils/env.server";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { submittedValues } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Webhooks · Admin" }];

/** A repeat of the register form gets this instead of the secret, which only the first answer showed. */
const SECRET_SHOWN_ONCE =
  "Done already: this form was sent twice, and the signing secret went to the first sending. If you did not copy it, delete the webhook and register it again.";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  const endpoints = listWebhookEndpoints(org.id);
  const states = webhookEndpointStates(
    org.id,
    endpoints.map((e) => e.id),
  );
  return {
    org,
    webhooks: endpoints.map((e) => ({ ...e, ...states.get(e.id)! })),
    // Said beside the URL field, so an admin does not register a receiver the portal will refuse to reach.
    privateReceiversAllowed: env().WEBHOOK_ALLOW_PRIVATE,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, ["admin"]);
  const formData = await readFormData(request);
  // Registering carries a one-time token: sent twice, it registers one endpoint (the replay cannot show its secret again).
  return submitOnce(
    request,
    user.id,
    formData,
    () =>
      runIntentAction(formData, {
        create: intent(
          WebhookFormSchema,
          (input) => createWebhookEndpoint(org.id, input, actor),
          (created) => ({
            notice: `Webhook registered for ${created.url}. Copy its signing secret now: it is shown only this once.`,
            reveal: created.secret,
          }),
        ),
        "send-test": intent(WebhookIdSchema, (input) => sendTestEvent(org.id, input.webhookId, actor), WEBHOOK_NOTICES.testSent),
        enable: intent(WebhookIdSchema, (input) => enableWebhookEndpoint(org.id, input.webhookId, actor), WEBHOOK_NOTICES.enabled),
        delete: intent(
          WebhookDeleteSchema,
          (input) => deleteWebhookEndpoint(org.id, input.webhookId, actor),
          "Webhook deleted: nothing more is sent to it, and the messages that were waiting for it were dropped.",
        ),
      }),
    SECRET_SHOWN_ONCE,
  );
}

export default function Webhooks() {
  const { org, webhooks, privateReceiversAllowed } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = (name: string) => (result && !result.ok && result.intent === name ? result : undefined);
  const created = result?.ok && result.intent === "create" ? result : undefined;
  const createErrors: Record<string, string | undefined> = failed("create")?.errors ?? {};
  const typed = failed("create")?.values ?? {};
  const ticked = submittedValues(failed("create"), "events");
  // A bad event name reports at `events.<n>`: shown under the checkboxes like a missing one.
  const eventsError = createErrors.events ?? Object.entries(createErrors).find(([key]) => key.startsWith("events."))?.[1];
  const deleteErrors: Record<string, string | undefined> = failed("delete")?.errors ?? {};
  const deleting = failed("delete")?.values?.webhookId;
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      {created ? (
        <OneTimeResult notice={created.notice} value={created.reveal} testId="webhook-secret">
          {created.reveal ? (
            <p>Receivers verify each delivery&rsquo;s signature with it; the portal stores it sealed and cannot show it again.</p>
          ) : null}
        </OneTimeResult>
      ) : (
        <ActionResult result={failed("create") ? undefined : result} />
      )}
      <p>
        The portal sends each event of this organisation that an endpoint subscribes to as an HTTP POST with a JSON body, signed per the{" "}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specification (headers <code>webhook-id</code>,{" "}
        <code>webhook-timestamp</code> and <code>webhook-signature</code>). Failed deliveries are retried with growing waits; an endpoint
        whose deliveries all fail for 24 hours is turned off and the administrators are told. Pipelines can register endpoints too, through{" "}
        <code>/api/v1/webhooks</code>.
      </p>

      <h2>Endpoints ({webhooks.length})</h2>
      {webhooks.length === 0 ? <p className="muted">No webhooks yet: register one below.</p> : null}
      {webhooks.map((webhook) => (
        <section key={webhook.id} className="card webhook-card" aria-labelledby={`webhook-${webhook.id}`}>
          <h3 id={`webhook-${webhook.id}`} className="mono">
            {webhook.url}
          </h3>
          {webhook.description ? <p>{webhook.description}</p> : null}
          <WebhookFacts webhook={webhook} />
          <div className="inline-form">
            <WebhookButtons webhook={webhook} />
            <AppLink to={`/orgs/${org.slug}/admin/webhooks/${webhook.id}`}>Delivery log</AppLink>
          </div>
          <ConfirmedAction
            id={`delete-webhook-${webhook.id}`}
            summary="Delete this webhook"
            intent="delete"
            fields={{ webhookId: webhook.id }}
            confirmLabel="I understand: deliveries stop and waiting messages are dropped"
            submitLabel="Delete the webhook"
            submitAriaLabel={`Delete the webhook ${webhook.url}`}
            error={deleting === String(webhook.id) ? deleteErrors.confirm : undefined}
          >
            Deleting stops every delivery to this URL at once.{" "}
            {webhook.waiting > 0
              ? `The ${webhook.waiting === 1 ? "message" : `${webhook.waiting} messages`} still waiting for it will be dropped (shown as failed under Deliveries).`
              : "No message is waiting for it."}{" "}
            Its messages stay listed under Deliveries. This cannot be undone: to receive events again, register the URL anew, with a new
            secret.
          </ConfirmedAction>
        </section>
      ))}
      <FormError error={failed("send-test")?.errors?.form ?? failed("enable")?.errors?.form ?? deleteErrors.form} />

      <section className="card" style={{ marginTop: "1.5rem", maxWidth: 720 }} aria-labelledby="register-title">
        <h2 id="register-title">Register a webhook</h2>
        {/* A new, empty form after each registration. */}
        <Form method="post" noValidate key={created ? `created-${webhooks[0]?.id}` : "create"}>
          <input type="hidden" name="intent" value="create" />
          <SubmissionToken />
          <FormError error={createErrors.form} />
          <TextField
            label="URL"
            name="url"
            type="url"
            required
            defaultValue={typed.url}
            error={createErrors.url}
            hint={
              privateReceiversAllowed
                ? "Where the portal POSTs events, e.g. https://hooks.example.com/portal"
                : "Where the portal POSTs events, e.g. https://hooks.example.com/portal. It must be reachable on the internet: addresses on private networks, loopback (localhost) and link-local addresses are refused."
            }
          />
          <fieldset className="event-choices" aria-describedby={eventsError ? "events-error" : undefined}>
            <legend>Events</legend>
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <label key={type}>
                <input type="checkbox" name="events" value={type} defaultChecked={ticked.includes(type)} /> {EVENT_TYPE_LABELS[type]}{" "}
                <code className="muted">{type}</code>
              </label>
            ))}
            {eventsError ? (
              <p id="events-error" className="field-error">
                {eventsError}
              </p>
            ) : null}
          </fieldset>
          <TextField
            label="Description"
            name="description"
            defaultValue={typed.description}
            error={createErrors.description}
            hint="Optional: what receives it, e.g. the ticketing system"
          />
          <SubmitButton>Register webhook</SubmitButton>
        </Form>
      </section>
    </>
  );
}
