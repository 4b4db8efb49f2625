/**
 * No page issues queries in proportion to the rows it lists (N+1): each page's
 * loader runs against the demo organisation, then again after the benchmark
 * builder has grown that organisation to 2,000 models, 10,000 versions,
 * 200,000 audit events and a 5,000-item roadmap. The SQL statement count of
 * every page must stay the same. Loaders run in-process, through their real
 * guards, with a real session cookie and API token.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { closeSharedDb, getDb } from "../../db/client";
import { withQueryCounter } from "../../db/query-count";
import { seedDemoOrganization } from "../../db/seed";
import { buildLargeOrganization } from "../../scripts/bench/seed";
import { createApiToken } from "../../app/modules/auth/api-tokens.server";
import { API_SCOPES } from "../../app/modules/auth/api-scopes";
import { sessionStorage } from "../../app/modules/auth/session.server";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";

type Loader = (args: LoaderFunctionArgs) => unknown;
type Ids = { model: string; version: string; assessment: number; roadmap: number };
type Page = {
  name: string;
  module: () => Promise<{ loader: Loader }>;
  url: (ids: Ids) => string;
  params: (ids: Ids) => Record<string, string>;
  api?: boolean;
};

const org = { orgSlug: "demo" };
const PAGES: Page[] = [
  { name: "organisation layout", module: () => import("../../app/routes/orgs.$orgSlug"), url: () => "/orgs/demo", params: () => org },
  { name: "dashboard", module: () => import("../../app/routes/orgs.$orgSlug._index"), url: () => "/orgs/demo", params: () => org },
  {
    name: "model list",
    module: () => import("../../app/routes/orgs.$orgSlug.models._index"),
    url: () => "/orgs/demo/models",
    params: () => org,
  },
  {
    name: "model list (filtered, sorted)",
    module: () => import("../../app/routes/orgs.$orgSlug.models._index"),
    url: () => "/orgs/demo/models?riskTier=high&sort=-updated",
    params: () => org,
  },
  {
    name: "model detail",
    module: () => import("../../app/routes/orgs.$orgSlug.models.$modelSlug._index"),
    url: (ids) => `/orgs/demo/models/${ids.model}`,
    params: (ids) => ({ ...org, modelSlug: ids.model }),
  },
  {
    name: "version",
    module: () => import("../../app/routes/orgs.$orgSlug.models.$modelSlug.versions.$version"),
    url: (ids) => `/orgs/demo/models/${ids.model}/versions/${ids.version}`,
    params: (ids) => ({ ...org, modelSlug: ids.model, version: ids.version }),
  },
  { name: "audit log", module: () => import("../../app/routes/orgs.$orgSlug.audit"), url: () => "/orgs/demo/audit", params: () => org },
  {
    name: "assessments",
    module: () => import("../../app/routes/orgs.$orgSlug.assessments._index"),
    url: () => "/orgs/demo/assessments",
    params: () => org,
  },
  {
    name: "assessment",
    module: () => import("../../app/routes/orgs.$orgSlug.assessments.$assessmentId._index"),
    url: (ids) => `/orgs/demo/assessments/${ids.assessment}`,
    params: (ids) => ({ ...org, assessmentId: String(ids.assessment) }),
  },
  {
    name: "roadmaps",
    module: () => import("../../app/routes/orgs.$orgSlug.roadmaps._index"),
    url: () => "/orgs/demo/roadmaps",
    params: () => org,
  },
  {
    name: "roadmap",
    module: () => import("../../app/routes/orgs.$orgSlug.roadmaps.$roadmapId._index"),
    url: (ids) => `/orgs/demo/roadmaps/${ids.roadmap}?view=component`,
    params: (ids) => ({ ...org, roadmapId: String(ids.roadmap) }),
  },
  { name: "reviews", module: () => import("../../app/routes/orgs.$orgSlug.reviews"), url: () => "/orgs/demo/reviews", params: () => org },
  { name: "inbox", module: () => import("../../app/routes/orgs.$orgSlug.inbox"), url: () => "/orgs/demo/inbox", params: () => org },
  { name: "admin", module: () => import("../../app/routes/orgs.$orgSlug.admin._index"), url: () => "/orgs/demo/admin", params: () => org },
  {
    name: "API models",
    module: () => import("../../app/routes/api.v1.$"),
    url: () => "/api/v1/models",
    params: () => ({}),
    api: true,
  },
  {
    name: "API metrics",
    module: () => import("../../app/routes/api.v1.$"),
    url: () => "/api/v1/metrics",
    params: () => ({}),
    api: true,
  },
];

let cookie = "";
let token = "";

/** The same choice in a small and a large organisation: the busiest model, its newest version, the newest assessment, the largest active roadmap. */
function pickIds(): Ids {
  const sqlite = getDb().$client;
  const orgId = sqlite.prepare("select id from organizations where slug = 'demo'").pluck().get() as number;
  const model = sqlite
    .prepare(
      "select m.id, m.slug from models m join model_versions v on v.model_id = m.id where m.org_id = ? group by m.id order by count(*) desc, m.id limit 1",
    )
    .get(orgId) as { id: number; slug: string };
  return {
    model: model.slug,
    version: sqlite
      .prepare("select version from model_versions where model_id = ? order by id desc limit 1")
      .pluck()
      .get(model.id) as string,
    assessment: sqlite.prepare("select max(id) from assessments where org_id = ? and status = 'finalized'").pluck().get(orgId) as number,
    roadmap: sqlite
      .prepare(
        "select r.id from roadmaps r join roadmap_items i on i.roadmap_id = r.id where r.org_id = ? and r.status = 'active' group by r.id order by count(*) desc limit 1",
      )
      .pluck()
      .get(orgId) as number,
  };
}

