import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ComponentCard, LevelLadder, RoadmapDetails } from "~/components/framework";
import { findFramework } from "~/modules/framework/framework";
import { notFound } from "~/utils/http";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.framework.name ?? "Framework"} maturity framework` },
  { name: "description", content: data?.framework.summary ?? "" },
];

export function loader({ request }: LoaderFunctionArgs) {
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  const framework = findFramework(version);
  if (!framework) throw notFound("No framework with that version");
  return { framework };
}

export default function FrameworkOverview() {
  const { framework } = useLoaderData<typeof loader>();
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
            <ComponentCard key={component.id} component={component} />
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
