import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getSessionUser } from "~/modules/auth/session.server";
import { findFramework, findFrameworkFor, LATEST_FRAMEWORK_VERSION, listFrameworkVersionsFor } from "~/modules/framework/framework";
import { TableScroll } from "~/components/table";

export const meta: MetaFunction = () => [{ title: "How scores work · Framework" }];

export async function loader({ request }: LoaderFunctionArgs) {
  // ?version= shows another installed version's recipe; anything else shows the newest.
  const asked = new URL(request.url).searchParams.get("version");
  // Uploaded versions are for signed-in people only (the session is read only when one is asked for or listed).
  let signedIn: Promise<boolean> | undefined;
  const isSignedIn = () => (signedIn ??= getSessionUser(request).then((user) => !!user));
  const framework = (await findFrameworkFor(asked ?? undefined, isSignedIn)) ?? findFramework(LATEST_FRAMEWORK_VERSION)!;
  return {
    version: framework.version,
    versions: (await listFrameworkVersionsFor(isSignedIn)).sort((a, b) => Number(a) - Number(b)),
    cutoffs: framework.levelCutoffs,
    bands: framework.bands,
    levels: framework.levels.map((l) => ({ level: l.level, name: l.name })),
    components: framework.components.map((c) => ({ id: c.id, name: c.name, weight: c.weight })),
    rules: framework.evidenceRules,
  };
}

export default function HowScoresWork() {
  const { version, versions, cutoffs, bands, levels, components, rules } = useLoaderData<typeof loader>();
  const levelName = (level: number) => levels.find((l) => l.level === level)?.name ?? `Level ${level}`;
  return (
    <article style={{ maxWidth: "75ch" }}>
      <p>
        <Link to="/framework">← Framework</Link>
      </p>
      <h1>How scores work</h1>
      <p className="lead">Every number on an assessment can be recomputed by hand from the answers. This page is the whole recipe.</p>
      <nav aria-label="Framework versions">
        <p>
          Framework version {version}
          {versions.length > 1 ? " · other versions: " : null}
          {versions
            .filter((v) => v !== version)
            .map((v, i) => (
              <span key={v}>
                {i > 0 ? ", " : null}
                <Link to={`?version=${v}`}>version {v}</Link>
              </span>
            ))}
          . An assessment is scored with the version it was opened with.
        </p>
      </nav>
      <h2>1. Each statement earns credit</h2>
      <p>
        Every component lists what must be in place at levels 2 to 5. Each statement is marked <strong>in place</strong> (1 credit),{" "}
        <strong>partly in place</strong> (0.5), <strong>not in place</strong> (0) or <strong>not applicable</strong> (with a reason). A
        statement nobody has answered counts as not in place. Not-applicable statements are left out entirely: they add nothing to the
        credits and nothing to the count.
      </p>
      <h2>2. Coverage per level</h2>
      <p>
        <code>coverage(L)</code> is the credits of a component’s level-L statements divided by how many of them apply. A level whose
        statements are all not applicable has coverage 1.
      </p>
      <h2>3. The component’s level and score</h2>
      <p>
        Level 1 is the floor. Level L (2 to 5) is achieved when level L−1 is achieved <em>and</em> coverage(L) is at least 80%. A gap at a
        lower level therefore caps the component, however much is in place above it. The component score is the achieved level plus the
        coverage of the next level (nothing is added at level 5), so it runs from 1.0 to 5.0.
      </p>
      <p className="card">
        Example: level 2 coverage 90%, level 3 coverage 60% → level 2 is achieved, level 3 is not, and the score is 2 + 0.6 = 2.6.
      </p>
      <h2>4. The dimension score</h2>
      <p>
        The Technology &amp; Operations score is the weighted mean of the five component scores, computed from unrounded values and shown
        with one decimal. Weights: {components.map((c) => `${c.name} ${c.weight}`).join(", ")}. The band is <strong>strong</strong> from{" "}
        {bands.strong.toFixed(1)}, <strong>weak</strong> below {bands.weak.toFixed(1)}, and <strong>moderate</strong> in between.
      </p>
      <h3 id="level-cutoffs">The dimension level</h3>
      <p>
        The dimension is at the highest level whose cut-off its unrounded score reaches (the score is at least the cut-off); below the level
        2 cut-off it is at level 1. Where a source says a level is reached “above 3.5”, this portal reads it as “at least 3.5”.
      </p>
      <TableScroll label="Dimension level cut-offs">
        <table aria-labelledby="level-cutoffs">
          <thead>
            <tr>
              <th scope="col">Level</th>
              <th scope="col">Dimension score</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>1 {levelName(1)}</td>
              <td>below {cutoffs.cutoffs[0]!.minScore.toFixed(1)}</td>
            </tr>
            {cutoffs.cutoffs.map((c, i) => (
              <tr key={c.level}>
                <td>
                  {c.level} {levelName(c.level)}
                </td>
                <td>
                  {c.minScore.toFixed(1)} or more
                  {cutoffs.cutoffs[i + 1] ? `, below ${cutoffs.cutoffs[i + 1]!.minScore.toFixed(1)}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p>
        <strong>Where the cut-offs come from:</strong> {cutoffs.source}
      </p>
      <h2>5. The three assessment questions</h2>
      <p>
        Each question’s chosen level sits beside its related component’s level and is flagged when the two differ by more than one level, a
        prompt to look again at one of them.
      </p>
      <h2>6. Checked against the registry</h2>
      <p>
        Evidence rules turn the model registry’s figures for the assessment’s quarter into an evidence level per component: the highest
        level whose rules, and all lower levels’ rules, hold. When a component’s assessed level is above its evidence level it is flagged
        “not supported by registry evidence”, and finalising needs a written justification. The figures are frozen at finalisation.
      </p>
      <TableScroll label="Evidence rules">
        <table>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Level</th>
              <th scope="col">Rule</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r, i) => (
              <tr key={i}>
                <td>{components.find((c) => c.id === r.componentId)?.name}</td>
                <td>{r.level}</td>
                <td className="mono">
                  {r.metric} {r.comparison} {r.value}
                </td>
                <td>{r.rationale}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p className="muted">Components without rules show “no registry evidence” and are never flagged.</p>
    </article>
  );
}
