import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getSessionUser } from "~/modules/auth/session.server";
import { findFramework, findFrameworkFor, LATEST_FRAMEWORK_VERSION, listFrameworkVersionsFor } from "~/modules/framework/framework";
import { TableScroll } from "~/components/table";
import { RuleSource } from "~/components/evidence-rules";
import { LevelPill } from "~/components/framework";
import { EVIDENCE_WINDOW_LABELS, REGISTRY_METRIC_WINDOWS } from "~/modules/framework/framework-schema";
import { thresholdText } from "~/modules/roadmap/criteria";

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
    rules: framework.evidenceRules.map((r) => ({ ...r, window: r.window ?? REGISTRY_METRIC_WINDOWS[r.metric] })),
    evidencePolicy: framework.evidencePolicy,
  };
}

export default function HowScoresWork() {
  const { version, versions, cutoffs, bands, levels, components, rules, evidencePolicy } = useLoaderData<typeof loader>();
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
      {evidencePolicy.missingFigure === "not-evidenced" ? (
        <>
          <p>
            Evidence rules turn the model registry’s figures into an evidence level per component. Each rule states its window: the state at
            the end of the assessment’s quarter, events during the quarter, the trailing four quarters, or the 90 days to the quarter’s end.
            While the quarter runs, it ends today.
          </p>
          <p>
            Each rule <strong>holds</strong>, <strong>fails</strong>, or is <strong>not evidenced</strong> when the registry cannot give its
            figure (no promotions in the quarter, no production models, no monitoring snapshots, no resolved incident). Not evidenced never
            counts as failed. The evidence level is the highest level at which none of the component’s rules, at that level or below, fails;
            a component whose rules are all not evidenced has <strong>no registry evidence</strong>.
          </p>
          <p>
            When a component’s assessed level is above its evidence level it is flagged “not supported by registry evidence”; when a
            component with rules but no registry evidence is assessed at level {evidencePolicy.justifyFromLevel} or above it is flagged “no
            registry evidence for this level”. Either way finalising needs a written justification, so an empty registry does not escape the
            check. The figures, states and flags are frozen at finalisation.
          </p>
          <p>
            The incident rate over the trailing four quarters pools a year: incidents that started in the quarter and the three before it,
            divided by the sum of the models in production at each of those quarters’ ends (quarters without production models are left out,
            and so are their incidents). Pooled, the guide’s &lt;5%, &lt;1% and &lt;0.5% can be told apart: with 20 models a single incident
            in a quarter is already 5%. Thresholds marked <span className="tag">portal’s own choice</span> are not stated by the maturity
            guide; the others are the guide’s.
          </p>
        </>
      ) : (
        <p>
          Evidence rules turn the model registry’s figures for the assessment’s quarter into an evidence level per component: the highest
          level whose rules, and all lower levels’ rules, hold. A rule whose figure the registry cannot give (no promotions, no production
          models) does not hold. When a component’s assessed level is above its evidence level it is flagged “not supported by registry
          evidence”, and finalising needs a written justification. The figures are frozen at finalisation.
        </p>
      )}
      {components
        .filter((c) => rules.some((r) => r.componentId === c.id))
        .map((c) => (
          <section key={c.id} aria-labelledby={`rules-${c.id}`}>
            <h3 id={`rules-${c.id}`}>{c.name}</h3>
            <ul className="evidence-rules">
              {rules
                .filter((r) => r.componentId === c.id)
                .map((r, i) => (
                  <li key={i} data-rule={r.metric}>
                    <LevelPill level={r.level} /> {thresholdText(r)}, {EVIDENCE_WINDOW_LABELS[r.window]}{" "}
                    {r.source ? <RuleSource source={r.source} /> : null} <span className="mono muted">({r.metric})</span>
                    <br />
                    <span className="muted">{r.rationale}</span>
                  </li>
                ))}
            </ul>
          </section>
        ))}
      <p className="muted">Components without rules show “no registry evidence” and are never flagged.</p>
    </article>
  );
}
