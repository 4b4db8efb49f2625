import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LevelPill, RoadmapDetails } from "~/components/framework";
import { findFramework } from "~/modules/framework/framework";
import { notFound } from "~/utils/http";
import { TableScroll } from "~/components/table";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.component.name ?? "Component"} · Framework` }];

export function loader({ request, params }: LoaderFunctionArgs) {
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  const framework = findFramework(version);
  const component = framework?.components.find((c) => c.id === params.componentId);
  if (!framework || !component) throw notFound("No such framework component");
  return {
    component,
    levels: framework.levels.map((l) => ({ level: l.level, name: l.name })),
    questions: framework.questions.filter((q) => q.componentId === component.id),
    roadmaps: framework.roadmaps.filter((r) => r.workstreams.some((ws) => ws.items.some((i) => i.components.includes(component.id)))),
    componentNames: Object.fromEntries(framework.components.map((c) => [c.id, c.name])),
  };
}

export default function FrameworkComponentPage() {
  const { component, levels, questions, roadmaps, componentNames } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/framework">← Framework</Link>
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
