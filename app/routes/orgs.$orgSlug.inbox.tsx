import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireMember } from "~/modules/auth/membership.server";
import { reviewCounts } from "~/modules/governance/inbox.server";
import { dueLists, listRoadmaps, type RoadmapItemJson } from "~/modules/roadmap/roadmaps.server";

export const meta: MetaFunction = () => [{ title: "Inbox" }];

/** The header inbox: the member's overdue and due-this-week roadmap items, and what waits for review. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, user, role } = await requireMember(request, params.orgSlug);
  const lists = dueLists(org.id);
  const mine = (items: RoadmapItemJson[]) => items.filter((i) => i.owner?.email === user.email);
  return {
    org,
    role,
    activeRoadmapId: listRoadmaps(org.id).find((r) => r.status === "active")?.id ?? null,
    overdue: mine(lists.overdue),
    dueThisWeek: mine(lists.dueThisWeek),
    teamOverdue: lists.overdue.length,
    reviews: reviewCounts(org.id),
  };
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

export default function Inbox() {
  const d = useLoaderData<typeof loader>();
  const roadmapPath = `/orgs/${d.org.slug}/roadmaps/${d.activeRoadmapId}`;
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
          {d.reviews.cards} model card(s), {d.reviews.audits} bias audit(s), {d.reviews.approvals} approval request(s)
          {d.reviews.policies ? `, ${d.reviews.policies} approval policy proposal(s)` : ""}.{" "}
          <Link to={`/orgs/${d.org.slug}/reviews`}>Open reviews</Link>
        </p>
      </section>
    </>
  );
}
