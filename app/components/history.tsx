import { entityTypeLabel } from "~/modules/audit/event-labels";
import { HISTORY_LIMIT } from "~/modules/audit/history";
import { TableScroll } from "./table";

export type AuditEventRow = {
  id: number;
  /** The organisation's own gapless number of the event (1, 2, 3…). */
  seq: number;
  at: string;
  actor: string;
  actorType?: string;
  /** The raw action name (`roadmap_item.updated`), for the detail view. */
  action: string;
  /** The readable action ("Roadmap item updated"). */
  label: string;
  summary: string;
  entityType: string;
  entityId: string | null;
  payload: string;
  /** Where the entity lives, when the page looked it up. */
  link?: { href: string; name: string } | null;
};

function EntityCell({ event }: { event: AuditEventRow }) {
  if (event.link) return <a href={event.link.href}>{event.link.name}</a>;
  return (
    <>
      {entityTypeLabel(event.entityType)}
      {event.entityId ? ` #${event.entityId}` : ""}
    </>
  );
}

/** The one table of audit events: the audit log page and every history section. One row per event; the payload opens on demand. */
export function AuditEventTable({ events, caption }: { events: AuditEventRow[]; caption?: string }) {
  return (
    <TableScroll label={caption ?? "Audit events"}>
      <table className="audit-table">
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">About</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-seq={e.seq} data-action={e.action}>
              <td className="mono">{e.seq}</td>
              <td className="nowrap">
                <time dateTime={e.at}>{e.at.slice(0, 16).replace("T", " ")}</time>
              </td>
              <td className="nowrap">
                {e.actor} {e.actorType && e.actorType !== "user" ? <span className="tag">{e.actorType}</span> : null}
              </td>
              <td>{e.label}</td>
              <td>
                <EntityCell event={e} />
              </td>
              <td className="audit-details">
                {e.summary ? <span>{e.summary}</span> : null}
                <details>
                  <summary className="muted">Event data</summary>
                  <dl className="kv">
                    <dt>Action</dt>
                    <dd>
                      <code>{e.action}</code>
                    </dd>
                    <dt>Entity</dt>
                    <dd>
                      <code>
                        {e.entityType}
                        {e.entityId ? ` ${e.entityId}` : ""}
                      </code>
                    </dd>
                    <dt>Time</dt>
                    <dd>
                      <code>{e.at}</code>
                    </dd>
                  </dl>
                  <pre>{e.payload}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** The audit events behind a page, collapsed by default. */
export function History({ events, auditLink }: { events: AuditEventRow[]; auditLink: string }) {
  return (
    <details className="card" id="history">
      <summary>
        <strong>History</strong>{" "}
        <span className="muted">({events.length >= HISTORY_LIMIT ? `latest ${HISTORY_LIMIT}` : events.length} audit events)</span>
      </summary>
      <AuditEventTable events={events} />
      <p>
        <a href={auditLink}>Open the full audit log</a>
      </p>
    </details>
  );
}
