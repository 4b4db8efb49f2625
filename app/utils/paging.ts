/**
 * One page of a list of `total` rows, `pageSize` to a page, for every paged list of the portal (the loaders and
 * their `Pagination`). The page asked for is kept within the pages there are: a page past the end (a stale link,
 * fewer rows since) is the last one, an empty list has one page, empty. `first` and `last` count the page's rows
 * from 1 ("11–20 of 42"; none: 0–0), so the range never reads backwards.
 */
export function listPage(requested: number, pageSize: number, total: number) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(requested) || 1), pages);
  const offset = (page - 1) * pageSize;
  return { page, pages, offset, first: total === 0 ? 0 : offset + 1, last: Math.min(offset + pageSize, total) };
}
