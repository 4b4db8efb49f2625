import { Link } from "@remix-run/react";
import { ComponentCard, LevelLadder, LevelPill, RoadmapDetails } from "~/components/framework";
import { TableScroll } from "~/components/table";
import type { ComponentView } from "~/modules/framework/framework";
import type { Framework } from "~/modules/framework/framework-schema";

/**
 * The framework's public pages (`/framework`, `/framework/<component>`), as
 * components: the site admin's preview of an uploaded version shows exactly
 * what these pages will show once it is published.
 */

/** The overview of a version: levels, components (linked through `componentHref`), questions, roadmaps, challenges. */
export function FrameworkOverview({ framework, componentHref }: { framework: Framework; componentHref: (componentId: string) => string }) {
  const componentNames = Object.fromEntries(framework.components.map((c) => [c.id, c.name]));
  return (
    <>
      <div className="page-header">
        <h1>{framework.name} maturity framework</h1>
        <span className="muted">Version {framework.version}</span>
      </div>
      <p className="lead">{framework.summary}</p>

      <section aria-labelledby="measures">
        <h2 id="measures">What this dimension measures</h2>
        <ul>
          {framework.measures.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <details>
          <summary>Why it matters</summary>
          <ul>
            {framework.whyItMatters.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {framework.failureModes.length > 0 ? (
            <>
              <h3>Common failure modes</h3>
              <ul>
                {framework.failureModes.map((f) => (
                  <li key={f.title}>
                    <strong>{f.title}:</strong> {f.text}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </details>
      </section>

      <section aria-labelledby="levels">
        <h2 id="levels">Five maturity levels</h2>
        <LevelLadder levels={framework.levels} />
        <p className="muted">
          Score bands: strong at {framework.bands.strong.toFixed(1)} or above, weak below {framework.bands.weak.toFixed(1)}, moderate in
          between.
        </p>
      </section>

      <section aria-labelledby="components">
        <h2 id="components">Five capability components</h2>
        <div className="grid">
          {framework.components.map((component) => (
            <ComponentCard key={component.id} component={component} href={componentHref(component.id)} />
          ))}
        </div>
      </section>

      <section aria-labelledby="questions">
        <h2 id="questions">Assessment questions</h2>
        {framework.questions.map((q) => (
          <details key={q.id} className="card">
            <summary>
              <strong>{q.title}</strong>: {q.prompt}
            </summary>
            <ol>
              {q.responses.map((r) => (
                <li key={r.level}>
                  <strong>{r.summary}</strong>
                  <ul className="tight">
                    {r.details.map((d) => (
                      <li key={d}>{d}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
            <h4>Assessment guidance</h4>
            <ul>
              {q.guidance.map((g) => (
                <li key={g}>{g}</li>
              ))}
            </ul>
          </details>
        ))}
      </section>

      <section aria-labelledby="roadmaps">
        <h2 id="roadmaps">Improvement roadmaps</h2>
        {framework.roadmaps.map((roadmap) => (
          <RoadmapDetails key={roadmap.id} roadmap={roadmap} componentNames={componentNames} />
        ))}
      </section>

      <section aria-labelledby="challenges">
        <h2 id="challenges">Common challenges</h2>
        <div className="grid">
          {framework.challenges.map((c) => (
            <article key={c.id} className="card">
              <h3>{c.title}</h3>
              <p>{c.problem}</p>
              <ul className="tight">
                {c.solutions.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </article>
          ))}
        </div>
        <h2>Success patterns</h2>
        <div className="grid">
          {framework.successPatterns.map((p) => (
            <article key={p.id} className="card">
              <h3>{p.title}</h3>
              <p>{p.summary}</p>
              <ul className="tight">
                {p.practices.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </article>
          ))}
        </div>
      </section>
    </>
  );
}

/** One component of a version: indicators, statements per level, practices, measures, questions and roadmap items. */
export function FrameworkComponentDetails({
  view: { component, levels, questions, roadmaps, componentNames },
  backHref,
  backLabel = "Framework",
}: {
  view: ComponentView;
  backHref: string;
  backLabel?: string;
}) {
  return (
    <>
      <p>
        <Link to={backHref}>← {backLabel}</Link>
      </p>
      <h1>{component.name}</h1>
      <p className="lead">{component.summary}</p>

      <h2>Maturity indicators</h2>
      <TableScroll label="Maturity indicators">
        <table>
          <thead>
            <tr>
              <th scope="col">Level</th>
              <th scope="col">What it looks like</th>
            </tr>
          </thead>
          <tbody>
            {component.indicators.map((indicator) => (
              <tr key={indicator.level}>
                <td>
                  <LevelPill level={indicator.level} /> {levels.find((l) => l.level === indicator.level)?.name}
                </td>
                <td>{indicator.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>

      <h2>What must be in place at each level</h2>
      <p className="muted">
        Level 1 is the floor. An assessment marks each statement below; a level counts as achieved when the level below it is achieved and
        at least 80% of its statements are in place.
      </p>
      {[2, 3, 4, 5].map((level) => (
        <section key={level} aria-labelledby={`statements-${level}`}>
          <h3 id={`statements-${level}`}>
            <LevelPill level={level} /> {levels.find((l) => l.level === level)?.name}
          </h3>
          <ul>
            {component.capabilities
              .filter((c) => c.level === level)
              .map((c) => (
                <li key={c.id}>{c.text}</li>
              ))}
          </ul>
        </section>
      ))}

      {component.practices.length > 0 ? <h2>Practices and tools</h2> : null}
      <div className="grid">
        {component.practices.map((group) => (
          <article key={group.title} className="card">
            <h3>{group.title}</h3>
            <ul className="tight">
              {group.items.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </article>
        ))}
      </div>

      <h2>How to measure it</h2>
      <ul>
        {component.measurement.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>

      {questions.map((q) => (
        <section key={q.id} className="card">
          <h2>Assessment question: {q.title}</h2>
          <p>{q.prompt}</p>
          <ol>
            {q.responses.map((r) => (
              <li key={r.level}>{r.summary}</li>
            ))}
          </ol>
        </section>
      ))}

      <h2>Roadmap items that advance this component</h2>
      {roadmaps.map((roadmap) => (
        <RoadmapDetails key={roadmap.id} roadmap={roadmap} componentNames={componentNames} onlyComponent={component.id} />
      ))}
    </>
  );
}
