import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult } from "~/components/forms";
import { Pagination } from "~/components/table";
import { countOf } from "~/utils/format";
import { requireMember } from "~/modules/auth/membership.server";
import { actionableReviewCounts } from "~/modules/governance/inbox.server";
import { listInbox, markAllRead, openNotification, type InboxEntry } from "~/modules/notifications/inbox.server";
import { InboxMarkAllReadSchema, InboxOpenSchema } from "~/modules/notifications/notification-schemas";
import { dueLists, listRoadmaps, type RoadmapItemJson } from "~/modules/roadmap/roadmaps.server";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { formatDateTime } from "~/utils/format";
import { safeRedirect } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Inbox" }];

/** `?page=N`; anything else is the first page (the domain keeps it within the pages there are). */
function pageOf(request: Request): number {
  const page = Number(new URL(request.url).searchParams.get("page"));
  return Number.isSafeInteger(page) && page > 0 ? page : 1;
}

/** The header inbox: the member's notifications, their overdue and due-this-week roadmap items, and what waits for review. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, user, role } = await requireMember(request, params.orgSlug);
  const lists = dueLists(org.id);
  const mine = (items: RoadmapItemJson[]) => items.filter((i) => i.owner?.email === user.email);
  return {
    org,
    role,
    inbox: listInbox(org.id, user.id, pageOf(request)),
    activeRoadmapId: listRoadmaps(org.id).find((r) => r.status === "active")?.id ?? null,
    overdue: mine(lists.overdue),
    dueThisWeek: mine(lists.dueThisWeek),
    teamOverdue: lists.overdue.length,
    reviews: actionableReviewCounts(org.id, role, user.id),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, user } = await requireMember(request, params.orgSlug);
  const inboxPath = `/orgs/${org.slug}/inbox`;
  return runIntentAction(await readFormData(request), {
    // Marks it read, then follows its link: a path inside the portal only, never an address elsewhere.
    open: intent(
      InboxOpenSchema,
      (input) => openNotification(org.id, user.id, input.id),
      (opened) => redirect(safeRedirect(opened.path, inboxPath)),
    ),
    "mark-all-read": intent(
      InboxMarkAllReadSchema,
      (input) => markAllRead(org.id, user.id, input.upTo),
      (marked) => `Marked ${marked} notification${marked === 1 ? "" : "s"} as read.`,
    ),
  });
}

function ItemList({ items, roadmapPath }: { items: RoadmapItemJson[]; roadmapPath: string }) {
  if (items.length === 0) return <p className="muted">Nothing here.</p>;
  return (
    <ul>
      {items.map((i) => (
        <li key={i.id}>
          <Link to={`${roadmapPath}/items/${i.id}`}>{i.title}</Link>{" "}
          <span className={i.overdue ? "bad-text" : "muted"}>due {i.dueDate}</span>
        </li>
      ))}
    </ul>
  );
}

function NotificationItem({ n }: { n: InboxEntry }) {
  return (
    <li className={n.unread ? "notification unread" : "notification"} data-testid="notification">
      <Form method="post" className="notification-open print-keep">
        <input type="hidden" name="intent" value="open" />
        <input type="hidden" name="id" value={n.id} />
        <button type="submit" className="text-button">
          {n.unread ? <span className="visually-hidden">Unread: </span> : null}
          {n.title}
        </button>
        {n.unread ? (
          <span className="tag unread-tag" aria-hidden="true">
            new
          </span>
        ) : null}
      </Form>
      {n.body ? <p className="muted notification-body">{n.body}</p> : null}
      <time className="muted" dateTime={n.createdAt}>
        {formatDateTime(n.createdAt)}
      </time>
    </li>
  );
}

export default function Inbox() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const roadmapPath = `/orgs/${d.org.slug}/roadmaps/${d.activeRoadmapId}`;
  const { inbox } = d;
  return (
    <>
      <h1>Inbox</h1>
      <section aria-labelledby="overdue">
        <h2 id="overdue">Your overdue roadmap items ({d.overdue.length})</h2>
        <ItemList items={d.overdue} roadmapPath={roadmapPath} />
      </section>
      <section aria-labelledby="week">
        <h2 id="week">Due this week ({d.dueThisWeek.length})</h2>
        <ItemList items={d.dueThisWeek} roadmapPath={roadmapPath} />
      </section>
      {d.activeRoadmapId ? (
        <p>
          <Link to={`${roadmapPath}?view=due`}>All overdue and due-this-week items ({d.teamOverdue} overdue in the organisation)</Link>
        </p>
      ) : null}
      <section aria-labelledby="reviews">
        <h2 id="reviews">Waiting for review</h2>
        <p>
          {[
            countOf(d.reviews.cards, "model card"),
            countOf(d.reviews.audits, "bias audit"),
            countOf(d.reviews.approvals, "approval request"),
            ...(d.reviews.policies ? [countOf(d.reviews.policies, "approval policy proposal")] : []),
          ].join(", ") + ". "}
          <Link to={`/orgs/${d.org.slug}/reviews`}>Open reviews</Link>
        </p>
      </section>
      <section aria-labelledby="notifications">
        <div className="page-header">
          <h2 id="notifications">
            Notifications ({inbox.unread} unread of {inbox.total})
          </h2>
          {inbox.unread > 0 && inbox.newestId !== null ? (
            <Form method="post">
              <input type="hidden" name="intent" value="mark-all-read" />
              <input type="hidden" name="upTo" value={inbox.newestId} />
              <button type="submit" className="secondary small">
                Mark all as read
              </button>
            </Form>
          ) : null}
        </div>
        <ActionResult result={result} />
        {inbox.notifications.length === 0 ? (
          <p className="muted">No notifications yet. Choose how you hear of things on your account page.</p>
        ) : (
          <>
            <ol className="notification-list">
              {inbox.notifications.map((n) => (
                <NotificationItem key={n.id} n={n} />
              ))}
            </ol>
            <Pagination page={inbox.page} pageSize={inbox.pageSize} total={inbox.total} hideSinglePage />
          </>
        )}
      </section>
    </>
  );
}
