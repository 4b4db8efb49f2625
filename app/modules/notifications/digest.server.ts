import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { getDb, writeTransaction, type Db } from "../../../db/client";
import { memberships, notificationPreferences, notifications, organizations, orgSettings, users } from "../../../db/schema";
import { CATEGORY_LABELS, type DeliveryMode, type NotificationCategory } from "./notification-constants";
import { digestWeekDue, localMoment } from "./digest-schedule";
import { defaultModeOf, enqueueEmail } from "./notifications.server";

/**
 * The weekly digest: Monday morning in each organisation's time zone, one
 * email per person with something to say (nothing is sent otherwise): their
 * roadmap items overdue or due within seven days, and the notifications of
 * the categories they chose to receive weekly. The roadmap's figures come
 * from the caller (`dueItemsOf`), so this module needs no domain above it.
 */

/** `path`: the item's page, `/orgs/<slug>/roadmaps/<id>/items/<id>`. */
export type DueItem = { title: string; dueDate: string; path: string };
/** Each owner's open items (by user id) on the organisation's active roadmap, overdue or due within a week of `today`. */
export type DueItemsOf = (orgId: number, orgSlug: string, today: string) => Map<number, DueItem[]>;

const absolute = (path: string, base: string) => base + path;

function digestBody(
  input: { overdue: DueItem[]; dueSoon: DueItem[]; notes: Array<{ title: string; path: string; category: NotificationCategory }> },
  base: string,
): string {
  const line = (item: DueItem) => `- ${item.title} (due ${item.dueDate}): ${absolute(item.path, base)}`;
  const sections: string[] = [];
  if (input.overdue.length) sections.push([`Overdue (${input.overdue.length}):`, ...input.overdue.map(line)].join("\n"));
  if (input.dueSoon.length) sections.push([`Due in the next seven days (${input.dueSoon.length}):`, ...input.dueSoon.map(line)].join("\n"));
  const byCategory = new Map<NotificationCategory, string[]>();
  for (const note of input.notes)
    byCategory.set(note.category, [...(byCategory.get(note.category) ?? []), `- ${note.title}: ${absolute(note.path, base)}`]);
  for (const [category, lines] of byCategory) sections.push([`${CATEGORY_LABELS[category]} (${lines.length}):`, ...lines].join("\n"));
  return sections.join("\n\n");
}

/**
 * Sends the digests due at `now`: for each organisation whose Monday 08:00 has come this ISO week and
 * whose digests for the week have not gone yet. Returns how many emails were queued.
 */
export function sendWeeklyDigests(now: Date, dueItemsOf: DueItemsOf, publicBase: string, db: Db = getDb()): number {
  const orgs = db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      timeZone: orgSettings.timeZone,
      sentFor: orgSettings.digestSentFor,
    })
    .from(organizations)
    .leftJoin(orgSettings, eq(orgSettings.orgId, organizations.id))
    .all();
  let queued = 0;
  for (const org of orgs) {
    const timeZone = org.timeZone ?? "UTC";
    const week = digestWeekDue(now, timeZone);
    if (!week || org.sentFor === week) continue;
    const today = localMoment(now, timeZone).date;
    const due = dueItemsOf(org.id, org.slug, today);
    const people = db
      .select({ id: users.id, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, org.id), eq(users.active, true)))
      .all();
    const ids = people.map((p) => p.id);
    const modes = new Map<string, DeliveryMode>(
      (ids.length ? db.select().from(notificationPreferences).where(inArray(notificationPreferences.userId, ids)).all() : []).map((p) => [
        `${p.userId}:${p.category}`,
        p.mode,
      ]),
    );
    const modeOf = (userId: number, category: NotificationCategory) => modes.get(`${userId}:${category}`) ?? defaultModeOf(category);
    const waiting = ids.length
      ? db
          .select({
            id: notifications.id,
            userId: notifications.userId,
            title: notifications.title,
            path: notifications.path,
            category: notifications.category,
          })
          .from(notifications)
          .where(
            and(
              eq(notifications.orgId, org.id),
              inArray(notifications.userId, ids),
              isNull(notifications.digestedAt),
              // A week's worth: switching a category to the digest does not mail its whole past.
              gt(notifications.createdAt, new Date(now.getTime() - 8 * 86_400_000)),
            ),
          )
          .all()
      : [];

    writeTransaction(
      { orgId: org.id },
      (tx) => {
        tx.insert(orgSettings)
          .values({ orgId: org.id, digestSentFor: week })
          .onConflictDoUpdate({ target: orgSettings.orgId, set: { digestSentFor: week } })
          .run();
        for (const person of people) {
          const items = due.get(person.id) ?? [];
          const notes = waiting.filter((n) => n.userId === person.id && modeOf(person.id, n.category) === "digest");
          const emailed = modeOf(person.id, "roadmap") === "portal" ? [] : items;
          if (items.length) {
            tx.insert(notifications)
              .values({
                orgId: org.id,
                userId: person.id,
                eventType: "roadmap.items_due",
                category: "roadmap",
                title: `${items.length} roadmap item${items.length === 1 ? "" : "s"} overdue or due this week`,
                body: items.map((i) => `${i.title} (due ${i.dueDate})`).join("\n"),
                // The roadmap the items are on, filtered to the person's own items.
                path: `${items[0]!.path.replace(/\/items\/[^/]+$/, "")}?view=mine`,
                createdAt: now,
              })
              .run();
          }
          if (emailed.length === 0 && notes.length === 0) continue;
          const overdue = emailed.filter((i) => i.dueDate < today);
          const dueSoon = emailed.filter((i) => i.dueDate >= today);
          const summary = [
            overdue.length ? `${overdue.length} overdue` : "",
            dueSoon.length ? `${dueSoon.length} due this week` : "",
            notes.length ? `${notes.length} notification${notes.length === 1 ? "" : "s"}` : "",
          ].filter(Boolean);
          enqueueEmail(
            tx,
            {
              orgId: org.id,
              type: "roadmap.items_due",
              recipients: [person.id],
              title: `Your week in ${org.name}: ${summary.join(", ")}`,
              body: digestBody({ overdue, dueSoon, notes }, publicBase),
              path: `/orgs/${org.slug}`,
              data: {},
            },
            { email: person.email, userId: person.id },
            now,
          );
          if (notes.length)
            tx.update(notifications)
              .set({ digestedAt: now })
              .where(
                inArray(
                  notifications.id,
                  notes.map((n) => n.id),
                ),
              )
              .run();
          queued++;
        }
      },
      db,
    );
  }
  return queued;
}
