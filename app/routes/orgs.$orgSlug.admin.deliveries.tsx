import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { AppLink } from "~/components/link";
import { FilterSelect, Pagination, TableScroll } from "~/components/table";
import { AttemptError, eventTypeLabel } from "~/components/webhooks";
import { requireMember } from "~/modules/auth/membership.server";
import { OutboxQuerySchema } from "~/modules/notifications/admin-page-schemas";
import {
  OUTBOX_CHANNEL_LABELS,
  OUTBOX_CHANNELS,
  OUTBOX_STATUS_LABELS,
  OUTBOX_STATUSES,
  type OutboxStatus,
} from "~/modules/notifications/notification-constants";
import { listOrgOutbox } from "~/modules/notifications/outbox-log.server";
import { smtpConfigured } from "~/modules/notifications/smtp.server";
import { formatDateTime } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Deliveries · Admin" }];

/** The organisation's outbox, read-only: every email and webhook message, its state, and why it waits. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  const query = OutboxQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { org, smtp: smtpConfigured(), filtered: Boolean(query.status || query.channel), ...listOrgOutbox(org.id, query) };
}

const STATUS_CLASS: Record<OutboxStatus, string | undefined> = {
  pending: undefined,
  delivered: "ok-text",
  failed: "bad-text",
  held: "warn-text",
};

export default function Deliveries() {
  const { org, smtp, messages, total, page, pageSize, byStatus, filtered } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const statusLink = (status: OutboxStatus) => {
    const next = new URLSearchParams(params);
    next.set("status", status);
    next.delete("page");
    return `?${next}` as const;
  };
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      <p>
        Every email and webhook message of this organisation, newest first: the portal writes each one with the change that causes it and
        sends it within seconds, retrying failures with growing waits. Read-only; webhooks are managed under{" "}
        <AppLink to={`/orgs/${org.slug}/admin/webhooks`}>Webhooks</AppLink>.
      </p>
      {smtp ? null : (
        <p className="card">
          <strong className="warn-text">Emails are not sent:</strong> no SMTP server is configured (<code>SMTP_URL</code>). They stay here,
          held, marked &ldquo;not sent: no SMTP configured&rdquo;.
        </p>
      )}
      <p aria-label="Messages by status">
        {OUTBOX_STATUSES.map((status, index) => (
          <span key={status}>
            {index > 0 ? " · " : null}
            <AppLink to={statusLink(status)}>
              {OUTBOX_STATUS_LABELS[status]}: {byStatus[status]}
            </AppLink>
          </span>
        ))}
      </p>
      <Form method="get" className="inline-form card" aria-label="Filter deliveries" key={params.toString()}>
        <FilterSelect name="status" label="Status" options={OUTBOX_STATUSES.map((s) => ({ value: s, label: OUTBOX_STATUS_LABELS[s] }))} />
        <FilterSelect
          name="channel"
          label="Channel"
          options={OUTBOX_CHANNELS.map((c) => ({ value: c, label: OUTBOX_CHANNEL_LABELS[c] }))}
        />
        <button type="submit">Filter</button>
        <AppLink to="?">Clear</AppLink>
      </Form>
      {messages.length === 0 ? (
        <p className="muted">{filtered ? "No messages match." : "No emails or webhook messages yet."}</p>
      ) : (
        <TableScroll label="Deliveries">
          <table className="delivery-table">
            <caption className="visually-hidden">Emails and webhook messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Message</th>
                <th scope="col">To</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.id} data-status={m.status}>
                  <td className="when-cell">{formatDateTime(m.createdAt)}</td>
                  <td className="words-cell">
                    <span className={STATUS_CLASS[m.status]}>{OUTBOX_STATUS_LABELS[m.status]}</span>
                    {m.status === "delivered" && m.deliveredAt ? <div className="muted">{formatDateTime(m.deliveredAt)}</div> : null}
                    {m.status !== "delivered" && m.lastError ? (
                      <div className="muted">
                        {m.status === "pending" ? "Last attempt: " : null}
                        <AttemptError error={m.lastError} />
                      </div>
                    ) : null}
                  </td>
                  <td className="prose-cell">
                    {OUTBOX_CHANNEL_LABELS[m.channel]}: {m.channel === "email" ? m.subject : eventTypeLabel(m.eventType)}
                    <div className="muted mono">{m.messageId}</div>
                  </td>
                  <td className="mono address-cell">
                    {m.channel === "email" ? (
                      (m.toEmail ?? "—")
                    ) : m.webhookId !== null && !m.webhookDeleted ? (
                      <AppLink to={`/orgs/${org.slug}/admin/webhooks/${m.webhookId}`}>{m.webhookUrl}</AppLink>
                    ) : (
                      <>
                        {m.webhookUrl ?? "—"} <span className="muted">(deleted)</span>
                      </>
                    )}
                  </td>
                  <td>{m.attempts}</td>
                  <td className="when-cell">{formatDateTime(m.nextAttemptAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <Pagination page={page} pageSize={pageSize} total={total} />
    </>
  );
}
