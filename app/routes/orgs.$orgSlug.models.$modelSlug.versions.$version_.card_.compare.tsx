import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { statusWords } from "~/utils/format";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Markdown } from "~/components/markdown";
import { requireMember } from "~/modules/auth/membership.server";
import { diffCards, sectionsAsShown } from "~/modules/governance/model-card";
import { getVersionCards } from "~/modules/governance/model-cards.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { notFound } from "~/utils/http";
import { parseMarkdown } from "~/utils/markdown.server";
import { TableScroll } from "~/components/table";

export const meta: MetaFunction = () => [{ title: "Compare model card revisions" }];

const RevisionSchema = z.coerce.number().int().positive();

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  const revisions = getVersionCards(org.id, detail.version.id);
  if (revisions.length === 0) throw notFound("This version has no model card");
  const search = new URL(request.url).searchParams;
  const pick = (name: string, fallback: number) => {
    const wanted = RevisionSchema.safeParse(search.get(name));
    return revisions.find((r) => r.revision === (wanted.success ? wanted.data : fallback)) ?? revisions[0]!;
  };
  const after = pick("b", revisions[0]!.revision);
  const before = pick("a", revisions[1]?.revision ?? after.revision);
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: detail.version.version,
    revisions: revisions.map((r) => ({ revision: r.revision, status: r.status })),
    before: { revision: before.revision, status: before.status },
    after: { revision: after.revision, status: after.status },
    rows: diffCards(sectionsAsShown(before.sections, before.notApplicable), sectionsAsShown(after.sections, after.notApplicable)).map(
      (row) => ({
        ...row,
        before: row.before ? parseMarkdown(row.before) : null,
        after: row.after ? parseMarkdown(row.after) : null,
      }),
    ),
  };
}

export default function CompareRevisions() {
  const { org, model, version, revisions, before, after, rows } = useLoaderData<typeof loader>();
  const options = revisions.map((r) => (
    <option key={r.revision} value={r.revision}>
      Revision {r.revision} ({statusWords(r.status)})
    </option>
  ));
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/models/${model.slug}/versions/${version}/card`}>← Model card</Link>
      </p>
      <h1>
        Compare revisions: {model.name} {version}
      </h1>
      <Form method="get" className="inline-form card">
        <div className="field">
          <label htmlFor="rev-a">Left</label>
          <select id="rev-a" name="a" defaultValue={before.revision}>
            {options}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rev-b">Right</label>
          <select id="rev-b" name="b" defaultValue={after.revision}>
            {options}
          </select>
        </div>
        <button type="submit">Compare</button>
      </Form>
      <TableScroll label="Sections compared">
        <table className="compare">
          <thead>
            <tr>
              <th scope="col">Section</th>
              <th scope="col">Revision {before.revision}</th>
              <th scope="col">Revision {after.revision}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.section} className={row.changed ? "changed" : undefined}>
                <th scope="row">
                  {row.title}
                  {row.changed ? <div className="tag">changed</div> : null}
                </th>
                <td>{row.before ? <Markdown tree={row.before} /> : <span className="muted">—</span>}</td>
                <td>{row.after ? <Markdown tree={row.after} /> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
