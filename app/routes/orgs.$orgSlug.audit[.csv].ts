import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditEventBatches } from "~/modules/audit/audit.server";
import { checkpointForExport } from "~/modules/audit/checkpoints.server";
import { AuditFilterSchema, auditFilterRange } from "~/modules/audit/audit-schemas";
import { eventLabel } from "~/modules/audit/event-labels";
import { requireMember } from "~/modules/auth/membership.server";
import { csvResponse, csvStream } from "~/utils/csv-writer";
import { httpError } from "~/utils/http";
import { fieldErrors } from "~/utils/validation";

/**
 * The audit log as CSV, with the page's filters, streamed in batches; raw action names, their labels and the organisation's
 * sequence numbers appended. The last row is the signed checkpoint the export was produced with (id `checkpoint`, its JSON
 * in `payload`, which `npm run audit:verify -- --checkpoint <file>` reads): the file anchors the log up to that sequence number.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const parsed = AuditFilterSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  // Never the whole log in place of what was asked for: the page shows the same errors beside its filters.
  if (!parsed.success) {
    const problems = Object.entries(fieldErrors(parsed.error)).map(([field, message]) => `${field}: ${message}`);
    throw httpError(422, `The filters are not valid, so nothing was exported: ${problems.join("; ")}`);
  }
  const filters = auditFilterRange(parsed.data);
  const header = [
    "id",
    "created_at",
    "actor_type",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "payload",
    "prev_hash",
    "hash",
    "seq",
    "action_label",
  ];
  const checkpoint = checkpointForExport(org.id, "audit-export");
  const batches = function* () {
    for (const events of auditEventBatches(org.id, filters)) {
      yield events.map((e) => [
        e.id,
        e.createdAt.toISOString(),
        e.actorType,
        e.actorLabel,
        e.action,
        e.entityType,
        e.entityId,
        JSON.stringify(e.payload),
        e.prevHash,
        e.hash,
        e.seq,
        eventLabel(e.action),
      ]);
    }
    if (checkpoint) {
      const { id: _stored, ...signed } = checkpoint;
      yield [
        [
          "checkpoint",
          checkpoint.createdAt,
          "system",
          "",
          "audit.checkpoint",
          "audit_trail",
          "",
          JSON.stringify(signed),
          "",
          checkpoint.headHash,
          checkpoint.seq,
          "Signed checkpoint this export was produced with",
        ],
      ];
    }
  };
  const response = csvResponse(csvStream(header, batches), `audit-log-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv`);
  if (checkpoint) response.headers.set("X-Audit-Checkpoint", `seq=${checkpoint.seq}; head-hash=${checkpoint.headHash}`);
  return response;
}
