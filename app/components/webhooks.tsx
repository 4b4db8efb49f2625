import { Form } from "@remix-run/react";
import { attemptErrorInWords } from "~/modules/notifications/delivery";
import { EVENT_TYPE_LABELS, type EventType } from "~/modules/notifications/notification-constants";
import { formatDateTime } from "~/utils/format";

/** A webhook endpoint as the organisation admin's pages show it (loader data). */
export type WebhookView = {
  id: number;
  url: string;
  events: string[];
  description: string;
  createdBy: string;
  createdAt: string;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  lastAttempt: { attemptedAt: string; ok: boolean; statusCode: number | null; durationMs: number; error: string | null } | null;
  waiting: number;
  enabledAt: string | null;
};

/** What the buttons of the webhooks pages say once done. */
export const WEBHOOK_NOTICES = {
  testSent: "Test event queued: it is sent within seconds. Its delivery shows in the endpoint's delivery log.",
  enabled: "Webhook turned back on: the messages held for it are sent again.",
} as const;

export const eventTypeLabel = (type: string) => EVENT_TYPE_LABELS[type as EventType] ?? type;

/** An attempt's outcome in a few words: the HTTP status, or that there was none. */
export function attemptOutcome(attempt: { ok: boolean; statusCode: number | null }): string {
  if (attempt.statusCode !== null) return `HTTP ${attempt.statusCode}${attempt.ok ? "" : " (failed)"}`;
  return attempt.ok ? "Delivered" : "No answer";
}

/** On or off, and since when; a streak of failures while on. */
export function WebhookState({ webhook }: { webhook: WebhookView }) {
  if (webhook.disabledAt) {
    return (
      <>
        <strong className="bad-text">Turned off</strong> since {formatDateTime(webhook.disabledAt)}
        {webhook.disabledReason ? <span className="muted">: {webhook.disabledReason}</span> : null}
      </>
    );
  }
  return (
    <>
      <strong className="ok-text">On</strong> since {formatDateTime(webhook.enabledAt ?? webhook.createdAt)}
      {webhook.failingSince ? (
        <span className="warn-text"> (every delivery failing since {formatDateTime(webhook.failingSince)})</span>
      ) : null}
    </>
  );
}

/** The facts of one endpoint: state, latest delivery, events, who registered it. */
export function WebhookFacts({ webhook }: { webhook: WebhookView }) {
  const last = webhook.lastAttempt;
  return (
    <dl className="kv">
      <dt>State</dt>
      <dd>
        <WebhookState webhook={webhook} />
      </dd>
      <dt>Last delivery</dt>
      <dd>
        {last ? (
          <>
            <span className={last.ok ? "ok-text" : "bad-text"}>{attemptOutcome(last)}</span> in {last.durationMs} ms,{" "}
            {formatDateTime(last.attemptedAt)}
            {last.error ? (
              <div className="muted">
                <AttemptError error={last.error} />
              </div>
            ) : null}
          </>
        ) : (
          <span className="muted">None yet</span>
        )}
        {webhook.waiting > 0 ? <span className="muted"> · {webhook.waiting} waiting</span> : null}
      </dd>
      <dt>Events</dt>
      <dd>
        {webhook.events.map((type) => (
          <span key={type} className="tag" title={type}>
            {eventTypeLabel(type)}
            <span className="visually-hidden">;</span>
          </span>
        ))}
      </dd>
      <dt>Registered</dt>
      <dd>
        {formatDateTime(webhook.createdAt)} by {webhook.createdBy}
      </dd>
    </dl>
  );
}

/** "Send test event", and "Turn back on" for an endpoint that is off: forms that work without JavaScript. */
export function WebhookButtons({ webhook }: { webhook: WebhookView }) {
  return (
    <>
      <Form method="post">
        <input type="hidden" name="intent" value="send-test" />
        <input type="hidden" name="webhookId" value={webhook.id} />
        <button type="submit" className="small secondary" aria-label={`Send test event to ${webhook.url}`}>
          Send test event
        </button>
      </Form>
      {webhook.disabledAt ? (
        <Form method="post">
          <input type="hidden" name="intent" value="enable" />
          <input type="hidden" name="webhookId" value={webhook.id} />
          <button type="submit" className="small" aria-label={`Turn back on ${webhook.url}`}>
            Turn back on
          </button>
        </Form>
      ) : null}
    </>
  );
}

/** A failed attempt's error in words, with the system's own text beneath when it says something else. */
export function AttemptError({ error }: { error: string }) {
  const words = attemptErrorInWords(error);
  return (
    <>
      {words}
      {words !== error ? <div className="mono small-print">{error}</div> : null}
    </>
  );
}
