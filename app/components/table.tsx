import { useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { AppLink, type AppHref } from "./link";

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

export function Pagination({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const [params] = useSearchParams();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const hrefFor = (p: number): AppHref => {
    const next = new URLSearchParams(params);
    next.set("page", String(p));
    return `?${next}`;
  };
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  return (
    <nav className="pagination" aria-label="Pages">
      <span className="muted">
        {first}–{Math.min(page * pageSize, total)} of {total}
      </span>
      {page > 1 ? <AppLink to={hrefFor(page - 1)}>← Previous</AppLink> : null}
      <span>
        Page {Math.min(page, pages)} of {pages}
      </span>
      {page < pages ? <AppLink to={hrefFor(page + 1)}>Next →</AppLink> : null}
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
