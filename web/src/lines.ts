/**
 * Line charts with uPlot (https://github.com/leeoniya/uPlot), for what goes beyond the hand-drawn
 * bars: several series over days (tokens by kind, cumulative spend). The chart fills its box's
 * width and follows it when the window resizes; the legend shows the values under the cursor.
 */
import uPlot from 'uplot';
import { h } from './dom.ts';

export interface LineSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  format?: (v: number) => string;
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

/** A line chart over UTC days (`days` are YYYY-MM-DD); `yFormat` labels the axis. */
export function lineChart(opts: {
  label: string;
  days: string[];
  series: LineSeries[];
  yFormat: (v: number) => string;
  height?: number;
  testid?: string;
}): HTMLElement {
  const box = h('div', { class: 'line-chart', role: 'img', 'aria-label': opts.label, 'data-testid': opts.testid });
  const data: uPlot.AlignedData = [opts.days.map(day), ...opts.series.map((s) => s.values)];
  const width = () => Math.max(box.clientWidth, 280);
  const plot = new uPlot(
    {
      width: 800,
      height: opts.height ?? 220,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: '#667085', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e4e7ec' } },
        { stroke: '#667085', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e4e7ec' }, size: 72, values: (_u, vals) => vals.map((v) => opts.yFormat(v)) },
      ],
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...opts.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : (s.format ?? opts.yFormat)(v)),
        })),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    data,
    box,
  );
  // Size to the box once it is in the page, and whenever it changes width.
  new ResizeObserver(() => {
    if (box.isConnected && Math.abs(plot.width - width()) > 4) plot.setSize({ width: width(), height: opts.height ?? 220 });
  }).observe(box);
  return box;
}
