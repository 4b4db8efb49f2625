import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { EmptyState } from "~/components/forms";
import { RiskBadge } from "~/components/registry";
import { cached } from "~/data-cache.server";
import { FilterSelect, Pagination, SortHeader } from "~/components/table";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { RISK_TIERS, STAGES } from "~/modules/registry/registry-constants";
import { ModelListPageQuerySchema } from "~/modules/registry/registry-schemas";
import { formatDate } from "~/utils/format";
import { listPage } from "~/utils/paging";
import { AppLink } from "~/components/link";

export const meta: MetaFunction = () => [{ title: "Models" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const query = ModelListPageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const asked = cached.modelList(org.id, query);
  // A page past the end (a stale link, fewer matches since) shows the last page, as every paged list does; the
  // pagination says there is no such page. (The API answers such a page empty: a client pages on until then.)
  const { page } = listPage(query.page, query.pageSize, asked.total);
  const { models, ...listing } = page === query.page ? asked : cached.modelList(org.id, { ...query, page });
  return {
    org,
    canRegister: hasRole(role, REGISTRY_WRITERS),
    filtered: Boolean(query.q || query.stage || query.riskTier || query.team || query.tag),
    ...listing,
    // Only the columns the table shows: the page's data is serialised into the HTML too.
    models: models.map(
      ({ id, slug, name, tags, riskTier, ownerTeam, productionVersion, latestVersion, versionCount, openIncidents, updatedAt }) => ({
        id,
        slug,
        name,
        tags,
        riskTier,
        ownerTeam,
        productionVersion,
        latestVersion,
        versionCount,
        openIncidents,
        updatedAt,
      }),
    ),
    facets: cached.modelFacets(org.id),
  };
}

export default function ModelList() {
  const { org, models, total, page, pageSize, facets, canRegister, filtered } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      <div className="page-header">
        <h1>Models</h1>
        {canRegister ? (
          <AppLink to={`/orgs/${org.slug}/models/new`} className="button">
            Register a model
          </AppLink>
        ) : null}
      </div>
      <Form method="get" className="inline-form card" aria-label="Search and filter models" key={params.toString()}>
        <div className="field">
          <label htmlFor="model-search">Search</label>
          <input id="model-search" type="search" name="q" defaultValue={params.get("q") ?? ""} placeholder="Name, slug, use case…" />
        </div>
        <FilterSelect name="stage" label="Has a version in" options={STAGES} />
        <FilterSelect name="riskTier" label="Risk tier" options={RISK_TIERS} />
        <FilterSelect name="team" label="Team" options={facets.teams} />
        <FilterSelect name="tag" label="Tag" options={facets.tags} />
        {params.get("sort") ? <input type="hidden" name="sort" value={params.get("sort")!} /> : null}
        <button type="submit">Apply</button>
        <AppLink to="?">Clear</AppLink>
      </Form>
      {models.length === 0 ? (
        <EmptyState title={filtered ? "No models match" : "No models registered yet"}>
          <p>
            {filtered
              ? "Try fewer filters."
              : "Register models here or from your pipelines through the API (see the API tokens page under Admin)."}
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Registered models</caption>
            <thead>
              <tr>
                <SortHeader field="name" defaultSort="name">
                  Model
                </SortHeader>
                <SortHeader field="risk">Risk</SortHeader>
                <th scope="col">Team</th>
                <th scope="col">In production</th>
                <th scope="col">Latest</th>
                <th scope="col">Open incidents</th>
                <SortHeader field="updated">Updated</SortHeader>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.id}>
                  <td>
                    <AppLink to={`/orgs/${org.slug}/models/${m.slug}`}>{m.name}</AppLink>
                    <div className="muted mono">{m.slug}</div>
                    {m.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>
                    <RiskBadge tier={m.riskTier} />
                  </td>
                  <td>{m.ownerTeam || "—"}</td>
                  <td>{m.productionVersion ? <span className="stage stage-production">{m.productionVersion}</span> : "—"}</td>
                  <td className="mono">
                    {m.latestVersion ?? "—"} <span className="muted">({m.versionCount})</span>
                  </td>
                  <td className={m.openIncidents > 0 ? "bad-text" : undefined}>{m.openIncidents}</td>
                  <td>{formatDate(m.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pageSize={pageSize} total={total} />
    </>
  );
}
