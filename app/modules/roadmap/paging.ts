/** One group's stretch of a page: `limit` rows from `offset` within the group. */
export type GroupWindow = { key: string; offset: number; limit: number };

/**
 * The stretch of each group that rows [offset, offset + limit) of a grouped list cover, the groups
 * in their order and each holding `total` rows: what a page reads of each group, and nothing else.
 */
export function pageWindows(groups: ReadonlyArray<{ key: string; total: number }>, offset: number, limit: number): GroupWindow[] {
  const windows: GroupWindow[] = [];
  let start = 0; // the list's row where the group starts
  for (const group of groups) {
    const from = Math.max(offset, start);
    const to = Math.min(offset + limit, start + group.total);
    if (from < to) windows.push({ key: group.key, offset: from - start, limit: to - from });
    start += group.total;
  }
  return windows;
}
