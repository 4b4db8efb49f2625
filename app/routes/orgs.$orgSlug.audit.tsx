import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { AuditEventTable } from "~/components/history";
import { FilterSelect } from "~/components/table";
import { auditEventRow, listAuditFacets, listStoredAuditEvents } from "~/modules/audit/audit.server";
import { AuditAnchorFormSchema, AuditFilterSchema, auditFilterRange } from "~/modules/audit/audit-schemas";
import { verifyAuditTrailYielding } from "~/modules/audit/checkpoints.server";
import { alertBrokenTrail } from "~/modules/notifications/audit-alerts.server";
import { auditEntityLinks } from "~/modules/audit/entity-links.server";
import { entityTypeLabel, eventLabel } from "~/modules/audit/event-labels";
import { requireMember } from "~/modules/auth/membership.server";
import { readFormData } from "~/utils/form-action.server";
import { fieldErrors, parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Audit log" }];

const PAGE_SIZE = 50;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const parsed = AuditFilterSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const base = { org, canVerify: role === "admin" || role === "auditor", facets: listAuditFacets(org.id) };
  // Filters that cannot be applied list nothing: the whole log under them would read as their result.
  if (!parsed.success)
    return { ...base, errors: fieldErrors(parsed.error), entity: null, events: [], nextBeforeId: undefined, newerBeforeId: undefined };
  const filter = parsed.data;
  const { events, nextBeforeId, newerBeforeId } = listStoredAuditEvents(org.id, auditFilterRange(filter), {
    beforeId: filter.before,
    limit: PAGE_SIZE,
  });
  const links = auditEntityLinks(org.id, org.slug, events);
  return {
    ...base,
    errors: {} as Record<string, string>,
    entity: filter.entityId ? entityShown(org, filter.entityType, filter.entityId) : null,
    nextBeforeId,
    newerBeforeId,
    events: events.map((e) => ({
      ...auditEventRow(e),
      link: links.get(`${e.entityType}:${e.entityId}`) ?? null,
    })),
  };
}

