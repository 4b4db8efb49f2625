/** Roadmap item statuses that still need work. */
export const OPEN_ITEM_STATUSES: readonly string[] = ["todo", "in_progress", "blocked"];

/** Days ahead that count as "due soon" on the dashboard. */
export const DUE_SOON_DAYS = 14;

/**
 * A member's open roadmap items in due-date order, each marked overdue or due
 * soon, with the counts for the headline ("2 overdue, 1 due in the next 14 days").
 */
export function dueSummary<T extends { dueDate: string; status: string }>(items: readonly T[], today: string, days = DUE_SOON_DAYS) {
  const horizon = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const open = items
    .filter((i) => OPEN_ITEM_STATUSES.includes(i.status))
    .map((i) => ({ ...i, overdue: i.dueDate < today, dueSoon: i.dueDate >= today && i.dueDate <= horizon }))
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
  return { open, overdue: open.filter((i) => i.overdue).length, dueSoon: open.filter((i) => i.dueSoon).length };
}
