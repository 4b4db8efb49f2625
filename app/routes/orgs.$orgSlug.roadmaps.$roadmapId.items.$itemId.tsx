import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import {
  autosaveClientAction,
  keepPageAfterFailedSave,
  SaveStatusLine,
  useAutosave,
  useUnsavedChangesWarning,
} from "~/components/autosave";
import { ActionResult, SelectField, TextAreaField, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { hasRole } from "~/modules/auth/roles";
import { ITEM_STATUS_LABELS, ITEM_WORKERS, PLANNERS, WORK_STATUSES } from "~/modules/roadmap/roadmap-constants";
import { DATE_INPUT_BOUNDS } from "~/utils/validation";
import { ItemCommentSchema, RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import {
  assignableMembers,
  commentOnItem,
  getRoadmapItem,
  roadmapComponentNames,
  updateRoadmapItem,
} from "~/modules/roadmap/roadmaps.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.item.title ?? "Roadmap item" }];

const IdSchema = z.coerce.number().int().positive().catch(0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const item = getRoadmapItem(org.id, IdSchema.parse(params.itemId));
  if (!item || item.roadmapId !== IdSchema.parse(params.roadmapId)) throw notFound("Roadmap item not found");
  const componentNames = roadmapComponentNames(org.id, item.roadmapId);
  return {
    org,
    item,
    components: item.components.map((id) => componentNames.get(id) ?? id),
    // Those who may work items; the owner now stays choosable (and kept by other saves) even if no longer one of them.
    members: ownerChoices(assignableMembers(org.id), item.owner),
    canWork: hasRole(role, ITEM_WORKERS) && item.status !== "closed" && item.roadmapStatus === "active",
    // Planners move due dates; the others see the date only.
    canPlan: hasRole(role, PLANNERS),
  };
}

function ownerChoices(members: Array<{ email: string; name: string }>, owner: { email: string; name: string | null } | null) {
  if (!owner || members.some((m) => m.email === owner.email)) return members;
  return [...members, { email: owner.email, name: owner.name ?? owner.email }];
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user, role } = await requireMember(request, params.orgSlug, ITEM_WORKERS);
  const itemId = IdSchema.parse(params.itemId);
  const formData = await readFormData(request);
  // Saves made as you type are one audit entry per person and quarter of an hour.
  const autosave = formData.get("autosave") === "1";
  // The comment form carries a one-time token (a comment sent twice is added once); the autosaving update form needs none.
  return submitOnce(request, user.id, formData, () =>
    runIntentAction(formData, {
      update: intent(
        RoadmapItemUpdateSchema,
        (input) => updateRoadmapItem(org.id, itemId, input, actor, { autosave, mayPlan: hasRole(role, PLANNERS) }),
        "Saved.",
      ),
      comment: intent(ItemCommentSchema, (input) => commentOnItem(org.id, itemId, input.body, actor), "Comment added."),
    }),
  );
}

/** A save that gets no answer (offline, server error, signed out) keeps the page and what was typed. */
export const clientAction = autosaveClientAction;
export const shouldRevalidate = keepPageAfterFailedSave;

/** The work form: every field saves as you go (the Save button is for browsers without JavaScript). */
function ItemWorkForm({
  item,
  members,
  canPlan,
  fallbackErrors,
}: {
  item: ReturnType<typeof useLoaderData<typeof loader>>["item"];
  members: Array<{ email: string; name: string }>;
  canPlan: boolean;
  fallbackErrors: Record<string, string | undefined>;
}) {
  const fetcher = useFetcher<typeof action>();
  const formRef = useRef<HTMLFormElement>(null);
  const autosave = useAutosave(fetcher, formRef);
  const errors: Record<string, string | undefined> =
    (autosave.answer && !autosave.answer.ok ? autosave.answer.errors : undefined) ?? fallbackErrors;
  return (
    <fetcher.Form method="post" className="card" noValidate ref={formRef} aria-label="Work on this item" {...autosave.formProps}>
      <input type="hidden" name="intent" value="update" />
      <SelectField
        label="Status"
        name="status"
        defaultValue={item.status}
        options={WORK_STATUSES.map((s) => ({ value: s, label: ITEM_STATUS_LABELS[s] }))}
        error={errors.status}
      />
      <SelectField
        label="Owner"
        name="ownerEmail"
        defaultValue={item.owner?.email ?? "none"}
        options={[{ value: "none", label: "Nobody" }, ...members.map((m) => ({ value: m.email, label: m.name }))]}
        error={errors.ownerEmail}
      />
      <TextField label="Team" name="team" defaultValue={item.team ?? ""} error={errors.team} />
      {canPlan ? (
        <TextField
          label="Due date"
          name="dueDate"
          type="date"
          required
          {...DATE_INPUT_BOUNDS}
          defaultValue={item.dueDate}
          hint="A date already past makes the item overdue at once unless it is done. The change is in the audit trail."
          error={errors.dueDate}
        />
      ) : null}
      <TextAreaField
        label="Evidence note or link"
        name="evidence"
        rows={3}
        defaultValue={item.evidence ?? ""}
        hint="What shows it is done: a note, or a link to a pull request, document or dashboard. Needed to mark the item done."
        error={errors.evidence}
      />
      <SaveStatusLine status={autosave.status} text={autosave.statusText} />
      <button type="submit">Save</button>
    </fetcher.Form>
  );
}

/** The comment box: cleared once its comment is posted, and only then (a refused post keeps the text). */
function CommentForm({ result }: { result: ReturnType<typeof useActionData<typeof action>> }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [typing, setTyping] = useState(false);
  const release = useUnsavedChangesWarning(typing, "Your comment has not been posted. Leave this page and lose it?");
  const posted = result?.ok && result.intent === "comment";
  const cleared = useRef<typeof result>(undefined);
  useEffect(() => {
    if (!posted || cleared.current === result) return;
    cleared.current = result;
    formRef.current?.reset();
    setTyping(false);
  }, [posted, result]);
  const refused = result && !result.ok && result.intent === "comment" ? result : undefined;
  return (
    <Form
      method="post"
      className="card"
      ref={formRef}
      onChange={(event) => setTyping(!!(event.currentTarget.elements.namedItem("body") as HTMLTextAreaElement | null)?.value.trim())}
      onSubmit={release}
    >
      <input type="hidden" name="intent" value="comment" />
      <SubmissionToken />
      <TextAreaField
        label="Comment"
        name="body"
        rows={2}
        defaultValue={refused?.values?.body ?? ""}
        error={refused?.errors?.body ?? refused?.errors?.form}
      />
      <SubmitButton className="secondary">Add comment</SubmitButton>
    </Form>
  );
}

export default function RoadmapItemPage() {
  const { org, item, components, members, canWork, canPlan } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const updateErrors: Record<string, string | undefined> = result?.intent === "update" ? (result.errors ?? {}) : {};
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/roadmaps/${item.roadmapId}`}>← Roadmap</Link>
      </p>
      <h1>{item.title}</h1>
      <ActionResult result={result?.intent === "comment" && !result.ok ? undefined : result} />
      <dl className="kv card">
        <dt>Status</dt>
        <dd data-testid="item-status">{ITEM_STATUS_LABELS[item.status]}</dd>
        <dt>Components</dt>
        <dd>{components.join(", ")}</dd>
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
        <dd data-testid="item-evidence" style={{ overflowWrap: "anywhere" }}>
          {item.evidence ?? "—"}
        </dd>
        <dt>Completed</dt>
        <dd>{formatDateTime(item.completedAt)}</dd>
        {item.closedReason ? (
          <>
            <dt>Closed by supersession</dt>
            <dd>{item.closedReason}</dd>
          </>
        ) : null}
      </dl>
      {canWork ? <ItemWorkForm item={item} members={members} canPlan={canPlan} fallbackErrors={updateErrors} /> : null}
      <h2>Comments</h2>
      {item.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ul className="comments">
        {item.comments.map((c) => (
          <li key={c.id}>
            <strong>{c.author}</strong> <span className="muted">{formatDateTime(c.at)}</span>: {c.body}
          </li>
        ))}
      </ul>
      {canWork ? <CommentForm result={result} /> : null}
    </>
  );
}