async function countQueries(page: Page, ids: Ids): Promise<number> {
  const { loader } = await page.module();
  const request = new Request(`http://portal.test${page.url(ids)}`, {
    headers: page.api ? { authorization: `Bearer ${token}` } : { cookie },
  });
  return withQueryCounter(async (counter) => {
    try {
      await loader({ request, params: page.params(ids), context: {} });
    } catch (thrown) {
      throw new Error(`${page.name}: the loader threw ${thrown instanceof Response ? `a ${thrown.status} response` : String(thrown)}`);
    }
    return counter.queries;
  });
}

async function countAll(orgId: number): Promise<Map<string, number>> {
  // A fresh token each time, so both runs pay its first-use bookkeeping alike.
  token = createApiToken(orgId, { name: "query-count", scopes: [...API_SCOPES] }, SYSTEM_ACTOR).token;
  // No landing organisation yet, so both runs pay the organisation layout's one-time bookkeeping write alike.
  getDb().$client.prepare("update users set last_org_id = null").run();
  const ids = pickIds();
  const counts = new Map<string, number>();
  for (const page of PAGES) counts.set(page.name, await countQueries(page, ids));
  return counts;
}

let small: Map<string, number>;
let large: Map<string, number>;

beforeAll(async () => {
  const { orgId } = await seedDemoOrganization();
  const admin = getDb().$client.prepare("select id from users where email = 'admin@demo.local'").pluck().get() as number;
  const session = await sessionStorage().getSession();
  session.set("userId", admin);
  cookie = (await sessionStorage().commitSession(session)).split(";")[0]!;
  small = await countAll(orgId);
  await buildLargeOrganization(process.env.DATABASE_URL!, () => {});
  large = await countAll(orgId);
  closeSharedDb();
}, 120_000);

describe("queries per page do not grow with the data", () => {
  it.each(PAGES.map((p) => p.name))("%s", (name) => {
    expect(small.get(name), `${name}: statements in the demo organisation`).toBeGreaterThan(0);
    expect(large.get(name), `${name}: ${small.get(name)} statements in the demo organisation, ${large.get(name)} in the large one`).toBe(
      small.get(name),
    );
  });

  it("the largest page stays under 40 statements", () => {
    expect(Math.max(...large.values())).toBeLessThan(40);
  });
});
