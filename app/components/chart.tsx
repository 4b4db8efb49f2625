import { useEffect, useRef, type ReactNode } from "react";
import type { ChartConfiguration } from "chart.js";

/**
 * A chart.js canvas that fills its card. The library is imported only when a
 * chart mounts, so pages without charts never download it; the data table
 * inside <details> is the fallback without JavaScript and for screen readers.
 * Options arrive as JSON (functions cannot be serialised), so the one styling
 * rule that needs a callback is a prop: `dashedFrom` draws every line segment
 * that ends at or after that point dashed (a draft quarter).
 */
export function Chart({
  config,
  label,
  height = 240,
  table,
  dashedFrom,
}: {
  config: ChartConfiguration;
  label: string;
  height?: number;
  table?: ReactNode;
  dashedFrom?: number | null;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const serialized = JSON.stringify(config);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    void import("chart.js/auto").then(({ default: ChartJs }) => {
      if (cancelled || !canvas.current) return;
      const parsed = JSON.parse(serialized) as ChartConfiguration;
      if (dashedFrom != null) {
        for (const dataset of parsed.data.datasets as unknown as Array<Record<string, unknown>>) {
          dataset.segment = { borderDash: (ctx: { p1DataIndex: number }) => (ctx.p1DataIndex >= dashedFrom ? [6, 4] : undefined) };
        }
      }
      chart = new ChartJs(canvas.current, {
        ...parsed,
        options: { responsive: true, maintainAspectRatio: false, animation: false, ...parsed.options },
      });
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [serialized, dashedFrom]);
  return (
    <figure className="chart">
      <div style={{ position: "relative", height, width: "100%" }}>
        <canvas ref={canvas} role="img" aria-label={label} data-chart={label} />
      </div>
      <figcaption className="muted">{label}</figcaption>
      {table ? (
        <details>
          <summary>Data table</summary>
          <div className="table-wrap">{table}</div>
        </details>
      ) : null}
    </figure>
  );
}
