import { Link } from "@remix-run/react";
import type { FrameworkComponent, FrameworkLevel, FrameworkRoadmap } from "~/modules/framework/framework-schema";

export function LevelPill({ level }: { level: number }) {
  const whole = Math.min(5, Math.max(1, Math.floor(level)));
  return <span className={`level-pill level-${whole}`}>L{level}</span>;
}

export function LevelLadder({ levels }: { levels: FrameworkLevel[] }) {
  return (
    <div className="level-ladder">
      {levels.map((level) => (
        <article key={level.level} className="card" aria-labelledby={`level-${level.level}`}>
          <h3 id={`level-${level.level}`}>
            <LevelPill level={level.level} /> {level.name}
            <span className="muted"> / {level.alias}</span>
          </h3>
          <p>{level.summary}</p>
          <details>
            <summary>State and characteristics</summary>
            <ul className="tight">
              {[...level.state, ...level.characteristics].map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </details>
          <details>
            <summary>Business impact</summary>
            <ul className="tight">
              {level.businessImpact.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </details>
          <details>
            <summary>Improvement priorities</summary>
            {level.improvementPriorities.length ? (
              <ul className="tight">
                {level.improvementPriorities.map((p) => (
                  <li key={p.title}>
                    <strong>{p.title}:</strong> {p.text}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">None set at this level: the framework gives no priorities beyond keeping this level’s practices.</p>
            )}
          </details>
        </article>
      ))}
    </div>
  );
}

/** A component's card: its name links to `href` (its /framework page, or the upload preview's). */
export function ComponentCard({ component, href = `/framework/${component.id}` }: { component: FrameworkComponent; href?: string }) {
  return (
    <article className="card" data-testid="framework-component">
      <h3>
        <Link to={href}>{component.name}</Link>
      </h3>
      <p>{component.summary}</p>
      <ol className="tight">
        {component.indicators.map((indicator) => (
          <li key={indicator.level}>{indicator.text}</li>
        ))}
      </ol>
    </article>
  );
}

export function RoadmapDetails({
  roadmap,
  componentNames,
  onlyComponent,
}: {
  roadmap: FrameworkRoadmap;
  componentNames: Record<string, string>;
  onlyComponent?: string;
}) {
  return (
    <details className="card">
      <summary>
        <strong>
          Level {roadmap.from} → {roadmap.to}: {roadmap.title}
        </strong>{" "}
        <span className="muted">
          ({roadmap.durationMonths.min}–{roadmap.durationMonths.max} months)
        </span>
      </summary>
      <p>
        <strong>Goal:</strong> {roadmap.goal}
      </p>
      {roadmap.workstreams.map((ws) => {
        const items = onlyComponent ? ws.items.filter((i) => i.components.includes(onlyComponent)) : ws.items;
        if (items.length === 0) return null;
        return (
          <section key={ws.id}>
            <h4>
              Months {ws.startMonth}–{ws.endMonth}: {ws.title}
            </h4>
            <ul className="checklist">
              {items.map((item) => (
                <li key={item.id}>
                  {item.text}{" "}
                  {item.components.map((c) => (
                    <span key={c} className="tag">
                      {componentNames[c] ?? c}
                    </span>
                  ))}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {onlyComponent ? null : (
        <>
          <h4>Success criteria</h4>
          <ul>
            {roadmap.successCriteria.map((c) => (
              <li key={c.id}>
                {c.text} {c.check ? <span className="tag">checked automatically</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}
