// A time-series chart drawn by uPlot (small, fast, canvas). Loaded on first use so the first paint
// does not wait for it. Colours come from the theme's CSS variables and follow light/dark changes.
import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';
import type { ChartData } from '../lib/chart-data.js';
import { formatDuration, formatPercent } from '../lib/format.js';

export type ChartUnit = 'count' | 'ratio' | 'ms';

export interface ChartProps {
  title: string;
  /** A sentence for screen readers ("123 calls in the last 24 hours"). */
  summary: string;
  data: ChartData;
  unit: ChartUnit;
  height?: number;
}

function formatValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (unit === 'ratio') return formatPercent(value);
  if (unit === 'ms') return formatDuration(value);
  return String(Math.round(value * 100) / 100);
}

function useColorScheme(): string {
  const query =
    typeof window !== 'undefined' && window.matchMedia
      ? window.matchMedia('(prefers-color-scheme: dark)')
      : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  return dark ? 'dark' : 'light';
}

let canvasSupport: boolean | undefined;
function canDraw(): boolean {
  if (canvasSupport === undefined) {
    try {
      canvasSupport = document.createElement('canvas').getContext('2d') !== null;
    } catch {
      canvasSupport = false;
    }
  }
  return canvasSupport;
}

/** uPlot point options: a dot on every non-zero value of a sparse series (a lone value draws no line). */
function pointsFor(values: (number | null)[]): uPlotType.Series.Points {
  const marked = values.flatMap((v, i) => (v !== null && v !== 0 ? [i] : []));
  if (marked.length === 0 || marked.length >= 40) return { show: false };
  return { show: true, size: 6, filter: () => marked };
}

export function Chart({ title, summary, data, unit, height = 180 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlotType | null>(null);
  const [failed, setFailed] = useState(false);
  const scheme = useColorScheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    void import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled) return;
        // uPlot draws on a 2D canvas (and fails later, asynchronously, without one).
        if (!canDraw()) {
          setFailed(true);
          return;
        }
        const css = getComputedStyle(el);
        const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
        const palette = Array.from({ length: 8 }, (_, i) => color(`--chart-${i + 1}`, '#3b82f6'));
        const axisColor = color('--text-muted', '#666');
        const gridColor = color('--grid', 'rgba(128,128,128,0.2)');
        const axis: uPlotType.Axis = {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1 },
        };
        const options: uPlotType.Options = {
          width: Math.max(200, el.clientWidth),
          height,
          legend: { show: true, live: true },
          cursor: { drag: { x: false, y: false } },
          scales: {
            x: { time: true },
            y: { range: (_u, min, max) => [0, Math.max(max, unit === 'ratio' ? 0.05 : 1, min)] },
          },
          axes: [
            axis,
            {
              ...axis,
              size: 64,
              values: (_u, splits) => splits.map((v) => formatValue(unit, v)),
            },
          ],
          series: [
            {},
            ...data.series.map((s, i) => ({
              label: s.label,
              stroke: palette[i % palette.length]!,
              width: 2,
              fill: data.series.length === 1 ? `${palette[i % palette.length]!}22` : undefined,
              spanGaps: false,
              points: pointsFor(s.values),
              value: (_u: uPlotType, v: number | null) => formatValue(unit, v),
            })),
          ],
        };
        plot.current?.destroy();
        try {
          plot.current = new UPlot(
            options,
            [data.x, ...data.series.map((s) => s.values)] as uPlotType.AlignedData,
            el,
          );
        } catch {
          setFailed(true); // no canvas (e.g. a test DOM)
          return;
        }
        observer = new ResizeObserver(() =>
          plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }),
        );
        observer.observe(el);
      })
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [data, unit, height, scheme]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={summary} />
      {failed ? <p className="muted small">{summary}</p> : null}
    </figure>
  );
}
