import { useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { AppLink, type AppHref } from "./link";
import { listPage } from "~/utils/paging";

/**
 * A column header that sorts through the URL (`?sort=name` / `?sort=-name`),
 * so sorting works without JavaScript and survives reloads.
 */
export function SortHeader({ field, children, defaultSort }: { field: string; children: ReactNode; defaultSort?: string }) {
  const [params] = useSearchParams();
  const current = params.get("sort") ?? defaultSort ?? "";
  const ascending = current === field;
  const descending = current === `-${field}`;
  const next = new URLSearchParams(params);
  next.set("sort", ascending ? `-${field}` : field);
  next.delete("page");
  return (
    <th scope="col" aria-sort={ascending ? "ascending" : descending ? "descending" : "none"}>
      <AppLink to={`?${next}`} className="sort-link">
        {children}
        <span aria-hidden="true">{ascending ? " ▲" : descending ? " ▼" : ""}</span>
      </AppLink>
    </th>
  );
}

/**
 * The pages of a list (`?page=N`): which rows this is, the way back and on. `page` is the page the loader read, kept
 * within the list by `listPage` (app/utils/paging.ts): a page asked for past the end (a stale link) shows the last,
 * and this says so, with a link to it. `hideSinglePage`: nothing when the list fits one page (unless asked past it).
 */
export function Pagination({
  page,
  pageSize,
  total,
  hideSinglePage,
}: {
  page: number;
  pageSize: number;
  total: number;
  hideSinglePage?: boolean;
}) {
  const [params] = useSearchParams();
  const { page: current, pages, first, last } = listPage(page, pageSize, total);
  const asked = Number(params.get("page"));
  const pastTheEnd = Number.isSafeInteger(asked) && asked > pages;
  if (hideSinglePage && pages === 1 && !pastTheEnd) return null;
  const hrefFor = (p: number): AppHref => {
    const next = new URLSearchParams(params);
    next.set("page", String(p));
    return `?${next}`;
  };
  return (
    <nav className="pagination" aria-label="Pages">
      {pastTheEnd ? (
        <p className="pagination-past-end">
          There is no page {asked}; the list has {pages === 1 ? "one page" : `${pages} pages`}.{" "}
          <AppLink to={hrefFor(pages)}>Go to the last page</AppLink>
        </p>
      ) : null}
      <span className="muted">
        {first}–{last} of {total}
      </span>
      {current > 1 ? <AppLink to={hrefFor(current - 1)}>← Previous</AppLink> : null}
      <span>
        Page {current} of {pages}
      </span>
      {current < pages ? <AppLink to={hrefFor(current + 1)}>Next →</AppLink> : null}
    </nav>
  );
}

/** A "filter by" select in a GET form; its value comes from (and goes back to) the URL. */
/** A filter of a list page; an option is its value, or a value with a readable label. */
export function FilterSelect({
  name,
  label,
  options,
}: {
  name: string;
  label: string;
  options: ReadonlyArray<string | { value: string; label: string }>;
}) {
  const [params] = useSearchParams();
  return (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select id={`filter-${name}`} name={name} defaultValue={params.get(name) ?? ""}>
        <option value="">Any</option>
        {options.map((o) => {
          const { value, label: text } = typeof o === "string" ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/**
 * The box a table sits in: a table wider than the screen scrolls inside it, never the page.
 * A named region that takes focus, so keyboard users can scroll it and screen readers announce it.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
