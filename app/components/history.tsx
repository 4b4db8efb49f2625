import { HISTORY_LIMIT } from "~/modules/audit/history";
import { TableScroll } from "./table";

export type AuditEventRow = {
  id: number;
  at: string;
  actor: string;
  actorType?: string;
  action: string;
  entityType: string;
  entityId: string | null;
  payload: string;
};

/** The one table of audit events: the audit log page and every history tab. */
export function AuditEventTable({ events }: { events: AuditEventRow[] }) {
  return (
    <TableScroll label="Audit events">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When (UTC)</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Entity</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="mono">{e.id}</td>
              <td>
                <time dateTime={e.at}>{e.at.slice(0, 19).replace("T", " ")}</time>
              </td>
              <td>
                {e.actor} {e.actorType && e.actorType !== "user" ? <span className="tag">{e.actorType}</span> : null}
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.entityType}
                {e.entityId ? ` #${e.entityId}` : ""}
              </td>
              <td className="mono" style={{ maxWidth: "28rem", wordBreak: "break-word" }}>
                {e.payload}
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
        <strong>History</strong> <span className="muted">({events.length >= HISTORY_LIMIT ? `latest ${HISTORY_LIMIT}` : events.length} audit events)</span>
      </summary>
      <AuditEventTable events={events} />
      <p>
        <a href={auditLink}>Open the full audit log</a>
      </p>
    </details>
  );
}