/** The one entity a link from its page narrowed the log to (`entityId`), by name. */
function entityShown(org: { id: number; slug: string }, entityType: string | undefined, entityId: string) {
  const name = entityType
    ? auditEntityLinks(org.id, org.slug, [{ entityType, entityId }]).get(`${entityType}:${entityId}`)?.name
    : undefined;
  return { id: entityId, name: name ?? (entityType ? `${entityTypeLabel(entityType)} ${entityId}` : `entity ${entityId}`) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin", "auditor"]);
  const parsed = parseForm(await readFormData(request), AuditAnchorFormSchema);
  if (!parsed.ok) return { verification: null, anchorErrors: parsed.errors };
  const { seq, headHash } = parsed.data;
  const anchors = seq !== undefined && headHash ? [{ seq, headHash }] : [];
  const verification = await verifyAuditTrailYielding(org.id, [], undefined, anchors);
  alertBrokenTrail(org.id, verification);
  return { verification, anchorErrors: {} as Record<string, string> };
}

export default function AuditLog() {
  const { events, facets, nextBeforeId, newerBeforeId, canVerify, errors, entity } = useLoaderData<typeof loader>();
  const filtersValid = Object.keys(errors).length === 0;
  const result = useActionData<typeof action>();
  const verification = result?.verification ?? null;
  const anchorErrors: Record<string, string> = result?.anchorErrors ?? {};
  const [params] = useSearchParams();
  return (
    <>
      <div className="page-header">
        <h1>Audit log</h1>
        <span className="inline-form">
          {filtersValid ? (
            <a href={`audit.csv?${params}`} download>
              Export CSV
            </a>
          ) : null}
          {canVerify ? (
            <Form method="post">
              <button type="submit" className="secondary">
                Verify hash chain
              </button>
            </Form>
          ) : null}
        </span>
      </div>
      {verification ? <VerificationResult verification={verification} /> : null}
      {canVerify ? (
        <details className="card" open={Object.keys(anchorErrors).length > 0 || undefined}>
          <summary>Check against a printed report or an export</summary>
          <p className="muted">
            A board report and the CSV export name the audit event they were produced at and its head hash. Type them in: the log must still
            hold that hash at that number.
          </p>
          <Form method="post" className="inline-form">
            <div className="field">
              <label htmlFor="anchor-seq">Audit event number</label>
              <input id="anchor-seq" name="seq" inputMode="numeric" aria-invalid={anchorErrors.seq ? true : undefined} />
              {anchorErrors.seq ? <p className="field-error">{anchorErrors.seq}</p> : null}
            </div>
            <div className="field">
              <label htmlFor="anchor-hash">Head hash</label>
              <input
                id="anchor-hash"
                name="headHash"
                spellCheck={false}
                autoComplete="off"
                aria-invalid={anchorErrors.headHash ? true : undefined}
              />
              {anchorErrors.headHash ? <p className="field-error">{anchorErrors.headHash}</p> : null}
            </div>
            <button type="submit" className="secondary">
              Verify against it
            </button>
          </Form>
        </details>
      ) : null}
      <Form method="get" className="inline-form card" aria-label="Filter events" key={params.toString()}>
        {entity ? (
          <p className="filter-scope">
            <input type="hidden" name="entityId" value={entity.id} />
            Only the events of <strong>{entity.name}</strong>.{" "}
            <Link to={`?${withoutParams(params, ["entityId", "before"])}`}>
              Show every {entity.name.startsWith("entity") ? "entity" : "one"}
            </Link>
          </p>
        ) : null}
        <FilterSelect name="actor" label="Actor" options={facets.actors} />
        <FilterSelect
          name="entityType"
          label="Entity type"
          options={facets.entityTypes.map((type) => ({ value: type, label: entityTypeLabel(type) }))}
        />
        <FilterSelect
          name="action"
          label="Action"
          options={facets.actions.map((action) => ({ value: action, label: eventLabel(action) }))}
        />
        <div className="field">
          <label htmlFor="filter-from">From</label>
          <input
            id="filter-from"
            type="date"
            name="from"
            defaultValue={params.get("from") ?? ""}
            aria-invalid={errors.from ? true : undefined}
          />
          {errors.from ? <p className="field-error">{errors.from}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="filter-to">To</label>
          <input id="filter-to" type="date" name="to" defaultValue={params.get("to") ?? ""} aria-invalid={errors.to ? true : undefined} />
          {errors.to ? <p className="field-error">{errors.to}</p> : null}
        </div>
        <button type="submit">Filter</button>
        <Link to="?">Clear</Link>
      </Form>
      {!filtersValid ? (
        <p className="muted">Correct the filters above to see the events.</p>
      ) : events.length === 0 ? (
        <p className="muted">No events match.</p>
      ) : (
        <>
          <p className="muted">
            Events are numbered in the order they were recorded in this organisation (1, 2, 3… without gaps); each one is sealed by the hash
            of the one before it.
          </p>
          <AuditEventTable events={events} caption="Audit events, newest first" />
        </>
      )}
      <nav className="pagination" aria-label="Pages">
        {typeof newerBeforeId === "number" ? <Link to={`?${pageParams(params)}`}>Newest</Link> : null}
        {newerBeforeId !== undefined ? <Link to={`?${pageParams(params, newerBeforeId ?? undefined)}`}>← Newer events</Link> : null}
        {nextBeforeId ? <Link to={`?${pageParams(params, nextBeforeId)}`}>Older events →</Link> : null}
      </nav>
    </>
  );
}

type Verification = NonNullable<ReturnType<typeof useActionData<typeof action>>>["verification"];

/** What verify found: the chain, the signed checkpoints it was compared with, and any audited restore. */
function VerificationResult({ verification }: { verification: NonNullable<Verification> }) {
  const latest = verification.latestCheckpoint;
  const checkpoints =
    verification.checkpoints === 0
      ? " No signed checkpoint yet."
      : ` It agrees with ${verification.checkpoints} signed checkpoint${verification.checkpoints === 1 ? "" : "s"}${
          latest ? ` (the newest at event ${latest.seq}, ${latest.createdAt.slice(0, 16).replace("T", " ")} UTC)` : ""
        }.`;
  const restores = verification.rollbacks.map(
    (r) =>
      ` At event ${r.seq} the database was restored from a backup at event ${r.restoredFromSeq} (events up to ${r.replacedSeq} were rolled back).`,
  );
  return verification.ok ? (
    <p className="notice" role="status">
      Chain verified: all {verification.events} events are intact.{checkpoints}
      {restores.join("")}
    </p>
  ) : (
    <p className="form-error" role="alert">
      {verification.brokenBy === "chain"
        ? `Chain broken at event ${verification.firstBrokenSeq} (#${verification.firstBrokenId}): ${verification.reason}.`
        : verification.brokenBy === "anchor"
          ? anchorDisagrees(verification)
          : `The log disagrees with a checkpoint: ${verification.reason}.`}
    </p>
  );
}

/** A number and hash typed in that the log does not hold, while the trail's own evidence agrees with itself. */
function anchorDisagrees(verification: NonNullable<Verification> & { ok: false }): string {
  const signed = verification.checkpoints - 1;
  return [
    `The log does not hold that hash at event ${verification.firstBrokenSeq}` +
      (verification.firstBrokenSeq > verification.headSeq ? ` (it ends at event ${verification.headSeq}).` : "."),
    "Check the number and the hash for a typing error.",
    "If they were copied correctly from a report or an export, the log was changed after it was made: tell the organisation's admins.",
    `The chain is consistent in itself${signed > 0 ? ` and with ${signed} signed checkpoint${signed === 1 ? "" : "s"}` : ""}. Only you see this result.`,
  ].join(" ");
}

/** The page's filters with another page of events: `before` an event id, or none for the newest page. */
function pageParams(params: URLSearchParams, before?: number): URLSearchParams {
  const next = withoutParams(params, ["before"]);
  if (before !== undefined) next.set("before", String(before));
  return next;
}

function withoutParams(params: URLSearchParams, keys: string[]): URLSearchParams {
  return new URLSearchParams([...params].filter(([key]) => !keys.includes(key)));
}
