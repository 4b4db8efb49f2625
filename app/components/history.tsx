import { formatDateTime } from "~/utils/format";

type HistoryEvent = { id: number; at: string; actor: string; action: string; entityType: string; entityId: string | null; payload: string };

/** The audit events behind a page, collapsed by default. */
export function History({ events, auditLink }: { events: HistoryEvent[]; auditLink: string }) {
  return (
    <details className="card" id="history">
      <summary>
        <strong>History</strong> <span className="muted">({events.length === 100 ? "latest 100" : events.length} audit events)</span>
      </summary>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code> <span className="muted">{e.entityType} #{e.entityId}</span>
                </td>
                <td className="mono" style={{ maxWidth: "28rem", wordBreak: "break-word" }}>
                  {e.payload.length > 400 ? `${e.payload.slice(0, 400)}…` : e.payload}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <a href={auditLink}>Open the full audit log</a>
      </p>
    </details>
  );
}
