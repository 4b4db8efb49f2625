import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult, SelectField, TextAreaField, TextField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { listMembers } from "~/modules/auth/organizations.server";
import { hasRole, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { ITEM_STATUS_LABELS, WORK_STATUSES } from "~/modules/roadmap/roadmap-constants";
import { ItemCommentSchema, RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import { commentOnItem, getRoadmapItem, updateRoadmapItem } from "~/modules/roadmap/roadmaps.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.item.title ?? "Roadmap item" }];

const IdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const item = getRoadmapItem(org.id, IdSchema.parse(params.itemId));
  if (!item || item.roadmapId !== IdSchema.parse(params.roadmapId)) throw notFound("Roadmap item not found");
  return {
    org,
    item,
    members: listMembers(org.id).filter((m) => m.active).map((m) => ({ email: m.email, name: m.name })),
    canWork: hasRole(role, REGISTRY_WRITERS) && item.status !== "closed" && item.roadmapStatus === "active",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const itemId = IdSchema.parse(params.itemId);
  return runIntentAction(await readFormData(request), {
    update: intent(RoadmapItemUpdateSchema, (input) => updateRoadmapItem(org.id, itemId, input, actor), "Saved."),
    comment: intent(ItemCommentSchema, (input) => commentOnItem(org.id, itemId, input.body, actor), "Comment added."),
  });
}

export default function RoadmapItemPage() {
  const { org, item, members, canWork } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/roadmaps/${item.roadmapId}`}>← Roadmap</Link>
      </p>
      <h1>{item.title}</h1>
      <ActionResult result={result} />
      <dl className="kv card">
        <dt>Status</dt>
        <dd data-testid="item-status">{ITEM_STATUS_LABELS[item.status]}</dd>
        <dt>Workstream</dt>
        <dd>
          {item.workstream} (months {item.startMonth}–{item.endMonth})
        </dd>
        <dt>Due</dt>
        <dd className={item.overdue ? "bad-text" : undefined}>{item.dueDate}</dd>
        <dt>Owner</dt>
        <dd>{item.owner ? `${item.owner.name} (${item.owner.email})` : "unassigned"}</dd>
        <dt>Team</dt>
        <dd>{item.team ?? "—"}</dd>
        <dt>Evidence</dt>
        <dd>{item.evidence ?? "—"}</dd>
        <dt>Completed</dt>
        <dd>{formatDateTime(item.completedAt)}</dd>
        {item.closedReason ? (
          <>
            <dt>Closed</dt>
            <dd>{item.closedReason}</dd>
          </>
        ) : null}
      </dl>
      {canWork ? (
        <Form method="post" className="card" noValidate>
          <input type="hidden" name="intent" value="update" />
          <SelectField label="Status" name="status" defaultValue={item.status} options={WORK_STATUSES.map((s) => ({ value: s, label: ITEM_STATUS_LABELS[s] }))} error={errors.status} />
          <SelectField
            label="Owner"
            name="ownerEmail"
            defaultValue={item.owner?.email ?? "none"}
            options={[{ value: "none", label: "Nobody" }, ...members.map((m) => ({ value: m.email, label: m.name }))]}
            error={errors.ownerEmail}
          />
          <TextField label="Team" name="team" defaultValue={item.team ?? ""} error={errors.team} />
          <TextAreaField label="Evidence note or link" name="evidence" rows={2} defaultValue={item.evidence ?? ""} error={errors.evidence} />
          <button type="submit">Save</button>
        </Form>
      ) : null}
      <h2>Comments</h2>
      {item.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ul className="comments">
        {item.comments.map((c) => (
          <li key={c.id}>
            <strong>{c.author}</strong> <span className="muted">{formatDateTime(c.at)}</span>: {c.body}
          </li>
        ))}
      </ul>
      {canWork ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="comment" />
          <TextField label="Comment" name="body" error={errors.body} />
          <button type="submit" className="secondary">
            Add comment
          </button>
        </Form>
      ) : null}
    </>
  );
}
