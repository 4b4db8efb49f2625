import { useEffect, useRef, type ReactNode } from "react";
import type { ChartConfiguration } from "chart.js";

/**
 * A chart.js canvas. The library is imported only when a chart mounts, so
 * pages without charts never download it; the data table inside <details>
 * is the fallback without JavaScript and for screen readers.
 */
export function Chart({
  config,
  label,
  height = 240,
  table,
}: {
  config: ChartConfiguration;
  label: string;
  height?: number;
  table?: ReactNode;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const serialized = JSON.stringify(config);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    void import("chart.js/auto").then(({ default: ChartJs }) => {
      if (cancelled || !canvas.current) return;
      const parsed = JSON.parse(serialized) as ChartConfiguration;
      chart = new ChartJs(canvas.current, {
        ...parsed,
        options: { responsive: true, maintainAspectRatio: false, animation: false, ...parsed.options },
      });
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [serialized]);
  return (
    <figure className="chart">
      <div style={{ position: "relative", height }}>
        <canvas ref={canvas} role="img" aria-label={label} data-chart={label} />
      </div>
      <figcaption className="muted">{label}</figcaption>
      {table ? (
        <details>
          <summary>Data table</summary>
          {table}
        </details>
      ) : null}
    </figure>
  );
}
